// Quick turnaround end to end: a simulated night lands in the watched archive frame by frame in observing order
// (gaps shortened), one object frame written slowly in chunks; the watcher ingests each complete frame, and the
// default-like rules reduce every object exposure and combine every finished field through ordinary /soda/async
// jobs (real engine, reference reducer as local processes) without anyone asking. Checked: every object frame
// reduced, nothing reduced twice, the partial file never ingested, programme users read the jobs and their
// turnaround record, others do not, and the latencies reach the metrics.
import type { SimulatedFrame } from '../../src/simulate/index.js';
import { listAutoJobTimes } from '../../src/store/turnaround-store.js';
import { getJob as getStoredJob } from '../../src/store/job-store.js';
import type { Job } from '../../src/domain/job.js';
import type { Watcher } from '../../src/watch/watch-service.js';
import { startSodaApp, type SodaTestApp } from '../support/soda-app.js';
import { emptyArchive, landNight, stageNight, type StagedNight } from '../support/watch-night.js';
import { getJob, getText, parseXml } from './uws-helpers.js';

const night = '2026-05-02';
const alice = { 'x-remote-user': 'alice' };
const bob = { 'x-remote-user': 'bob' };
const rules = {
  rules: [
    { name: 'exposures', reduce: 'frame', calibrationWaitS: 600, armWaitS: 60 },
    // The last field has no next field: a 3 s quiet period (shortened, as the gaps are) finishes it.
    { name: 'fields', reduce: 'field', quietS: 3, armWaitS: 60 },
  ],
  programmes: { 'DRSODA-SIM': ['alice'] },
};

