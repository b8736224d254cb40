// Load runs for the HTTP benchmarks: autocannon in a child process (bench/load-client.mjs), and a bare Node
// `http` server that answers with a recorded drsoda response (same status, headers and body size), so each
// drsoda figure has its baseline measured by the same client in the same run.
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface LoadOptions {
  url: string;
  method?: 'GET' | 'POST';
  body?: string;
  headers?: Record<string, string>;
  connections: number;
  /** Seconds. */
  duration: number;
}

export interface LoadResult {
  /** Requests per second answered with the expected status. */
  rate: number;
  /** Median latency in ms. */
  p50: number;
  /** Answers with another status, errors and timeouts. */
  bad: number;
}

export interface LoadClient {
  run(o: LoadOptions, status: number): Promise<LoadResult>;
  close(): void;
}

export function loadClient(): LoadClient {
  const child: ChildProcess = fork(path.join(path.dirname(fileURLToPath(import.meta.url)), 'load-client.mjs'), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let queue: Promise<unknown> = Promise.resolve();
  const once = (o: LoadOptions) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      child.once('message', (m: Record<string, unknown>) => (m.error ? reject(new Error(String(m.error))) : resolve(m)));
      child.send({ ...o, method: o.method ?? 'GET' });
    });
  return {
    run(o, status) {
      const p = queue.then(async () => {
        const r = await once(o);
        const stats = r.statusCodeStats as Record<string, { count: number }>;
        const ok = stats[String(status)]?.count ?? 0;
        const all = Object.values(stats).reduce((a, s) => a + s.count, 0);
        return { rate: ok / (r.duration as number), p50: r.latencyP50 as number, bad: all - ok + (r.errors as number) + (r.timeouts as number) };
      });
      queue = p.catch(() => {});
      return p;
    },
    close: () => child.kill(),
  };
}

export interface Recorded {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** One drsoda answer, as the bare server will replay it. */
export async function record(url: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Recorded> {
  const res = await fetch(url, { ...init, redirect: 'manual' });
  const body = Buffer.from(await res.arrayBuffer());
  const headers: Record<string, string> = {};
  for (const h of ['content-type', 'location', 'etag', 'cache-control']) {
    const v = res.headers.get(h);
    if (v !== null) headers[h] = v;
  }
  return { status: res.status, headers, body };
}

/** A bare node:http server answering every request with the recorded answer, once the request body is read. */
export async function bareServer(): Promise<{ url: string; answer(r: Recorded): void; close(): Promise<void> }> {
  let current: Recorded = { status: 200, headers: {}, body: Buffer.alloc(0) };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(current.status, { ...current.headers, 'content-length': current.body.length });
      res.end(current.body);
    });
  });
  server.keepAliveTimeout = 10000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    answer: (r) => {
      current = r;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
