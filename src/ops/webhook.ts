// One webhook call: POST of a JSON event with a timeout, an optional HMAC signature, and a guard that refuses
// private, loopback and link-local addresses (checked on the address actually connected to, so DNS tricks
// cannot reach the service's own network) unless the operator allows them (NOTIFY_ALLOW_PRIVATE).
import { createHmac } from 'node:crypto';
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { version } from '../version.js';

export interface WebhookOptions {
  timeoutMs: number;
  allowPrivate: boolean;
  /** HMAC-SHA256 key: the body's signature goes in X-Drsoda-Signature as sha256=<hex>. */
  secret?: string;
}

export interface WebhookOutcome {
  ok: boolean;
  /** False when another attempt cannot help (a 4xx refusal, a forbidden address, a malformed URL). */
  retry: boolean;
  detail: string;
}

const blocked = new net.BlockList();
for (const [net4, bits] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 3]] as const) {
  blocked.addSubnet(net4, bits, 'ipv4');
}
for (const [net6, bits] of [['::', 127], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) blocked.addSubnet(net6, bits, 'ipv6');

/** True for addresses a public webhook must not reach (RFC 1918, loopback, link-local, CGNAT, multicast, ...). */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return isPrivateAddress(mapped[1]);
  const family = net.isIP(address);
  if (!family) return true;
  return blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Checks a NOTIFY_URL when a job is created; throws Error with the reason. */
export function checkWebhookUrl(value: string): URL {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new Error('must be an absolute http:// or https:// URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('must be an absolute http:// or https:// URL');
  if (u.username || u.password) throw new Error('must not carry credentials (use NOTIFY_WEBHOOK_SECRET signatures instead)');
  if (value.length > 2000) throw new Error('must be at most 2000 characters');
  return u;
}

class Refused extends Error {}

function guardedLookup(allowPrivate: boolean): net.LookupFunction {
  return (hostname, options, cb) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return cb(err, '', 0);
      const list = addresses as dns.LookupAddress[];
      const bad = list.find((a) => isPrivateAddress(a.address));
      if (bad && !allowPrivate) return cb(new Refused(`${hostname} resolves to the non-public address ${bad.address}`), '', 0);
      if ((options as dns.LookupOptions).all) return (cb as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      cb(null, list[0].address, list[0].family);
    });
  };
}

export async function postWebhook(url: string, event: object, o: WebhookOptions): Promise<WebhookOutcome> {
  let u: URL;
  try {
    u = checkWebhookUrl(url);
  } catch (err) {
    return { ok: false, retry: false, detail: `NOTIFY_URL ${(err as Error).message}` };
  }
  const host = u.hostname.replace(/^\[|\]$/g, '');
  // Literal addresses skip DNS (and so the lookup guard): check them here.
  if (net.isIP(host) && isPrivateAddress(host) && !o.allowPrivate) {
    return { ok: false, retry: false, detail: `refused: ${host} is not a public address (NOTIFY_ALLOW_PRIVATE)` };
  }
  const body = Buffer.from(JSON.stringify(event));
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'Content-Length': String(body.length),
    'User-Agent': `drsoda/${version}`,
  };
  if (o.secret) headers['X-Drsoda-Signature'] = `sha256=${createHmac('sha256', o.secret).update(body).digest('hex')}`;
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise<WebhookOutcome>((resolve) => {
    const req = lib.request(u, { method: 'POST', headers, lookup: guardedLookup(o.allowPrivate), signal: AbortSignal.timeout(o.timeoutMs) }, (res) => {
      res.resume(); // the receiver's body is not read, only drained
      const status = res.statusCode ?? 0;
      res.on('end', () => {
        if (status >= 200 && status < 300) resolve({ ok: true, retry: false, detail: `HTTP ${status}` });
        // A client error says the receiver will never take it; 408 and 429 say "later".
        else resolve({ ok: false, retry: !(status >= 400 && status < 500) || status === 408 || status === 429, detail: `HTTP ${status}` });
      });
      res.on('error', () => resolve({ ok: false, retry: true, detail: `HTTP ${status}, then the connection broke` }));
    });
    req.on('error', (err) => {
      if (err instanceof Refused) resolve({ ok: false, retry: false, detail: `refused: ${err.message} (NOTIFY_ALLOW_PRIVATE)` });
      else if (err.name === 'AbortError' || err.name === 'TimeoutError') resolve({ ok: false, retry: true, detail: `no answer within ${o.timeoutMs} ms` });
      else resolve({ ok: false, retry: true, detail: err.message });
    });
    req.end(body);
  });
}
