// Is a landing raw frame whole? The FITS structure must be complete: every header ends with its END card,
// every HDU's data is all there, the file ends exactly at the last HDU's padded end, and a 2dF fibre frame
// carries its fibre table. Size stability (file-tracker.ts) covers a writer pausing at an HDU boundary.
import { fibreFrameClasses } from '../domain/frame.js';
import { stat } from 'node:fs/promises';
import { FitsError, findHdu, readHeaders, type Hdu } from '../fits/index.js';

/** FITS block size (FITS 4.0 section 3.1): every HDU is padded to a multiple of it. */
const BLOCK = 2880;


export type Completeness =
  | { complete: true; sizeBytes: number; mtimeMs: number; programme: string | null }
  | { complete: false; reason: string };

const paddedEnd = (h: Hdu) => h.dataOffset + Math.ceil(h.dataLength / BLOCK) * BLOCK;

/** PROGID of the 2dF configuration: in the fibre table header (as the AAT writes it), else the primary. */
function programmeOf(hdus: Hdu[]): string | null {
  const fibres = findHdu(hdus, 'FIBRES');
  const v = fibres?.header.string('PROGID')?.trim() || hdus[0].header.string('PROGID')?.trim();
  return v || null;
}

/**
 * Checks the file's FITS structure without reading pixels. Never throws for a bad or partial file: the
 * reason is returned (the file may still be growing). Throws only for I/O errors other than a vanished file.
 */
export async function checkComplete(absPath: string): Promise<Completeness> {
  let before;
  try {
    before = await stat(absPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { complete: false, reason: 'the file is gone' };
    throw err;
  }
  if (before.size === 0) return { complete: false, reason: 'empty file' };
  if (before.size % BLOCK !== 0) return { complete: false, reason: `size ${before.size} is not a multiple of the ${BLOCK}-byte FITS block` };
  let hdus: Hdu[];
  try {
    hdus = await readHeaders(absPath);
  } catch (err) {
    if (err instanceof FitsError) return { complete: false, reason: err.message };
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { complete: false, reason: 'the file is gone' };
    throw err;
  }
  const end = paddedEnd(hdus[hdus.length - 1]);
  if (end !== before.size) return { complete: false, reason: `the last HDU ends at byte ${end}, the file has ${before.size}` };
  const nextend = hdus[0].header.number('NEXTEND');
  if (nextend !== undefined && hdus.length - 1 < nextend) return { complete: false, reason: `NEXTEND = ${nextend} but ${hdus.length - 1} extensions are present` };
  const ndfClass = hdus[0].header.string('NDFCLASS')?.trim().toUpperCase() ?? '';
  if (fibreFrameClasses.has(ndfClass) && !findHdu(hdus, 'FIBRES')) return { complete: false, reason: `a ${ndfClass} frame without its fibre table (still being written?)` };
  if (!findHdu(hdus, 'NDF_CLASS') && !ndfClass) return { complete: false, reason: 'no NDFCLASS keyword and no NDF_CLASS table yet' };
  const after = await stat(absPath).catch(() => undefined);
  if (!after || after.size !== before.size || after.mtimeMs !== before.mtimeMs) return { complete: false, reason: 'the file changed while it was checked' };
  return { complete: true, sizeBytes: after.size, mtimeMs: after.mtimeMs, programme: programmeOf(hdus) };
}
