// The OpenAPI 3.0 document of the whole HTTP API, served at /openapi.json, and the route templates the request
// metrics label requests with (so a Prometheus route label is always a documented path, never a raw URL).
import { Router } from 'express';
import { version } from '../version.js';
import type { SodaParamDecl } from '../soda/parameters.js';
import { methodNotAllowed } from './method-not-allowed.js';
import { openApiPaths } from './openapi-paths.js';

export interface OpenApiOptions {
  baseUrl: string;
  sodaParams: readonly SodaParamDecl[];
}

const nullable = (type: string, extra: Record<string, unknown> = {}) => ({ type, nullable: true, ...extra });

/** One step as GET /soda/async/{id}/steps gives it (src/http/steps-router.ts; docs/web.md). */
const stepSchema = {
  type: 'object',
  required: ['id', 'position', 'operation', 'label', 'state', 'attempts', 'dependsOn', 'products'],
  properties: {
    id: { type: 'string' },
    position: { type: 'integer', description: 'index in the plan (dependency order)' },
    operation: { type: 'string', description: '2dFdr/aaorun operation, e.g. reduce_arc' },
    label: { type: 'string' },
    night: nullable('string'),
    arm: nullable('string'),
    state: { type: 'string', enum: ['waiting', 'ready', 'running', 'done', 'failed', 'cancelled'] },
    attempts: { type: 'integer' },
    maxAttempts: { type: 'integer' },
    readyAt: nullable('string', { format: 'date-time' }),
    startedAt: nullable('string', { format: 'date-time' }),
    endedAt: nullable('string', { format: 'date-time' }),
    durationMs: nullable('integer'),
    estimatedCostS: nullable('number'),
    dependsOn: { type: 'array', items: { type: 'string' } },
    exitCode: nullable('integer'),
    failureKind: nullable('string'),
    errorMessage: nullable('string'),
    runtime: nullable('string', { description: 'what ran the step: the image id (container per step and sandbox) or the local command' }),
    pipeline: nullable('string', { description: 'the pipeline the step was planned for (image name and id, local program hash or PIPELINE_VERSION), part of the step id' }),
    log: nullable('string', { format: 'uri', description: 'URL of the container output (latest attempt)' }),
    madeBy: nullable('object', {
      description: "null when the step ran for this job; else another job's run made it: reused (done before this job asked; the times are that run's) or shared (already running for it)",
      properties: { kind: { type: 'string', enum: ['reused', 'shared'] }, jobId: nullable('string', { description: "that job, while it exists and has this job's owner" }) },
    }),
    products: { type: 'array', items: { type: 'object', properties: { fileName: { type: 'string' }, size: { type: 'integer' }, url: { type: 'string', format: 'uri' }, preview: nullable('string', { format: 'uri' }) } } },
  },
};

export function openApiDocument(o: OpenApiOptions): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: {
      title: 'drsoda',
      version,
      description: 'On-demand 2dF-AAOmega reductions with 2dFdr, served through IVOA UWS 1.1, SODA 1.0, DataLink 1.1, DALI and VOSI. Errors are DALI text/plain "Label: message". See docs/api-guide.md.',
      license: { name: 'BSD-3-Clause' },
    },
    servers: [{ url: o.baseUrl }],
    // Anonymous access is allowed in AUTH_MODE=anonymous; the other modes need one of the schemes.
    security: [{}, { bearer: [] }, { remoteUser: [] }],
    tags: ['VOSI', 'SODA', 'UWS', 'DataLink', 'Archive', 'Operations', 'Web'].map((name) => ({ name })),
    paths: openApiPaths(o.sodaParams),
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'AUTH_MODE=token: an API token from `drsoda token create USER`' },
        remoteUser: { type: 'apiKey', in: 'header', name: 'X-Remote-User', description: 'AUTH_MODE=header: set by the authenticating proxy (AUTH_HEADER)' },
      },
      schemas: {
        Step: stepSchema,
        StepList: {
          type: 'object',
          required: ['jobId', 'phase', 'counts', 'steps'],
          properties: { jobId: { type: 'string' }, phase: { type: 'string' }, counts: { type: 'object', additionalProperties: { type: 'integer' } }, steps: { type: 'array', items: { $ref: '#/components/schemas/Step' } } },
        },
      },
    },
  };
}

/** `/soda/async/{id}` -> a matcher of concrete paths; templates are matched most specific (fewest params) first. */
export function routeLabeler(templates: readonly string[]): (path: string) => string | undefined {
  const compiled = templates
    .map((t) => ({ t, re: new RegExp(`^${t.split('/').map((seg) => (/^\{\w+\}$/.test(seg) ? '[^/]+' : seg.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))).join('/')}/?$`), params: (t.match(/\{/g) ?? []).length }))
    .sort((a, b) => a.params - b.params);
  // Most requests are to routes without parameters: a map lookup answers those before any regular expression.
  const exact = new Map(templates.filter((t) => !t.includes('{')).flatMap((t) => [[t, t], [`${t}/`, t]]));
  return (path) => exact.get(path) ?? compiled.find((c) => c.re.test(path))?.t;
}

export function createOpenApiRouter(o: OpenApiOptions): Router {
  const r = Router();
  const body = JSON.stringify(openApiDocument(o), null, 1);
  r.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(body);
  });
  r.all('/openapi.json', methodNotAllowed(['GET', 'HEAD']));
  return r;
}
