// See global-setup.mjs: the implementation is TypeScript, loaded through tsx.
import { tsImport } from 'tsx/esm/api';

export default async function globalTeardown() {
  const impl = await tsImport('./global-teardown-impl.ts', import.meta.url);
  await impl.default();
}
