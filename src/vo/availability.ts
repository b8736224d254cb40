// VOSI 1.1 availability document (VOSIAvailability-v1.0.xsd: available, upSince?, downAt?, backAt?, note*).
import { newDocument, ns, toXml } from './xml.js';

export interface Availability {
  available: boolean;
  upSince?: Date;
  notes: string[];
}

export function availabilityXml(a: Availability): string {
  const doc = newDocument();
  const root = doc.ele(ns.vosiAvailability, 'vosi:availability');
  root.ele(ns.vosiAvailability, 'vosi:available').txt(String(a.available));
  if (a.upSince) root.ele(ns.vosiAvailability, 'vosi:upSince').txt(a.upSince.toISOString());
  for (const n of a.notes) root.ele(ns.vosiAvailability, 'vosi:note').txt(n);
  return toXml(doc);
}
