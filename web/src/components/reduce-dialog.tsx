// "Reduce with 2dFdr": a modal form built from the SODA service descriptor that DataLink gives for the selected
// datasets (#proc), the plan shown from a PENDING job before anything runs, and submission as a UWS job.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { fetchLinks, sodaAsyncUrl, type DescriptorParam, type ServiceDescriptor } from '../api/datalink';
import { frameWithFibres, listFrames, type FibreJson } from '../api/frames';
import { createJob, deleteJob, setPhase, type Job } from '../api/uws';
import type { ReducePrefill } from '../reduce-prefill';
import { navigate, paths } from '../router';
import { buildRequest, entryOf, spliceBlocked, type Entries } from '../reduce-form';
import { selection, type Selected } from '../selection';
import { useAsync } from '../use-async';
import { ParamInput, parts } from './param-input';
import { PlanSummary } from './plan-summary';
import { RegionKeeps, type Kept } from './region-keeps';
import { RegionSummary } from './region-summary';
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

/** What one selected dataset means, in words (a field DID reduces every object frame of the configuration). */
const meaning = (s: Selected) => (s.kind === 'field' ? 'the whole field: every object frame of this 2dF configuration' : 'this frame');

export interface ReduceDialogProps {
  /** Exactly what to reduce: the selection, or the one field or frame whose "Reduce…" button opened the dialog. */
  items: Selected[];
  /** True when `items` is the shared selection (cleared after a submission); a single field leaves it alone. */
  fromSelection: boolean;
  /** "Reduce again with changes": an earlier job's settings, filled in once the descriptor says what each box is. */
  prefill?: ReducePrefill;
  onClose: () => void;
}

/** The prefill's DALI values as boxes, for the parameters this descriptor offers (the others cannot be sent). */
function prefilled(params: DescriptorParam[], prefill: ReducePrefill): Entries {
  const entries: Entries = {};
  for (const p of params) if (p.name in prefill.values) entries[p.name] = entryOf(p, prefill.values[p.name]);
  return entries;
}