describe('archive watcher: a night reduced as it lands', () => {
  let staged: StagedNight;
  let root: string;
  let s: SodaTestApp;
  let watcher: Watcher;
  const partial = { checks: 0, ingestedWhilePartial: [] as string[] };
  let slowFile: SimulatedFrame;

  beforeAll(async () => {
    staged = await stageNight({ night, fields: 2, objects: 2 });
    root = emptyArchive();
    s = await startSodaApp({ root, night, truth: undefined as never }, {
      config: {
        AUTH_MODE: 'header', WATCH_STABLE_MS: '300', WATCH_POLL_MS: '100', WATCH_RESCAN_S: '2', AUTO_REDUCE_RULES: JSON.stringify(rules),
      },
    });
    watcher = await s.factory.watcher();
    // The red arm of field 2's first object exposure is written in three chunks with pauses longer than the
    // stability window: first most of the pixels, then exactly the primary HDU (a whole HDU, no fibre table yet).
    slowFile = staged.frames.filter((f) => f.ndfClass === 'MFOBJECT' && f.ccd === 2)[2];
    await landNight(staged, root, {
      gapMs: 150,
      slow: (f) =>
        f === slowFile
          ? {
              cuts: (bytes) => {
                const primaryEnd = bytes.indexOf('XTENSION');
                return [Math.floor(primaryEnd * 0.6), primaryEnd];
              },
              pauseMs: 900,
              duringPause: async () => {
                partial.checks++;
                const { rows } = await s.db.pool.query('select rel_path from frame where rel_path = $1 union all select rel_path from watch_file where rel_path = $1', [slowFile.relPath]);
                partial.ingestedWhilePartial.push(...rows.map((r) => r.rel_path));
              },
            }
          : undefined,
    });
  }, 120000);

  afterAll(async () => {
    await watcher?.stop();
    await s?.close();
  });

  const objectFrames = () => staged.frames.filter((f) => f.ndfClass === 'MFOBJECT');

  async function untilAllReduced(timeoutMs: number): Promise<Job[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const autos = await listAutoJobTimes(s.db.pool, { night });
      const jobs = await Promise.all(autos.map((a) => getStoredJob(s.db.pool, a.jobId)));
      const ended = jobs.every((j) => j && ['COMPLETED', 'ERROR', 'ABORTED'].includes(j.phase));
      if (autos.length === 6 && ended) return jobs as Job[];
      if (Date.now() > deadline) throw new Error(`after ${timeoutMs} ms: ${autos.length} auto jobs, phases ${jobs.map((j) => j?.phase).join(' ')}; waiting ${JSON.stringify(watcher.reducer.waiting())}; landing ${JSON.stringify(watcher.landing())}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  it('reduces every object exposure and every finished field once, without a request', async () => {
    const jobs = await untilAllReduced(240000);
    expect(jobs.map((j) => [j.phase, j.error?.message ?? null])).toEqual(jobs.map(() => ['COMPLETED', null]));
    const autos = await listAutoJobTimes(s.db.pool, { night });
    const exposures = [...new Set(objectFrames().map((f) => `${night}/${f.run}`))];
    expect(autos.filter((a) => a.kind === 'frame').map((a) => a.subject).sort()).toEqual(exposures.sort());
    expect(autos.filter((a) => a.kind === 'field').map((a) => a.subject.replace(/^.*\//, ''))).toHaveLength(2);
    // Every object frame (both arms) is covered by an exposure job whose results hold its reduced file.
    for (const f of objectFrames()) {
      const auto = autos.find((a) => a.kind === 'frame' && a.frames.some((x) => x.relPath === f.relPath));
      expect(auto).toBeDefined();
      const job = jobs.find((j) => j.id === auto!.jobId)!;
      expect(job.ownerId).toBe('drsoda-auto');
      expect(job.results.map((r) => r.id)).toEqual(expect.arrayContaining([expect.stringContaining(`${f.relPath.split('/').pop()!.replace(/\.fits$/, '')}red.fits`)]));
    }
    // Nothing reduced twice: one reduce_object step per object frame, every step run exactly once.
    const { rows: steps } = await s.db.pool.query(`select operation, state, attempts from step`);
    expect(steps.filter((r) => r.operation === 'reduce_object')).toHaveLength(objectFrames().length);
    expect(steps.filter((r) => r.state !== 'done' || r.attempts !== 1)).toEqual([]);
    const { rows: soda } = await s.db.pool.query(`select count(*)::int as n from uws_job where kind = 'soda'`);
    expect(soda[0].n).toBe(6);
  }, 300000);

  it('never ingested the slowly written file while it was partial, and ingested it once complete', async () => {
    expect(partial.checks).toBe(2);
    expect(partial.ingestedWhilePartial).toEqual([]);
    const { rows } = await s.db.pool.query(`select state, error from watch_file where rel_path = $1`, [slowFile.relPath]);
    expect(rows).toEqual([{ state: 'ingested', error: null }]);
    const { rows: frames } = await s.db.pool.query(`select size_bytes from frame where rel_path = $1`, [slowFile.relPath]);
    expect(frames).toEqual([{ size_bytes: slowFile.bytes }]);
  });

  it('shares the jobs with the programme\'s users (read only) and records each frame\'s turnaround', async () => {
    const autos = await listAutoJobTimes(s.db.pool, { night });
    const list = parseXml((await getText(`${s.url}/soda/async`, alice)).body).jobs.jobref as Array<Record<string, string>>;
    expect(list.map((j) => j['@id']).sort()).toEqual(autos.map((a) => a.jobId).sort());
    expect(parseXml((await getText(`${s.url}/soda/async`, bob)).body).jobs.jobref ?? []).toEqual([]);
    const jobUrl = `${s.url}/soda/async/${autos[0].jobId}`;
    const { job, xml } = await getJob(jobUrl, alice);
    expect(job.ownerId).toBe('drsoda-auto');
    expect(xml).toContain('<plan:summary');
    expect((await getText(`${jobUrl}/plan`, alice)).body).toContain('<plan:plan');
    expect((await getText(jobUrl, bob)).status).toBe(404);
    expect((await getText(`${jobUrl}/plan`, bob)).status).toBe(404);
    expect((await fetch(jobUrl, { method: 'DELETE', headers: alice, redirect: 'manual' })).status).toBe(403);

    const t = await getText(`${jobUrl}/turnaround`, alice);
    expect(t.status).toBe(200);
    const doc = JSON.parse(t.body);
    expect(doc).toMatchObject({ jobId: autos[0].jobId, kind: 'frame', rule: 'exposures', phase: 'COMPLETED' });
    expect(doc.frames).toHaveLength(2);
    for (const f of doc.frames) {
      const at = [f.landed, f.ingested, f.planned, f.started, f.finished].map((x: string) => Date.parse(x));
      expect(at.every((x) => Number.isFinite(x))).toBe(true);
      expect([...at].sort((a, b) => a - b)).toEqual(at);
      expect(f.seconds.total).toBeCloseTo((at[4] - at[0]) / 1000, 2);
    }
  });

  it('counts every ended auto job into the metrics once', async () => {
    const deadline = Date.now() + 10000;
    let text = '';
    while (Date.now() < deadline) {
      text = await watcher.registry.metrics();
      if (/drsoda_auto_jobs_total\{kind="field",phase="COMPLETED"\} 2/.test(text) && /drsoda_auto_jobs_total\{kind="frame",phase="COMPLETED"\} 4/.test(text)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(text).toMatch(/drsoda_auto_jobs_total\{kind="frame",phase="COMPLETED"\} 4\n/);
    // Two frames (arms) per exposure job.
    expect(text).toMatch(/drsoda_turnaround_seconds_count\{kind="frame",stage="total"\} 8\n/);
    expect(text).toMatch(/drsoda_watch_files_total\{outcome="ingested"\} 20\n/);
  });
});
