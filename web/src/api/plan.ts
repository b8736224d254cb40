// The reduction plan drsoda puts in a job's jobInfo (namespace urn:drsoda:plan, src/vo/plan-xml.ts): the steps
// a job will run, read before it runs so the user sees what a submission costs.
export const PLAN_NS = 'urn:drsoda:plan';
/** What each ID of a SODA request selects (src/soda/soda-runner.ts sodaJobInfo). */
export const SODA_NS = 'urn:drsoda:soda';

/** An ID (filter null) or ID x region (filter set) that gives only a text/plain "no data" result; nothing runs for it. */
export interface NoDataView {
  id: string;
  filter: string | null;
  message: string;
}

export interface PlanStepView {
  id: string;
  operation: string;
  label: string;
  arm: string;
  estimatedCostS: number;
  dependsOn: string[];
  products: string[];
}

export interface PlanView {
  options: Record<string, string>;
  estimate: { steps: number; totalCostS: number; criticalPathS: number };
  warnings: Array<{ code: string; message: string }>;
  targets: Array<{ request: string; kind: string; products: Array<{ step: string; file: string; arm: string; kind: string }> }>;
  steps: PlanStepView[];
  /** Known before anything runs: IDs and ID x region combinations with no data. */
  noData: NoDataView[];
}

const attrs = (el: Element | null): Record<string, string> => Object.fromEntries(Array.from(el?.attributes ?? []).map((a) => [a.name, a.value]));
const all = (el: Element, local: string) => Array.from(el.getElementsByTagNameNS(PLAN_NS, local));

function parseNoData(root: Element): NoDataView[] {
  return Array.from(root.getElementsByTagNameNS(SODA_NS, 'id')).flatMap((el): NoDataView[] => {
    const id = el.getAttribute('value') ?? '';
    if (el.getAttribute('noData') === 'true') return [{ id, filter: null, message: (el.textContent ?? '').trim() }];
    return Array.from(el.getElementsByTagNameNS(SODA_NS, 'noOverlap')).map((n) => ({
      id,
      filter: `${n.getAttribute('param') ?? ''} ${n.getAttribute('value') ?? ''}`.trim(),
      message: (n.textContent ?? '').trim(),
    }));
  });
}

export function parsePlan(root: Element): PlanView | null {
  const plan = root.getElementsByTagNameNS(PLAN_NS, 'plan')[0];
  const noData = parseNoData(root);
  // Every ID without data: no plan element, nothing runs, the job completes with the text results alone.
  if (!plan && noData.length) return { options: {}, estimate: { steps: 0, totalCostS: 0, criticalPathS: 0 }, warnings: [], targets: [], steps: [], noData };
  if (!plan) return null;
  const est = attrs(all(plan, 'estimate')[0] ?? null);
  return {
    options: attrs(all(plan, 'options')[0] ?? null),
    estimate: { steps: Number(est.steps ?? 0), totalCostS: Number(est.totalCostS ?? 0), criticalPathS: Number(est.criticalPathS ?? 0) },
    warnings: all(plan, 'warning').map((w) => ({ code: w.getAttribute('code') ?? '', message: (w.textContent ?? '').trim() })),
    targets: all(plan, 'target').map((t) => ({
      request: t.getAttribute('request') ?? '',
      kind: t.getAttribute('kind') ?? '',
      products: all(t, 'product').map((p) => ({ step: p.getAttribute('step') ?? '', file: p.getAttribute('file') ?? '', arm: p.getAttribute('arm') ?? '', kind: p.getAttribute('kind') ?? '' })),
    })),
    steps: all(plan, 'step').map((s) => ({
      id: s.getAttribute('id') ?? '',
      operation: s.getAttribute('operation') ?? '',
      label: s.getAttribute('label') ?? '',
      arm: s.getAttribute('arm') ?? '',
      estimatedCostS: Number(s.getAttribute('estimatedCostS') ?? 0),
      dependsOn: all(s, 'dependsOn').map((d) => d.getAttribute('step') ?? ''),
      products: all(s, 'output').filter((o) => o.getAttribute('product') === 'true').map((o) => o.getAttribute('file') ?? ''),
    })),
    noData,
  };
}
