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
