// VOSI capabilities (VOSI 1.1 section 3.3) and the DALI examples document (DALI 1.1 section 2.3) of /soda:
// GET only, readable anonymously.
import { Router } from 'express';
import type { ExampleData } from '../vo/examples.js';
import { capabilitiesXml } from '../vo/capabilities.js';
import { examplesXhtml } from '../vo/examples.js';
import type { SodaParamDecl } from '../vo/service-descriptor.js';
import { methodNotAllowed } from './method-not-allowed.js';

export interface CapabilitiesRouterDeps {
  /** Real identifiers from the archive, so every example works as written (soda/example-data.ts). */
  exampleData: () => Promise<ExampleData | null>;
  /** Absolute URL of the service root, e.g. `${BASE_URL}/soda`. */
  serviceUrl: string;
  sodaParams: readonly SodaParamDecl[];
  maxLinksIds: number;
  /** When the capabilities last changed: this process's start (VOSI 1.1: Last-Modified). */
  since: Date;
}

export function createCapabilitiesRouter(d: CapabilitiesRouterDeps): Router {
  const r = Router();
  // Built once: it depends only on configuration.
  const capabilities = capabilitiesXml({ serviceUrl: d.serviceUrl, sodaParams: d.sodaParams, maxLinksIds: d.maxLinksIds });
  r.get('/capabilities', (_req, res) => {
    res.setHeader('Last-Modified', d.since.toUTCString());
    res.type('text/xml; charset=utf-8').send(capabilities);
  });
  r.all('/capabilities', methodNotAllowed(['GET', 'HEAD']));

  r.get('/examples', async (_req, res) => {
    const xhtml = examplesXhtml(d.serviceUrl, await d.exampleData());
    res.setHeader('Cache-Control', 'no-store');
    res.type('application/xhtml+xml; charset=utf-8').send(xhtml);
  });
  r.all('/examples', methodNotAllowed(['GET', 'HEAD']));
  return r;
}
