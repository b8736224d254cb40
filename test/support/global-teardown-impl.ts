// Stops the embedded PostgreSQL that global-setup started (nothing to do with an external DATABASE_URL).
export default async function globalTeardown(): Promise<void> {
  await globalThis.__drsodaStopPg?.();
}
