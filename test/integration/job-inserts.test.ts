// Concurrent job creations share INSERT statements (store/job-inserts.ts): every job comes back as stored, with
// its own parameters in order, and a job the database refuses fails alone, not the batch it was written in.
import { createJobInserter } from '../../src/store/job-inserts.js';
import { getJob, type NewJob } from '../../src/store/job-store.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const newJob = (i: number, executionDuration = 60): NewJob => ({
  id: `batch${i}`, kind: 'sleep', ownerId: i % 2 ? 'alice' : null, runId: `run${i}`, phase: 'PENDING', quote: null,
  creationTime: new Date(Date.UTC(2026, 0, 1, 0, 0, i)), executionDuration, destruction: null,
  parameters: Array.from({ length: i % 4 }, (_, k) => ({ name: `P${k}`, value: `${i}-${k}`, byReference: k === 2 })),
  jobInfo: i % 3 ? `<x i="${i}"/>` : null,
});

describe('batched job inserts', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('writes concurrent jobs together and fails only the job the database refuses', async () => {
    const inserter = createJobInserter(db.pool, { maxInFlight: 1 });
    // Job 7 breaks the execution_duration check: its batch is retried job by job.
    const outcomes = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => inserter.insert(newJob(i, i === 7 ? -1 : 60))));
    expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(1);
    expect(outcomes[7].status).toBe('rejected');
    for (const [i, o] of outcomes.entries()) {
      if (i === 7) continue;
      expect(o.status).toBe('fulfilled');
      const returned = (o as PromiseFulfilledResult<Awaited<ReturnType<typeof inserter.insert>>>).value;
      expect(returned).toEqual(await getJob(db.pool, `batch${i}`));
      expect(returned.parameters).toEqual(newJob(i).parameters);
      expect(returned.jobInfo).toBe(newJob(i).jobInfo);
    }
    expect(await getJob(db.pool, 'batch7')).toBeNull();
  });
});
