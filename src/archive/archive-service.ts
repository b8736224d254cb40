// The raw archive as the HTTP layer and the CLI see it: look frames up by DID or path, open their files
// safely, list them. Everything that reaches a file goes through openInsideRoot.
import type { Fibre } from '../domain/frame.js';
import { ServiceError, notFound } from '../errors.js';
import type { Pool } from '../store/db.js';
import { findFrame, findFrameByPath, listFibres, listFrames } from '../store/frame-store.js';
import { searchFibres, type FibreHit, type FibreSearch } from '../store/fibre-search-store.js';
import { readHeaders, type Hdu } from '../fits/index.js';
import type { ArchivedFrame } from '../domain/frame.js';
import { parseFrameDid } from './dids.js';
import type { FrameQuery } from './frame-query.js';
import { isSafeRelPath, openInsideRoot, type OpenedFile } from './safe-path.js';

export interface ArchiveServiceDeps {
  pool: Pool;
  /** The archive root this process serves; undefined when none is configured. */
  root: string | undefined;
  authority: string;
}

export interface FrameFile extends OpenedFile {
  frame: ArchivedFrame;
  /** Strong ETag from the indexed sha256 while the file is as ingested; weak from size+mtime otherwise. */
  etag: string;
  /** True when the file on disk still has the size and mtime recorded at ingest. */
  asIndexed: boolean;
}

export interface ArchiveService {
  readonly root: string | undefined;
  /** Throws UsageError for a malformed ID, NotFoundFault when no present frame has it. */
  frame(id: string): Promise<ArchivedFrame>;
  frameWithFibres(id: string): Promise<{ frame: ArchivedFrame; fibres: Fibre[] }>;
  /** Opens the frame's file; the caller must close the handle. Throws NotFoundFault / ServiceUnavailable. */
  openFrame(id: string): Promise<FrameFile>;
  /** Opens an indexed file by its path below the root (the archive's own YYMMDD/ccd_N/name layout). */
  openPath(relPath: string): Promise<FrameFile>;
  list(q: FrameQuery): Promise<{ total: number; frames: ArchivedFrame[] }>;
  /** Fibres of present object frames matching a name and/or a cone (docs/archive.md#searching-targets). */
  searchFibres(q: FibreSearch): Promise<{ hits: FibreHit[]; truncated: boolean }>;
  /** Every header of the frame's file (data never read). */
  frameHeaders(id: string): Promise<{ frame: ArchivedFrame; hdus: Hdu[] }>;
}

export function createArchiveService(d: ArchiveServiceDeps): ArchiveService {
  const present = (f: ArchivedFrame | null, what: string): ArchivedFrame => {
    if (!f) throw notFound(`no frame ${what} in the archive`);
    if (f.missingSince) throw notFound(`frame ${f.id} is no longer in the archive (file missing since ${f.missingSince.toISOString()})`);
    return f;
  };
  const frame = async (id: string) => {
    parseFrameDid(d.authority, id);
    return present(await findFrame(d.pool, id), `with ID ${id}`);
  };
  const open = async (f: ArchivedFrame): Promise<FrameFile> => {
    if (!d.root) throw new ServiceError('ServiceUnavailable', 'no raw archive is configured (ARCHIVE_ROOT)');
    // A frame indexed under another root (ARCHIVE_ROOT changed since) is not served from this one.
    if (f.root !== d.root) throw notFound(`frame ${f.id} is not in this archive`);
    const file = await openInsideRoot(d.root, f.relPath);
    const asIndexed = file.size === f.sizeBytes && file.mtime.getTime() === f.mtime.getTime();
    const etag = asIndexed ? `"${f.sha256}"` : `W/"${file.size.toString(16)}-${Math.floor(file.mtime.getTime()).toString(16)}"`;
    return { ...file, frame: f, etag, asIndexed };
  };
  return {
    root: d.root,
    frame,
    frameWithFibres: async (id) => {
      const f = await frame(id);
      return { frame: f, fibres: await listFibres(d.pool, f.id) };
    },
    openFrame: async (id) => open(await frame(id)),
    openPath: async (relPath) => {
      if (!d.root || !isSafeRelPath(relPath)) throw notFound('no such file in the archive');
      return open(present(await findFrameByPath(d.pool, d.root, relPath), `at ${relPath}`));
    },
    list: (q) => listFrames(d.pool, q.filter, { limit: q.limit, offset: q.offset }),
    searchFibres: (q) => searchFibres(d.pool, q),
    frameHeaders: async (id) => {
      const file = await open(await frame(id));
      await file.handle.close();
      try {
        return { frame: file.frame, hdus: await readHeaders(file.realPath) };
      } catch (err) {
        throw new ServiceError('Error', `the file of ${id} is not readable FITS: ${(err as Error).message}`);
      }
    },
  };
}
