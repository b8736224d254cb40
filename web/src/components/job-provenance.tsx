// What a job did and why, kept after submission: the settings actually used (defaults marked), the pipeline, the
// calibrations the planner chose, the plan's warnings, an estimate that counts reused steps, and "reduce again".
import { fetchLinks, type DescriptorParam } from '../api/datalink';
import { getJobPlan, optionParams, type Plan } from '../api/job-plan';
import type { StepJson } from '../api/steps';
import type { Job } from '../api/uws';
import { seconds } from '../format';
import { reduceAgain } from '../reduce-prefill';
import { useAsync } from '../use-async';
import { ErrorNote, Loading } from './status';
import './job-provenance.css';

interface Setting {
  name: string;
  value: string;
  source: 'you' | 'default' | 'unset';
}

/** The descriptor's reduction parameters for the job's IDs (null when DataLink has no #proc for them). */
async function procParams(ids: string[], signal: AbortSignal): Promise<DescriptorParam[] | null> {
  if (!ids.length) return null;
  const links = await fetchLinks(ids, signal);
  const proc = links.rows.find((r) => r.semantics === '#proc' && links.descriptors.has(r.serviceDef));
  return proc ? links.descriptors.get(proc.serviceDef)!.inputParams.filter((p) => p.name !== 'ID' && p.value === '') : null;
}

/** Every setting the reduction used: what the job was sent, else the plan's resolved option, else the default. */
export function settingsUsed(job: Job, plan: Plan | null, params: DescriptorParam[] | null): Setting[] {
  const sent = new Map<string, string[]>();
  for (const p of job.parameters) {
    const n = p.id.toUpperCase();
    if (n !== 'ID' && n !== 'RUNID' && n !== 'PHASE') sent.set(n, [...(sent.get(n) ?? []), p.value]);
  }
  const fromPlan = new Map(plan ? Object.entries(optionParams).map(([k, name]) => [name, String(plan.options[k as keyof Plan['options']])]) : []);
  const names = params?.map((p) => p.name) ?? [...new Set([...fromPlan.keys(), ...sent.keys()])];
  for (const n of sent.keys()) if (!names.includes(n)) names.push(n);
  return names.map((name): Setting => {
    if (sent.has(name)) return { name, value: sent.get(name)!.join('; '), source: 'you' };
    const d = fromPlan.get(name) ?? params?.find((p) => p.name === name)?.defaultValue ?? null;
    return d === null ? { name, value: 'not set', source: 'unset' } : { name, value: d, source: 'default' };
  });
}

/** Work and wall time left when reused steps cost nothing: sum, and the longest chain of the rest. */
export function estimateWithReuse(plan: Plan, reused: ReadonlySet<string>): { steps: number; reused: number; totalCostS: number; criticalPathS: number } {
  const cost = new Map(plan.steps.map((s) => [s.id, reused.has(s.id) ? 0 : s.estimatedCostS]));
  const finish = new Map<string, number>();
  for (const s of plan.steps) finish.set(s.id, Math.max(0, ...s.dependsOn.map((d) => finish.get(d) ?? 0)) + cost.get(s.id)!);
  const n = plan.steps.filter((s) => reused.has(s.id)).length;
  return { steps: plan.steps.length, reused: n, totalCostS: [...cost.values()].reduce((a, b) => a + b, 0), criticalPathS: Math.max(0, ...finish.values()) };
}

