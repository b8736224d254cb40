// DALI 1.1 section 3 parameter parsing, shared by every DALI endpoint (UWS, SODA, DataLink): names are
// case-insensitive (kept upper-cased), values case-sensitive and in request order, parameters may repeat,
// and they arrive in the GET query string, a urlencoded POST body or a multipart/form-data POST body.
import type { Request } from 'express';
import { ServiceError, usageError } from '../errors.js';

export interface DaliParam {
  /** Upper-cased name. */
  name: string;
  value: string;
}

/** A multipart file part (inline upload); `param:<name>` in a parameter value refers to it (DALI 3.2.7). */
export interface DaliFile {
  /** The part name exactly as sent (the `param:` reference is case-sensitive). */
  name: string;
  filename: string | null;
  type: string;
  data: Buffer;
}

export class DaliParams {
  constructor(
    readonly list: readonly DaliParam[],
    readonly files: readonly DaliFile[] = [],
  ) {}

  has(name: string): boolean {
    const n = name.toUpperCase();
    return this.list.some((p) => p.name === n);
  }

  getAll(name: string): string[] {
    const n = name.toUpperCase();
    return this.list.filter((p) => p.name === n).map((p) => p.value);
  }

  /**
   * The value of a single-valued parameter, or undefined when absent.
   * Throws MultiValuedParamNotSupported when it was given more than once (DALI 3.1).
   */
  get(name: string): string | undefined {
    const all = this.getAll(name);
    if (all.length > 1) throw new ServiceError('MultiValuedParamNotSupported', `${name.toUpperCase()} may be given only once`);
    return all[0];
  }

  /** Every parameter except the named ones, in request order. */
  without(...names: string[]): DaliParam[] {
    const skip = new Set(names.map((n) => n.toUpperCase()));
    return this.list.filter((p) => !skip.has(p.name));
  }
}

export interface DaliParseOptions {
  /** Largest urlencoded body (default 1 MiB). */
  maxFormBytes?: number;
  /** Largest multipart body, uploads included (default 64 MiB). */
  maxMultipartBytes?: number;
}

/**
 * Parameters per request, query and body together (uploads included). Far above any real request (a UWS job
 * takes at most 1000, SODA at most 100 IDs), low enough that thousands of repeats cost nothing downstream.
 */
export const MAX_PARAMS = 1024;

// XML 1.0 forbids these characters; every value may end up in an XML document (UWS parameters, VOTable).
// eslint-disable-next-line no-control-regex
const xmlIllegal = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

function push(out: DaliParam[], name: string, value: string): void {
  if (!name) return; // "a=1&&b=2" or "=x": no parameter
  if (out.length >= MAX_PARAMS) throw new ServiceError('RequestTooLarge', `more than ${MAX_PARAMS} parameters in one request`);
  if (xmlIllegal.test(name) || xmlIllegal.test(value)) throw usageError(`parameter ${JSON.stringify(name.slice(0, 64))} contains a control character`);
  out.push({ name: name.toUpperCase(), value });
}

async function readBody(req: Request, limit: number): Promise<Buffer> {
  const declared = Number(req.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) throw new ServiceError('RequestTooLarge', `request body larger than ${limit} bytes`, { Connection: 'close' });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new ServiceError('RequestTooLarge', `request body larger than ${limit} bytes`, { Connection: 'close' });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function parse(req: Request, o: DaliParseOptions): Promise<DaliParams> {
  const list: DaliParam[] = [];
  const files: DaliFile[] = [];
  const q = req.originalUrl.indexOf('?');
  if (q >= 0) for (const [k, v] of new URLSearchParams(req.originalUrl.slice(q + 1))) push(list, k, v);
  if (req.method !== 'POST' && req.method !== 'PUT') return new DaliParams(list, files);
  const type = (req.get('content-type') ?? '').toLowerCase();
  if (type.startsWith('multipart/form-data')) {
    const body = await readBody(req, o.maxMultipartBytes ?? 64 * 1024 * 1024);
    let form: FormData;
    try {
      // The platform's fetch Request parses multipart/form-data; the body is already bounded above.
      form = await new Request('http://localhost/', { method: 'POST', headers: { 'content-type': req.get('content-type')! }, body }).formData();
    } catch {
      throw usageError('malformed multipart/form-data body');
    }
    for (const [k, v] of form) {
      if (typeof v === 'string') push(list, k, v);
      else if (list.length + files.length >= MAX_PARAMS) throw new ServiceError('RequestTooLarge', `more than ${MAX_PARAMS} parameters in one request`);
      else files.push({ name: k, filename: v.name || null, type: v.type || 'application/octet-stream', data: Buffer.from(await v.arrayBuffer()) });
    }
    return new DaliParams(list, files);
  }
  const body = await readBody(req, o.maxFormBytes ?? 1024 * 1024);
  if (type.startsWith('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) push(list, k, v);
  } else if (body.length) {
    throw usageError(`unsupported request body type ${JSON.stringify(type || 'none')}; use application/x-www-form-urlencoded or multipart/form-data`);
  }
  return new DaliParams(list, files);
}

const parsed = new WeakMap<Request, Promise<DaliParams>>();

/**
 * The request's DALI parameters (query string, then body). The body is read once; later calls for the
 * same request return the same result. Throws UsageError for a malformed or unsupported body and
 * RequestTooLarge beyond the limits.
 */
export function readDaliParams(req: Request, o: DaliParseOptions = {}): Promise<DaliParams> {
  let p = parsed.get(req);
  if (!p) parsed.set(req, (p = parse(req, o)));
  return p;
}
