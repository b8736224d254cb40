// VOSI availability is answered from a health state checked in the background (src/ops/health.ts), yet stays
// truthful: a database that goes away (its connections dropped, new ones refused) is reported down at the next
// check (500 ms apart), and up again once it answers. A hung one is down after the check's 1.5 s timeout.
import net from 'node:net';
import { XMLParser } from 'fast-xml-parser';
import { createPool, type Pool } from '../../src/store/db.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

/** A TCP relay to PostgreSQL that can be cut (connections dropped, new ones refused, as when the server dies) and restored. */
async function relay(target: { host: string; port: number }) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    sockets.add(client).add(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  const cut = async () => {
    const closed = new Promise<void>((r) => server.close(() => r()));
    for (const s of sockets) s.destroy();
    await closed;
  };
  return {
    port,
    cut,
    restore: () => new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r())),
    close: async () => {
      if (server.listening) await cut();
    },
  };
}

const parser = new XMLParser({ removeNSPrefix: true });

describe('VOSI availability from the background health check', () => {
  let db: TestDatabase;
  let proxy: Awaited<ReturnType<typeof relay>>;
  let pool: Pool;
  let app: TestApp;
  beforeAll(async () => {
    db = await createTestDatabase();
    const url = new URL(db.url);
    proxy = await relay({ host: url.hostname, port: Number(url.port || 5432) });
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    pool = createPool({ connectionString: url.toString(), max: 10, statementTimeoutMs: 5000, connectTimeoutMs: 5000 });
    app = await startTestApp(pool);
  }, 60000);
  afterAll(async () => {
    await app?.close();
    await pool?.end().catch(() => {});
    await proxy?.close();
    await db?.drop();
  });

  const availability = async () => parser.parse(await (await fetch(`${app.url}/soda/availability`)).text()).availability as { available: boolean; note: string | string[] };
  /** Polls until the answer says `want`, returning how long that took. */
  const until = async (want: boolean, deadlineMs: number) => {
    const t0 = performance.now();
    for (;;) {
      const a = await availability();
      if (a.available === want) return { ms: performance.now() - t0, doc: a };
      if (performance.now() - t0 > deadlineMs) throw new Error(`availability still ${a.available} after ${deadlineMs} ms: ${JSON.stringify(a.note)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it('says down soon after the database goes away, with the reason, and up again when it answers', async () => {
    await until(true, 15000);
    await proxy.cut();
    // The next check (500 ms apart) fails at once; the deadline leaves room for a loaded test machine.
    const down = await until(false, 5000);
    expect(String(down.doc.note)).toMatch(/database unreachable/);
    await proxy.restore();
    await until(true, 15000);
  }, 60000);

  it('says not available, and why, once shutdown has begun', async () => {
    await until(true, 15000);
    app.shutdown.abort();
    const a = await availability();
    expect(a.available).toBe(false);
    expect(String(a.note)).toMatch(/shutting down/);
  });
});
