// Links of a field or night ID (a selection of object frames, docs/archive.md): #this for every selected raw
// object frame, #proc (a SODA descriptor reducing the selection), and #derivation for the field-level products
// (combined and spliced spectra) already made from them that the caller may see.
import { fieldOfCfg, type DidRef } from '../archive/dids.js';
import { listFrames } from '../store/frame-store.js';
import { derivedProducts } from '../store/link-store.js';
import { errorRow, type LinkRow } from '../vo/datalink.js';
import { derivationRows } from './frame-links.js';
import { describeFrame, rawRow, type LinksContext } from './links-context.js';
import { datasetHints, procDescriptor } from '../soda/proc-descriptor.js';

/** More object frames than one night holds; a selection is never paged. */
const maxSelected = 10_000;

const fieldLevel = new Set(['combine_spectra', 'splice']);

export async function selectionLinks(c: LinksContext, id: string, ref: Extract<DidRef, { kind: 'field' | 'night' }>): Promise<LinkRow[]> {
  const filter = ref.kind === 'field' ? { night: [ref.night], field: [fieldOfCfg(ref.cfg)], ndfClass: ['MFOBJECT'] } : { night: [ref.night], ndfClass: ['MFOBJECT'] };
  const { frames } = await listFrames(c.pool, filter, { limit: maxSelected, offset: 0 });
  const what = ref.kind === 'field' ? `field ${ref.cfg} on ${ref.night}` : `night ${ref.night}`;
  if (!frames.length) return [errorRow(id, 'NotFoundFault', `no object frames for ${what} in the archive`)];

  // A night spans several fields: a covering circle of one of them would mislead, so only a field gets one.
  const hints = datasetHints(frames, ref.kind === 'field' ? await c.fibresOf(frames[0]) : []);
  if (ref.kind === 'night') {
    delete hints.CIRCLE;
    delete hints.POLYGON;
  }
  const xmlId = c.nextXmlId('soda-sync');
  const label = `the ${frames.length} object frames of ${what}`;
  c.descriptors.push(procDescriptor({ xmlId, datasetId: id, label, syncUrl: `${c.baseUrl}/soda/sync`, asyncUrl: `${c.baseUrl}/soda/async`, sodaParams: c.sodaParams, hints }));

  const rows: LinkRow[] = [
    { id, serviceDef: xmlId, semantics: '#proc', contentType: 'application/fits', description: `Reduce ${label} with 2dFdr (SODA), combined and spliced by default` },
  ];
  for (const f of frames) rows.push(rawRow(c, id, '#this', f, `Raw ${describeFrame(f)} of ${f.cfgFile || 'no configuration'}`));

  const seen = new Set<string>();
  const products = (await derivedProducts(c.pool, frames.map((f) => f.id), c.scope)).filter((p) => {
    const key = `${p.stepId}/${p.fileName}`;
    return fieldLevel.has(p.operation) && !seen.has(key) && seen.add(key);
  });
  rows.push(...(await derivationRows(c, id, products)));
  return rows;
}
