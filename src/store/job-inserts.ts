// Job creation under load: concurrent new jobs share one INSERT statement, so one round trip and one commit
// (one WAL flush, the dominant cost of a small write) serve a whole batch. An idle inserter writes a job at once;
// jobs arriving while `maxInFlight` statements are running wait for the next one and go in it together. A
// failed batch is retried job by job, so one job's error reaches only its own request.
import type { Job } from '../domain/job.js';
import type { Pool } from './db.js';
import { insertJobs, type NewJob } from './job-store.js';

export interface JobInserter {
  insert(job: NewJob): Promise<Job>;
}

interface Waiting {
  job: NewJob;
  resolve: (j: Job) => void;
  reject: (err: unknown) => void;
}

export function createJobInserter(pool: Pool, o: { maxBatch?: number; maxInFlight?: number } = {}): JobInserter {
  const maxBatch = o.maxBatch ?? 100;
  const maxInFlight = o.maxInFlight ?? 2;
  let queue: Waiting[] = [];
  let inFlight = 0;

  async function write(batch: Waiting[]): Promise<void> {
    try {
      const jobs = await insertJobs(pool, batch.map((w) => w.job));
      batch.forEach((w, i) => w.resolve(jobs[i]));
    } catch (err) {
      if (batch.length === 1) return batch[0].reject(err);
      await Promise.all(batch.map((w) => insertJobs(pool, [w.job]).then(([j]) => w.resolve(j), w.reject)));
    }
  }

  function pump(): void {
    while (inFlight < maxInFlight && queue.length) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      inFlight++;
      void write(batch).finally(() => {
        inFlight--;
        pump();
      });
    }
  }

  return {
    insert(job) {
      return new Promise<Job>((resolve, reject) => {
        queue.push({ job, resolve, reject });
        pump();
      });
    },
  };
}
