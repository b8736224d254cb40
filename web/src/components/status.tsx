// Loading and error states, announced to screen readers; a download in progress shows its bytes so far.
import type { Progress } from '../api/progress';
import { bytes } from '../format';

export function Loading({ what, progress }: { what: string; progress?: Progress | null }) {
  const done = progress?.total != null && progress.received >= progress.total;
  return (
    <div class="muted progress" role="status">
      <span class="spinner" aria-hidden="true" />
      <span>
        {!progress ? `Loading ${what}…` : done ? `Reading ${what}…` : `Fetching ${what}: ${bytes(progress.received)}${progress.total ? ` of ${bytes(progress.total)}` : ''}…`}
      </span>
      {progress?.total ? <progress max={progress.total} value={progress.received} aria-label={`Download of ${what}`} /> : null}
    </div>
  );
}

export function ErrorNote({ error, retry }: { error: Error; retry?: () => void }) {
  return (
    <div class="error" role="alert">
      <p>{error.message}</p>
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function PhaseBadge({ phase }: { phase: string }) {
  return <span class={`badge phase-${phase.toLowerCase()}`}>{phase}</span>;
}
