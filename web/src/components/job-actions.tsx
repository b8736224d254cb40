// Run, Abort and Delete (both with an inline confirmation, so keyboard and screen-reader users never meet a
// browser confirm box) for one job.
import { useState } from 'preact/hooks';
import { deleteJob, setPhase, type Job } from '../api/uws';

export function JobActions({ job, onChanged }: { job: Job; onChanged: (j: Job | null) => void }) {
  const [confirming, setConfirming] = useState<'delete' | 'abort' | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (fn: () => Promise<Job | null>) => {
    setBusy(true);
    setError(null);
    try {
      onChanged(await fn());
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const abortable = ['PENDING', 'QUEUED', 'EXECUTING', 'HELD', 'SUSPENDED'].includes(job.phase);
  return (
    <div class="actions">
      {job.phase === 'PENDING' && (
        <button type="button" class="primary" disabled={busy} onClick={() => run(() => setPhase(job.id, 'RUN'))}>
          Run
        </button>
      )}
      {abortable && confirming !== 'abort' && (
        <button type="button" disabled={busy} onClick={() => setConfirming('abort')}>
          Abort…
        </button>
      )}
      {abortable && confirming === 'abort' && (
        <span class="confirm" role="group" aria-label="Confirm abort">
          Stop the job? Steps no other job needs are cancelled.{' '}
          <button type="button" class="danger" disabled={busy} onClick={() => run(async () => (setConfirming(null), await setPhase(job.id, 'ABORT')))}>
            Abort job
          </button>
          <button type="button" onClick={() => setConfirming(null)}>
            Keep running
          </button>
        </span>
      )}
      {confirming !== 'delete' && (
        <button type="button" class="danger" disabled={busy} onClick={() => setConfirming('delete')}>
          Delete…
        </button>
      )}
      {confirming === 'delete' && (
        <span class="confirm" role="group" aria-label="Confirm deletion">
          Delete the job and its results?{' '}
          <button type="button" class="danger" disabled={busy} onClick={() => run(async () => (await deleteJob(job.id), null))}>
            Delete job
          </button>
          <button type="button" onClick={() => setConfirming(null)}>
            Keep
          </button>
        </span>
      )}
      {error && (
        <span class="error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
