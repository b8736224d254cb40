// Loading and error states, announced to screen readers.
export function Loading({ what }: { what: string }) {
  return (
    <p class="muted" role="status">
      Loading {what}…
    </p>
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
