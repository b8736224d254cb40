// DataLink {links} (/soda/links) and the SODA service descriptors it carries: the Reduce dialog is built from
// the #proc descriptor's input parameters (names, units, allowed values, domains, defaults), as any DataLink
// client would build it, and the async job list comes from the VOSI capabilities.
import { childrenNamed, getXml } from './http';

export interface LinkRow {
  id: string;
  accessUrl: string;
  serviceDef: string;
  errorMessage: string;
  description: string;
  semantics: string;
  contentType: string;
  contentLength: number | null;
}

export interface DescriptorParam {
  name: string;
  datatype: string;
  arraysize: string | null;
  xtype: string | null;
  unit: string | null;
  ucd: string | null;
  /** A fixed value (the descriptor's ID), or '' for a user parameter. */
  value: string;
  description: string;
  min: string | null;
  max: string | null;
  options: string[];
  /** From "Default: x." in the description (VOTable PARAMs have no default attribute). */
  defaultValue: string | null;
}

export interface ServiceDescriptor {
  xmlId: string;
  accessUrl: string;
  standardId: string | null;
  description: string;
  inputParams: DescriptorParam[];
}

export interface LinksAnswer {
  rows: LinkRow[];
  descriptors: Map<string, ServiceDescriptor>;
}

const cellNames: Record<string, keyof LinkRow> = {
  ID: 'id', access_url: 'accessUrl', service_def: 'serviceDef', error_message: 'errorMessage', description: 'description',
  semantics: 'semantics', content_type: 'contentType', content_length: 'contentLength',
};

function param(p: Element): DescriptorParam {
  const values = childrenNamed(p, 'VALUES')[0];
  const description = (childrenNamed(p, 'DESCRIPTION')[0]?.textContent ?? '').trim();
  const m = /Default:\s*(.+?)\.\s*$/.exec(description);
  return {
    name: p.getAttribute('name') ?? '',
    datatype: p.getAttribute('datatype') ?? 'char',
    arraysize: p.getAttribute('arraysize'),
    xtype: p.getAttribute('xtype'),
    unit: p.getAttribute('unit'),
    ucd: p.getAttribute('ucd'),
    value: p.getAttribute('value') ?? '',
    description: m ? description.slice(0, m.index).trim() : description,
    min: values ? (childrenNamed(values, 'MIN')[0]?.getAttribute('value') ?? null) : null,
    max: values ? (childrenNamed(values, 'MAX')[0]?.getAttribute('value') ?? null) : null,
    options: values ? childrenNamed(values, 'OPTION').map((o) => o.getAttribute('value') ?? '') : [],
    defaultValue: m ? m[1] : null,
  };
}

export function parseLinks(doc: Document): LinksAnswer {
  const descriptors = new Map<string, ServiceDescriptor>();
  const rows: LinkRow[] = [];
  for (const res of childrenNamed(doc, 'RESOURCE')) {
    if (res.getAttribute('type') === 'meta' && res.getAttribute('utype') === 'adhoc:service') {
      const direct = Array.from(res.children).filter((c) => c.localName === 'PARAM');
      const get = (n: string) => direct.find((p) => p.getAttribute('name') === n)?.getAttribute('value') ?? null;
      const group = Array.from(res.children).find((c) => c.localName === 'GROUP' && c.getAttribute('name') === 'inputParams');
      descriptors.set(res.getAttribute('ID') ?? '', {
        xmlId: res.getAttribute('ID') ?? '',
        accessUrl: get('accessURL') ?? '',
        standardId: get('standardID'),
        description: (Array.from(res.children).find((c) => c.localName === 'DESCRIPTION')?.textContent ?? '').trim(),
        inputParams: group ? childrenNamed(group, 'PARAM').map(param) : [],
      });
    } else if (res.getAttribute('type') === 'results') {
      const fields = childrenNamed(res, 'FIELD').map((f) => cellNames[f.getAttribute('name') ?? '']);
      for (const tr of childrenNamed(res, 'TR')) {
        const row: Record<string, unknown> = {};
        childrenNamed(tr, 'TD').forEach((td, i) => {
          const key = fields[i];
          if (key) row[key] = key === 'contentLength' ? (td.textContent ? Number(td.textContent) : null) : (td.textContent ?? '');
        });
        rows.push(row as unknown as LinkRow);
      }
    }
  }
  return { rows, descriptors };
}

export async function fetchLinks(ids: string[], signal?: AbortSignal): Promise<LinksAnswer> {
  const q = new URLSearchParams();
  for (const id of ids) q.append('ID', id);
  return parseLinks(await getXml(`/soda/links?${q}`, { signal }));
}

/** The SODA async job list from VOSI capabilities (ivo://ivoa.net/std/SODA#async-1.0), or null. */
export async function sodaAsyncUrl(signal?: AbortSignal): Promise<string | null> {
  const doc = await getXml('/soda/capabilities', { signal });
  for (const cap of childrenNamed(doc, 'capability')) {
    if (cap.getAttribute('standardID') !== 'ivo://ivoa.net/std/SODA#async-1.0') continue;
    const url = childrenNamed(cap, 'accessURL')[0]?.textContent?.trim();
    if (url) return url;
  }
  return null;
}