export function ReduceDialog({ items, fromSelection, prefill, onClose }: ReduceDialogProps) {
  const ids = useMemo(() => items.map((s) => s.id), [items]);
  const ref = useRef<HTMLDialogElement>(null);
  const s = useAsync((signal) => setup(ids, signal), [ids.join('\n')]);
  const [entries, setEntries] = useState<Entries>({});
  const [runId, setRunId] = useState(prefill?.runId ?? '');
  const [pending, setPending] = useState<{ job: Job; key: string } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  // Problems are shown once the user has asked for a plan or a submission, then kept current as they type.
  const [checked, setChecked] = useState(false);
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
  useEffect(() => {
    if (prefill && s.data) setEntries(prefilled(params, prefill));
  }, [s.data]);
  const options = params.filter((p) => p.options.length);
  const regions = params.filter((p) => !p.options.length && regionNames.includes(p.name));
  const more = params.filter((p) => !p.options.length && !regionNames.includes(p.name));
  // The one validation, shared by Show plan and Submit.
  const built = buildRequest(ids, params, entries, runId);
  const problemOf = (name: string) => (checked ? built.problems.find((x) => x.name === name)?.message : undefined);
  const key = JSON.stringify(built.request);
  const planned = pending && pending.key === key ? pending.job : null;
  const blocked = spliceBlocked(params, entries);
  // What the region keeps is counted from the validated request; while a region box is unfinished it is not counted.
  const regionDone = !built.problems.some((x) => ['CIRCLE', 'POS', 'POLYGON', 'TIME'].includes(x.name));
  const regionValues = regionDone ? Object.fromEntries(built.request.filter(([n]) => n !== 'ID' && n !== 'RUNID')) : null;
  // An empty choice is refused here: the region keeps no target, or the plan has nothing but "no data".
  const nothingKept = !!kept && kept.filtered && (kept.targets === 0 || kept.frames === 0);
  const nothingPlanned = !!planned?.plan && !planned.plan.href && planned.plan.noData.length > 0;
  const empty = nothingKept || nothingPlanned;

  const act = async (what: string, fn: (request: Array<[string, string]>) => Promise<void>) => {
    setChecked(true);
    setError(null);
    if (built.problems.length) {
      ref.current?.querySelector<HTMLElement>('.problems')?.focus();
      return;
    }
    setBusy(what);
    try {
      await fn(built.request);
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(null);
    }
  };
  const showPlan = () =>
    act('Planning…', async (request) => {
      if (pending) await deleteJob(pending.job.id).catch(() => {});
      setPending(null);
      const job = await createJob(s.data!.asyncUrl, request, false);
      setPending({ job, key });
    });
  const submit = () =>
    act('Submitting…', async (request) => {
      if (empty) throw new Error(nothingKept ? 'Nothing to reduce: the region keeps no targets. Choose another region.' : 'Nothing to reduce: the plan finds no data in the region. Choose another region.');
      let job: Job;
      if (planned) job = await setPhase(planned.id, 'RUN');
      else {
        if (pending) await deleteJob(pending.job.id).catch(() => {});
        job = await createJob(s.data!.asyncUrl, request, true);
      }
      setPending(null);
      pendingRef.current = null;
      if (fromSelection) selection.clear();
      onClose();
      navigate(paths.job(job.id));
    });
  const set = (p: DescriptorParam) => (entry: string[]) => setEntries((x) => ({ ...x, [p.name]: entry }));
  const input = (p: DescriptorParam) => (
    <ParamInput
      key={p.name}
      param={p}
      entry={entries[p.name] ?? []}
      onChange={set(p)}
      problem={problemOf(p.name)}
      blockedBy={p.name === 'SPLICE' && blocked ? 'Needs both arms: with one arm there is nothing to splice, so it is not sent.' : undefined}
    />
  );
  const circle = params.find((p) => p.xtype === 'circle');
  const cover = circle?.max ? (parts(circle.max, 3).map(Number) as [number, number, number]) : null;
  const circleValue = built.request.find(([n]) => n === 'CIRCLE')?.[1] ?? '';

  return (
    <dialog ref={ref} class="reduce" aria-labelledby="reduce-title" onClose={onClose} onCancel={onClose}>
      <form method="dialog" noValidate onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <header>
          <h2 id="reduce-title">Reduce with 2dFdr</h2>
          <button type="button" class="close" aria-label="Close" onClick={onClose}>×</button>
        </header>
        <section class="reducing" aria-labelledby="reducing-title">
          <h3 id="reducing-title">What will be reduced</h3>
          {!items.length && <p>Nothing: select frames or fields first.</p>}
          <ul>
            {items.map((i) => (
              <li key={i.id}>
                <strong>{i.label}</strong> — {meaning(i)}
              </li>
            ))}
          </ul>
          {s.data && <RegionSummary request={built.request} />}
        </section>
        {prefill && <p class="muted">Settings of job {prefill.fromJob}: change what you need.</p>}
        {s.error && <ErrorNote error={s.error} retry={s.reload} />}
        {s.loading && !s.data && <Loading what="the reduction options" />}
        {s.data && (
          <>
            {s.data.problems.map((p) => (
              <p key={p} class="error">{p}</p>
            ))}
            <details class="muted small">
              <summary>The same request from a script</summary>
              {s.data.descriptor.description}
            </details>
            <fieldset class="group">
              <legend>Reduction options</legend>
              <div class="param-grid">{options.map(input)}</div>
            </fieldset>
            <fieldset class="group">
              <legend>Region, wavelengths and time (optional)</legend>
              {circle && cover && s.data.fibres.length > 0 && (
                <SkyPicker fibres={s.data.fibres} cover={cover} value={circleValue} onChange={(v) => set(circle)(entryOf(circle, v))} />
              )}
              <div class="param-grid">{regions.map(input)}</div>
              {more.length > 0 && (
                <details>
                  <summary>Other region shapes</summary>
                  {more.map(input)}
                </details>
              )}
            </fieldset>
            <div class="param">
              <label for="runid">Job name (RUNID, optional)</label>
              <input id="runid" type="text" maxLength={64} value={runId} onInput={(e) => setRunId(e.currentTarget.value)} />
            </div>
            <RegionKeeps ids={ids} values={regionValues} onKept={setKept} />
            {planned?.plan && <PlanSummary summary={planned.plan} />}
            {checked && built.problems.length > 0 && (
              <div class="error problems" role="alert" tabIndex={-1}>
                <p>Please fix before planning or submitting:</p>
                <ul>
                  {built.problems.map((p) => (
                    <li key={p.name}>{p.message}</li>
                  ))}
                </ul>
              </div>
            )}
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
