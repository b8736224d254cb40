// Every request the UI makes goes through here: same-origin URLs, the bearer token when signed in, a timeout,
// and service errors turned into readable messages (drsoda answers errors as DALI text "Label: message").
import { authHeader } from './auth';

export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly authenticate: string | null = null) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * The service writes absolute URLs from its BASE_URL; the UI may be opened under another host name for the same
 * service (localhost vs 127.0.0.1), so service URLs are fetched by path on the page's own origin.
 */
export function sameOrigin(url: string): string {
  try {
    const u = new URL(url, location.href);
    return u.origin === location.origin ? u.href : `${u.pathname}${u.search}`;
  } catch {
    return url;
  }
}

export interface RequestOptions extends RequestInit {
  /** Default 30 s; a WAIT request passes its wait plus a margin. */
  timeoutMs?: number;
  /** Skip the stored token (to probe the identity mode). */
  anonymous?: boolean;
}

export async function request(url: string, o: RequestOptions = {}): Promise<Response> {
  const headers = new Headers(o.headers);
  if (!o.anonymous) for (const [k, v] of Object.entries(authHeader())) headers.set(k, v);
  const timeout = AbortSignal.timeout(o.timeoutMs ?? 30_000);
  const signal = o.signal ? AbortSignal.any([o.signal, timeout]) : timeout;
  let res: Response;
  try {
    res = await fetch(sameOrigin(url), { ...o, headers, signal, credentials: 'same-origin' });
  } catch (err) {
    if ((err as Error).name === 'AbortError' && o.signal?.aborted) throw err;
    if ((err as Error).name === 'TimeoutError') throw new ApiError(0, `the service did not answer within ${Math.round((o.timeoutMs ?? 30_000) / 1000)} s`);
    throw new ApiError(0, `cannot reach the service (${(err as Error).message})`);
  }
  if (!res.ok) {
    const text = (await res.text().catch(() => '')).trim();
    throw new ApiError(res.status, text.slice(0, 500) || `${res.status} ${res.statusText}`, res.headers.get('www-authenticate'));
  }
  return res;
}

export const getJson = async <T>(url: string, o?: RequestOptions): Promise<T> => (await request(url, o)).json() as Promise<T>;
export const getText = async (url: string, o?: RequestOptions): Promise<string> => (await request(url, o)).text();

/** Parses an XML answer; throws ApiError when it is not well-formed. */
export function parseXml(text: string): Document {
  const doc = new DOMParser().parseFromString(text, 'application/xml');
  if (doc.getElementsByTagName('parsererror').length) throw new ApiError(0, 'the service sent malformed XML');
  return doc;
}

export const getXml = async (url: string, o?: RequestOptions): Promise<Document> => parseXml(await getText(url, o));

/** A DALI form POST (application/x-www-form-urlencoded, names repeated for multiple values). */
export function postForm(url: string, params: Array<[string, string]>, o: RequestOptions = {}): Promise<Response> {
  const body = new URLSearchParams();
  for (const [k, v] of params) body.append(k, v);
  return request(url, { ...o, method: 'POST', body });
}

/** Children of an element by local name (namespace prefixes differ between documents). */
export function childrenNamed(el: Element | Document, local: string): Element[] {
  return Array.from(el.getElementsByTagNameNS('*', local));
}

export function firstNamed(el: Element | Document, local: string): Element | null {
  return el.getElementsByTagNameNS('*', local)[0] ?? null;
}

/** Whether an element is xsi:nil="true" (UWS writes unset times and owners that way). */
export const isNil = (el: Element | null) => !el || el.getAttributeNS('http://www.w3.org/2001/XMLSchema-instance', 'nil') === 'true';
