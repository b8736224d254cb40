// The whole service as `drsoda serve` builds it, on loopback: a small simulated night ingested into a test
// database, the execution engine running the reference reducer as local processes (EXECUTOR=local), the SODA
// publisher, and the app with /soda/async, /soda/sync and /soda/links.
import { chmodSync, mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ingestArchive } from '../../src/archive/ingest.js';
import { systemClock } from '../../src/clock.js';
import type { Config } from '../../src/config.js';
import type { FrameRecord } from '../../src/domain/frame.js';
import { createLogger } from '../../src/logger.js';
import type { Engine } from '../../src/scheduler/engine.js';
import { createFactory, type Factory } from '../../src/factory.js';
import { simulateNight, type NightTruth } from '../../src/simulate/index.js';
import { listFrames } from '../../src/store/frame-store.js';
import { testConfig } from './config.js';
import { createTestDatabase, type TestDatabase } from './db.js';

export const SODA_AUTHORITY = 'drsoda.test';

export interface SimulatedArchive {
  root: string;
  night: string;
  truth: NightTruth;
}

/** A small night (one field, one object exposure by default) written to a fresh folder. */
export async function simulatedArchive(o: { night?: string; objects?: number; seed?: number; fields?: number } = {}): Promise<SimulatedArchive> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'drsoda-soda-night-'));
  chmodSync(root, 0o755);
  const night = o.night ?? '2026-03-14';
  const sim = await simulateNight({ outDir: root, night, fields: o.fields ?? 1, objects: o.objects ?? 1, size: 'small', seed: o.seed ?? 5, biases: 2, darks: 0, lflats: 0 });
  return { root, night, truth: JSON.parse(readFileSync(sim.truthFile, 'utf8')) as NightTruth };
}

export interface SodaTestApp {
  url: string;
  config: Config;
  db: TestDatabase;
  engine: Engine;
  factory: Factory;
  frames: FrameRecord[];
  /** Stops the server, app and engine, and drops the database. */
  close(): Promise<void>;
}

export interface SodaAppOptions {
  config?: Record<string, string>;
  /** An existing database (already ingested) to share with another app; it is then not dropped on close. */
  db?: TestDatabase;
  /** false: the engine runs no worker here (steps wait for another process, see startSodaWorker). */
  work?: boolean;
}

export async function startSodaApp(archive: SimulatedArchive, o: SodaAppOptions = {}): Promise<SodaTestApp> {
  const db = o.db ?? (await createTestDatabase());
  const log = createLogger('silent');
  if (!o.db) await ingestArchive({ pool: db.pool, root: archive.root, authority: SODA_AUTHORITY, log });
  const { frames } = await listFrames(db.pool, { night: [archive.night] }, { limit: 10000, offset: 0 });
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  const config = testConfig({
    BASE_URL: `http://127.0.0.1:${port}`, ARCHIVE_ROOT: archive.root, IVO_AUTHORITY: SODA_AUTHORITY, EXECUTOR: 'local', WORKER_CONCURRENCY: '2', STEP_TIMEOUT_S: '120',
    ...o.config,
  });
  const factory = createFactory({ config, pool: db.pool, log, clock: systemClock });
  const engine = await factory.engine({ work: o.work ?? true });
  const shutdown = new AbortController();
  const app = await factory.httpApp({ upSince: new Date(), shutdown: shutdown.signal });
  server.on('request', app);
  return {
    url: `http://127.0.0.1:${port}`,
    config,
    db,
    engine,
    factory,
    frames,
    close: async () => {
      shutdown.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await factory.close();
      if (!o.db) await db.drop();
    },
  };
}

/** A worker alone on the app's database and files, as `drsoda worker` runs on another host; stop() ends it. */
export async function startSodaWorker(s: SodaTestApp): Promise<{ engine: Engine; stop(): Promise<void> }> {
  const factory = createFactory({ config: s.config, pool: s.db.pool, log: createLogger('silent'), clock: systemClock });
  const engine = await factory.engine({ work: true });
  return { engine, stop: () => factory.close() };
}
