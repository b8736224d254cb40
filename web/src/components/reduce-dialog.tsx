// "Reduce with 2dFdr": a modal form built from the SODA service descriptor that DataLink gives for the selected
// datasets (#proc), the plan shown from a PENDING job before anything runs, and submission as a UWS job.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { fetchLinks, sodaAsyncUrl, type DescriptorParam, type ServiceDescriptor } from '../api/datalink';
import { frameWithFibres, listFrames, type FibreJson } from '../api/frames';
import { createJob, deleteJob, setPhase, type Job } from '../api/uws';
import type { ReducePrefill } from '../reduce-prefill';
import { navigate, paths } from '../router';
import { selection, useSelection } from '../selection';
import { useAsync } from '../use-async';
import { ParamInput, parts } from './param-input';
import { PlanSummary } from './plan-summary';
import { RegionKeeps, type Kept } from './region-keeps';
import { SkyPicker } from './sky-picker';
import { ErrorNote, Loading } from './status';

interface Setup {
  descriptor: ServiceDescriptor;
  asyncUrl: string;
  problems: string[];
  fibres: FibreJson[];
}

/** Fibres of the first selected dataset (a frame, or the first object frame of a field), for the sky map. */
async function fibresOf(id: string, signal: AbortSignal): Promise<FibreJson[]> {
  const field = /\?(\d{4}-\d{2}-\d{2})\/field\/([^/]+)$/.exec(id);
  let frameId = id;
  if (field) {
    const frames = await listFrames({ night: field[1], field: decodeURIComponent(field[2]), class: 'MFOBJECT' }, signal);
    if (!frames.length) return [];
    frameId = frames[0].id;
  }
  return (await frameWithFibres(frameId, signal)).fibres;
}

async function setup(ids: string[], signal: AbortSignal): Promise<Setup> {
  const [links, asyncUrl, fibres] = await Promise.all([fetchLinks(ids, signal), sodaAsyncUrl(signal), fibresOf(ids[0], signal).catch(() => [])]);
  const problems = links.rows.filter((r) => r.errorMessage).map((r) => `${r.id}: ${r.errorMessage}`);
  const proc = links.rows.find((r) => r.semantics === '#proc' && links.descriptors.has(r.serviceDef));
  if (!proc) throw new Error(problems[0] ?? 'the service offers no reduction (#proc) for the selection');
  const descriptor = links.descriptors.get(proc.serviceDef)!;
  return { descriptor, asyncUrl: asyncUrl ?? descriptor.accessUrl.replace(/\/sync$/, '/async'), problems, fibres };
}

const regionNames = ['CIRCLE', 'BAND', 'TIME'];

