// Durable hand-over of QUEUED jobs (src/uws/handover.ts) between job managers on one real PostgreSQL, as separate
// `drsoda serve` / `drsoda worker` processes have them: a job whose accepting process died is taken over by
// exactly one process even when several race; a live lease is never taken; a process that shuts down mid-hand-over
// gives its job up at once; a job that keeps stopping its processes ends in ERROR instead of going round.
import { createLogger } from '../../src/logger.js';
import { markQueued } from '../../src/store/job-store.js';
import { createNotificationListener, type NotificationListener } from '../../src/store/notification-listener.js';
import { maxHandoverAttempts } from '../../src/uws/handover.js';
import { createJobService, type JobService } from '../../src/uws/job-service.js';
import type { Caller } from '../../src/domain/job.js';
import type { JobRunner } from '../../src/uws/types.js';
import { systemClock } from '../../src/clock.js';
import { testConfig } from '../support/config.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const anon: Caller = { userId: null, admin: false };
const dead = { owner: 'gone-host:4242:dead00', leaseS: 0 };

interface Proc {
  name: string;
  service: JobService;
  listener: NotificationListener;
  /** Job ids this process's runner started. */
  started: string[];
  /** Releases the runner's start() of a job given BLOCK. */
  release(jobId: string): void;
  close(): Promise<void>;
}

