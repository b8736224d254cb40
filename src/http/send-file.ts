// Streams an already-opened file as an HTTP response: validators, conditional GET, one byte range, HEAD.
// Takes an open handle rather than a path so what was checked (archive path safety) is what is sent.
import type { FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import { decideRange, evaluatePreconditions, ifRangeAllows, type Validators } from './byte-range.js';

export interface SendableFile extends Validators {
  handle: FileHandle;
  size: number;
  contentType: string;
  /** Offered to clients for saving (Content-Disposition). */
  fileName: string;
  /** RFC 9530 Repr-Digest value, when the checksum is known to describe these bytes. */
  reprDigest?: string;
}

/** Sends f and always closes its handle. Resolves when the response is finished or aborted by the client. */
export async function sendFile(req: Request, res: Response, f: SendableFile): Promise<void> {
  try {
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('ETag', f.etag);
    res.setHeader('Last-Modified', f.lastModified.toUTCString());
    const pre = evaluatePreconditions(req.headers as Record<string, string | undefined>, f);
    if (pre === 'failed') {
      res.status(412).end();
      return;
    }
    if (pre === 'not-modified') {
      res.status(304).end();
      return;
    }
    res.setHeader('Content-Type', f.contentType);
    res.setHeader('Content-Disposition', `attachment; filename="${f.fileName.replace(/["\\\r\n]/g, '_')}"`);
    if (f.reprDigest) res.setHeader('Repr-Digest', f.reprDigest);
    // Range handling is defined for GET only (RFC 9110 section 14.2); HEAD describes the whole file.
    const range = req.method === 'GET' && ifRangeAllows(req.get('if-range'), f) ? decideRange(req.get('range'), f.size) : { kind: 'full' as const };
    if (range.kind === 'unsatisfiable') {
      res.setHeader('Content-Range', `bytes */${f.size}`);
      res.status(416).type('text/plain; charset=utf-8').send(`UsageError: requested range not satisfiable (file has ${f.size} bytes)`);
      return;
    }
    const start = range.kind === 'partial' ? range.start : 0;
    const end = range.kind === 'partial' ? range.end : f.size - 1;
    if (range.kind === 'partial') {
      res.status(206).setHeader('Content-Range', `bytes ${start}-${end}/${f.size}`);
    } else {
      res.status(200);
    }
    res.setHeader('Content-Length', String(Math.max(0, end - start + 1)));
    if (req.method === 'HEAD' || f.size === 0) {
      res.end();
      return;
    }
    const stream = f.handle.createReadStream({ start, end, autoClose: false, highWaterMark: 1 << 20 });
    await pipeline(stream, res).catch((err: NodeJS.ErrnoException) => {
      // A client hanging up mid-download is normal for range-probing clients; anything else is re-thrown.
      if (err.code !== 'ERR_STREAM_PREMATURE_CLOSE' && !res.destroyed) throw err;
    });
  } finally {
    await f.handle.close().catch(() => {});
  }
}
