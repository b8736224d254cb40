// UWS 1.1 documents (UWS-v1.1.xsd): job, job list, results and parameters, written as text by the shared string
// writer (xml-writer.ts), since a polled job document is rendered on every request. Literal uws:/xlink:/xsi:
// prefixes declared on every root, because pyvo and TOPCAT parse without namespace awareness
// (ivoa-notes 3.6, 8); element order as the XSD's sequences; xsi:nil for missing values.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Job, JobParameter, JobRef, JobResult } from '../domain/job.js';
import { amp, newDocument, ns, toXml } from './xml.js';
import { openTag, xmlText } from './xml-writer.js';

/** Where the job's sub-resources live, so relative result and parameter links can be made absolute. */
export interface JobUrls {
  /** Absolute URL of the job list, e.g. https://host/soda/async */
  jobsUrl: string;
}

const jobUrl = (u: JobUrls, id: string) => `${u.jobsUrl}/${encodeURIComponent(id)}`;

/** The href a result is published under: its own absolute href, else its place under /results. */
export const resultHref = (u: JobUrls, jobId: string, r: Pick<JobResult, 'id' | 'href'>) =>
  r.href ?? `${jobUrl(u, jobId)}/results/${encodeURIComponent(r.id)}`;

/** The URL of an uploaded (byReference) parameter's content. */
export const parameterHref = (u: JobUrls, jobId: string, name: string) => `${jobUrl(u, jobId)}/parameters/${encodeURIComponent(name)}`;

const uwsRoot = (name: string, withVersion: boolean) =>
  // UWS 1.1 section 3: without version="1.1" clients assume 1.0 and never block (TOPCAT, pyvo).
  `<?xml version="1.0" encoding="UTF-8"?>\n<uws:${name} xmlns:uws="${ns.uws}" xmlns:xlink="${ns.xlink}" xmlns:xsi="${ns.xsi}"${withVersion ? ' version="1.1"' : ''}`;

const time = (d: Date) => d.toISOString();

/** Lines of one document; `pad` is the indentation of the element being written. */
type Lines = string[];

const text = (out: Lines, pad: string, name: string, v: string) => out.push(`${pad}<uws:${name}>${xmlText(v)}</uws:${name}>`);

function textOrNil(out: Lines, pad: string, name: string, v: string | null): void {
  if (v === null) out.push(`${pad}<uws:${name} xsi:nil="true"/>`);
  else text(out, pad, name, v);
}

/** A list element (uws:parameters, uws:results) with its items, self-closed when empty. */
function list(out: Lines, pad: string, name: string, items: Lines): void {
  if (!items.length) out.push(`${pad}<uws:${name}/>`);
  else out.push(`${pad}<uws:${name}>`, ...items, `${pad}</uws:${name}>`);
}

// An uploaded parameter is stored under its part name and shown as the URL of its content (UWS 2.2.3.2).
function parameterLines(pad: string, u: JobUrls, jobId: string, params: readonly JobParameter[]): Lines {
  return params.map((p) =>
    p.byReference
      ? `${pad}${openTag('uws:parameter', { id: p.name, byReference: 'true' })}>${xmlText(parameterHref(u, jobId, p.value))}</uws:parameter>`
      : `${pad}${openTag('uws:parameter', { id: p.name })}>${xmlText(p.value)}</uws:parameter>`,
  );
}

function resultLines(pad: string, u: JobUrls, jobId: string, results: readonly JobResult[]): Lines {
  return results.map((r) => {
    const attrs = { id: r.id, 'xlink:type': 'simple', 'xlink:href': resultHref(u, jobId, r), size: r.size === null ? undefined : String(r.size), 'mime-type': r.mimeType || undefined };
    return `${pad}${openTag('uws:result', attrs)}/>`;
  });
}

/** Our progress report inside jobInfo, in our own namespace so it cannot clash with other content. */
const progressNs = 'urn:drsoda:uws';

/**
 * The job document (GET /{jobs}/{id}); children in JobSummary order. The stored jobInfo was checked to be a
 * well-formed fragment when it was stored (checkXmlFragment), so it is written as it is.
 */
