// Stops the embedded PostgreSQL that global-setup started and removes its folder (nothing to do with an
// external DATABASE_URL).
import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  await globalThis.__drsodaStopPg?.();
  if (globalThis.__drsodaPgDir) rmSync(globalThis.__drsodaPgDir, { recursive: true, force: true });
}
