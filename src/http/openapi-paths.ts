// The OpenAPI 3.0 path items of every HTTP endpoint. test/integration/openapi.test.ts checks them against the
// routes express really serves (route-table.ts) and against the Allow header of each path, so they cannot drift.
import type { SodaParamDecl } from '../soda/parameters.js';

type Json = Record<string, unknown>;

const text = { 'text/plain': { schema: { type: 'string' } } };
const xml = (ref: string) => ({ 'text/xml': { schema: { type: 'string', description: ref } } });
const votable = { 'application/x-votable+xml': { schema: { type: 'string', description: 'VOTable 1.4 document' } } };
const fits = { 'application/fits': { schema: { type: 'string', format: 'binary' } } };
const json = (schema: Json) => ({ 'application/json': { schema } });

const err = (description: string) => ({ description, content: text });
const errors = { '400': err('UsageError: a parameter is missing or malformed (DALI error text)'), '404': err('NotFoundFault: no such resource (or not yours)') };
const authErrors = { '401': err('AuthorizationError: credentials missing or wrong (AUTH_MODE header or token)') };
/** Conditional GET of job resources (docs/uws.md#conditional-requests). */
const ifNoneMatch = { name: 'If-None-Match', in: 'header', required: false, description: 'ETag(s) of a copy the client holds: 304 when the resource has not changed since (weak comparison, RFC 9110 section 13.1.2)', schema: { type: 'string' } };
const etagHeader = { ETag: { description: 'Strong validator; changes with every change of the job(s) shown', schema: { type: 'string' } }, 'Cache-Control': { description: 'private, no-cache: keep, but revalidate before each use', schema: { type: 'string' } } };
const notModified = { '304': { description: 'Not Modified: the If-None-Match ETag is still current (no body)', headers: etagHeader } };
const seeOther = (what: string) => ({ '303': { description: `See Other: ${what}`, headers: { Location: { schema: { type: 'string', format: 'uri' } } } } });

const path = (name: string, description: string) => ({ name, in: 'path', required: true, description, schema: { type: 'string' } });
const query = (name: string, description: string, schema: Json = { type: 'string' }, extra: Json = {}) => ({ name, in: 'query', description, schema, ...extra });
const jobId = path('id', 'UWS job id');

/** A DALI-style form body: the same parameters a GET takes in its query. */
const form = (props: Record<string, Json>, required: string[] = []) => ({
  required: required.length > 0,
  content: { 'application/x-www-form-urlencoded': { schema: { type: 'object', properties: props, ...(required.length ? { required } : {}) } }, 'multipart/form-data': { schema: { type: 'object', properties: props } } },
});

function sodaSchema(d: SodaParamDecl): Json {
  const s: Json = { type: 'string', description: d.description };
  if (d.options) s.enum = d.options;
  if (d.default !== undefined) s.default = d.default;
  return d.multiValued ? { type: 'array', items: s, description: d.description } : s;
}

export const notifyParams: Record<string, Json> = {
  NOTIFY_URL: { type: 'string', format: 'uri', description: 'Webhook: drsoda POSTs a JSON event here on every phase change of the job (retried with backoff; docs/api-guide.md)' },
  NOTIFY_EMAIL: { type: 'string', format: 'email', description: 'E-mail address told when the job starts and ends (only when the service has SMTP_URL)' },
};

const uwsControl: Record<string, Json> = {
  PHASE: { type: 'string', enum: ['RUN'], description: 'RUN: queue the job at once' },
  RUNID: { type: 'string', maxLength: 64, description: 'Client label, echoed in the job' },
  EXECUTIONDURATION: { type: 'integer', minimum: 0, description: 'Seconds the job may execute (0 = the service maximum)' },
  DESTRUCTION: { type: 'string', format: 'date-time', description: 'When the job and its results are deleted' },
};

const html = { description: 'the web front end (index.html; the page routes itself)', content: { 'text/html': { schema: { type: 'string' } } } };
const page = (summary: string, parameters: Json[] = []) => ({ get: { tags: ['Web'], summary, parameters, responses: { '200': html, '503': err('ServiceUnavailable: the front end is not built (npm run build:web)') } } });

