// deploy/: the service image built by deploy/build-image.sh answers as a real container against the test
// PostgreSQL; compose.yaml, the systemd units and env.example are checked against the configuration.
import { execFile } from 'node:child_process';
import { readFileSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { configVariables } from '../../src/config.js';
import { freePort } from '../../src/store/embedded.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { requireDocker } from '../support/docker.js';
import { projectRoot } from '../support/process.js';

const run = promisify(execFile);
const deploy = (f: string) => path.join(projectRoot, 'deploy', f);
const image = 'drsoda/service:test';

describe('deploy/', () => {
  it('env.example names every setting', () => {
    const env = readFileSync(deploy('env.example'), 'utf8');
    expect(configVariables.filter((v) => !new RegExp(`^#?${v}=`, 'm').test(env))).toEqual([]);
  });

  it('compose.yaml runs PostgreSQL, an API process and workers with the Docker socket, DATA_DIR at the same path', () => {
    // As compose reads it with no .env: ${VAR:-default} becomes the default; `<<` merges the shared block.
    const text = readFileSync(deploy('compose.yaml'), 'utf8').replace(/\$\{\w+:-([^}]*)\}/g, '$1');
    const c = parse(text, { merge: true }) as { services: Record<string, { command?: string[]; environment?: Record<string, string>; volumes?: string[]; image?: string }> };
    expect(Object.keys(c.services).sort()).toEqual(['api', 'db', 'worker']);
    const { api, worker } = c.services;
    expect(api.command).toEqual(['serve']);
    expect(worker.command).toEqual(['worker']);
    expect(api.environment!.RUN_WORKER).toBe('false');
    expect(worker.environment!.EXECUTOR).toBe('docker');
    expect(worker.volumes).toContain('/var/run/docker.sock:/var/run/docker.sock');
    expect(api.volumes).not.toContain('/var/run/docker.sock:/var/run/docker.sock');
    // The host daemon bind-mounts DATA_DIR and ARCHIVE_ROOT into step containers: same path inside and out.
    for (const v of worker.volumes!.filter((x) => !x.includes('docker.sock'))) {
      const [host, inside] = v.split(':');
      expect(host).toBe(inside);
    }
    // Every variable the services set is a drsoda setting (a typo would be silently ignored).
    for (const s of [api, worker]) expect(Object.keys(s.environment!).filter((k) => !configVariables.includes(k))).toEqual([]);
  });

  it('the systemd units pass systemd-analyze verify', async () => {
    // A missing program also prints nothing on stderr: the test needs it (Debian's systemd package; .ci/run installs it).
    const version = await run('systemd-analyze', ['--version'], { timeout: 30000 }).catch((e: Error) => e);
    if (version instanceof Error) throw new Error(`this test needs systemd-analyze (Debian package systemd): ${version.message}`);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'drsoda-units-'));
    try {
      copyFileSync(deploy('systemd/drsoda.service'), path.join(dir, 'drsoda.service'));
      copyFileSync(deploy('systemd/drsoda-worker@.service'), path.join(dir, 'drsoda-worker@1.service'));
      // A unit with a mistake, so the check is seen to catch one (exit status 1, the reason on stderr).
      writeFileSync(path.join(dir, 'broken.service'), '[Service]\nExecStart=relative/path\nNoSuchKey=1\n');
      const verify = (unit: string) =>
        run('systemd-analyze', ['verify', path.join(dir, unit)], { timeout: 30000 }).then(
          (r) => ({ unit, code: 0, stderr: r.stderr }),
          (e: { stderr?: string; code?: number | string }) => ({ unit, code: e.code ?? 'no exit status', stderr: e.stderr ?? '' }),
        );
      for (const unit of ['drsoda.service', 'drsoda-worker@1.service']) expect(await verify(unit)).toEqual({ unit, code: 0, stderr: '' });
      const broken = await verify('broken.service');
      expect(broken.code).toBe(1);
      expect(broken.stderr).toMatch(/relative\/path/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('service image', () => {
    let db: TestDatabase;
    const name = `drsoda-deploy-test-${process.pid}`;

    beforeAll(async () => {
      await requireDocker();
      db = await createTestDatabase();
      await run('bash', [deploy('build-image.sh'), image], { timeout: 300000 });
    }, 320000);
    afterAll(async () => {
      await run('docker', ['rm', '-f', name], { timeout: 30000 }).catch(() => {});
      await db?.drop();
    });

    it('serves the API from the container against PostgreSQL, and runs doctor', async () => {
      const port = await freePort();
      const env = ['-e', `DATABASE_URL=${db.url}`, '-e', 'EXECUTOR=local', '-e', 'RUN_WORKER=false', '-e', 'DEMO_ARCHIVE=false', '-e', 'ARCHIVE_ROOT=/opt/drsoda', '-e', `PORT=${port}`, '-e', 'HOST=127.0.0.1'];
      const doctor = await run('docker', ['run', '--rm', '--network', 'host', ...env, image, 'doctor', '--min-free-gb', '0'], { timeout: 60000 }).catch((e: { stdout: string; code: number }) => e);
      expect(doctor.stdout).toMatch(/^ok {4}database +PostgreSQL .*schema up to date/m);
      await run('docker', ['run', '-d', '--name', name, '--network', 'host', ...env, image, 'serve'], { timeout: 60000 });
      const base = `http://127.0.0.1:${port}`;
      let status = 0;
      for (let i = 0; i < 100 && status !== 200; i++) {
        status = await fetch(`${base}/soda/availability`).then((r) => r.status, () => 0);
        if (status !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      expect(status).toBe(200);
      expect(await (await fetch(`${base}/metrics`)).text()).toContain('drsoda_http_requests_total{method="GET",route="/soda/availability",status="200"}');
      expect(((await (await fetch(`${base}/openapi.json`)).json()) as { openapi: string }).openapi).toBe('3.0.3');
      const user = (await run('docker', ['inspect', '-f', '{{.Config.User}}', name])).stdout.trim();
      expect(user).toBe('10001:10001');
    });
  });
});
