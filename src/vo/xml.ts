// Shared XML helpers for the pure document builders in vo/.
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';

export type { XMLBuilder };

export const ns = {
  uws: 'http://www.ivoa.net/xml/UWS/v1.0',
  xlink: 'http://www.w3.org/1999/xlink',
  xsi: 'http://www.w3.org/2001/XMLSchema-instance',
  vosiAvailability: 'http://www.ivoa.net/xml/VOSIAvailability/v1.0',
  vosiCapabilities: 'http://www.ivoa.net/xml/VOSICapabilities/v1.0',
  vr: 'http://www.ivoa.net/xml/VOResource/v1.0',
  vs: 'http://www.ivoa.net/xml/VODataService/v1.1',
  votable: 'http://www.ivoa.net/xml/VOTable/v1.3',
} as const;

/** A new XML document; serialise with toXml. */
export function newDocument(): XMLBuilder {
  return create({ version: '1.0', encoding: 'UTF-8' });
}

export function toXml(doc: XMLBuilder): string {
  return doc.end({ prettyPrint: true });
}

/**
 * Text for xmlbuilder2's txt() and att(). xmlbuilder2 escapes every '&' except those that already look like an
 * entity or character reference ("&amp;", "&#0;"), so a value holding one would come out changed, or as XML that
 * is not well-formed ("&#0;", or "&AMP;" once DALI upper-cases a name). Escaping '&' first makes every value
 * come back verbatim; xmlbuilder2 still escapes '<', '>' and '"'.
 */
export const amp = (s: string): string => s.replace(/&/g, '&amp;');

/** amp() for att(): tabs and line breaks as character references too, or XML would turn them into spaces (3.3.3). */
export const ampAttr = (s: string): string => amp(s).replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
