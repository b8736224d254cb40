// VOSI 1.1 capabilities document (VOSICapabilities-v1.0.xsd + VODataService vs:ParamHTTP): the root in the
// VOSI namespace, unqualified <capability> children, xsi:type="vs:ParamHTTP" interfaces, use="full" for the
// VOSI endpoints, no securityMethod (capabilities must be readable anonymously); ivoa-notes 6 and 9.11. Pure.
import { linksStandardId } from './datalink.js';
import { sodaAsyncStandardId, sodaSyncStandardId, type SodaParamDecl } from './service-descriptor.js';
import { newDocument, ns, toXml, type XMLBuilder } from './xml.js';

export const standardIds = {
  capabilities: 'ivo://ivoa.net/std/VOSI#capabilities',
  availability: 'ivo://ivoa.net/std/VOSI#availability',
  sodaSync: sodaSyncStandardId,
  sodaAsync: sodaAsyncStandardId,
  links: linksStandardId,
  uws: 'ivo://ivoa.net/std/UWS#rest-1.1',
  examples: 'ivo://ivoa.net/std/DALI#examples',
} as const;

export interface CapabilitiesInput {
  /** Absolute URL of the service root, e.g. https://host/soda; every endpoint is a child of it. */
  serviceUrl: string;
  /** The SODA parameters, listed in the sync and async interfaces. */
  sodaParams: readonly SodaParamDecl[];
  /** Maximum IDs per {links} request, stated in the DataLink capability's description. */
  maxLinksIds: number;
}

const xsiNs = ns.xsi;
const xmlnsNs = 'http://www.w3.org/2000/xmlns/';

interface InterfaceSpec {
  url: string;
  use: 'full' | 'base';
  std: boolean;
  version?: string;
  queryTypes?: Array<'GET' | 'POST'>;
  resultType?: string;
  params?: readonly SodaParamDecl[];
  /** vr:WebBrowser for a page meant for people (the DALI examples document). */
  browser?: boolean;
}

// Unqualified: VOSICapabilities declares capability with form="unqualified" (ivoa-notes 6).
const plain = (parent: XMLBuilder, name: string) => parent.ele(name);

function addParam(iface: XMLBuilder, p: SodaParamDecl, required: boolean): void {
  const el = plain(iface, 'param').att('std', 'true');
  if (required) el.att('use', 'required');
  plain(el, 'name').txt(p.name);
  plain(el, 'description').txt(p.default === undefined ? p.description : `${p.description} Default: ${p.default}.`);
  if (p.unit) plain(el, 'unit').txt(p.unit);
  if (p.ucd) plain(el, 'ucd').txt(p.ucd);
  // DALI services describe parameters with VOTable types (VODataService 1.2 InputParam documentation).
  const dt = plain(el, 'dataType').att(xsiNs, 'xsi:type', 'vs:VOTableType');
  if (p.arraysize) dt.att('arraysize', p.arraysize);
  if (p.xtype) dt.att('extendedType', p.xtype);
  dt.txt(p.datatype);
}

function addCapability(root: XMLBuilder, standardId: string, description: string, i: InterfaceSpec): void {
  const cap = plain(root, 'capability').att('standardID', standardId);
  plain(cap, 'description').txt(description);
  const iface = plain(cap, 'interface').att(xsiNs, 'xsi:type', i.browser ? 'vr:WebBrowser' : 'vs:ParamHTTP');
  if (i.std) iface.att('role', 'std');
  iface.att('version', i.version ?? '1.0');
  plain(iface, 'accessURL').att('use', i.use).txt(i.url);
  if (i.browser) return;
  // vs:ParamHTTP sequence: queryType*, resultType?, param*, testQuery?
  for (const q of i.queryTypes ?? []) plain(iface, 'queryType').txt(q);
  if (i.resultType) plain(iface, 'resultType').txt(i.resultType);
  for (const p of i.params ?? []) addParam(iface, p, p.name.toUpperCase() === 'ID');
}

/** The capabilities document for the service at serviceUrl. */
export function capabilitiesXml(c: CapabilitiesInput): string {
  const u = c.serviceUrl.replace(/\/+$/, '');
  const doc = newDocument();
  const root = doc
    .ele(ns.vosiCapabilities, 'vosi:capabilities')
    .att(xmlnsNs, 'xmlns:vr', ns.vr)
    .att(xmlnsNs, 'xmlns:vs', ns.vs)
    .att(xmlnsNs, 'xmlns:xsi', ns.xsi);
  addCapability(root, standardIds.capabilities, 'VOSI capabilities of this service (this document).', { url: `${u}/capabilities`, use: 'full', std: false });
  addCapability(root, standardIds.availability, 'VOSI availability: whether the service and its database are up.', { url: `${u}/availability`, use: 'full', std: false });
  addCapability(root, standardIds.sodaSync, 'SODA synchronous reduction of raw 2dF-AAOmega frames or fields: the reduced data, or 503 with Retry-After while the reduction runs.', {
    url: `${u}/sync`, use: 'base', std: true, queryTypes: ['GET', 'POST'], resultType: 'application/fits', params: c.sodaParams,
  });
  addCapability(root, standardIds.sodaAsync, 'SODA asynchronous reduction: a UWS 1.1 job list; each job summarises its reduction plan in jobInfo and serves the plan at {job}/plan.', {
    url: `${u}/async`, use: 'base', std: true, queryTypes: ['GET', 'POST'], params: c.sodaParams,
  });
  addCapability(root, standardIds.links, `DataLink links of raw frames, fields and reduced products (at most ${c.maxLinksIds} IDs per request).`, {
    url: `${u}/links`, use: 'base', std: true, version: '1.1', queryTypes: ['GET', 'POST'], resultType: 'application/x-votable+xml;content=datalink',
    params: [{ name: 'ID', datatype: 'char', arraysize: '*', ucd: 'meta.id;meta.main', description: 'Publisher DID of a raw frame, a field or a reduced product; repeatable.' }],
  });
  addCapability(root, standardIds.uws, 'UWS 1.1 REST binding of the asynchronous job list.', { url: `${u}/async`, use: 'base', std: true, version: '1.1' });
  addCapability(root, standardIds.examples, 'DALI examples: working requests against this archive.', { url: `${u}/examples`, use: 'full', std: false, browser: true });
  return toXml(doc);
}
