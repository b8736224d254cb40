import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createContainerClient, type ContainerClient } from '../../src/executor/container-client.js';
import { LABEL_PREFIX } from '../../src/executor/container-spec.js';
import { createDockerRunner } from '../../src/executor/docker-runner.js';
import type { StepRunRequest, StepRunner } from '../../src/executor/types.js';
import { createLogger } from '../../src/logger.js';
import { requireContainers, requireDocker } from '../support/docker.js';
import { ensureBusyboxImage } from '../support/images.js';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'drsoda-step-'));

describe('docker runner (real daemon)', () => {
  let containers: ContainerClient;
  let image: string;
  let runner: StepRunner;
  const limits = { cpus: 1, memoryBytes: 64 * 1024 * 1024, pids: 64, tmpfsBytes: 16 * 1024 * 1024 };
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
    containers = await requireContainers();
    image = await ensureBusyboxImage(await requireDocker());
    runner = createDockerRunner({ containers, image, user: '10001:10001', limits });
  });

  afterEach(async () => {
    const left = await containers.list({ [`${LABEL_PREFIX}.step`]: stepId });
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
    const dead = createDockerRunner({
      containers: createContainerClient({ dockerHost: 'unix:///nonexistent/docker.sock', log: createLogger('silent') }),
      image: 'x',
      user: '10001:10001',
      limits: { cpus: 1, memoryBytes: 1 << 26, pids: 16, tmpfsBytes: 1 << 20 },
    });
    const res = await dead.run(req(['true']));
    expect(res.failure).toBe('transient');
    expect(existsSync(res.runtime)).toBe(false);
  });

  /** A debug logger whose JSON lines land in the array. */
  const captured = (lines: Array<Record<string, unknown>>) =>
    createLogger(
      'debug',
      new Writable({
        write(chunk: Buffer, _enc, done) {
          for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
          done();
        },
      }),
    );

  it('logs every Docker call of a step as a before/after pair with the container id', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logged = createContainerClient({ log: captured(lines) });
    const res = await createDockerRunner({ containers: logged, image, user: '10001:10001', limits }).run(req(['true']));
    expect(res.exitCode).toBe(0);
    const calls = lines.filter((l) => l.component === 'docker');
    expect(new Set(calls.map((l) => l.msg))).toEqual(new Set(['docker call', 'docker call done']));
    const count = (op: string, msg: string) => calls.filter((l) => l.op === op && l.msg === msg).length;
    // inspect is left out: the exit watch also polls it, and a poll may still be under way.
    for (const op of ['create', 'attach', 'wait', 'start', 'rm']) expect([op, count(op, 'docker call'), count(op, 'docker call done')]).toEqual([op, 1, 1]);
    expect(count('inspect', 'docker call done')).toBeGreaterThanOrEqual(1);
    expect(calls.find((l) => l.op === 'create' && l.msg === 'docker call')).toMatchObject({ stepId, jobId: 'job1', image });
    const containerId = calls.find((l) => l.op === 'create' && l.msg === 'docker call done')?.containerId;
    expect(containerId).toMatch(/^[0-9a-f]{64}$/);
    for (const l of calls.filter((c) => c.msg === 'docker call done')) {
      expect(l.durationMs).toEqual(expect.any(Number));
      expect(l.error).toBeUndefined();
      expect(l.containerId).toBe(containerId);
    }
  });

  it('reports a daemon call that fails in its "done" line', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logged = createContainerClient({ log: captured(lines) });
    await expect(logged.inspect('drsoda-no-such-container')).rejects.toMatchObject({ statusCode: 404 });
    const done = lines.find((l) => l.msg === 'docker call done');
    expect(done).toMatchObject({ op: 'inspect', containerId: 'drsoda-no-such-container', durationMs: expect.any(Number) });
    expect(done?.error).toMatch(/no such container/i);
  });
});
