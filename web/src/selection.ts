// What the user has picked to reduce (frame and field DIDs), shared by the archive pages and the Reduce dialog,
// and kept for this tab so moving between nights and fields does not lose it.
import { useEffect, useState } from 'preact/hooks';

export interface Selected {
  id: string;
  /** Short human label, e.g. "26sep10007.fits (blue)" or "field F140926_01_p0". */
  label: string;
  kind: 'frame' | 'field';
}

const key = 'drsoda.selection';
let items: Selected[] = load();
const listeners = new Set<() => void>();

function load(): Selected[] {
  try {
    return JSON.parse(sessionStorage.getItem(key) ?? '[]') as Selected[];
  } catch {
    return [];
  }
}

function save(next: Selected[]): void {
  items = next;
  try {
    sessionStorage.setItem(key, JSON.stringify(items));
  } catch {
    // Storage disabled: the selection lasts as long as the page.
  }
  for (const l of listeners) l();
}

export const selection = {
  all: () => items,
  has: (id: string) => items.some((s) => s.id === id),
  toggle(s: Selected, on?: boolean) {
    const has = selection.has(s.id);
    if (on ?? !has) {
      if (!has) save([...items, s]);
    } else save(items.filter((x) => x.id !== s.id));
  },
  remove: (id: string) => save(items.filter((x) => x.id !== id)),
  clear: () => save([]),
};

export function useSelection(): Selected[] {
  const [, setTick] = useState(0);
  useEffect(() => {
    const l = () => setTick((t) => t + 1);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return items;
}