/** The browser front end's pages (src/http/web-router.ts): HTML, not API, listed so every served path is documented. */
const webPages: Record<string, Json> = {
  '/': page('Home: search the archive'),
  '/nights': page('Observing nights'),
  '/nights/{night}': page('One night', [path('night', 'YYYY-MM-DD')]),
  '/nights/{night}/fields/{field}': page('One field of a night', [path('night', 'YYYY-MM-DD'), path('field', 'field name')]),
  '/jobs': page('Your jobs'),
  '/jobs/{id}': page('One job with its step DAG and logs', [jobId]),
  '/sign-in': page('Sign in (AUTH_MODE=token)'),
  '/api-reference': page('This API reference (rendered from /openapi.json) and the curl/pyvo/TOPCAT guide'),
  '/search': page('Find a target by object name or position across all nights', [query('target', 'object name, or RA Dec (degrees or sexagesimal)'), query('radius', 'cone radius, arcsec')]),
  '/frames/{id}/header': page('The FITS headers of one raw frame', [path('id', 'frame DID, URL-encoded')]),
  '/assets/{file}': { get: { tags: ['Web'], summary: 'Front-end scripts and styles (immutable, hashed names)', parameters: [path('file', 'asset file name')], responses: { '200': { description: 'the asset' }, ...errors } } },
};