export function jobXml(job: Job, u: JobUrls): string {
  const out: Lines = [`${uwsRoot('job', true)}>`];
  const pad = '  ';
  text(out, pad, 'jobId', job.id);
  if (job.runId !== null) text(out, pad, 'runId', job.runId);
  textOrNil(out, pad, 'ownerId', job.ownerId);
  text(out, pad, 'phase', job.phase);
  textOrNil(out, pad, 'quote', job.quote && time(job.quote));
  text(out, pad, 'creationTime', time(job.creationTime));
  textOrNil(out, pad, 'startTime', job.startTime && time(job.startTime));
  textOrNil(out, pad, 'endTime', job.endTime && time(job.endTime));
  text(out, pad, 'executionDuration', String(job.executionDuration));
  textOrNil(out, pad, 'destruction', job.destruction && time(job.destruction));
  list(out, pad, 'parameters', parameterLines('    ', u, job.id, job.parameters));
  list(out, pad, 'results', resultLines('    ', u, job.id, job.results));
  // Only failed jobs carry an errorSummary: clients read its presence as failure (firefly #1914).
  if (job.error && job.phase === 'ERROR') {
    out.push(`${pad}${openTag('uws:errorSummary', { type: job.error.type, hasDetail: 'true' })}>`);
    text(out, '    ', 'message', job.error.message);
    out.push(`${pad}</uws:errorSummary>`);
  }
  if (job.jobInfo !== null || job.progress) {
    out.push(`${pad}<uws:jobInfo>`);
    if (job.jobInfo !== null) out.push(job.jobInfo);
    if (job.progress) {
      const p = openTag('progress', { xmlns: progressNs, fraction: job.progress.fraction === null ? undefined : String(job.progress.fraction) });
      out.push(job.progress.message === null ? `    ${p}/>` : `    ${p}>${xmlText(job.progress.message)}</progress>`);
    }
    out.push(`${pad}</uws:jobInfo>`);
  }
  out.push('</uws:job>');
  return out.join('\n');
}

/** The job list (GET /{jobs}); jobref children in ShortJobDescription order (phase, runId, ownerId, creationTime). */
export function jobListXml(refs: readonly JobRef[], u: JobUrls, fragments?: JobRefFragments): string {
  if (!refs.length) return `${uwsRoot('jobs', true)}/>`;
  const out: Lines = [`${uwsRoot('jobs', true)}>`];
  for (const r of refs) out.push(fragments ? fragments.of(r) : jobRefXml(r, u));
  out.push('</uws:jobs>');
  return out.join('\n');
}

/** One uws:jobref of a job list, with its indentation. */
function jobRefXml(r: JobRef, u: JobUrls): string {
  const out: Lines = [`  ${openTag('uws:jobref', { id: r.id, 'xlink:href': jobUrl(u, r.id) })}>`];
  text(out, '    ', 'phase', r.phase);
  if (r.runId !== null) text(out, '    ', 'runId', r.runId);
  textOrNil(out, '    ', 'ownerId', r.ownerId);
  text(out, '    ', 'creationTime', time(r.creationTime));
  out.push('  </uws:jobref>');
  return out.join('\n');
}

export interface JobRefFragments {
  /** The jobref of this job at this version, written once and reused while the version holds. */
  of(r: JobRef): string;
}

/**
 * The jobrefs of one job list's URL, kept by job id and version (a version names every state of a job row, so a
 * kept fragment is exact), at most maxEntries (the oldest written go first): a polled list of many jobs is then
 * mostly a join of kept strings.
 */
export function jobRefFragments(u: JobUrls, maxEntries = 10000): JobRefFragments {
  const kept = new Map<string, { version: string; xml: string }>();
  return {
    of(r) {
      const k = kept.get(r.id);
      if (k && k.version === r.version) return k.xml;
      const xml = jobRefXml(r, u);
      kept.delete(r.id);
      if (kept.size >= maxEntries) kept.delete(kept.keys().next().value!);
      kept.set(r.id, { version: r.version, xml });
      return xml;
    },
  };
}

/** A global list element as the document root (the XSD gives parameters and results no version attribute). */
function listDocument(name: string, items: Lines): string {
  return items.length ? [`${uwsRoot(name, false)}>`, ...items, `</uws:${name}>`].join('\n') : `${uwsRoot(name, false)}/>`;
}

/** GET /{jobs}/{id}/results: the global results element as root. */
export function resultsXml(job: Pick<Job, 'id' | 'results'>, u: JobUrls): string {
  return listDocument('results', resultLines('  ', u, job.id, job.results));
}

/** GET /{jobs}/{id}/parameters: the global parameters element as root. */
export function parametersXml(job: Pick<Job, 'id' | 'parameters'>, u: JobUrls): string {
  return listDocument('parameters', parameterLines('  ', u, job.id, job.parameters));
}

