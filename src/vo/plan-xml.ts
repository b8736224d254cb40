// A reduction plan as XML in its own namespace, for the UWS 1.1 jobInfo element (which admits any XML:
// UWS-v1.1.xsd, xs:any processContents="lax"), so a user can check the plan while the job is PENDING; pure.
import type { Plan, Step } from '../domain/plan.js';
import { newDocument, toXml, type XMLBuilder } from './xml.js';

export const planNamespace = 'urn:drsoda:plan';
const p = (name: string) => `plan:${name}`;

// FITS headers are ASCII, but a stray control character must not make the job document ill-formed.
const clean = (s: string) => s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '?');

function el(parent: XMLBuilder, name: string, attrs: Record<string, string | number | boolean | null> = {}, text?: string): XMLBuilder {
  const e = parent.ele(planNamespace, p(name));
  for (const [k, v] of Object.entries(attrs)) if (v !== null) e.att(k, clean(String(v)));
  if (text !== undefined) e.txt(clean(text));
  return e;
}

function appendStep(parent: XMLBuilder, s: Step): void {
  const e = el(parent, 'step', { id: s.id, operation: s.operation, night: s.night, arm: s.arm, estimatedCostS: s.estimatedCostS, label: s.label });
  for (const i of s.inputs) {
    if (i.kind === 'raw') el(e, 'input', { kind: 'raw', frameId: i.frameId, relPath: i.relPath, file: i.fileName, sha256: i.sha256 });
    else el(e, 'input', { kind: 'product', step: i.stepId, file: i.fileName });
  }
  el(e, 'idx', { file: s.idx.fileName });
  for (const o of s.outputs) el(e, 'output', { file: o, product: s.products.includes(o) });
  for (const d of s.dependsOn) el(e, 'dependsOn', { step: d });
  const argv = el(e, 'argv');
  for (const a of s.argv) el(argv, 'arg', {}, a);
}

/** Appends `<plan:plan>` (declaring its namespace) to a parent such as `uws:jobInfo`. */
export function appendPlanXml(parent: XMLBuilder, plan: Plan): XMLBuilder {
  const root = el(parent, 'plan', { formatVersion: plan.formatVersion, reducerVersion: plan.reducerVersion });
  el(root, 'options', { ...plan.options });
  el(root, 'estimate', { ...plan.estimate });

  const targets = el(root, 'targets');
  for (const t of plan.targets) {
    const te = el(targets, 'target', { request: t.request, kind: t.kind });
    for (const id of t.frameIds) el(te, 'frame', { id });
    for (const r of t.products) el(te, 'product', { step: r.stepId, file: r.fileName, arm: r.arm, kind: r.kind });
  }
  const warnings = el(root, 'warnings');
  for (const w of plan.warnings) el(warnings, 'warning', { code: w.code }, w.message);
  const ignored = el(root, 'ignored');
  for (const i of plan.ignored) el(ignored, 'frame', { id: i.frameId, file: i.fileName, ndfClass: i.ndfClass }, i.reason);
  const reclassified = el(root, 'reclassified');
  for (const r of plan.reclassified) el(reclassified, 'frame', { id: r.frameId, file: r.fileName, from: r.from, to: r.to }, r.reason);
  const calibrations = el(root, 'calibrations');
  for (const c of plan.calibrations) {
    el(calibrations, 'calibration', { frame: c.frameId, file: c.fileName, role: c.role, step: c.stepId, calibrationFile: c.calibrationFile, fallback: c.fallback }, c.reason);
  }

  // Steps share a few idx files: list each once and refer to it by name from the steps.
  const idxFiles = el(root, 'idxFiles');
  const seen = new Set<string>();
  for (const s of plan.steps) {
    if (seen.has(s.idx.fileName)) continue;
    seen.add(s.idx.fileName);
    el(idxFiles, 'idxFile', { name: s.idx.fileName, preset: s.idx.preset, grating: s.idx.grating }, s.idx.content);
  }
  const steps = el(root, 'steps');
  for (const s of plan.steps) appendStep(steps, s);
  return root;
}

/** The plan as a standalone XML document. */
export function planXml(plan: Plan): string {
  const doc = newDocument();
  appendPlanXml(doc, plan);
  return toXml(doc);
}
