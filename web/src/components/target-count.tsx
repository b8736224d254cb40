// The number of targets (program fibres) of a frame's 2dF configuration, read lazily from /api/frame.
import { countFibres, frameWithFibres } from '../api/frames';
import { useAsync } from '../use-async';

export function TargetCount({ frameId }: { frameId: string }) {
  const r = useAsync((signal) => frameWithFibres(frameId, signal), [frameId]);
  if (r.error) return <span class="muted" title={r.error.message}>?</span>;
  if (!r.data) return <span class="muted">…</span>;
  const c = countFibres(r.data.fibres);
  return <span title={`${c.targets} targets, ${c.sky} sky fibres, ${c.guide} guide fibres`}>{c.targets}</span>;
}