function Calibrations({ plan }: { plan: Plan }) {
  // One row per calibration product and role: the frames it serves, the planner's reason, fallbacks flagged.
  const groups = new Map<string, { role: string; file: string; frames: string[]; reason: string; fallback: boolean }>();
  for (const c of plan.calibrations) {
    const key = `${c.role}\n${c.calibrationFile ?? ''}`;
    const g = groups.get(key) ?? { role: c.role, file: c.calibrationFile ?? 'switched off', frames: [], reason: c.reason, fallback: false };
    g.frames.push(c.fileName);
    g.fallback ||= c.fallback;
    groups.set(key, g);
  }
  if (!groups.size) return <p class="muted">No calibrations (nothing to reduce).</p>;
  return (
    <div class="table-scroll">
      <table class="grid compact calibrations">
        <caption>Calibrations chosen</caption>
        <thead>
          <tr>
            <th scope="col">Role</th>
            <th scope="col">Calibration</th>
            <th scope="col">Used for</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {[...groups.values()].map((g) => (
            <tr key={`${g.role}/${g.file}`}>
              <td>{g.role}</td>
              <td>
                <code>{g.file}</code>
                {g.fallback && <span class="badge fallback"> fallback</span>}
              </td>
              <td>{[...new Set(g.frames)].join(', ')}</td>
              <td>{g.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function JobProvenance({ job, steps }: { job: Job; steps: StepJson[] | null }) {
  const ids = job.parameters.filter((p) => p.id.toUpperCase() === 'ID').map((p) => p.value);
  const plan = useAsync((signal) => getJobPlan(job.id, signal), [job.id]);
  const params = useAsync((signal) => procParams(ids, signal).catch(() => null), [ids.join('\n')]);
  if (plan.error) return <ErrorNote error={plan.error} retry={plan.reload} />;
  if (plan.loading && !plan.data) return <Loading what="the job's plan" />;
  const p = plan.data ?? null;
  const reused = new Set((steps ?? []).filter((s) => s.madeBy?.kind === 'reused').map((s) => s.id));
  const est = p && estimateWithReuse(p, reused);
  const settings = settingsUsed(job, p, params.data ?? null);
  return (
    <section class="provenance" aria-labelledby="provenance-title">
      <h2 id="provenance-title">How this job reduces</h2>
      {est && (
        <p class="estimate" role="status">
          {est.steps} steps
          {est.reused > 0 ? `, ${est.reused} reused from earlier jobs` : ''}: about <strong>{seconds(est.criticalPathS)}</strong> if they run in parallel (
          {seconds(est.totalCostS)} of work)
          {est.reused > 0 ? `, instead of ${seconds(p!.estimate.criticalPathS)} without reuse` : steps ? '' : '; steps already done for an earlier job will be reused'}.
        </p>
      )}
      <div class="table-scroll">
        <table class="grid compact settings">
          <caption>Settings used</caption>
          <thead>
            <tr>
              <th scope="col">Parameter</th>
              <th scope="col">Value</th>
              <th scope="col">From</th>
            </tr>
          </thead>
          <tbody>
            {settings.map((s) => (
              <tr key={s.name} class={`from-${s.source}`}>
                <th scope="row">
                  <code>{s.name}</code>
                </th>
                <td>{s.source === 'unset' ? <span class="muted">not set (no cut)</span> : <code>{s.value}</code>}</td>
                <td>{s.source === 'you' ? 'this job' : s.source === 'default' ? <span class="badge default">default</span> : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {p && (
        <p class="muted">
          Pipeline: {p.pipeline.description}; recipe {p.reducerVersion}.
        </p>
      )}
      {p && p.warnings.length > 0 && (
        <>
          <h3>Plan warnings</h3>
          <ul class="warnings" aria-label="Plan warnings">
            {p.warnings.map((w, i) => (
              <li key={i}>
                <code>{w.code}</code> {w.message}
              </li>
            ))}
          </ul>
        </>
      )}
      {p && (
        <details>
          <summary>Calibrations chosen ({new Set(p.calibrations.map((c) => `${c.role}/${c.calibrationFile}`)).size})</summary>
          <Calibrations plan={p} />
        </details>
      )}
      {!p && <p class="muted">This job has no reduction plan (nothing in it needed reducing).</p>}
      {ids.length > 0 && (
        <p>
          <button type="button" onClick={() => reduceAgain(job.parameters, job.runId, job.id)}>
            Reduce again with changes…
          </button>
        </p>
      )}
    </section>
  );
}