export function ReduceDialog({ onClose, prefill }: { onClose: () => void; prefill?: ReducePrefill | null }) {
  const items = useSelection();
  const ids = useMemo(() => items.map((s) => s.id), [items]);
  const ref = useRef<HTMLDialogElement>(null);
  const s = useAsync((signal) => setup(ids, signal), [ids.join('\n')]);
  const [values, setValues] = useState<Record<string, string>>(prefill?.values ?? {});
  const [runId, setRunId] = useState(prefill?.runId ?? '');
  const [pending, setPending] = useState<{ job: Job; key: string } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [kept, setKept] = useState<Kept | null>(null);
  const pendingRef = useRef(pending);
  pendingRef.current = pending;

  useEffect(() => {
    ref.current?.showModal();
    // A plan that was looked at but not submitted is a PENDING job: remove it when the dialog goes away.
    return () => {
      if (pendingRef.current) deleteJob(pendingRef.current.job.id).catch(() => {});
    };
  }, []);

  const params = s.data?.descriptor.inputParams.filter((p) => p.name !== 'ID' && p.value === '') ?? [];
  const options = params.filter((p) => p.options.length);
  const regions = params.filter((p) => !p.options.length && regionNames.includes(p.name));
  const more = params.filter((p) => !p.options.length && !regionNames.includes(p.name));
  // Only what differs from the service's defaults is sent: the job's parameters say what the user chose.
  const request: Array<[string, string]> = [
    ...ids.map((id): [string, string] => ['ID', id]),
    ...params.filter((p) => values[p.name] && values[p.name] !== p.defaultValue).map((p): [string, string] => [p.name, values[p.name]]),
    ...(runId.trim() ? [['RUNID', runId.trim()] as [string, string]] : []),
  ];
  const key = JSON.stringify(request);
  const planned = pending && pending.key === key ? pending.job : null;
  // An empty choice is refused here: the region keeps no target, or the plan has nothing but "no data".
  const nothingKept = !!kept && kept.filtered && (kept.targets === 0 || kept.frames === 0);
  const nothingPlanned = !!planned?.plan && !planned.plan.href && planned.plan.noData.length > 0;
  const empty = nothingKept || nothingPlanned;

  const act = async (what: string, fn: () => Promise<void>) => {
    setBusy(what);
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(null);
    }
  };
  const showPlan = () =>
    act('Planning…', async () => {
      if (pending) await deleteJob(pending.job.id).catch(() => {});
      setPending(null);
      const job = await createJob(s.data!.asyncUrl, request, false);
      setPending({ job, key });
    });
  const submit = () =>
    act('Submitting…', async () => {
      if (empty) throw new Error('Nothing to reduce: the region keeps no targets. Choose another region.');
      let job: Job;
      if (planned) job = await setPhase(planned.id, 'RUN');
      else {
        if (pending) await deleteJob(pending.job.id).catch(() => {});
        job = await createJob(s.data!.asyncUrl, request, true);
      }
      setPending(null);
      pendingRef.current = null;
      selection.clear();
      onClose();
      navigate(paths.job(job.id));
    });
  const set = (p: DescriptorParam) => (v: string) => setValues((x) => ({ ...x, [p.name]: v }));
  const circle = params.find((p) => p.xtype === 'circle');
  const cover = circle?.max ? (parts(circle.max, 3).map(Number) as [number, number, number]) : null;

  return (
    <dialog ref={ref} class="reduce" aria-labelledby="reduce-title" onClose={onClose} onCancel={onClose}>
      <form method="dialog" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <header>
          <h2 id="reduce-title">Reduce with 2dFdr</h2>
          <button type="button" class="close" aria-label="Close" onClick={onClose}>×</button>
        </header>
        <p>
          {items.length} dataset{items.length === 1 ? '' : 's'}: {items.map((i) => i.label).join('; ')}
        </p>
        {!items.length && <p>Select frames or fields first.</p>}
        {prefill && <p class="muted">Settings of job {prefill.fromJob}: change what you need.</p>}
        {s.error && <ErrorNote error={s.error} retry={s.reload} />}
        {s.loading && !s.data && <Loading what="the reduction options" />}
        {s.data && (
          <>
            {s.data.problems.map((p) => (
              <p key={p} class="error">{p}</p>
            ))}
            <p class="muted">{s.data.descriptor.description}</p>
            <fieldset class="group">
              <legend>Reduction options</legend>
              <div class="param-grid">
                {options.map((p) => (
                  <ParamInput key={p.name} param={p} value={values[p.name] ?? ''} onChange={set(p)} />
                ))}
              </div>
            </fieldset>
            <fieldset class="group">
              <legend>Region and band (optional)</legend>
              {circle && cover && s.data.fibres.length > 0 && (
                <SkyPicker fibres={s.data.fibres} cover={cover} value={values.CIRCLE ?? ''} onChange={set(circle)} />
              )}
              <div class="param-grid">
                {regions.map((p) => (
                  <ParamInput key={p.name} param={p} value={values[p.name] ?? ''} onChange={set(p)} />
                ))}
              </div>
              {more.length > 0 && (
                <details>
                  <summary>Other region shapes</summary>
                  {more.map((p) => (
                    <ParamInput key={p.name} param={p} value={values[p.name] ?? ''} onChange={set(p)} />
                  ))}
                </details>
              )}
            </fieldset>
            <div class="param">
              <label for="runid">Job name (RUNID, optional)</label>
              <input id="runid" type="text" maxLength={64} value={runId} onInput={(e) => setRunId(e.currentTarget.value)} />
            </div>
            <RegionKeeps ids={ids} values={values} onKept={setKept} />
            {planned?.plan && <PlanSummary summary={planned.plan} />}
            {error && <ErrorNote error={error} />}
            <footer>
              <span role="status" class="muted">{busy ?? ''}</span>
              <button type="button" onClick={showPlan} disabled={!!busy || !items.length}>
                {planned ? 'Plan again' : 'Show plan'}
              </button>
              <button type="submit" class="primary" disabled={!!busy || !items.length || empty}>
                Submit
              </button>
            </footer>
          </>
        )}
      </form>
    </dialog>
  );
}
