// What a submission will run: the planner's steps, estimate and warnings from the pending job's jobInfo.
import type { PlanView } from '../api/plan';
import { seconds } from '../format';

export function PlanSummary({ plan }: { plan: PlanView }) {
  const products = plan.targets.flatMap((t) => t.products);
  return (
    <div class="plan" aria-label="Planned reduction">
      <p>
        <strong>{plan.estimate.steps}</strong> steps, about <strong>{seconds(plan.estimate.criticalPathS)}</strong> if they run in parallel (
        {seconds(plan.estimate.totalCostS)} of work). Steps already done for an earlier job are reused.
      </p>
      {plan.noData.length > 0 && (
        <ul class="warnings" aria-label="No data">
          {plan.noData.map((n, i) => (
            <li key={i}>
              <code>no data</code> {n.filter ? `${n.id} with ${n.filter}` : n.id}: {n.message} (a text/plain result; nothing is reduced for it)
            </li>
          ))}
        </ul>
      )}
      {plan.warnings.length > 0 && (
        <ul class="warnings">
          {plan.warnings.map((w, i) => (
            <li key={i}>
              <code>{w.code}</code> {w.message}
            </li>
          ))}
        </ul>
      )}
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
          {plan.steps.map((s, i) => (
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
      <p>
        Products: {products.map((p) => p.file).join(', ') || 'none'}
      </p>
    </div>
  );
}
