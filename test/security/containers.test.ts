// Steps are contained, checked from inside the real reducer image (drsoda/aaorun:latest) in both execution modes:
// a step runs as a non-root user without capabilities, cannot write its inputs, the archive or the image, has no
// network (only lo; a connect fails), takes argv verbatim (no shell in between), and is killed when it exceeds
// its memory limit. The container's own settings are read back from the daemon.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { LABEL_PREFIX } from '../../src/executor/container-spec.js';
import { createDockerRunner } from '../../src/executor/docker-runner.js';
import { createSandboxRunner } from '../../src/executor/sandbox/sandbox-runner.js';
import type { StepRunner, StepRunRequest } from '../../src/executor/types.js';
import { requireContainers, requireDocker } from '../support/docker.js';
import { projectRoot } from '../support/process.js';

const IMAGE = 'drsoda/aaorun:latest';
const MEMORY = 128 * 1024 * 1024;
const tmp = (p: string) => {
  const d = mkdtempSync(path.join(os.tmpdir(), p));
  chmodSync(d, 0o755);
  return d;
};

// Everything a hostile step would try, reported as JSON on stdout.
const probe = `
const fs = require('fs'), net = require('net'), os = require('os');
const r = { uid: process.getuid(), gid: process.getgid(), argv: process.argv.slice(1) };
const tryIt = (k, f) => { try { f(); r[k] = 'ok'; } catch (e) { r[k] = e.code || e.message; } };
tryIt('writeInput', () => fs.appendFileSync('raw.fits', 'x'));
tryIt('writeImage', () => fs.writeFileSync('/usr/local/bin/aaorun', 'x'));
tryIt('writeArchive', () => fs.writeFileSync('/archive/new.fits', 'x'));
tryIt('setuid', () => process.setuid(0));
tryIt('chown', () => fs.chownSync('.', 0, 0));
tryIt('writeWork', () => fs.writeFileSync('out.fits', 'made'));
r.interfaces = Object.keys(os.networkInterfaces());
let left = 2;
const done = () => { if (--left === 0) console.log(JSON.stringify(r)); };
for (const [k, host] of [['internet', '1.1.1.1'], ['dockerHost', '172.17.0.1']]) {
  const s = net.connect({ host, port: 53, timeout: 3000 });
  s.on('connect', () => { r[k] = 'connected'; s.destroy(); done(); });
  s.on('error', (e) => { r[k] = e.code; done(); });
  s.on('timeout', () => { r[k] = 'timeout'; s.destroy(); done(); });
}`;

describe.each(['container', 'sandbox'])('a step inside %s mode of the reducer image', (mode) => {
  let docker: Docker;
  let runner: StepRunner;
  let archive: string;
  const workerId = `sec-${mode}-${process.pid}-${Date.now()}`;
  let n = 0;
  const req = (argv: string[], extra: Partial<StepRunRequest> = {}): StepRunRequest => ({
    labels: { stepId: `sec${mode}${++n}`, jobId: `secjob-${mode}`, owner: 'alice', workerId },
    argv,
    workDir: tmp('drsoda-sec-work-'),
    inputs: [{ name: 'raw.fits', hostPath: path.join(archive, 'raw.fits') }],
    env: {},
    timeoutMs: 60000,
    ...extra,
  });

  beforeAll(async () => {
    docker = await requireDocker();
    // Idempotent: skips the build when the image is up to date (test/docker/reducer-image.test.ts builds it too).
    execFileSync('bash', [path.join(projectRoot, 'deploy/reducer/build-image.sh'), IMAGE], { stdio: 'ignore', timeout: 600000 });
    archive = tmp('drsoda-sec-archive-');
    writeFileSync(path.join(archive, 'raw.fits'), 'RAW');
    const limits = { cpus: 1, memoryBytes: MEMORY, pids: 128, tmpfsBytes: 16 * 1024 * 1024 };
    const containers = await requireContainers();
    runner = mode === 'container'
      ? createDockerRunner({ containers, image: IMAGE, limits, user: '10001:10001' })
      : createSandboxRunner({ containers, image: IMAGE, limits, user: '10001:10001', baseDir: tmp('drsoda-sec-sbx-'), roots: [{ hostPath: archive, containerPath: '/archive' }], workerId, idleMs: 60000, prestart: false });
  }, 660000);
  afterAll(async () => {
    await runner?.close();
    const left = await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${LABEL_PREFIX}.worker=${workerId}`] }) });
    await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true })));
  });

  it('runs as non-root without network, cannot write inputs, archive or image, and gets argv verbatim', async () => {
    const hostile = ['$(id)', '`id`', "'; rm -rf / #", '*', '$HOME'];
    const r = req(['node', '-e', probe, ...hostile]);
    const [res] = await Promise.all([
      runner.run(r),
      // Meanwhile, what the daemon was told.
      (async () => {
        if (mode !== 'container') return;
        for (let i = 0; i < 100; i++) {
          const [c] = await docker.listContainers({ filters: JSON.stringify({ label: [`${LABEL_PREFIX}.step=${r.labels.stepId}`] }) });
          if (c) {
            const info = await docker.getContainer(c.Id).inspect();
            expect(info.Config.User).toBe('10001:10001');
            expect(info.HostConfig).toMatchObject({ NetworkMode: 'none', CapDrop: ['ALL'], SecurityOpt: ['no-new-privileges'], ReadonlyRootfs: true, Memory: MEMORY, PidsLimit: 128 });
            expect(info.HostConfig.Binds).toContain(`${path.join(archive, 'raw.fits')}:/in/raw.fits:ro`);
            return;
          }
          await new Promise((x) => setTimeout(x, 50));
        }
        throw new Error('the step container never showed up');
      })(),
    ]);
    expect(res.failure).toBeUndefined();
    const report = JSON.parse(res.stdout.trim().split('\n').pop()!);
    expect(report.uid).toBe(10001);
    expect(report.argv.slice(-hostile.length)).toEqual(hostile);
    expect(report.writeInput).toMatch(/EROFS|EACCES/);
    expect(report.writeImage).toMatch(/EROFS|EACCES/);
    expect(report.writeArchive).toMatch(/EROFS|EACCES|ENOENT/);
    expect(report.setuid).toBe('EPERM');
    expect(report.chown).toBe('EPERM');
    expect(report.writeWork).toBe('ok');
    expect(report.interfaces).toEqual(['lo']);
    expect(report.internet).toMatch(/ENETUNREACH|EHOSTUNREACH|ECONNREFUSED|EACCES/);
    expect(report.dockerHost).toMatch(/ENETUNREACH|EHOSTUNREACH|ECONNREFUSED|EACCES/);
    expect(readFileSync(path.join(archive, 'raw.fits'), 'utf8')).toBe('RAW');
    expect(readFileSync(path.join(r.workDir, 'out.fits'), 'utf8')).toBe('made');
  });

  it('is killed when it exceeds its memory limit', async () => {
    const res = await runner.run(req(['node', '-e', 'const a = []; for (;;) a.push(Buffer.alloc(8 << 20, 1));'], { timeoutMs: 60000 }));
    // Container per step: the daemon reports the OOM kill; in a sandbox the kernel kills the step (SIGKILL, 137).
    if (mode === 'container') expect(res.failure).toBe('oom');
    else expect([res.failure, res.exitCode]).toEqual([undefined, 137]);
  });
});
