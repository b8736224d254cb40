// SODA benchmarks: the first /soda/sync request of an object frame (a whole reduction through the engine and the
// reference reducer as local processes) and cached sync requests (plan, cache check, cut), which must answer
// within a second: FITS cut to a circle and band, the whole spliced frame as FITS, and as VOTable.
import { chmodSync, mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { systemClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { createFactory } from '../src/factory.js';
import { createLogger } from '../src/logger.js';
import { ms, summarize, type Bench, type Row } from './lib.js';
import { benchServer, smallNight } from './support.js';

export const soda: Bench = async (ctx) => {
  const rows: Row[] = [];
  const server = await benchServer();
  const db = await server.database();
  const root = mkdtempSync(path.join(os.tmpdir(), 'drsoda-bench-soda-'));
  chmodSync(root, 0o755);
  const log = createLogger('silent');
  const frame = await smallNight(db, root);
  const id = frame.id;
  const http_ = http.createServer();
  await new Promise<void>((r) => http_.listen(0, '127.0.0.1', () => r()));
  const port = (http_.address() as AddressInfo).port;
  const config = loadConfig({
    PORT: String(port), BASE_URL: `http://127.0.0.1:${port}`, LOG_LEVEL: 'silent', DEMO_ARCHIVE: 'false', ARCHIVE_ROOT: root, IVO_AUTHORITY: 'bench.drsoda',
    DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'drsoda-bench-soda-data-')), EXECUTOR: 'local', WORKER_CONCURRENCY: '2', SODA_SYNC_WAIT_S: '600',
  });
  // As `drsoda serve` builds it: the app, the SODA job kinds and publisher, the engine with a worker (RUN_WORKER).
  const factory = createFactory({ config, pool: db.pool, log, clock: systemClock });
  const shutdown = new AbortController();
  http_.on('request', await factory.httpApp({ upSince: new Date(), shutdown: shutdown.signal }));
  const url = (extra: Record<string, string>) => `http://127.0.0.1:${port}/soda/sync?${new URLSearchParams({ ID: id, ...extra })}`;
  const get = async (u: string) => {
    const t0 = performance.now();
    const res = await fetch(u);
    const bytes = (await res.arrayBuffer()).byteLength;
    if (res.status !== 200) throw new Error(`sync answered ${res.status}`);
    return { ms: ms(t0), bytes };
  };
  try {
    ctx.log('first sync request (whole reduction)');
    const first = await get(url({}));
    rows.push({ group: 'soda', metric: 'first /soda/sync of an object frame (plan + reduce both arms + splice + cut)', unit: 's', value: summarize([first.ms / 1000]), note: 'small frames, local reducer, 2 workers' });
    const reps = ctx.quick ? 5 : 30;
    const cases: Array<[string, Record<string, string>]> = [
      ['cached /soda/sync, FITS cut to CIRCLE + BAND', { CIRCLE: `${frame.meanRaDeg ?? 0} ${frame.meanDecDeg ?? 0} 0.3`, BAND: '5e-7 6e-7' }],
      ['cached /soda/sync, whole spliced frame as FITS', {}],
      ['cached /soda/sync, whole spliced frame as VOTable', { RESPONSEFORMAT: 'votable' }],
    ];
    for (const [metric, extra] of cases) {
      ctx.log(metric);
      const times: number[] = [];
      let bytes = 0;
      for (let i = 0; i < reps; i++) {
        const r = await get(url(extra));
        times.push(r.ms);
        bytes = r.bytes;
      }
      rows.push({ group: 'soda', metric, unit: 'ms', value: summarize(times), target: '< 1000', note: `${(bytes / 1e6).toFixed(2)} MB answer` });
    }
  } finally {
    shutdown.abort();
    http_.closeAllConnections();
    await new Promise<void>((r) => http_.close(() => r()));
    await factory.close();
    await db.close();
    await server.close();
  }
  return rows;
};
