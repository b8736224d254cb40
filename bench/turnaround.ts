// Quick-turnaround benchmark: a small simulated night lands in a watched archive (real PostgreSQL, the watcher with
// its default stability window, the engine running the reference reducer as local processes); after its
// calibrations, each object exposure (both arms) is written and timed from landing to its auto job COMPLETED.
// The first exposure of the field also reduces the calibrations; later ones reuse them from the step cache.
import { chmodSync, mkdtempSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { systemClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { createFactory } from '../src/factory.js';
import { createLogger } from '../src/logger.js';
import { simulateNight, type SimulatedFrame } from '../src/simulate/index.js';
import { listAutoJobTimes } from '../src/store/turnaround-store.js';
import type { TurnaroundStage } from '../src/domain/api-types.js';
import { turnaroundDocument } from '../src/watch/turnaround.js';
import { summarize, type Bench, type Row } from './lib.js';
import { benchServer } from './support.js';

const night = '2026-07-21';

async function land(root: string, frames: SimulatedFrame[]): Promise<void> {
  await Promise.all(frames.map(async (f) => {
    await mkdir(path.dirname(path.join(root, f.relPath)), { recursive: true });
    await copyFile(f.file, path.join(root, f.relPath));
  }));
}

async function until<T>(what: () => Promise<T | undefined>, timeoutMs: number, label: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await what();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`turnaround bench: ${label} not done within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const turnaround: Bench = async (ctx) => {
  const objects = ctx.quick ? 2 : 4;
  const staging = mkdtempSync(path.join(os.tmpdir(), 'drsoda-bench-turnaround-'));
  const sim = await simulateNight({ outDir: staging, night, fields: 1, objects, size: 'small', seed: 21, biases: 2, darks: 0, lflats: 0 });
  const root = mkdtempSync(path.join(os.tmpdir(), 'drsoda-bench-archive-'));
  chmodSync(root, 0o755);
  const server = await benchServer();
  const db = await server.database();
  const config = loadConfig({
    DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'drsoda-bench-data-')), ARCHIVE_ROOT: root, LOG_LEVEL: 'silent', DEMO_ARCHIVE: 'false', EXECUTOR: 'local',
    AUTO_REDUCE_RULES: JSON.stringify({ rules: [{ name: 'exposures', reduce: 'frame' }] }),
  });
  // As `drsoda watch` builds it: the watcher making auto jobs through the SODA job list, the engine with a worker.
  const factory = createFactory({ config, pool: db.pool, log: createLogger('silent'), clock: systemClock });
  await factory.watcher();
  const totals: number[] = [];
  const perStage = new Map<TurnaroundStage, number[]>();
  try {
    const byRun = new Map<number, SimulatedFrame[]>();
    for (const f of sim.frames) byRun.set(f.run, [...(byRun.get(f.run) ?? []), f]);
    const runs = [...byRun.keys()].sort((a, b) => a - b);
    const objectRuns = runs.filter((r) => byRun.get(r)![0].ndfClass === 'MFOBJECT');
    const calibrations = runs.filter((r) => !objectRuns.includes(r)).flatMap((r) => byRun.get(r)!);
    await land(root, calibrations);
    await until(async () => {
      const { rows } = await db.pool.query(`select count(*)::int as n from watch_file where state = 'ingested'`);
      return rows[0].n === calibrations.length ? true : undefined;
    }, 60000, 'calibration ingest');
    for (const run of objectRuns) {
      await land(root, byRun.get(run)!);
      const done = await until(async () => {
        const t = (await listAutoJobTimes(db.pool, { night })).find((a) => a.subject === `${night}/${run}`);
        if (t?.phase === 'ERROR' || t?.phase === 'ABORTED') throw new Error(`turnaround bench: exposure ${run} ended ${t.phase}`);
        return t?.phase === 'COMPLETED' ? t : undefined;
      }, 600000, `exposure ${run}`);
      const frames = turnaroundDocument(done).frames;
      totals.push(Math.max(...frames.map((f) => f.seconds.total ?? NaN)));
      for (const f of frames) for (const [stage, s] of Object.entries(f.seconds) as Array<[TurnaroundStage, number | null]>) if (s !== null) perStage.set(stage, [...(perStage.get(stage) ?? []), s]);
      ctx.log(`exposure ${run}: landing to reduced ${totals[totals.length - 1].toFixed(1)} s`);
    }
  } finally {
    await factory.close();
    await server.close();
  }
  const row = (metric: string, xs: number[], target?: string, note?: string): Row => ({ group: 'turnaround', metric, unit: 's', value: summarize(xs), ...(target ? { target } : {}), ...(note ? { note } : {}) });
  return [
    row('landing to reduced, first exposure of a field (both arms, calibrations reduced too)', totals.slice(0, 1), undefined, 'small frames, local reducer'),
    row('landing to reduced, later exposure (both arms, calibrations from the cache)', totals.slice(1), '< 30', 'small frames, local reducer'),
    row('stage: landed to ingested (WATCH_STABLE_MS = 2 s included)', perStage.get('ingest') ?? []),
    row('stage: ingested to planned (job created)', perStage.get('plan') ?? []),
    row('stage: planned to started', perStage.get('queue') ?? []),
    row('stage: started to finished', perStage.get('run') ?? []),
  ];
};