// What the validator below lets through but a fragment written verbatim inside uws:jobInfo must not hold: an XML
// declaration or DOCTYPE, references to entities XML does not predefine, "]]>" outside CDATA, illegal characters.
// eslint-disable-next-line no-control-regex
const illegalChars = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
const undefinedEntity = /&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)/;
const illegalCharRef = /&#(?:x0*(?:[0-8bBcCeEfF]|1[0-9a-fA-F])|0*(?:[0-8]|1[124-9]|2[0-9]|3[01]));/;

/**
 * Throws when s is not a well-formed XML fragment. Checked once, when jobInfo is stored: the job document then
 * writes the stored text as it is.
 */
export function checkXmlFragment(s: string): void {
  // xmlbuilder2's parser is lenient (it closes unclosed elements), so use a strict validator first.
  const v = XMLValidator.validate(`<jobInfo>${s}</jobInfo>`);
  if (v !== true) throw new Error(`jobInfo is not well-formed XML: ${v.err.msg} (line ${v.err.line})`);
  const outsideCdata = s.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '');
  if (/<\?xml[\s?]/i.test(s) || /<!DOCTYPE/i.test(outsideCdata)) throw new Error('jobInfo is not well-formed XML: an XML declaration or DOCTYPE cannot be inside an element');
  if (illegalChars.test(s) || illegalCharRef.test(outsideCdata)) throw new Error('jobInfo is not well-formed XML: it holds a character XML 1.0 forbids');
  if (undefinedEntity.test(outsideCdata)) throw new Error('jobInfo is not well-formed XML: only the predefined entities and character references may be used');
  if (outsideCdata.includes(']]>')) throw new Error('jobInfo is not well-formed XML: "]]>" outside a CDATA section');
  // XML 1.0 section 2.5, which the validator does not hold comments to.
  for (const [, c] of outsideCdata.matchAll(/<!--([\s\S]*?)-->/g)) {
    if (c.includes('--') || c.endsWith('-')) throw new Error('jobInfo is not well-formed XML: "--" inside a comment');
  }
  // UWS-v1.1.xsd: jobInfo holds elements only (xs:any), so no text may stand beside them.
  const top = (topLevel.parse(`<jobInfo>${s}</jobInfo>`) as Array<Record<string, Array<Record<string, unknown>>>>)[0].jobInfo;
  if (top.some((n) => '#text' in n || '#cdata' in n)) throw new Error('jobInfo is not valid UWS: it may hold elements (and comments), not text');
}

/**
 * checkXmlFragment for the jobInfo of many jobs that differ only by their job id (a SODA plan's summary links the
 * job's own /plan): each fragment is checked with the id masked, and a masked text that passed before is not
 * checked again (at most maxEntries kept). The mask starts with "--", so wherever a job id (letters, digits, "-",
 * "_") would make the fragment ill-formed (a name's first character, an entity or character reference, inside a
 * comment) the mask does too, and a masked text that passes vouches for the fragment with any id. A fragment
 * whose masked text fails is checked as it is, every time.
 */
export function createJobInfoChecker(maxEntries = 256): (fragment: string, jobId: string) => void {
  const passed = new Set<string>();
  const mask = '--job-id--';
  return (fragment, jobId) => {
    const masked = jobId ? fragment.split(jobId).join(mask) : fragment;
    if (passed.has(masked)) return;
    checkXmlFragment(fragment);
    try {
      checkXmlFragment(masked);
    } catch {
      return; // the id stands where the mask may not: this fragment passed, but it vouches for no other
    }
    if (passed.size >= maxEntries) passed.delete(passed.values().next().value!);
    passed.add(masked);
  };
}

const topLevel = new XMLParser({ preserveOrder: true, ignoreAttributes: true, parseTagValue: false, cdataPropName: '#cdata', commentPropName: '#comment', processEntities: false });

/** The /error detail when the runner left none: a DALI error VOTable (DALI 1.1 section 4.4.3). */
export function errorVotable(message: string): string {
  const doc = newDocument();
  const vot = doc.ele(ns.votable, 'VOTABLE').att('version', '1.4');
  vot.ele(ns.votable, 'RESOURCE').att('type', 'results').ele(ns.votable, 'INFO').att('name', 'QUERY_STATUS').att('value', 'ERROR').txt(amp(message));
  return toXml(doc);
}
