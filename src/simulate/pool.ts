// Renders a night's frames on worker threads (one frame in flight per worker), or in this thread for concurrency 0.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { writeFrame } from './frame-file.js';
import type { ArmName } from './instrument.js';
import type { NightTruth } from './truth.js';

export interface FrameJob {
  id: number;
  exposure: number;
  arm: ArmName;
}

export type FrameResult = { id: number; file: string; bytes: number } | { id: number; error: string };

const here = fileURLToPath(import.meta.url);
// From sources the worker needs the tsx bootstrap; a compiled build runs frame-worker.js directly.
const workerEntry = here.endsWith('.ts') ? path.join(path.dirname(here), 'worker-bootstrap.mjs') : path.join(path.dirname(here), 'frame-worker.js');

/** Told after each frame is written: how many are, of how many. */
export type FrameProgress = (written: number, total: number) => void;

async function inThread(truth: NightTruth, nightAbs: string, jobs: FrameJob[], onFrame?: FrameProgress): Promise<Map<number, FrameResult>> {
  const results = new Map<number, FrameResult>();
  for (const j of jobs) {
    results.set(j.id, { id: j.id, ...(await writeFrame(truth, truth.exposures[j.exposure], j.arm, nightAbs)) });
    onFrame?.(results.size, jobs.length);
  }
  return results;
}

/** Runs every job; rejects with the first failure (after stopping the workers). */
export async function renderFrames(truth: NightTruth, nightAbs: string, jobs: FrameJob[], concurrency: number, onFrame?: FrameProgress): Promise<Map<number, FrameResult>> {
  onFrame?.(0, jobs.length);
  const n = Math.min(concurrency, jobs.length);
  if (n <= 0) return inThread(truth, nightAbs, jobs, onFrame);
  const queue = jobs.slice();
  const results = new Map<number, FrameResult>();
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let running = 0;
      const feed = (w: Worker) => {
        const job = queue.shift();
        if (!job) {
          if (--running === 0) resolve();
          return;
        }
        w.postMessage(job);
      };
      for (let i = 0; i < n; i++) {
        const w = new Worker(workerEntry, { workerData: { truth, nightAbs } });
        workers.push(w);
        running++;
        w.on('message', (r: FrameResult) => {
          if ('error' in r) return reject(new Error(`frame ${r.id} failed in a worker: ${r.error}`));
          results.set(r.id, r);
          onFrame?.(results.size, jobs.length);
          feed(w);
        });
        w.on('error', reject);
        w.on('exit', (code) => code !== 0 && reject(new Error(`simulator worker exited with code ${code}`)));
        feed(w);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}
