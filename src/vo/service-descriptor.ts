// DataLink 1.1 service descriptors (section 4): RESOURCE type="meta" utype="adhoc:service" with accessURL and
// standardID as direct PARAMs and the inputs in GROUP name="inputParams"; and the SODA descriptor built from
// the declared SODA parameters (src/soda/parameters.ts); pure.
import { group, param, resource, type ParamDecl, type ValuesDecl } from './votable.js';

/** What a SODA parameter declaration must say to be rendered (structurally src/soda/parameters.ts SodaParamDecl). */
export interface SodaParamDecl {
  name: string;
  datatype: 'char' | 'double' | 'boolean' | 'int' | 'long' | 'float';
  arraysize?: string;
  xtype?: string;
  unit?: string;
  ucd?: string;
  description: string;
  options?: readonly string[];
  default?: string;
  min?: string;
  max?: string;
}

export const sodaSyncStandardId = 'ivo://ivoa.net/std/SODA#sync-1.0';
export const sodaAsyncStandardId = 'ivo://ivoa.net/std/SODA#async-1.0';

export interface ServiceDescriptor {
  /** XML ID (NCName, unique in the document): what a link row's service_def names. */
  id: string;
  name?: string;
  description?: string;
  /** Absolute URL; TOPCAT feeds it to java.net.URL and pyvo to requests (ivoa-notes 8). */
  accessUrl: string;
  standardId?: string;
  /** text/html tells a client to open a browser. */
  contentType?: string;
  exampleUrls?: ReadonlyArray<{ url: string; description: string }>;
  inputParams: readonly ParamDecl[];
  /** adhoc:service (what pyvo and TOPCAT pick up) or adhoc:this (self-description, only in addition). */
  utype?: 'adhoc:service' | 'adhoc:this';
}

const descriptive = (name: string, value: string, description?: string): ParamDecl => ({ name, datatype: 'char', arraysize: '*', value, description });

/** The RESOURCE element; write it as a top-level sibling of the results RESOURCE (pyvo reads only those). */
export function serviceDescriptor(d: ServiceDescriptor): string {
  if (!/^https?:\/\//.test(d.accessUrl)) throw new Error(`service descriptor ${d.id}: accessURL must be absolute (got ${d.accessUrl})`);
  const params = [descriptive('accessURL', d.accessUrl)];
  if (d.standardId) params.push(descriptive('standardID', d.standardId));
  if (d.contentType) params.push(descriptive('contentType', d.contentType));
  for (const e of d.exampleUrls ?? []) params.push(descriptive('exampleURL', e.url, e.description));
  return resource({
    type: 'meta',
    utype: d.utype ?? 'adhoc:service',
    id: d.id,
    name: d.name,
    description: d.description,
    // The GROUP is mandatory even when empty: pyvo raises StopIteration without it.
    params: [...params.map(param), group('inputParams', d.inputParams.map(param))],
  });
}

/** Dataset-specific domain hints replacing a declaration's (e.g. the field's covering circle). */
export interface ParamHints {
  min?: string;
  max?: string;
}

export interface SodaInputOptions {
  /** A fixed ID value (dataset-specific descriptor, the usual case in a links response). */
  id?: string;
  /** Or the ID of the FIELD whose cells give the ID (generic descriptor, DataLink 1.1 section 4.2). */
  idRef?: string;
  /** Per parameter name (upper case). */
  hints?: Readonly<Record<string, ParamHints>>;
  /** Parameters to leave out (e.g. TIME for a single frame, where it has no effect). */
  omit?: readonly string[];
}

function sodaValues(p: SodaParamDecl, h: ParamHints | undefined): ValuesDecl | undefined {
  const min = h?.min ?? p.min;
  const max = h?.max ?? p.max;
  // ivoa-notes 5.3: circle and polygon get only MAX (a covering shape); MIN would be meaningless.
  const shape = p.xtype === 'circle' || p.xtype === 'polygon';
  const v: ValuesDecl = { min: shape ? undefined : min, max, options: p.options?.map((value) => ({ value })) };
  return v.min === undefined && v.max === undefined && !v.options?.length ? undefined : v;
}

/**
 * The SODA input parameters as descriptor PARAMs: three-factor semantics (name, UCD, unit) from the declaration,
 * value="" for every user parameter (pyvo sends non-empty values as fixed), VALUES for the domain, and the
 * default in the description (VOTable PARAMs have no default attribute).
 */
export function sodaInputParams(decls: readonly SodaParamDecl[], o: SodaInputOptions = {}): ParamDecl[] {
  const out: ParamDecl[] = [];
  for (const p of decls) {
    const name = p.name.toUpperCase();
    if (o.omit?.includes(name)) continue;
    let value = '';
    let ref: string | undefined;
    if (name === 'ID') {
      if (o.id !== undefined) value = o.id;
      else ref = o.idRef;
    }
    const description = p.default === undefined ? p.description : `${p.description} Default: ${p.default}.`;
    out.push({
      name: p.name,
      datatype: p.datatype,
      arraysize: p.arraysize,
      xtype: p.xtype,
      unit: p.unit,
      ucd: p.ucd,
      value,
      ref,
      description,
      values: name === 'ID' ? undefined : sodaValues(p, o.hints?.[name]),
    });
  }
  return out;
}
