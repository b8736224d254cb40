// Worker-thread entry: renders and writes the frames the pool sends, one at a time, from the night's truth.
import { parentPort, workerData } from 'node:worker_threads';
import { writeFrame } from './frame-file.js';
import type { FrameJob, FrameResult } from './pool.js';
import type { NightTruth } from './truth.js';

const { truth, nightAbs } = workerData as { truth: NightTruth; nightAbs: string };

parentPort!.on('message', (job: FrameJob) => {
  writeFrame(truth, truth.exposures[job.exposure], job.arm, nightAbs).then(
    (r) => parentPort!.postMessage({ id: job.id, ...r } satisfies FrameResult),
    (err: unknown) => parentPort!.postMessage({ id: job.id, error: (err as Error).stack ?? String(err) } satisfies FrameResult),
  );
});
