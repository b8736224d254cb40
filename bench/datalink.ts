// DataLink benchmarks: /soda/links over real HTTP on a simulated night (4 fields, both arms) for one object frame
// and for 100 IDs in one POST (the per-request cap: every ID planned, its calibrations and SODA descriptor written),
// plus the VOSI capabilities document. Run alone: npm run bench -- --only datalink
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ingestArchive } from '../src/archive/ingest.js';
import { formatFieldDid } from '../src/archive/dids.js';
import { systemClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { createFactory } from '../src/factory.js';
import { createLogger } from '../src/logger.js';
import { simulateNight } from '../src/simulate/index.js';
import { listFrames } from '../src/store/frame-store.js';
import { ms, summarize, type Bench, type Row } from './lib.js';
import { benchServer } from './support.js';

export const datalink: Bench = async (ctx) => {
  const server = await benchServer();
  const db = await server.database();
  const root = mkdtempSync(path.join(os.tmpdir(), 'drsoda-bench-dl-'));
  chmodSync(root, 0o755);
  const log = createLogger('silent');
  const night = '2014-09-26';
  await simulateNight({ outDir: root, night, fields: 4, objects: 5, size: 'small', seed: 3, biases: 5, darks: 3, lflats: 3 });
  await ingestArchive({ pool: db.pool, root, authority: 'bench.drsoda', log });
  const { frames } = await listFrames(db.pool, { night: [night] }, { limit: 1000, offset: 0 });
  const objects = frames.filter((f) => f.ndfClass === 'MFOBJECT');
  // 100 distinct IDs: every frame of the night, then field IDs, then unknown runs (NotFoundFault rows).
  const fields = [...new Set(objects.map((f) => formatFieldDid('bench.drsoda', { night, cfg: f.cfgFile })))];
  const ids = [...frames.map((f) => f.id), ...fields];
  for (let run = 9000; ids.length < 100; run++) ids.push(`ivo://bench.drsoda/aat?${night}/ccd1/${run}`);

  const httpServer = http.createServer();
  await new Promise<void>((r) => httpServer.listen(0, '127.0.0.1', () => r()));
  const port = (httpServer.address() as AddressInfo).port;
  // The app of `drsoda serve` as an API-only process (RUN_WORKER=false): nothing here is reduced, so no worker
  // competes with the requests measured, and no Docker daemon or pipeline image is needed (EXECUTOR=local).
  const config = loadConfig({
    PORT: String(port), BASE_URL: `http://127.0.0.1:${port}`, LOG_LEVEL: 'silent', DEMO_ARCHIVE: 'false', ARCHIVE_ROOT: root, IVO_AUTHORITY: 'bench.drsoda',
    DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'drsoda-bench-dl-data-')), EXECUTOR: 'local', RUN_WORKER: 'false',
  });
  const factory = createFactory({ config, pool: db.pool, log, clock: systemClock });
  httpServer.on('request', await factory.httpApp({ upSince: new Date(), shutdown: new AbortController().signal }));
  const base = `http://127.0.0.1:${port}/soda`;

  const measure = async (runs: number, request: () => Promise<Response>) => {
    await (await request()).arrayBuffer(); // warm-up
    const t: number[] = [];
    let bytes = 0;
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      const res = await request();
      bytes = (await res.arrayBuffer()).byteLength;
      t.push(ms(t0));
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
    }
    return { value: summarize(t), kB: Math.round(bytes / 1024) };
  };
  const runs = ctx.quick ? 3 : 15;
  const one = await measure(runs * 2, () => fetch(`${base}/links?ID=${encodeURIComponent(objects[0].id)}`));
  const many = await measure(runs, () => fetch(`${base}/links`, { method: 'POST', body: new URLSearchParams(ids.map((id): [string, string] => ['ID', id])) }));
  const caps = await measure(runs * 2, () => fetch(`${base}/capabilities`));
  ctx.log(`links: 1 ID ${one.value.median.toFixed(1)} ms, 100 IDs ${many.value.median.toFixed(0)} ms (${many.kB} kB)`);
  const rows: Row[] = [
    { group: 'datalink', metric: 'links of one object frame', unit: 'ms', value: one.value, target: '< 100', note: `${frames.length}-frame night, ${one.kB} kB` },
    { group: 'datalink', metric: 'links of 100 IDs in one POST', unit: 'ms', value: many.value, target: '< 2000', note: `${frames.length} frames + ${fields.length} fields + unknown IDs, ${many.kB} kB` },
    { group: 'datalink', metric: 'VOSI capabilities', unit: 'ms', value: caps.value, target: '< 20' },
  ];
  httpServer.closeAllConnections();
  await new Promise((r) => httpServer.close(r));
  await factory.close();
  await db.close();
  await server.close();
  rmSync(root, { recursive: true, force: true });
  return rows;
};
