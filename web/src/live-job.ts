// A job followed live: its document and steps, re-read after every blocking WAIT until the job ends.
import { useEffect, useState } from 'preact/hooks';
import { getSteps, type StepsJson } from './api/steps';
import { getJob, isFinal, waitJob, type Job } from './api/uws';

/** Follows a job until it ends: each WAIT returns at once on a phase change; steps are re-read after each. */
export function useLiveJob(id: string) {
  const [job, setJob] = useState<Job | null>(null);
  const [steps, setSteps] = useState<StepsJson | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const ac = new AbortController();
    const signal = ac.signal;
    (async () => {
      let j = await getJob(id, { signal });
      setJob(j);
      setError(null);
      setSteps(await getSteps(id, signal));
      while (!signal.aborted && !isFinal(j.phase)) {
        // While steps run, wake every 2 s to show their progress; a phase change wakes the WAIT at once.
        const busy = j.phase === 'QUEUED' || j.phase === 'EXECUTING';
        j = await waitJob(id, j.phase, busy ? 2 : 30, signal);
        setJob(j);
        setSteps(await getSteps(id, signal));
      }
    })().catch((e: Error) => {
      if (!signal.aborted) setError(e);
    });
    return () => ac.abort();
  }, [id, generation]);
  return { job, steps, error, restart: () => setGeneration((g) => g + 1), setJob };
}
