// The DataLink 1.1 links document ({links} response): the link table in one RESOURCE type="results" and the
// service descriptors as top-level siblings (ivoa-notes 5.2, 5.3 and the checklist in 9); pure.
import { element, info, resource, table, votable, type Cell, type FieldDecl } from './votable.js';

export const linksStandardId = 'ivo://ivoa.net/std/DataLink#links-1.1';

/** The preferred media type of a links response, written exactly so (pyvo compares it literally). */
export const datalinkContentType = 'application/x-votable+xml;content=datalink';

/** DataLink 1.1 section 3.4 fault labels; an error_message starts with one of them. */
export type FaultLabel = 'NotFoundFault' | 'UsageFault' | 'TransientFault' | 'FatalFault' | 'DefaultFault';

export interface LinkRow {
  /** The ID exactly as the client sent it (pyvo groups rows by exact match on the first column). */
  id: string;
  accessUrl?: string | null;
  /** XML ID of a service descriptor RESOURCE in the same document. */
  serviceDef?: string | null;
  errorMessage?: string | null;
  description?: string | null;
  /** A datalink/core term as a relative URI (#this), other vocabularies as full URIs. */
  semantics: string;
  contentType?: string | null;
  /** Bytes. */
  contentLength?: number | null;
  /** Product-type term such as #spectrum. */
  contentQualifier?: string | null;
  localSemantics?: string | null;
  /** Whether following the link needs authentication: false, optional or true. */
  linkAuth?: 'false' | 'optional' | 'true' | null;
}

const text = (name: string, ucd?: string): FieldDecl => ({ name, datatype: 'char', arraysize: '*', ucd });

/** Columns in DataLink 1.1 table 1 order; ID first, as pyvo's batch grouping reads column 0. */
export const linkFields: readonly FieldDecl[] = [
  text('ID', 'meta.id;meta.main'),
  text('access_url', 'meta.ref.url'),
  text('service_def', 'meta.ref'),
  text('error_message', 'meta.code.error'),
  text('description', 'meta.note'),
  text('semantics', 'meta.code'),
  text('content_type', 'meta.code.mime'),
  { name: 'content_length', datatype: 'long', unit: 'byte', ucd: 'phys.size;meta.file' },
  text('content_qualifier'),
  text('local_semantics', 'meta.id.assoc'),
  text('link_auth', 'meta.code'),
];

/** An error row for one ID: `Label: detail`, with #this for an ID that could not be resolved (DataLink 3.4). */
export function errorRow(id: string, label: FaultLabel, detail: string, semantics = '#this'): LinkRow {
  return { id, errorMessage: `${label}: ${detail}`, semantics };
}

function cells(r: LinkRow): Cell[] {
  const set = [r.accessUrl, r.serviceDef, r.errorMessage].filter((v) => v !== undefined && v !== null && v !== '');
  // DataLink 1.1 section 3.2: exactly one of access_url, service_def and error_message per row.
  if (set.length !== 1) throw new Error(`link row for ${r.id} (${r.semantics}) must have exactly one of access_url, service_def, error_message`);
  if (!r.semantics) throw new Error(`link row for ${r.id} has no semantics`);
  return [r.id, r.accessUrl, r.serviceDef, r.errorMessage, r.description, r.semantics, r.contentType, r.contentLength, r.contentQualifier, r.localSemantics, r.linkAuth];
}

export interface LinksDocument {
  rows: readonly LinkRow[];
  /** Service descriptor RESOURCEs (service-descriptor.ts), written after the results RESOURCE. */
  descriptors?: readonly string[];
  /** OVERFLOW when IDs beyond the per-request cap were left out (DataLink 1.1 section 3.1). */
  status?: 'OK' | 'OVERFLOW';
  /** The QUERY_STATUS message. */
  message?: string;
}

/**
 * The links VOTable: exactly one RESOURCE type="results" with QUERY_STATUS and standardID INFOs before its
 * TABLEDATA table, then the descriptors. Throws when a row breaks the one-of-three rule.
 */
export function linksVotable(d: LinksDocument): string {
  const results = resource({
    type: 'results',
    infos: [info('QUERY_STATUS', d.status ?? 'OK', d.message), info('standardID', linksStandardId)],
    body: [table(linkFields, d.rows.map(cells), 'links')],
  });
  return votable([results, ...(d.descriptors ?? [])]);
}

/**
 * A whole-request error document (DALI 1.1 section 4.4.3; DataLink 1.1 section 3.4): QUERY_STATUS=ERROR
 * whose text starts with the fault label. Sent with a 4xx or 5xx status.
 */
export function linksErrorVotable(label: FaultLabel, detail: string): string {
  const results = element('RESOURCE', { type: 'results' }, [info('QUERY_STATUS', 'ERROR', `${label}: ${detail}`), info('standardID', linksStandardId)]);
  return votable([results]);
}
