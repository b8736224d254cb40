// Wires the DataLink side of the service (docs/datalink.md) for the composition root: /soda/links,
// /soda/capabilities, /soda/examples and /files/products. One factory, so app.ts mounts it with one line.
import path from 'node:path';
import { Router } from 'express';
import { createIdentity } from '../auth/identity.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { PipelinePresets } from '../planner/presets.js';
import type { PreviewLookup } from '../soda/links-context.js';
import { createLinksService, MAX_LINKS_IDS } from '../soda/links-service.js';
import { committedPresets, sodaParameters } from '../soda/parameters.js';
import { createFilePreviewLookup } from '../soda/previews.js';
import type { Pool } from '../store/db.js';
import type { IdentifyCaller } from '../auth/identity.js';
import type { JobList } from '../uws/job-list.js';
import type { SodaParamDecl } from '../vo/service-descriptor.js';
import { createCapabilitiesRouter } from './capabilities-router.js';
import { createJobLinksRouter, createLinksRouter, createScopeOf } from './links-router.js';
import { createProductFilesRouter } from './product-files-router.js';

export interface DataLinkRoutesDeps {
  config: Config;
  pool: Pool;
  log: Logger;
  clock: Clock;
  /** When the capabilities last changed (the process start). */
  since: Date;
  presets?: PipelinePresets;
  sodaParams?: readonly SodaParamDecl[];
  previews?: PreviewLookup;
}

export interface DataLinkRoutes {
  /** /soda/links, /soda/capabilities, /soda/examples and /files/products: mount at the root. */
  router: Router;
  /** GET {jobs}/{id}/links for a job list: mount at the job list's path. */
  jobLinks(o: { jobs: JobList; identify: IdentifyCaller; jobsUrl: string }): Router;
}

export function createDataLinkRoutes(d: DataLinkRoutesDeps): DataLinkRoutes {
  const { config } = d;
  const productsRoot = path.join(config.dataDir, 'products');
  const identify = createIdentity({ config, db: d.pool, clock: d.clock });
  const sodaParams = d.sodaParams ?? sodaParameters;
  const links = createLinksService({
    pool: d.pool,
    authority: config.ivoAuthority,
    baseUrl: config.baseUrl,
    presets: d.presets ?? committedPresets,
    sodaParams,
    previews: d.previews ?? createFilePreviewLookup(productsRoot, config.baseUrl),
    authenticated: config.auth.mode !== 'anonymous',
  });
  const r = Router();
  r.use('/soda', createLinksRouter({ links, scopeOf: createScopeOf(identify, config.auth, { optional: true }), log: d.log }));
  r.use('/soda', createCapabilitiesRouter({ pool: d.pool, authority: config.ivoAuthority, serviceUrl: `${config.baseUrl}/soda`, sodaParams, maxLinksIds: MAX_LINKS_IDS, since: d.since }));
  r.use(createProductFilesRouter({ pool: d.pool, productsRoot, scopeOf: createScopeOf(identify, config.auth, { optional: false }) }));
  return { router: r, jobLinks: (o) => createJobLinksRouter({ ...o, links, log: d.log }) };
}
