// The job service with a runner the test drives by hand and an injected clock: honest quotes, execution
// duration and destruction enforced by the reaper, and the runner-facing transitions (results, jobInfo,
// progress, failures) including the ones a runner gets wrong.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../../src/clock.js';
import { createLogger } from '../../src/logger.js';
import { createNotificationListener, type NotificationListener } from '../../src/store/notification-listener.js';
import { createJobService, type JobService } from '../../src/uws/job-service.js';
import type { Caller } from '../../src/domain/job.js';
import type { JobRunner, RunContext } from '../../src/uws/types.js';
import { jobXml } from '../../src/vo/uws-xml.js';
import { testConfig } from '../support/config.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { until } from '../support/ops-receivers.js';
import { expectValid } from '../support/xsd.js';

class FakeClock implements Clock {
  t = Date.parse('2025-06-01T12:00:00.000Z');
  now = () => new Date(this.t);
  advance(s: number) {
    this.t += s * 1000;
  }
}

const anon: Caller = { userId: null, admin: false };
const urls = { jobsUrl: 'https://example.org/soda/async' };

describe('UWS job service', () => {
  let db: TestDatabase;
  let service: JobService;
  let listener: NotificationListener;
  const clock = new FakeClock();
  const contexts = new Map<string, RunContext>();
  const aborted: string[] = [];
  const manual: JobRunner = {
    kind: 'manual',
    validate: () => {},
    start: (job, ctx) => void contexts.set(job.id, ctx),
    abort: (job) => void aborted.push(job.id),
  };
  const boom: JobRunner = {
    kind: 'boom',
    validate: () => {},
    start: () => {
      throw new Error('kaboom');
    },
    abort: () => {},
  };
  const list = () => service.forKind('manual');
  /** Creates and runs a job, then lets the runner mark it EXECUTING. */
  async function executing(o: { executionDuration?: number; destruction?: Date } = {}) {
    const job = await list().create(anon, { parameters: [], run: true, ...o });
    const ctx = contexts.get(job.id)!;
    expect(await ctx.markExecuting()).toBe(true);
    return { id: job.id, ctx };
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    const config = testConfig({ UWS_MAX_EXECUTION_DURATION_S: '0' });
    listener = createNotificationListener({ clientConfig: { connectionString: db.url }, log: createLogger('silent') });
    service = createJobService({ pool: db.pool, clock, uws: config.uws, dataDir: config.dataDir, shutdownGraceMs: config.shutdownGraceMs, runners: [manual, boom], listener, log: createLogger('silent'), sweepIntervalMs: 0 });
    await listener.ready();
  });
  afterAll(async () => {
    await service.close();
    await listener.close();
    await db.drop();
  });

  it('quotes nil without knowledge, then the median of recent run times of the kind', async () => {
    expect((await list().create(anon, { parameters: [] })).quote).toBeNull();
    for (const s of [10, 20, 30]) {
      const { id, ctx } = await executing();
      clock.advance(s);
      expect(await ctx.complete([])).toBe(true);
      expect((await list().get(anon, id)).phase).toBe('COMPLETED');
    }
    const job = await list().create(anon, { parameters: [] });
    expect(job.quote!.getTime() - clock.t).toBe(20000);
    // Never beyond the execution deadline.
    const short = await list().create(anon, { parameters: [], executionDuration: 5 });
    expect(short.quote!.getTime() - clock.t).toBe(5000);
  });

  it('stops a job that exceeds its executionDuration: ERROR, signal aborted, runner told, later completion refused', async () => {
    const { id, ctx } = await executing({ executionDuration: 5 });
    clock.advance(4);
    expect((await service.sweep()).expired).toEqual([]);
    clock.advance(2);
    // The reaper skips rows another statement holds (FOR UPDATE SKIP LOCKED, e.g. the hand-over releasing its
    // lease just after start): a later pass takes the job, so sweep until it does.
    const expired: string[] = [];
    for (let i = 0; i < 100 && !expired.includes(id); i++) expired.push(...(await service.sweep()).expired.map((j) => j.id));
    expect(expired).toEqual([id]);
    const job = await list().get(anon, id);
    expect(job.phase).toBe('ERROR');
    expect(job.error).toMatchObject({ type: 'fatal', message: 'execution duration of 5 s exceeded; the job was stopped' });
    await expectValid(jobXml(job, urls), 'uws');
    expect(ctx.signal.aborted).toBe(true);
    expect(aborted).toContain(id);
    expect(await ctx.complete([])).toBe(false);
    expect((await list().get(anon, id)).phase).toBe('ERROR');
  });

  it('destroys a job and its files at its destruction time', async () => {
    const { id, ctx } = await executing({ destruction: new Date(clock.t + 60000) });
    await mkdir(path.join(ctx.workDir, 'out'), { recursive: true });
    await writeFile(path.join(ctx.workDir, 'out/spectrum.fits'), Buffer.alloc(2880));
    expect(await ctx.complete([{ id: 'spectrum', file: 'out/spectrum.fits', mimeType: 'application/fits' }, { id: 'preview', href: 'https://cdn.example.org/p.png', mimeType: 'image/png' }])).toBe(true);
    const job = await list().get(anon, id);
    expect(job.results).toEqual([
      { id: 'spectrum', href: null, path: 'out/spectrum.fits', mimeType: 'application/fits', size: 2880 },
      { id: 'preview', href: 'https://cdn.example.org/p.png', path: null, mimeType: 'image/png', size: null },
    ]);
    const xml = jobXml(job, urls);
    await expectValid(xml, 'uws');
    expect(xml).toContain(`xlink:href="https://example.org/soda/async/${id}/results/spectrum" size="2880" mime-type="application/fits"`);
    clock.advance(59);
    expect((await service.sweep()).destroyed).toEqual([]);
    clock.advance(2);
    expect((await service.sweep()).destroyed.map((j) => j.id)).toEqual([id]);
    await expect(list().get(anon, id)).rejects.toMatchObject({ label: 'NotFoundFault' });
    expect(existsSync(ctx.workDir)).toBe(false);
  });

  it('refuses bad result lists without writing anything', async () => {
    const { id, ctx } = await executing();
    await expect(ctx.complete([{ id: 'x', file: '../../etc/passwd' }])).rejects.toThrow(/outside the job directory/);
    await expect(ctx.complete([{ id: 'a b', href: 'https://x.org/' }])).rejects.toThrow(/result id/);
    await expect(ctx.complete([{ id: 'a', href: 'https://x.org/' }, { id: 'a', href: 'https://x.org/' }])).rejects.toThrow(/duplicate/);
    await expect(ctx.complete([{ id: 'a', href: '/relative' }])).rejects.toThrow(/absolute/);
    const job = await list().get(anon, id);
    expect([job.phase, job.results]).toEqual(['EXECUTING', []]);
  });

  it('keeps arbitrary XML in jobInfo and reports progress (with a refreshed quote)', async () => {
    const { id, ctx } = await executing();
    const plan = '<plan xmlns="urn:drsoda:plan"><step id="bias" op="reduce_bias"><input>a.fits</input></step><step id="arc"/></plan>';
    expect(await ctx.setJobInfo(plan)).toBe(true);
    await expect(ctx.setJobInfo('<plan><unclosed></plan>')).rejects.toThrow();
    clock.advance(10);
    expect(await ctx.progress({ fraction: 0.25, message: 'step 1 of 4' })).toBe(true);
    await expect(ctx.progress({ fraction: 2 })).rejects.toThrow(/fraction/);
    const job = await list().get(anon, id);
    expect(job.quote!.getTime() - job.startTime!.getTime()).toBe(40000);
    const xml = jobXml(job, urls);
    await expectValid(xml, 'uws');
    expect(xml).toMatch(/<uws:jobInfo>\s*<plan xmlns="urn:drsoda:plan">\s*<step id="bias" op="reduce_bias">/);
    expect(xml).toMatch(/<progress xmlns="urn:drsoda:uws" fraction="0.25">step 1 of 4<\/progress>/);
  });

  it('moves a job whose runner throws to ERROR', async () => {
    const job = await service.forKind('boom').create(anon, { parameters: [], run: true });
    // QUEUED, then EXECUTING for a moment: wait for the phase the runner's failure leads to.
    const after = await until('a final phase', () => service.forKind('boom').get(anon, job.id), (j) => !['QUEUED', 'EXECUTING'].includes(j.phase));
    expect(after.phase).toBe('ERROR');
    expect(after.error?.message).toMatch(/failed unexpectedly: kaboom/);
  });

  it('lets another process drive the phase (a worker with its own transitions) and keeps kinds apart', async () => {
    const { id } = await executing();
    const { createJobTransitions } = await import('../../src/uws/transitions.js');
    const worker = createJobTransitions({ pool: db.pool, clock, dataDir: testConfig().dataDir });
    expect(await worker.fail(id, { type: 'transient', message: 'node lost' })).toBe(true);
    expect(await worker.complete(id, [])).toBe(false);
    expect((await list().get(anon, id)).error).toMatchObject({ type: 'transient', message: 'node lost', detail: null });
    await expect(service.forKind('boom').get(anon, id)).rejects.toMatchObject({ label: 'NotFoundFault' });
  });
});
