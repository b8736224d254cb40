// Reads one raw file for the index: header blocks and the small tables only (never the pixels), and
// its sha256 computed while streaming the bytes once.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Fibre, FrameRecord } from '../domain/frame.js';
import { findHdu, readHeaders, readTable } from '../fits/index.js';
import { FrameHeaderError, fibresFromTable, frameFromHeader } from './frame-header.js';

/** Streams the file through sha256 in 1 MiB chunks; memory stays flat for 17 MB frames. */
export async function sha256File(file: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20, signal })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface ReadFrame {
  frame: FrameRecord;
  fibres: Fibre[];
}

/**
 * Builds the frame record and fibre table of absPath. Throws FrameHeaderError for headers that do not
 * describe a 2dF-AAOmega frame, and when the file changed while it was being read (size or mtime moved),
 * so a half-written file is never indexed.
 */
export async function readFrame(absPath: string, relPath: string, authority: string, signal?: AbortSignal): Promise<ReadFrame> {
  const before = await stat(absPath);
  const hdus = await readHeaders(absPath);
  if (!hdus.length) throw new FrameHeaderError('no FITS header');
  const primary = hdus[0].header;
  let ndfClassFromTable: string | undefined;
  if (!primary.string('NDFCLASS')?.trim()) {
    const hdu = findHdu(hdus, 'NDF_CLASS');
    const name = hdu ? (await readTable(absPath, hdu)).column('NAME')?.values[0] : undefined;
    if (typeof name === 'string') ndfClassFromTable = name;
  }
  const fibreHdu = findHdu(hdus, 'FIBRES');
  const fibres = fibreHdu ? fibresFromTable(await readTable(absPath, fibreHdu)) : [];
  const sha256 = await sha256File(absPath, signal);
  const after = await stat(absPath);
  if (after.size !== before.size || after.mtimeMs !== before.mtimeMs) {
    throw new FrameHeaderError('file changed while it was being read; it is read again by the next ingest');
  }
  const frame = frameFromHeader(primary, { relPath, sizeBytes: after.size, sha256, mtime: after.mtime }, { authority, ndfClassFromTable });
  return { frame, fibres };
}
