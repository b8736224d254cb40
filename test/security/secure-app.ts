// The whole app as the security tests attack it: a few small raw frames ingested, an execution engine (the fake
// aaorun as local processes, so reductions take a second) behind SODA, and the HTTP server as `drsoda serve`
// builds it (with its handler for malformed HTTP). Helpers make completed SODA jobs with real products per owner.
import { mkdtempSync, chmodSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ingestArchive } from '../../src/archive/ingest.js';
import { systemClock } from '../../src/clock.js';
import type { Config } from '../../src/config.js';
import { answerClientErrors } from '../../src/http/client-error.js';
import { createLogger } from '../../src/logger.js';
import type { Engine } from '../../src/scheduler/engine.js';
import { createFactory, type Factory } from '../../src/factory.js';
import { insertJob } from '../../src/store/job-store.js';
import { testConfig } from '../support/config.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { settled, testEngine } from '../support/engine.js';
import { fakePlan } from '../support/fake-plan.js';
import { writeRawFrame } from '../integration/archive-fixture.js';

export const AUTHORITY = 'drsoda.example.org';
export const OBJECT_DID = `ivo://${AUTHORITY}/aat?2014-09-26/ccd1/0004`;

export interface SecureApp {
  url: string;
  port: number;
  config: Config;
  db: TestDatabase;
  engine: Engine;
  archive: string;
  factory: Factory;
  /** A COMPLETED `soda` job of owner (null = anonymous) whose plan ran through the fake aaorun; its target product. */
  completedJob(owner: string | null, salt: string): Promise<{ id: string; stepId: string; fileName: string }>;
  close(): Promise<void>;
}

export async function startSecureApp(o: { config?: Record<string, string> } = {}): Promise<SecureApp> {
  const db = await createTestDatabase();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'drsoda-secure-'));
  chmodSync(tmp, 0o755);
  const archive = path.join(tmp, 'archive');
  await writeRawFrame(archive, { ccd: 1, run: 1, ndfClass: 'BIAS', cfg: '' });
  await writeRawFrame(archive, { ccd: 1, run: 2, ndfClass: 'MFFFF' });
  await writeRawFrame(archive, { ccd: 1, run: 3, ndfClass: 'MFARC' });
  await writeRawFrame(archive, { ccd: 1, run: 4, ndfClass: 'MFOBJECT' });
  await ingestArchive({ pool: db.pool, root: archive, authority: AUTHORITY, log: createLogger('silent') });
  const server = http.createServer();
  answerClientErrors(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  // No sync request waits for a reduction: a request that would start one answers at once.
  const config = testConfig({ BASE_URL: url, ARCHIVE_ROOT: archive, IVO_AUTHORITY: AUTHORITY, SODA_SYNC_WAIT_S: '0', RATE_LIMIT_JOBS_PER_MIN: '0', ...o.config });
  const engine = testEngine(db.pool, db.url, { archiveRoot: archive, dataDir: config.dataDir, concurrency: 2 });
  await engine.start();
  const shutdown = new AbortController();
  // The engine runs the fake aaorun and links products into results; everything else is built as serve builds it.
  const factory = createFactory({ config, pool: db.pool, log: createLogger('silent'), clock: systemClock, engine });
  server.on('request', await factory.httpApp({ upSince: new Date(), shutdown: shutdown.signal }));
  let n = 0;
  return {
    url, port, config, db, engine, archive, factory,
    async completedJob(owner, salt) {
      const id = `sec${Date.now().toString(36)}${++n}`;
      await insertJob(db.pool, { id, kind: 'soda', ownerId: owner, runId: null, phase: 'QUEUED', quote: null, creationTime: new Date(), executionDuration: 0, destruction: null, parameters: [{ name: 'ID', value: OBJECT_DID, byReference: false }] });
      const plan = fakePlan([{ name: `raw${salt}`, raw: ['140926/ccd_1/26sep10004.fits'] }, { name: `red${salt}`, after: [`raw${salt}`] }], salt);
      await engine.submit(id, owner ?? '', plan);
      const job = await settled(db.pool, id, 30000);
      if (job.phase !== 'COMPLETED') throw new Error(`job ${id} ended ${job.phase}: ${job.error?.message}`);
      const target = plan.targets[0].products[0];
      return { id, stepId: target.stepId, fileName: target.fileName };
    },
    async close() {
      shutdown.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await factory.close();
      await engine.stop();
      await db.drop();
    },
  };
}
