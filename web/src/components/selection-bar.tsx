// The frames and fields picked so far, fixed at the bottom of the window, with the way to reduce them.
import { selection, useSelection } from '../selection';

export function SelectionBar({ onReduce }: { onReduce: () => void }) {
  const items = useSelection();
  if (!items.length) return null;
  return (
    <aside class="selection-bar" aria-label="Selection">
      <span>
        <strong>{items.length}</strong> selected:
      </span>
      <ul>
        {items.map((s) => (
          <li key={s.id}>
            {s.label}
            <button type="button" class="chip-x" aria-label={`Remove ${s.label} from the selection`} onClick={() => selection.remove(s.id)}>
              ×
            </button>
          </li>
        ))}
      </ul>
      <button type="button" onClick={() => selection.clear()}>
        Clear
      </button>
      <button type="button" class="primary" onClick={onReduce}>
        Reduce…
      </button>
    </aside>
  );
}
