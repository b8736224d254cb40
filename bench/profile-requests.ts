// Developer aid (not part of `npm run bench`): a CPU profile of the API answering real SODA job requests, to find
// what a request spends its time on. `node --import tsx --cpu-prof --cpu-prof-dir=/tmp/prof bench/profile-requests.ts`
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ingestArchive } from '../src/archive/ingest.js';
import { systemClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { createFactory } from '../src/factory.js';
import { createLogger } from '../src/logger.js';
import { simulateNight } from '../src/simulate/index.js';
import { listFrames } from '../src/store/frame-store.js';
import { benchServer } from './support.js';

const which = process.argv[2] ?? 'create';
const n = Number(process.argv[3] ?? 500);
const server = await benchServer();
const db = await server.database();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'drsoda-prof-'));
chmodSync(tmp, 0o755);
const root = path.join(tmp, 'archive');
const log = createLogger('silent');
await simulateNight({ outDir: root, night: '2014-09-26', fields: 1, objects: 1, size: 'small', seed: 3, biases: 2, darks: 0, lflats: 0 });
await ingestArchive({ pool: db.pool, root, authority: 'bench.drsoda', log });
const { frames } = await listFrames(db.pool, { night: ['2014-09-26'], ndfClass: ['MFOBJECT'], ccd: [1] }, { limit: 1, offset: 0 });
const s = http.createServer();
await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
const port = (s.address() as AddressInfo).port;
const base = `http://127.0.0.1:${port}`;
const factory = createFactory({
  config: loadConfig({ PORT: String(port), BASE_URL: base, LOG_LEVEL: 'silent', DEMO_ARCHIVE: 'false', ARCHIVE_ROOT: root, IVO_AUTHORITY: 'bench.drsoda', DATA_DIR: path.join(tmp, 'data'), EXECUTOR: 'local', RUN_WORKER: 'false', RATE_LIMIT_JOBS_PER_MIN: '0' }),
  pool: db.pool, log, clock: systemClock,
});
const shutdown = new AbortController();
s.on('request', await factory.httpApp({ upSince: new Date(), shutdown: shutdown.signal }));
const body = new URLSearchParams({ ID: frames[0].id }).toString();
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
const one = (method: string, p: string, b?: string) =>
  new Promise<string>((resolve, reject) => {
    const req = http.request(`${base}${p}`, { method, agent, headers: b ? { 'content-type': 'application/x-www-form-urlencoded' } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve(String(res.headers.location ?? '')));
    });
    req.on('error', reject);
    req.end(b);
  });
const job = new URL(await one('POST', '/soda/async', body)).pathname;
const t0 = performance.now();
for (let i = 0; i < n; i += 8) {
  await Promise.all(Array.from({ length: 8 }, () => (which === 'create' ? one('POST', '/soda/async', body) : which === 'phase' ? one('GET', `${job}/phase`) : one('GET', '/soda/availability'))));
}
process.stdout.write(`${which}: ${((n / (performance.now() - t0)) * 1000).toFixed(0)}/s\n`);
agent.destroy();
shutdown.abort();
s.closeAllConnections();
await new Promise<void>((r) => s.close(() => r()));
await factory.close();
await db.close();
await server.close();
rmSync(tmp, { recursive: true, force: true });
