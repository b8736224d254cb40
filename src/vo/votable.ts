// A small VOTable 1.4 writer: FIELD, PARAM (with VALUES), INFO, GROUP, RESOURCE and TABLEDATA as text, with
// XML escaping; pure. Strings, not xmlbuilder2: a links document of 100 IDs has thousands of cells, and the
// element order the VOTable XSD fixes (ivoa-notes 7) is easiest to keep when each builder writes its own part.
import { ns } from './xml.js';
import { element, indent, isNcName, xmlText, type Attrs } from './xml-writer.js';

export { element, isNcName, openTag, xmlAttr, xmlText } from './xml-writer.js';

/** VOTable 1.4 primitive datatypes. */
export type Datatype = 'boolean' | 'bit' | 'unsignedByte' | 'short' | 'int' | 'long' | 'char' | 'unicodeChar' | 'float' | 'double';

export interface FieldDecl {
  name: string;
  datatype: Datatype;
  arraysize?: string;
  unit?: string;
  ucd?: string;
  utype?: string;
  xtype?: string;
  /** XML ID (an NCName, unique in the document): the target of PARAM ref= (DataLink 1.1 section 4.2). */
  id?: string;
  description?: string;
}

export interface ValuesDecl {
  min?: string;
  max?: string;
  options?: ReadonlyArray<{ value: string; name?: string }>;
}

export interface ParamDecl extends FieldDecl {
  /** Always written, "" when the user chooses (a PARAM without value= is invalid). */
  value: string;
  /** ID of a FIELD whose cell gives the value (row-referenced input parameter). */
  ref?: string;
  values?: ValuesDecl;
}

const description = (d: string | undefined) => (d === undefined ? [] : [element('DESCRIPTION', {}, [], d)]);

function fieldAttrs(f: FieldDecl): Attrs {
  return { name: f.name, ID: f.id, datatype: f.datatype, arraysize: f.arraysize, unit: f.unit, ucd: f.ucd, utype: f.utype, xtype: f.xtype };
}

export function field(f: FieldDecl): string {
  if (f.id !== undefined && !isNcName(f.id)) throw new Error(`FIELD ID ${JSON.stringify(f.id)} is not an NCName`);
  return element('FIELD', fieldAttrs(f), description(f.description));
}

function values(v: ValuesDecl): string {
  // VOTable XSD: VALUES holds MIN?, MAX?, OPTION* in this order; OPTION needs value= (ivoa-notes 7).
  const parts: string[] = [];
  if (v.min !== undefined) parts.push(element('MIN', { value: v.min }));
  if (v.max !== undefined) parts.push(element('MAX', { value: v.max }));
  for (const o of v.options ?? []) parts.push(element('OPTION', { name: o.name, value: o.value }));
  return element('VALUES', {}, parts);
}

export function param(p: ParamDecl): string {
  const attrs: Attrs = { ...fieldAttrs(p), value: p.value, ref: p.ref };
  if (p.id !== undefined && !isNcName(p.id)) throw new Error(`PARAM ID ${JSON.stringify(p.id)} is not an NCName`);
  // PARAM content order (XSD): DESCRIPTION?, VALUES?, LINK*.
  const v = p.values;
  const hasValues = v !== undefined && (v.min !== undefined || v.max !== undefined || (v.options?.length ?? 0) > 0);
  const children = [...description(p.description), ...(hasValues ? [values(v)] : [])];
  return element('PARAM', attrs, children);
}

/** An INFO; its text content is the human-readable message. */
export function info(name: string, value: string, message?: string): string {
  return element('INFO', { name, value }, [], message);
}

export function group(name: string, children: readonly string[], desc?: string): string {
  return element('GROUP', { name }, [...description(desc), ...children]);
}

/** A cell: null or undefined is the empty TD (null for every datatype); booleans as true/false. */
export type Cell = string | number | boolean | null | undefined;

function cell(v: Cell): string {
  if (v === null || v === undefined || v === '') return '<TD/>';
  return `<TD>${xmlText(String(v))}</TD>`;
}

/** TABLEDATA rows, one TR per line. */
export function tableData(rows: ReadonlyArray<readonly Cell[]>): string {
  const trs = rows.map((r) => `<TR>${r.map(cell).join('')}</TR>`);
  return element('DATA', {}, [trs.length ? `<TABLEDATA>\n${indent(trs.join('\n'))}\n</TABLEDATA>` : '<TABLEDATA/>']);
}

export function table(fields: readonly FieldDecl[], rows: ReadonlyArray<readonly Cell[]>, name?: string): string {
  for (const r of rows) if (r.length !== fields.length) throw new Error(`row has ${r.length} cells for ${fields.length} fields`);
  return element('TABLE', { name }, [...fields.map(field), tableData(rows)]);
}

export interface ResourceDecl {
  type: 'results' | 'meta';
  id?: string;
  name?: string;
  utype?: string;
  description?: string;
  /** INFO elements come first in a RESOURCE (an INFO after a PARAM is invalid). */
  infos?: readonly string[];
  /** PARAM and GROUP elements. */
  params?: readonly string[];
  /** TABLE or nested RESOURCE elements, then trailing INFOs. */
  body?: readonly string[];
}

export function resource(r: ResourceDecl): string {
  if (r.id !== undefined && !isNcName(r.id)) throw new Error(`RESOURCE ID ${JSON.stringify(r.id)} is not an NCName`);
  // type is always written, "results" too: TOPCAT tests the literal attribute on a non-validating DOM.
  return element('RESOURCE', { type: r.type, ID: r.id, name: r.name, utype: r.utype }, [
    ...description(r.description),
    ...(r.infos ?? []),
    ...(r.params ?? []),
    ...(r.body ?? []),
  ]);
}

/** A VOTable 1.4 document (namespace v1.3, as VOTable 1.3-1.5 share it) holding the given RESOURCEs. */
export function votable(resources: readonly string[], trailingInfos: readonly string[] = []): string {
  if (!resources.length) throw new Error('a VOTable needs at least one RESOURCE');
  const root = element('VOTABLE', { version: '1.4', xmlns: ns.votable }, [...resources, ...trailingInfos]);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${root}\n`;
}