export function openApiPaths(sodaParams: readonly SodaParamDecl[]): Record<string, Json> {
  const soda = Object.fromEntries(sodaParams.map((d) => [d.name, sodaSchema(d)]));
  const sodaQuery = sodaParams.map((d) => query(d.name, d.description, sodaSchema(d), d.multiValued ? { style: 'form', explode: true } : {}));
  const uwsText = (summary: string, description: string) => ({ get: { tags: ['UWS'], summary, parameters: [jobId], responses: { '200': { description, content: text }, ...errors } } });
  return {
    '/soda/availability': { get: { tags: ['VOSI'], summary: 'VOSI availability', responses: { '200': { description: 'availability document', content: xml('vosi:availability') } } } },
    '/soda/capabilities': { get: { tags: ['VOSI'], summary: 'VOSI capabilities (SODA sync/async, DataLink, UWS)', responses: { '200': { description: 'capabilities document', content: xml('vosi:capabilities') } } } },
    '/soda/examples': { get: { tags: ['VOSI'], summary: 'DALI examples (XHTML with RDFa)', responses: { '200': { description: 'examples', content: { 'application/xhtml+xml': { schema: { type: 'string' } } } } } } },
    '/soda/links': {
      get: { tags: ['DataLink'], summary: 'DataLink {links} of raw frames, fields, nights and products', parameters: [query('ID', 'publisher DID (repeatable)', { type: 'array', items: { type: 'string' } }, { required: true, explode: true }), query('RESPONSEFORMAT', 'votable or application/x-votable+xml')], responses: { '200': { description: 'DataLink VOTable', content: { 'application/x-votable+xml;content=datalink': { schema: { type: 'string' } } } }, '400': { description: 'UsageFault VOTable', content: votable } } },
      post: { tags: ['DataLink'], summary: 'DataLink {links} (parameters in the body)', requestBody: form({ ID: { type: 'array', items: { type: 'string' } }, RESPONSEFORMAT: { type: 'string' } }, ['ID']), responses: { '200': { description: 'DataLink VOTable', content: { 'application/x-votable+xml;content=datalink': { schema: { type: 'string' } } } } } },
    },
    '/soda/sync': {
      get: { tags: ['SODA'], summary: 'SODA sync: reduce (or reuse) and cut one ID', parameters: sodaQuery, responses: { '200': { description: 'the cut', content: { ...fits, ...votable } }, '204': { description: 'the cut holds no data (X-SODA-No-Data says why)' }, ...errors, ...authErrors, '503': err('ServiceUnavailable: the reduction takes longer than SODA_SYNC_WAIT_S; Retry-After') } },
      post: { tags: ['SODA'], summary: 'SODA sync (parameters in the body)', requestBody: form(soda, ['ID']), responses: { '200': { description: 'the cut', content: { ...fits, ...votable } }, '204': { description: 'no data' }, ...errors, '503': err('ServiceUnavailable; Retry-After') } },
    },
    '/soda/async': {
      get: { tags: ['UWS'], summary: 'UWS job list (yours; admins: all)', parameters: [query('PHASE', 'only jobs in these phases', { type: 'array', items: { type: 'string' } }, { explode: true }), query('AFTER', 'created after (ISO 8601)'), query('LAST', 'newest N', { type: 'integer', minimum: 1 }), query('CURSOR', 'keyset page cursor from the Link rel=next header'), ifNoneMatch], responses: { '200': { description: 'uws:jobs', headers: etagHeader, content: xml('uws:jobs') }, ...notModified, ...errors, ...authErrors } },
      post: { tags: ['UWS'], summary: 'Create a SODA job (PHASE=RUN to start it)', requestBody: form({ ...soda, ...uwsControl, ...notifyParams }, ['ID']), responses: { ...seeOther('the new job'), ...errors, ...authErrors } },
    },
    '/soda/async/{id}': {
      get: { tags: ['UWS'], summary: 'The job (WAIT blocks until the phase changes)', parameters: [jobId, query('WAIT', 'seconds to block (-1: the maximum)', { type: 'integer' }), query('PHASE', 'block only while in this phase'), ifNoneMatch], responses: { '200': { description: 'uws:job; jobInfo holds a summary of the plan (plan:summary) linking {id}/plan', headers: etagHeader, content: xml('uws:job') }, ...notModified, ...errors } },
      post: { tags: ['UWS'], summary: 'ACTION=DELETE deletes the job', parameters: [jobId], requestBody: form({ ACTION: { type: 'string', enum: ['DELETE'] } }, ['ACTION']), responses: { ...seeOther('the job list'), ...errors } },
      delete: { tags: ['UWS'], summary: 'Delete the job and its results', parameters: [jobId], responses: { ...seeOther('the job list'), ...errors } },
    },
    '/soda/async/{id}/phase': {
      get: { tags: ['UWS'], summary: 'The phase', parameters: [jobId, ifNoneMatch], responses: { '200': { description: 'PENDING, QUEUED, EXECUTING, COMPLETED, ERROR, ABORTED, ...', headers: etagHeader, content: text }, ...notModified, ...errors } },
      post: { tags: ['UWS'], summary: 'RUN or ABORT the job', parameters: [jobId], requestBody: form({ PHASE: { type: 'string', enum: ['RUN', 'ABORT', 'SUSPEND'] } }, ['PHASE']), responses: { ...seeOther('the job'), ...errors } },
    },
    '/soda/async/{id}/executionduration': {
      get: uwsText('Execution duration', 'seconds').get,
      post: { tags: ['UWS'], summary: 'Change the execution duration (PENDING only)', parameters: [jobId], requestBody: form({ EXECUTIONDURATION: { type: 'integer' } }, ['EXECUTIONDURATION']), responses: { ...seeOther('the job'), ...errors } },
    },
    '/soda/async/{id}/destruction': {
      get: uwsText('Destruction time', 'ISO 8601 instant').get,
      post: { tags: ['UWS'], summary: 'Change the destruction time', parameters: [jobId], requestBody: form({ DESTRUCTION: { type: 'string', format: 'date-time' } }, ['DESTRUCTION']), responses: { ...seeOther('the job'), ...errors } },
    },
    '/soda/async/{id}/quote': uwsText('Quote', 'ISO 8601 instant the job is expected to end (empty when unknown)'),
    '/soda/async/{id}/owner': uwsText('Owner', 'user id (empty: anonymous)'),
    '/soda/async/{id}/error': { get: { tags: ['UWS'], summary: 'Error document of a job in ERROR', parameters: [jobId], responses: { '200': { description: 'error (VOTable or text)', content: { ...votable, ...text } }, ...errors } } },
    '/soda/async/{id}/results': { get: { tags: ['UWS'], summary: 'Result list', parameters: [jobId, ifNoneMatch], responses: { '200': { description: 'uws:results', headers: etagHeader, content: xml('uws:results') }, ...notModified, ...errors } } },
    '/soda/async/{id}/plan': {
      get: {
        tags: ['UWS'],
        summary: 'The full reduction plan the job runs (its steps, calibrations, idx files), which jobInfo summarises; XML by default, JSON with format=json or Accept: application/json (docs/uws.md)',
        parameters: [jobId, query('format', 'xml (default) or json', { type: 'string', enum: ['xml', 'json'] }), ifNoneMatch],
        responses: { '200': { description: 'the plan', content: { 'text/xml': { schema: { type: 'string', description: 'plan:plan (urn:drsoda:plan)' } }, ...json({ type: 'object', description: 'the Plan (src/domain/plan.ts), keys sorted' }) } }, '304': { description: 'Not Modified' }, ...errors },
      },
    },
    '/soda/async/{id}/results/{rid}': { get: { tags: ['UWS'], summary: 'One result (a cut, a no-data note, ...)', parameters: [jobId, path('rid', 'result id')], responses: { '200': { description: 'the result file', content: { ...fits, ...votable } }, ...seeOther('a result held elsewhere'), ...errors } } },
    '/soda/async/{id}/parameters': {
      get: { tags: ['UWS'], summary: 'Job parameters', parameters: [jobId, ifNoneMatch], responses: { '200': { description: 'uws:parameters', headers: etagHeader, content: xml('uws:parameters') }, ...notModified, ...errors } },
      post: { tags: ['UWS'], summary: 'Replace parameters (PENDING only)', parameters: [jobId], requestBody: form({ ...soda, RUNID: uwsControl.RUNID, ...notifyParams }), responses: { ...seeOther('the job'), ...errors } },
    },
    '/soda/async/{id}/parameters/{name}': { get: { tags: ['UWS'], summary: 'An uploaded (byReference) parameter', parameters: [jobId, path('name', 'upload name')], responses: { '200': { description: 'the upload', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } }, ...errors } } },
    '/soda/async/{id}/links': {
      get: { tags: ['DataLink'], summary: 'DataLink document of the job\'s results: #this, #progenitor (uncut product, raw inputs), #calibration, #preview, #proc (docs/datalink.md)', parameters: [jobId], responses: { '200': { description: 'DataLink VOTable (empty until the job completes)', content: { 'application/x-votable+xml;content=datalink': { schema: { type: 'string' } } } }, '404': { description: 'NotFoundFault VOTable: no such job (or not yours)', content: votable }, ...authErrors } },
    },
    '/soda/async/{id}/steps': {
      get: { tags: ['UWS'], summary: 'The reduction steps of the job (its DAG): state, attempts, timings, products and log URL per step (docs/web.md)', parameters: [jobId], responses: { '200': { description: 'steps in plan order', content: json({ $ref: '#/components/schemas/StepList' }) }, ...errors } },
    },
    '/soda/async/{id}/steps/{stepId}/log': {
      get: { tags: ['UWS'], summary: 'Container output (aaorun/2dFdr stdout and stderr) of one step of the job: the last 256 KiB', parameters: [jobId, path('stepId', 'step id from /steps')], responses: { '200': { description: 'the log', content: text }, ...errors } },
    },
    '/soda/async/{id}/turnaround': {
      get: { tags: ['UWS'], summary: 'Latency record of an auto job of the archive watcher: per frame when it landed, was ingested, planned, started and finished (docs/quick-turnaround.md)', parameters: [jobId], responses: { '200': { description: 'turnaround record (JSON)', content: json({ type: 'object' }) }, ...errors } },
    },
    '/files/raw': { get: { tags: ['Archive'], summary: 'A raw frame by its DID', parameters: [query('ID', 'frame DID', { type: 'string' }, { required: true })], responses: { '200': { description: 'FITS file (Range, ETag, Repr-Digest)', content: fits }, '206': { description: 'partial content' }, ...errors } } },
    '/files/raw/{night}/{ccd}/{file}': { get: { tags: ['Archive'], summary: 'A raw frame by its archive path', parameters: [path('night', 'YYMMDD'), path('ccd', 'ccd_1 or ccd_2'), path('file', 'file name')], responses: { '200': { description: 'FITS file', content: fits }, '206': { description: 'partial content' }, ...errors } } },
    '/api/frames': { get: { tags: ['Archive'], summary: 'List raw frames (JSON)', parameters: ['night', 'arm', 'ccd', 'class', 'field', 'object'].map((n) => query(n, `filter by ${n}`)).concat([query('limit', 'page size (max 1000)', { type: 'integer' }), query('offset', 'page start', { type: 'integer' })]), responses: { '200': { description: 'frames', content: json({ type: 'object' }) }, ...errors } } },
    '/api/frame': { get: { tags: ['Archive'], summary: 'One raw frame with its fibre table (JSON)', parameters: [query('ID', 'frame DID', { type: 'string' }, { required: true })], responses: { '200': { description: 'frame', content: json({ type: 'object' }) }, ...errors } } },
    '/api/frame/header': { get: { tags: ['Archive'], summary: 'Every FITS header of a raw frame, card by card (JSON; the data is not read)', parameters: [query('ID', 'frame DID', { type: 'string' }, { required: true })], responses: { '200': { description: 'headers in file order: { id, fileName, hdus: [{ index, name, cards: [{ key, value, comment }] }] }', content: json({ type: 'object' }) }, ...errors } } },
    '/api/fibres': {
      get: {
        tags: ['Archive'],
        summary: 'Target search: fibres of present object frames by object name and/or cone, one row per fibre of a field on a night, with the frames holding it (docs/archive.md#searching-targets)',
        parameters: [
          query('NAME', 'object name, case-insensitive (at least 3 characters for a substring search)', { type: 'string', maxLength: 80 }),
          query('MATCH', 'how NAME matches', { type: 'string', enum: ['substring', 'prefix', 'exact'], default: 'substring' }),
          query('RA', 'cone centre right ascension, ICRS degrees [0, 360]', { type: 'number', minimum: 0, maximum: 360 }),
          query('DEC', 'cone centre declination, ICRS degrees [-90, 90]', { type: 'number', minimum: -90, maximum: 90 }),
          query('SR', 'cone radius, degrees (0, 2]', { type: 'number', exclusiveMinimum: true, minimum: 0, maximum: 2 }),
          query('LIMIT', 'most rows returned (1-1000, default 100)', { type: 'integer', minimum: 1, maximum: 1000 }),
        ],
        responses: { '200': { description: 'matches, nearest first for a cone, else by name: { limit, truncated, hits: [{ night, field, fieldId, fibre, name, type, raDeg, decDeg, pivot, magnitude, distanceArcsec, frames }] }', content: json({ type: 'object' }) }, '400': err('UsageError: no NAME and no cone, a cone without all of RA, DEC and SR, a value out of range, an unknown parameter') },
      },
    },
    '/files/products/{stepId}/{fileName}': { get: { tags: ['DataLink'], summary: 'A reduced product or its PNG preview (owners of jobs that used it)', parameters: [path('stepId', 'step id'), path('fileName', 'product file name')], responses: { '200': { description: 'FITS or PNG', content: { ...fits, 'image/png': { schema: { type: 'string', format: 'binary' } } } }, ...errors, ...authErrors } } },
    ...webPages,
    '/metrics': { get: { tags: ['Operations'], summary: 'Prometheus metrics (docs/operations.md)', responses: { '200': { description: 'Prometheus text format 0.0.4', content: { 'text/plain; version=0.0.4': { schema: { type: 'string' } } } } } } },
    '/openapi.json': { get: { tags: ['Operations'], summary: 'This document', responses: { '200': { description: 'OpenAPI 3.0', content: json({ type: 'object' }) } } } },
  };
}
