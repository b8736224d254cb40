// Jest loads global setup outside its transform pipeline, so the TypeScript implementation goes through tsx.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  const impl = await tsImport('./global-setup-impl.ts', import.meta.url);
  await impl.default();
}
