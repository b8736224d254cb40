// A reduction plan as XML in its own namespace, for the UWS 1.1 jobInfo element (which admits any XML:
// UWS-v1.1.xsd, xs:any processContents="lax"), so a user can check the plan while the job is PENDING; pure.
// Written as a string, not with xmlbuilder2: a 2,000-frame night has ~2,000 steps and xmlbuilder2 needs seconds.
import type { Plan, PlanSummary, Step } from '../domain/plan.js';
import type { XMLBuilder } from './xml.js';

export const planNamespace = 'urn:drsoda:plan';

type Attrs = Record<string, string | number | boolean | null>;

// FITS headers are ASCII, but a stray control character must not make the job document ill-formed.
const clean = (s: string) => s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '?');
// Most values (ids, file names, argv) need no escaping: test once instead of running every replacement.
const special = /[&<>"\u0000-\u001F\uFFFE\uFFFF]/;
const text = (s: string) => (special.test(s) ? clean(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;') : s);
// In attributes, also keep quotes and whitespace characters literal (XML 1.0 section 3.3.3 normalises them).
const attr = (s: string) =>
  special.test(s) ? text(s).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;') : s;

class Writer {
  readonly parts: string[] = [];
  constructor(private depth: number) {}

  private open(name: string, attrs: Attrs): string {
    let s = `${'  '.repeat(this.depth)}<plan:${name}`;
    for (const k in attrs) {
      const v = attrs[k];
      if (v !== null) s += ` ${k}="${attr(String(v))}"`;
    }
    return s;
  }

  /** An element with attributes and optional text content. */
  leaf(name: string, attrs: Attrs = {}, content?: string): void {
    this.parts.push(content === undefined ? `${this.open(name, attrs)}/>` : `${this.open(name, attrs)}>${text(content)}</plan:${name}>`);
  }

  /** An element with children written by `body`. */
  node(name: string, attrs: Attrs, body: () => void): void {
    this.parts.push(`${this.open(name, attrs)}>`);
    this.depth++;
    body();
    this.depth--;
    this.parts.push(`${'  '.repeat(this.depth)}</plan:${name}>`);
  }
}

function writeStep(w: Writer, s: Step): void {
  w.node('step', { id: s.id, operation: s.operation, night: s.night, arm: s.arm, estimatedCostS: s.estimatedCostS, label: s.label }, () => {
    for (const i of s.inputs) {
      if (i.kind === 'raw') w.leaf('input', { kind: 'raw', frameId: i.frameId, relPath: i.relPath, file: i.fileName, sha256: i.sha256 });
      else w.leaf('input', { kind: 'product', step: i.stepId, file: i.fileName });
    }
    w.leaf('idx', { file: s.idx.fileName });
    for (const o of s.outputs) w.leaf('output', { file: o, product: s.products.includes(o) });
    for (const d of s.dependsOn) w.leaf('dependsOn', { step: d });
    w.node('argv', {}, () => s.argv.forEach((a) => w.leaf('arg', {}, a)));
  });
}

/**
 * The `<plan:plan>` element (declaring its namespace), indented for `depth` levels, as text to place inside a
 * `uws:jobInfo` element.
 */
export function planXmlElement(plan: Plan, depth = 0): string {
  const w = new Writer(depth);
  w.node('plan', { 'xmlns:plan': planNamespace, formatVersion: plan.formatVersion, reducerVersion: plan.reducerVersion, pipeline: plan.pipeline.description }, () => {
    w.leaf('options', { ...plan.options });
    w.leaf('estimate', { ...plan.estimate });
    w.node('targets', {}, () => {
      for (const t of plan.targets) {
        w.node('target', { request: t.request, kind: t.kind }, () => {
          for (const id of t.frameIds) w.leaf('frame', { id });
          for (const r of t.products) w.leaf('product', { step: r.stepId, file: r.fileName, arm: r.arm, kind: r.kind });
        });
      }
    });
    w.node('warnings', {}, () => plan.warnings.forEach((x) => w.leaf('warning', { code: x.code }, x.message)));
    w.node('ignored', {}, () => plan.ignored.forEach((i) => w.leaf('frame', { id: i.frameId, file: i.fileName, ndfClass: i.ndfClass }, i.reason)));
    w.node('reclassified', {}, () => plan.reclassified.forEach((r) => w.leaf('frame', { id: r.frameId, file: r.fileName, from: r.from, to: r.to }, r.reason)));
    w.node('calibrations', {}, () => {
      for (const c of plan.calibrations) {
        w.leaf('calibration', { frame: c.frameId, file: c.fileName, role: c.role, step: c.stepId, calibrationFile: c.calibrationFile, fallback: c.fallback }, c.reason);
      }
    });
    // Steps share a few idx files: list each once and refer to it by name from the steps.
    w.node('idxFiles', {}, () => {
      const seen = new Set<string>();
      for (const s of plan.steps) {
        if (seen.has(s.idx.fileName)) continue;
        seen.add(s.idx.fileName);
        w.leaf('idxFile', { name: s.idx.fileName, preset: s.idx.preset, grating: s.idx.grating }, s.idx.content);
      }
    });
    w.node('steps', {}, () => plan.steps.forEach((s) => writeStep(w, s)));
  });
  return w.parts.join('\n');
}

const xlinkNamespace = 'http://www.w3.org/1999/xlink';

/**
 * The `<plan:summary>` element for jobInfo: estimate, final products and the first warnings, with an xlink to the
 * full plan (planHref, the job's /plan resource; null for jobs no client sees). Declares its namespaces, so it is a well-formed fragment alone.
 */
export function planSummaryXmlElement(s: PlanSummary, planHref: string | null): string {
  const w = new Writer(0);
  const link: Attrs = planHref === null ? {} : { 'xmlns:xlink': xlinkNamespace, 'xlink:type': 'simple', 'xlink:href': planHref };
  const root = { 'xmlns:plan': planNamespace, ...link, formatVersion: s.formatVersion, reducerVersion: s.reducerVersion };
  w.node('summary', root, () => {
    w.leaf('estimate', { ...s.estimate });
    for (const p of s.products) w.leaf('product', { request: p.request, step: p.stepId, file: p.fileName, arm: p.arm, kind: p.kind });
    w.node('warnings', { count: s.warningCount }, () => s.warnings.forEach((x) => w.leaf('warning', { code: x.code }, x.message)));
  });
  return w.parts.join('\n');
}

/** The plan as a standalone XML document. */
export function planXml(plan: Plan): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${planXmlElement(plan)}\n`;
}

/**
 * Appends the plan to an xmlbuilder2 parent such as `uws:jobInfo` (xmlbuilder2 parses the text again: for plans
 * of thousands of steps, placing planXmlElement's text directly is much faster).
 */
export function appendPlanXml(parent: XMLBuilder, plan: Plan): XMLBuilder {
  return parent.ele(planXmlElement(plan));
}
