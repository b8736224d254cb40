// `drsoda doctor` run as the real CLI against a healthy setup (test PostgreSQL, the Docker daemon with a test
// image, an archive folder) and against broken ones, checking the report, the fixes it names and the exit code.
import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { requireDocker } from '../support/docker.js';
import { ensureFakeAaorunImage } from '../support/images.js';
import { runDrsoda } from '../support/process.js';

const lineOf = (out: string, name: string) => out.split('\n').find((l) => new RegExp(`^(ok  |WARN|FAIL|skip)  ${name} `).test(l)) ?? '';

describe('drsoda doctor', () => {
  let db: TestDatabase;
  let image: string;
  const archive = mkdtempSync(path.join(os.tmpdir(), 'drsoda-doctor-archive-'));
  mkdirSync(path.join(archive, '141118', 'ccd_1'), { recursive: true });
  mkdirSync(path.join(archive, '141119', 'ccd_2'), { recursive: true });

  beforeAll(async () => {
    db = await createTestDatabase();
    image = await ensureFakeAaorunImage(await requireDocker());
  });
  afterAll(async () => {
    await db.drop();
  });

  it('passes on a healthy setup and says what it checked', async () => {
    const r = await runDrsoda(['doctor', '--min-free-gb', '0'], {
      DATABASE_URL: db.url, DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'drsoda-doctor-')), ARCHIVE_ROOT: archive, EXECUTOR: 'docker', PIPELINE_IMAGE: image, DOCKER_HOST: '',
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(lineOf(r.stdout, 'database')).toMatch(/^ok {4}database +PostgreSQL \d+\.\d+.* at postgresql:\/\/.*schema up to date \(\d+ migrations\)$/);
    expect(lineOf(r.stdout, 'docker')).toMatch(/^ok {4}docker +Docker \S+ \(API [\d.]+, linux\/\w+\) at unix:\/\/\/var\/run\/docker\.sock$/);
    expect(lineOf(r.stdout, 'pipeline image')).toMatch(new RegExp(`^ok {4}pipeline image +${image}: id sha256:[0-9a-f]{64}, built locally`));
    expect(lineOf(r.stdout, 'archive root')).toContain(`${archive}: 2 night folder(s), 141118 to 141119`);
    expect(lineOf(r.stdout, 'disk space')).toMatch(/^ok {4}disk space +[\d.]+ GiB free \(\d+%\)/);
    expect(lineOf(r.stdout, 'smtp')).toMatch(/^skip {2}smtp +SMTP_URL unset/);
    expect(r.stdout.trim().split('\n').pop()).toBe('all checks passed');
    expect(r.stdout).not.toContain('fix:');
  });

  it('fails on a broken setup, naming each problem and its fix', async () => {
    const r = await runDrsoda(['doctor', '--timeout', '3', '--min-free-gb', '0'], {
      DATABASE_URL: 'postgresql://drsoda:secret@127.0.0.1:1/drsoda', DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'drsoda-doctor-')),
      ARCHIVE_ROOT: path.join(archive, 'no-such-folder'), EXECUTOR: 'docker', DOCKER_HOST: 'unix:///nonexistent/docker.sock', SMTP_URL: 'smtp://127.0.0.1:1',
    });
    expect(r.code).toBe(1);
    const out = r.stdout;
    expect(lineOf(out, 'database')).toMatch(/^FAIL {2}database +cannot connect to postgresql:\/\/drsoda:\*\*\*@127\.0\.0\.1:1\/drsoda: .*ECONNREFUSED/);
    expect(out).not.toContain('secret');
    expect(out).toContain('fix: start PostgreSQL or correct DATABASE_URL');
    expect(lineOf(out, 'docker')).toMatch(/^FAIL {2}docker +no Docker daemon answers at unix:\/\/\/nonexistent\/docker\.sock/);
    expect(out).toContain('fix: start dockerd (or fix DOCKER_HOST)');
    expect(lineOf(out, 'archive root')).toMatch(/^FAIL {2}archive root +\S+no-such-folder is not a folder$/);
    expect(out).toContain('fix: mount the archive, or correct ARCHIVE_ROOT');
    expect(lineOf(out, 'smtp')).toMatch(/^FAIL {2}smtp +smtp:\/\/127\.0\.0\.1:1: /);
    expect(out.trim().split('\n').pop()).toBe('4 problem(s) to fix');
  });

  it('warns about unapplied migrations and fails on a missing image, also as JSON', async () => {
    const empty = await createTestDatabase({ empty: true });
    try {
      const r = await runDrsoda(['doctor', '--json', '--min-free-gb', '0'], {
        DATABASE_URL: empty.url, DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'drsoda-doctor-')), DEMO_ARCHIVE: 'true', ARCHIVE_ROOT: '', EXECUTOR: '', DOCKER_HOST: '', PIPELINE_IMAGE: 'drsoda-test/no-such-image:0',
      });
      expect(r.code).toBe(1);
      const checks = (JSON.parse(r.stdout) as { checks: Array<{ name: string; status: string; detail: string; fix?: string }> }).checks;
      const by = Object.fromEntries(checks.map((c) => [c.name, c]));
      expect(by.database.status).toBe('warn');
      expect(by.database.detail).toMatch(/\d+ migration\(s\) not applied \(000001_service_instances, /);
      expect(by.database.fix).toBe('run `drsoda migrate` (drsoda serve also applies them at start)');
      expect(by['pipeline image'].status).toBe('fail');
      expect(by['pipeline image'].fix).toContain('npm run image:reducer');
      expect(by['archive root']).toMatchObject({ status: 'ok' });
      expect(by['archive root'].detail).toContain('demo night');
    } finally {
      await empty.drop();
    }
  });
});
