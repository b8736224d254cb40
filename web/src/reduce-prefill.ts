// "Reduce again with changes": a job page asks the app shell to open the Reduce dialog with that job's IDs selected
// and its settings filled in. One pending request at a time; the shell listens and opens the dialog.
import { selection, type Selected } from './selection';

export interface ReducePrefill {
  /** SODA parameters other than ID and RUNID, by name (a repeated parameter keeps its first value). */
  values: Record<string, string>;
  runId: string;
  /** The job the settings come from. */
  fromJob: string;
}

type Listener = (p: ReducePrefill) => void;
const listeners = new Set<Listener>();

/** A readable label of a DID: "field <name> (<night>)", or the frame's night, CCD and run. */
export function didLabel(id: string): Selected {
  const field = /\?(\d{4}-\d{2}-\d{2})\/field\/([^/]+)$/.exec(id);
  if (field) return { id, kind: 'field', label: `field ${decodeURIComponent(field[2])} (${field[1]})` };
  const frame = /\?(\d{4}-\d{2}-\d{2})\/ccd(\d)\/(\d+)$/.exec(id);
  if (frame) return { id, kind: 'frame', label: `frame ${frame[1]} ccd${frame[2]} #${Number(frame[3])}` };
  return { id, kind: 'frame', label: id.split('?').pop() ?? id };
}

/** Selects the job's IDs and asks the shell to open the Reduce dialog filled with its settings. */
export function reduceAgain(params: Array<{ id: string; value: string }>, runId: string | null, fromJob: string): void {
  const ids = params.filter((p) => p.id.toUpperCase() === 'ID').map((p) => p.value);
  const values: Record<string, string> = {};
  for (const p of params) {
    const name = p.id.toUpperCase();
    if (name !== 'ID' && name !== 'RUNID' && name !== 'PHASE' && !(name in values)) values[name] = p.value;
  }
  selection.clear();
  for (const id of ids) selection.toggle(didLabel(id), true);
  for (const l of listeners) l({ values, runId: runId ?? '', fromJob });
}

export function onReduceAgain(l: Listener): () => void {
  listeners.add(l);
  return () => void listeners.delete(l);
}
