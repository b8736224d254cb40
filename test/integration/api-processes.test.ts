// API_PROCESSES=2: `drsoda serve` (the sleep-kind build of it) forks two API processes on one port. Both answer,
// a WAIT blocked in one process wakes when the job's phase is changed through the other (each has its own
// LISTEN connection), and SIGTERM to the primary stops every process and exits 0.
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/store/embedded.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { finished, SLEEP_SERVE, spawnDrsoda, waitForLine } from '../support/process.js';

/** One keep-alive connection: every request through it reaches the same API process. */
function connection(base: string) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const request = (method: string, p: string, body?: string) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
      const req = http.request(`${base}${p}`, { method, agent, headers: body ? { 'content-type': 'application/x-www-form-urlencoded' } : {} }, (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (data += d));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: data }));
      });
      req.on('error', reject);
      req.end(body);
    });
  return { request, close: () => agent.destroy() };
}

/** This process's count of answered availability requests, from its own /metrics. */
async function availabilityCount(c: ReturnType<typeof connection>): Promise<number> {
  const m = (await c.request('GET', '/metrics')).body;
  const line = m.split('\n').find((l) => l.startsWith('drsoda_http_requests_total{') && l.includes('route="/soda/availability"') && l.includes('status="200"'));
  return line ? Number(line.split(' ').pop()) : 0;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('drsoda serve with API_PROCESSES=2', () => {
  let db: TestDatabase;
  let dataDir: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'drsoda-api-processes-'));
  });
  afterAll(async () => {
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers from both processes, wakes a WAIT on a change made through the other one, and stops them all on SIGTERM', async () => {
    const port = await freePort();
    const child = spawnDrsoda([SLEEP_SERVE], {
      API_PROCESSES: '2', DATABASE_URL: db.url, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, DEMO_ARCHIVE: 'false', RATE_LIMIT_JOBS_PER_MIN: '0',
    });
    let out = '';
    child.stdout?.on('data', (d) => (out += d));
    const done = finished(child, 120000);
    const conns: Array<ReturnType<typeof connection>> = [];
    try {
      const ready = JSON.parse(await waitForLine(child, /drsoda listening/, 90000));
      expect(ready).toMatchObject({ port, processes: 2 });
      const pids = out.split('\n').filter((l) => l.includes('api process listening')).map((l) => JSON.parse(l).pid as number);
      expect(new Set(pids).size).toBe(2);
      const base = `http://127.0.0.1:${port}`;

      // Two connections answered by different processes: requests counted by one are not in the other's /metrics.
      const a = connection(base);
      conns.push(a);
      for (let i = 0; i < 3; i++) expect((await a.request('GET', '/soda/availability')).status).toBe(200);
      const seenByA = await availabilityCount(a);
      let b: ReturnType<typeof connection> | undefined;
      for (let i = 0; i < 8 && !b; i++) {
        const c = connection(base);
        conns.push(c);
        if ((await availabilityCount(c)) !== seenByA) b = c;
      }
      expect(b).toBeDefined();

      const created = await a.request('POST', '/soda/async', 'DURATION=0');
      expect(created.status).toBe(303);
      const jobPath = new URL(created.headers.location!).pathname;
      const t0 = Date.now();
      const waited = a.request('GET', `${jobPath}?WAIT=30`);
      // Let the WAIT reach its process and block; had it not, it would answer PENDING only after 30 s.
      await new Promise((r) => setTimeout(r, 1000));
      expect((await b!.request('POST', `${jobPath}/phase`, 'PHASE=RUN')).status).toBe(303);
      const answer = await waited;
      expect(answer.status).toBe(200);
      expect(answer.body).not.toMatch(/<uws:phase>PENDING<\/uws:phase>/);
      expect(Date.now() - t0).toBeLessThan(10000);
    } finally {
      for (const c of conns) c.close();
      child.kill('SIGTERM');
    }
    const end = await done;
    expect(end.code).toBe(0);
    const pids = out.split('\n').filter((l) => l.includes('api process listening')).map((l) => JSON.parse(l).pid as number);
    expect(pids.filter(alive)).toEqual([]);
  }, 150000);
});