describe('hand-over of QUEUED jobs between processes', () => {
  let db: TestDatabase;
  const procs: Proc[] = [];

  async function proc(name: string, handover: { leaseS: number; intervalMs: number }): Promise<Proc> {
    const started: string[] = [];
    const gates = new Map<string, () => void>();
    // start() returns once the job is handed on; with BLOCK it waits (a slow plan), until released or shut down.
    const runner: JobRunner = {
      kind: 'handoff',
      validate: () => {},
      async start(job, ctx) {
        started.push(job.id);
        if (!job.parameters.some((p) => p.name === 'BLOCK')) return;
        await new Promise<void>((resolve) => {
          gates.set(job.id, resolve);
          ctx.signal.addEventListener('abort', () => resolve());
        });
      },
      abort: () => {},
    };
    const config = testConfig();
    const listener = createNotificationListener({ clientConfig: { connectionString: db.url }, log: createLogger('silent') });
    await listener.ready();
    const service = createJobService({
      pool: db.pool, clock: systemClock, uws: config.uws, dataDir: config.dataDir, shutdownGraceMs: 2000, runners: [runner], listener,
      log: createLogger('silent'), sweepIntervalMs: 0, handover: { owner: `test-host:${name}`, ...handover },
    });
    let closed = false;
    const p: Proc = {
      name, service, listener, started,
      release: (id) => gates.get(id)?.(),
      close: async () => {
        if (closed) return;
        closed = true;
        await service.close();
        await listener.close();
      },
    };
    procs.push(p);
    return p;
  }

  const row = async (id: string) =>
    (await db.pool.query<{ phase: string; handover_owner: string | null; live: boolean | null; handover_attempts: number; error_message: string | null }>(
      `select phase, handover_owner, handover_expires > now() as live, handover_attempts, error_message from uws_job where id = $1`, [id],
    )).rows[0];

  /** A QUEUED job whose accepting process died before handing it on: its lease has already run out. */
  async function orphan(p: Proc): Promise<string> {
    const job = await p.service.forKind('handoff').create(anon, { parameters: [] });
    expect(await markQueued(db.pool, job.id, null, dead)).not.toBeNull();
    return job.id;
  }

  async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 10000): Promise<T> {
    const t0 = Date.now();
    for (;;) {
      const v = await fn();
      if (v) return v;
      if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    for (const p of procs) await p.close();
    await db.drop();
  });

  it('gives each orphaned job to exactly one of several racing processes', async () => {
    const a = await proc('a', { leaseS: 5, intervalMs: 0 });
    const b = await proc('b', { leaseS: 5, intervalMs: 0 });
    const ids = await Promise.all(Array.from({ length: 40 }, () => orphan(a)));
    const reports = await Promise.all([a.service.handover.pass(), b.service.handover.pass(), a.service.handover.pass(), b.service.handover.pass()]);
    const taken = reports.flatMap((r) => r.takenOver);
    expect(taken.sort()).toEqual([...ids].sort());
    expect([...a.started, ...b.started].sort()).toEqual([...ids].sort());
    await Promise.all([a.service.handover.drain(), b.service.handover.drain()]);
    for (const id of ids) {
      const r = await row(id);
      expect(['test-host:a', 'test-host:b']).toContain(r.handover_owner);
      // Handed on: the lease is over, and nobody takes the job again.
      expect(r).toMatchObject({ phase: 'QUEUED', live: null, handover_attempts: 2 });
    }
    expect((await b.service.handover.pass()).takenOver).toEqual([]);
    expect((await a.service.handover.pass()).takenOver).toEqual([]);
    console.log(`handover race: ${a.started.length} jobs to a, ${b.started.length} to b, none twice`);
    // A PENDING job has no hand-over at all.
    const pending = await a.service.forKind('handoff').create(anon, { parameters: [] });
    expect((await b.service.handover.pass()).takenOver).toEqual([]);
    expect(await row(pending.id)).toMatchObject({ phase: 'PENDING', handover_owner: null, live: null, handover_attempts: 0 });
    await a.close();
    await b.close();
  });

  it('never takes a live lease, and takes the job once its process stops renewing', async () => {
    const a = await proc('live-a', { leaseS: 1, intervalMs: 200 });
    const b = await proc('live-b', { leaseS: 1, intervalMs: 0 });
    const job = await a.service.forKind('handoff').create(anon, { parameters: [{ name: 'BLOCK', value: 'yes', byReference: false }], run: true });
    expect(a.started).toEqual([job.id]);
    // Three lease lengths: a renews, b looks again and again and takes nothing.
    const t0 = Date.now();
    while (Date.now() - t0 < 3000) {
      expect((await b.service.handover.pass()).takenOver).toEqual([]);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await row(job.id)).toMatchObject({ phase: 'QUEUED', handover_owner: 'test-host:live-a', live: true, handover_attempts: 1 });
    // a freezes (no more renewals; its start never returns), as a process does that was SIGSTOPped or partitioned.
    await a.service.handover.stop();
    const takenAfterMs = Date.now();
    await until('b to take the job over', async () => (await b.service.handover.pass()).takenOver.includes(job.id));
    console.log(`handover: taken over ${Date.now() - takenAfterMs} ms after the owner stopped renewing a 1 s lease`);
    expect(b.started).toEqual([job.id]);
    expect(await row(job.id)).toMatchObject({ handover_owner: 'test-host:live-b', live: true, handover_attempts: 2 });
    b.release(job.id);
    await b.service.handover.drain();
    expect(await row(job.id)).toMatchObject({ phase: 'QUEUED', handover_owner: 'test-host:live-b', live: null });
    // a wakes up and shuts down: its end of the hand-over no longer applies (b holds the record).
    await a.close();
    expect(await row(job.id)).toMatchObject({ handover_owner: 'test-host:live-b', live: null });
    await b.close();
  });

  it('gives a job up at once when a shutdown interrupts its hand-over', async () => {
    const c = await proc('slow-c', { leaseS: 600, intervalMs: 0 });
    const d = await proc('d', { leaseS: 5, intervalMs: 0 });
    const job = await c.service.forKind('handoff').create(anon, { parameters: [{ name: 'BLOCK', value: 'yes', byReference: false }], run: true });
    expect((await d.service.handover.pass()).takenOver).toEqual([]);
    await c.close();
    // Not after c's 600 s lease: c said it was done with the job.
    expect((await d.service.handover.pass()).takenOver).toEqual([job.id]);
    expect(d.started).toEqual([job.id]);
    d.release(job.id);
    await d.close();
  });

  it('ends in ERROR a job that stopped every process that held it', async () => {
    const e = await proc('e', { leaseS: 5, intervalMs: 0 });
    const id = await orphan(e);
    await db.pool.query('update uws_job set handover_attempts = $2 where id = $1', [id, maxHandoverAttempts]);
    const report = await e.service.handover.pass();
    expect(report).toEqual({ takenOver: [], failed: [id] });
    expect(e.started).toEqual([]);
    const r = await row(id);
    expect(r.phase).toBe('ERROR');
    expect(r.error_message).toBe(`Error: the job was not started: ${maxHandoverAttempts} service processes stopped while handing it to the execution engine`);
    await e.close();
  });
});
