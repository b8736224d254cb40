// What a submission will run: estimate, warnings and products from the pending job's jobInfo summary, and the
// planner's steps from the full plan it links (loaded here, so polling the job document stays small).
import { getPlan, type PlanSummaryView } from '../api/plan';
import { seconds } from '../format';
import { useAsync } from '../use-async';
import { ErrorNote, Loading } from './status';

export function PlanSummary({ summary }: { summary: PlanSummaryView }) {
  // No href: every ID is "no data", so there is no plan to load (nothing runs).
  const plan = useAsync((signal) => (summary.href ? getPlan(summary, { signal }) : Promise.resolve(null)), [summary.href]);
  const more = summary.warningCount - summary.warnings.length;
  return (
    <div class="plan" aria-label="Planned reduction">
      <p>
        <strong>{summary.estimate.steps}</strong> steps, about <strong>{seconds(summary.estimate.criticalPathS)}</strong> if they run in parallel (
        {seconds(summary.estimate.totalCostS)} of work). Steps already done for an earlier job are reused.
      </p>
      {summary.noData.length > 0 && (
        <ul class="warnings" aria-label="No data">
          {summary.noData.map((n, i) => (
            <li key={i}>
              <code>no data</code> {n.filter ? `${n.id} with ${n.filter}` : n.id}: {n.message} (a text/plain result; nothing is reduced for it)
            </li>
          ))}
        </ul>
      )}
      {summary.warnings.length > 0 && (
        <ul class="warnings">
          {summary.warnings.map((w, i) => (
            <li key={i}>
              <code>{w.code}</code> {w.message}
            </li>
          ))}
          {more > 0 && <li>and {more} more warnings in the full plan</li>}
        </ul>
      )}
      {plan.error && <ErrorNote error={plan.error} retry={plan.reload} />}
      {summary.href && !plan.data && !plan.error && <Loading what="the planned steps" />}
      {plan.data && (
        <table class="grid compact">
          <caption>Planned steps</caption>
          <thead>
            <tr>
              <th scope="col" class="num">#</th>
              <th scope="col">Operation</th>
              <th scope="col">Step</th>
              <th scope="col" class="num">Estimate</th>
            </tr>
          </thead>
          <tbody>
            {plan.data.steps.map((s, i) => (
              <tr key={s.id}>
                <td class="num">{i + 1}</td>
                <td>
                  <code>{s.operation}</code>
                </td>
                <td>{s.label}</td>
                <td class="num">{seconds(s.estimatedCostS)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p>
        Products: {summary.products.map((p) => p.file).join(', ') || 'none'}
      </p>
    </div>
  );
}
