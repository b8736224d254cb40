// Reads a response body chunk by chunk and reports the bytes so far (and the total when the service sends
// Content-Length), so a slow download shows "fetching 1.2 of 5.3 MB" instead of a bare "Loading…".
export interface Progress {
  received: number;
  /** From Content-Length; null when the length is not known in advance. */
  total: number | null;
}

export async function readBody(res: Response, onProgress?: (p: Progress) => void): Promise<ArrayBuffer> {
  const length = Number(res.headers.get('content-length'));
  const total = Number.isFinite(length) && length > 0 ? length : null;
  if (!res.body || !onProgress) return res.arrayBuffer();
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  onProgress({ received, total });
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.byteLength;
    onProgress({ received, total });
  }
  const out = new Uint8Array(received);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out.buffer;
}
