// SIGKILL of `drsoda serve` while clients create jobs (urlencoded, and multipart with an upload): after a restart
// every job that was answered 303 is there with exactly the parameters and upload sent, and no half-created job
// (a job without its upload, an upload without its job) exists. Jobs are created PENDING: a job killed between
// PHASE=RUN and its hand-over to the engine is api-kill-run.test.ts's case.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { expectInvariants } from '../support/invariants.js';
import { startDrsoda, tmpDir, until, type DrsodaProcess } from './chaos-support.js';

interface Sent {
  id: string;
  duration: string;
  upload?: string;
}

describe('SIGKILL of the API process during job creation', () => {
  let db: TestDatabase;
  const procs: DrsodaProcess[] = [];
  afterAll(async () => {
    for (const p of procs) await p.kill();
    await db?.drop();
  });

  it('keeps every accepted job whole and leaves no half-created one', async () => {
    db = await createTestDatabase();
    const dataDir = tmpDir('drsoda-chaos-api-');
    const env = { DATABASE_URL: db.url, DATA_DIR: dataDir, RATE_LIMIT_JOBS_PER_MIN: '0' };
    const serve = await startDrsoda('sleep-serve', env);
    procs.push(serve);
    const jobs = `${serve.url}/soda/async`;
    const accepted: Sent[] = [];
    let refused = 0;
    let other = 0;
    let stop = false;

    async function client(n: number): Promise<void> {
      for (let i = 0; !stop; i++) {
        const duration = String((n * 1000 + i) % 3);
        const multipart = i % 3 === 0;
        const upload = multipart ? randomBytes(2048 + ((n + i) % 7) * 1000).toString('base64') : undefined;
        let body: URLSearchParams | FormData;
        if (multipart) {
          const form = new FormData();
          form.append('DURATION', duration);
          form.append('table', new Blob([upload!]), 'table.vot');
          body = form;
        } else {
          body = new URLSearchParams({ DURATION: duration, RUNID: `c${n}-${i}` });
        }
        try {
          const res = await fetch(jobs, { method: 'POST', body, redirect: 'manual', signal: AbortSignal.timeout(10000) });
          await res.arrayBuffer();
          if (res.status === 303) accepted.push({ id: res.headers.get('location')!.split('/').pop()!, duration, upload });
          else other++;
        } catch {
          refused++; // the process died under this request: its fate is unknown to the client
          if (stop) return;
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    }

    const clients = Array.from({ length: 16 }, (_, n) => client(n));
    // Kill once creation is in full swing.
    while (accepted.length < 60) await new Promise((r) => setTimeout(r, 10));
    await serve.kill();
    const acceptedAtKill = accepted.length;
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await Promise.all(clients);
    expect(refused).toBeGreaterThan(0);
    expect(other).toBe(0);

    // Whatever the kill hit, also leave the two half-creations it can cause, as the dead process would have:
    // an upload staged for a job never stored, and a stored job whose upload was not yet renamed into place.
    const dead = spawnSync('true').pid!;
    const host = os.hostname();
    const ghost = 'ghostjob0000000000000A';
    mkdirSync(path.join(dataDir, 'uws', ghost, 'params'), { recursive: true });
    writeFileSync(path.join(dataDir, 'uws', ghost, 'params', '.table.0badc0de.tmp'), 'x');
    writeFileSync(path.join(dataDir, 'uws', `.creating-${host}-${dead}-${ghost}`), '');
    const torn = accepted.find((a) => a.upload)!;
    renameSync(path.join(dataDir, 'uws', torn.id, 'params', 'table'), path.join(dataDir, 'uws', torn.id, 'params', '.table.12345678.tmp'));
    writeFileSync(path.join(dataDir, 'uws', `.creating-${host}-${dead}-${torn.id}`), '');

    const again = await startDrsoda('sleep-serve', env);
    procs.push(again);
    const jobs2 = `${again.url}/soda/async`;
    await until('the restarted process to repair job dirs', async () => Number(/"repaired":(\d+),.*"msg":"job dirs left by a crashed process repaired"/.exec(again.output())?.[1] ?? 0) >= 2, 10000).catch((e: Error) => {
      throw new Error(`${e.message}\n${again.output()}`);
    });
    for (const sent of accepted) {
      const res = await fetch(`${jobs2}/${sent.id}/parameters`);
      expect(res.status).toBe(200);
      const xml = await res.text();
      expect(xml).toContain(`<uws:parameter id="DURATION">${sent.duration}</uws:parameter>`);
      if (sent.upload) {
        const up = await fetch(`${jobs2}/${sent.id}/parameters/table`);
        expect(up.status).toBe(200);
        expect(await up.text()).toBe(sent.upload);
      }
    }
    const { rows } = await db.pool.query<{ n: number }>('select count(*)::int as n from uws_job');
    // Jobs the client never heard about (killed before the 303) may exist, whole; none is missing.
    expect(rows[0].n).toBeGreaterThanOrEqual(accepted.length);
    // The restarted process finished or removed what the killed one left mid-creation (uws/job-files.ts).
    await expectInvariants({ pool: db.pool, dataDir, http: { jobsUrl: jobs2, kind: 'sleep' }, workerPids: [again.pid], settleMs: 20000 });
    console.log(`api-kill: ${acceptedAtKill} jobs accepted before SIGKILL, ${rows[0].n} in the store after restart, ${refused} requests cut off`);
    expect(await again.stop()).toBe(0);
  });
});
