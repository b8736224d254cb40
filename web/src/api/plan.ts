// The reduction plan of a job (namespace urn:drsoda:plan, src/vo/plan-xml.ts): the summary the job document's
// jobInfo carries, and the full plan (the steps a job will run) at the job's /plan, read before the job runs so the
// user sees what a submission costs.
import { getXml, type RequestOptions } from './http';

export const PLAN_NS = 'urn:drsoda:plan';
const XLINK_NS = 'http://www.w3.org/1999/xlink';

export interface PlannedProduct {
  request: string;
  step: string;
  file: string;
  arm: string;
  kind: string;
}

/** The plan:summary element of jobInfo. */
/** What each ID of a SODA request selects (src/soda/soda-runner.ts sodaJobInfo). */
export const SODA_NS = 'urn:drsoda:soda';

/** An ID (filter null) or ID x region (filter set) that gives only a text/plain "no data" result; nothing runs for it. */
export interface NoDataView {
  id: string;
  filter: string | null;
  message: string;
}

export interface PlanSummaryView {
  /** The full plan ({job}/plan). */
  href: string;
  estimate: { steps: number; totalCostS: number; criticalPathS: number };
  products: PlannedProduct[];
  warnings: Array<{ code: string; message: string }>;
  warningCount: number;
  /** Known before anything runs: IDs and ID x region combinations with no data. */
  noData: NoDataView[];
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
}

type Searchable = Pick<Element, 'getElementsByTagNameNS'>;

const attrs = (el: Element | null): Record<string, string> => Object.fromEntries(Array.from(el?.attributes ?? []).map((a) => [a.name, a.value]));
const all = (el: Searchable, local: string) => Array.from(el.getElementsByTagNameNS(PLAN_NS, local));

const estimateOf = (el: Element | null) => {
  const est = attrs(el);
  return { steps: Number(est.steps ?? 0), totalCostS: Number(est.totalCostS ?? 0), criticalPathS: Number(est.criticalPathS ?? 0) };
};

function parseNoData(root: Searchable): NoDataView[] {
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

/** The plan summary in a job document's jobInfo, or null when the job has no plan and nothing without data. */
export function parsePlanSummary(root: Searchable): PlanSummaryView | null {
  const summary = root.getElementsByTagNameNS(PLAN_NS, 'summary')[0];
  const noData = parseNoData(root);
  // Every ID without data: no plan, nothing runs, the job completes with the text results alone.
  if (!summary) return noData.length ? { href: '', estimate: { steps: 0, totalCostS: 0, criticalPathS: 0 }, products: [], warnings: [], warningCount: 0, noData } : null;
  const warnings = all(summary, 'warnings')[0];
  return {
    href: summary.getAttributeNS(XLINK_NS, 'href') ?? '',
    estimate: estimateOf(all(summary, 'estimate')[0] ?? null),
    products: all(summary, 'product').map((p) => ({ request: p.getAttribute('request') ?? '', step: p.getAttribute('step') ?? '', file: p.getAttribute('file') ?? '', arm: p.getAttribute('arm') ?? '', kind: p.getAttribute('kind') ?? '' })),
    warnings: all(summary, 'warning').map((w) => ({ code: w.getAttribute('code') ?? '', message: (w.textContent ?? '').trim() })),
    warningCount: Number(warnings?.getAttribute('count') ?? 0),
    noData,
  };
}

/** The full plan a summary links (GET {job}/plan, XML). */
export async function getPlan(summary: PlanSummaryView, o: RequestOptions = {}): Promise<PlanView> {
  const plan = parsePlan(await getXml(summary.href, o));
  if (!plan) throw new Error('the service sent a plan document without a plan');
  return plan;
}

/** The plan:plan element in a document or element (the job's /plan document). */
export function parsePlan(root: Searchable): PlanView | null {
  const plan = root.getElementsByTagNameNS(PLAN_NS, 'plan')[0];
  if (!plan) return null;
  return {
    options: attrs(all(plan, 'options')[0] ?? null),
    estimate: estimateOf(all(plan, 'estimate')[0] ?? null),
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
  };
}
