import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { createDockerRunner } from '../../src/executor/docker-runner.js';
import { LABEL_PREFIX } from '../../src/executor/docker-common.js';
import type { StepRunRequest, StepRunner } from '../../src/executor/types.js';
import { requireDocker } from '../support/docker.js';
import { ensureBusyboxImage } from '../support/images.js';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'drsoda-step-'));

describe('docker runner (real daemon)', () => {
  let docker: Docker;
  let runner: StepRunner;
  const stepId = `test-${process.pid}-${Date.now()}`;
  const req = (argv: string[], extra: Partial<StepRunRequest> = {}): StepRunRequest => ({
    labels: { stepId, jobId: 'job1', owner: 'alice' },
    argv,
    workDir: tmp(),
    inputs: [],
    env: {},
    timeoutMs: 20000,
    ...extra,
  });

  beforeAll(async () => {
    docker = await requireDocker();
    const image = await ensureBusyboxImage(docker);
    runner = createDockerRunner({
      docker,
      image,
      user: '10001:10001',
      limits: { cpus: 1, memoryBytes: 64 * 1024 * 1024, pids: 64, tmpfsBytes: 16 * 1024 * 1024 },
    });
  });

  afterEach(async () => {
    const left = await docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${LABEL_PREFIX}.step=${stepId}`] }) });
    expect(left).toEqual([]);
  });

  it('runs argv in the work dir as a non-root user, streams output, and collects outputs', async () => {
    const input = path.join(tmp(), 'raw.fits');
    writeFileSync(input, 'RAWDATA');
    const chunks: string[] = [];
    const r = req(['sh', '-c', 'id -u; cat raw.fits; echo product > out.fits; echo done >&2'], {
      inputs: [{ name: 'raw.fits', hostPath: input }],
      onOutput: (c) => chunks.push(c),
    });
    const res = await runner.run(r);
    expect(res.failure).toBeUndefined();
    expect(res.exitCode).toBe(0);
    expect(res.stdout).toBe('10001\nRAWDATA');
    expect(res.stderr).toBe('done\n');
    expect(chunks.join('')).toContain('RAWDATA');
    expect(readFileSync(path.join(r.workDir, 'out.fits'), 'utf8')).toBe('product\n');
    expect(res.runtime).toMatch(/^sha256:/);
  });

  it('reports a non-zero exit code', async () => {
    const res = await runner.run(req(['sh', '-c', 'exit 3']));
    expect(res.exitCode).toBe(3);
    expect(res.failure).toBeUndefined();
  });

  it('mounts inputs read-only and gives no network', async () => {
    const input = path.join(tmp(), 'raw.fits');
    writeFileSync(input, 'RAW');
    const res = await runner.run(
      req(['sh', '-c', 'echo x >> raw.fits && echo wrote; ls /sys/class/net; touch /etc/x 2>/dev/null && echo rootfs-writable; true'], {
        inputs: [{ name: 'raw.fits', hostPath: input }],
      }),
    );
    expect(readFileSync(input, 'utf8')).toBe('RAW');
    expect(res.stdout).not.toContain('wrote');
    expect(res.stdout).not.toContain('rootfs-writable');
    expect(res.stdout.trim().split(/\s+/)).toEqual(['lo']);
  });

  it('kills a step at its timeout', async () => {
    const t0 = Date.now();
    const res = await runner.run(req(['sleep', '30'], { timeoutMs: 1000 }));
    expect(res.failure).toBe('timeout');
    expect(res.message).toMatch(/timeout of 1 s/);
    expect(Date.now() - t0).toBeLessThan(15000);
  });

  it('kills a step when aborted', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 500);
    const res = await runner.run(req(['sleep', '30'], { signal: ac.signal }));
    expect(res.failure).toBe('aborted');
  });

  it('reports a step that exceeds its memory limit as oom', async () => {
    // 200 MB through a pipe into a shell variable exceeds the 64 MB limit.
    const res = await runner.run(req(['sh', '-c', 'x=$(head -c 200000000 /dev/zero | tr "\\0" a); echo ${#x}']));
    expect(res.failure).toBe('oom');
    expect(res.message).toMatch(/out of memory/);
  });

  it('reports an unreachable daemon as transient', async () => {
    const Dockerode = (await import('dockerode')).default;
    const dead = createDockerRunner({
      docker: new Dockerode({ socketPath: '/nonexistent/docker.sock' }),
      image: 'x',
      user: '10001:10001',
      limits: { cpus: 1, memoryBytes: 1 << 26, pids: 16, tmpfsBytes: 1 << 20 },
    });
    const res = await dead.run(req(['true']));
    expect(res.failure).toBe('transient');
    expect(existsSync(res.runtime)).toBe(false);
  });
});
