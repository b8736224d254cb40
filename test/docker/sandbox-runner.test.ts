import { chmodSync, mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ContainerClient } from '../../src/executor/container-client.js';
import { LABEL_PREFIX } from '../../src/executor/container-spec.js';
import { createSandboxRunner, type SandboxRunner } from '../../src/executor/sandbox/sandbox-runner.js';
import type { StepRunRequest } from '../../src/executor/types.js';
import { requireContainers, requireDocker } from '../support/docker.js';
import { BUSYBOX_IMAGE, ensureBusyboxImage } from '../support/images.js';
import { until } from '../support/ops-receivers.js';

const tmp = (p = 'drsoda-sbx-') => mkdtempSync(path.join(os.tmpdir(), p));

describe('warm sandbox runner (real daemon)', () => {
  let client: ContainerClient;
  let runner: SandboxRunner;
  const workerId = `w-${process.pid}-${Date.now()}`;
  const archive = tmp('drsoda-archive-');
  const baseDir = tmp();
  let n = 0;
  const req = (jobId: string, argv: string[], extra: Partial<StepRunRequest> = {}): StepRunRequest => ({
    labels: { stepId: `step${++n}`, jobId, owner: 'alice', workerId },
    argv,
    workDir: tmp('drsoda-work-'),
    inputs: [],
    env: {},
    timeoutMs: 20000,
    ...extra,
  });
  const containers = async (extra: Record<string, string> = {}) =>
    client.list({ [`${LABEL_PREFIX}.worker`]: workerId, ...extra });

  beforeAll(async () => {
    client = await requireContainers();
    await ensureBusyboxImage(await requireDocker());
    // The archive is world-readable in production; mkdtemp makes it 0700.
    chmodSync(archive, 0o755);
    writeFileSync(path.join(archive, 'raw.fits'), 'RAW');
    runner = createSandboxRunner({
      containers: client,
      image: BUSYBOX_IMAGE,
      user: '10001:10001',
      limits: { cpus: 1, memoryBytes: 128 * 1024 * 1024, pids: 128, tmpfsBytes: 16 * 1024 * 1024 },
      baseDir,
      roots: [{ hostPath: archive, containerPath: '/archive' }],
      workerId,
      idleMs: 60000,
      prestart: false,
    });
  });

  afterAll(async () => {
    await runner.close();
    expect(await containers()).toEqual([]);
    expect(readdirSync(baseDir)).toEqual([]);
  });

  it('runs steps with their own work dir and environment, inputs read-only, outputs collected', async () => {
    const r = req('jobA', ['sh', '-c', 'id -u; cat raw.fits; echo "x" >> raw.fits || echo ro; echo $IMP_SCRATCH; pwd; echo made > out.fits; echo err >&2; ls /sys/class/net'], {
      inputs: [{ name: 'raw.fits', hostPath: path.join(archive, 'raw.fits') }],
    });
    const res = await runner.run(r);
    expect(res.failure).toBeUndefined();
    expect(res.exitCode).toBe(0);
    const lines = res.stdout.trim().split('\n');
    expect(lines[0]).toBe('10001');
    expect(lines[1]).toBe('RAWro');
    expect(lines[2]).toMatch(/^\/steps\/step\d+-[0-9a-f]{8}\/\.imp_scratch$/);
    expect(lines.at(-1)).toBe('lo');
    expect(res.stderr).toMatch(/err/);
    expect(readFileSync(path.join(archive, 'raw.fits'), 'utf8')).toBe('RAW');
    expect(readdirSync(r.workDir)).toEqual(['out.fits']);
    expect(readFileSync(path.join(r.workDir, 'out.fits'), 'utf8')).toBe('made\n');
  });

  it('keeps one sandbox per job and runs its steps concurrently', async () => {
    // Each step waits until all three have started (the sandbox's /tmp is shared by its steps): run one
    // after another, they could never finish.
    const rendezvous = 'touch /tmp/started-$$; n=0; while [ "$(ls /tmp/started-* | wc -l)" -lt 3 ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n+1)); done; [ $n -lt 100 ] && echo ok';
    const results = await Promise.all([1, 2, 3].map(() => runner.run(req('jobB', ['sh', '-c', rendezvous]))));
    expect(results.map((r) => r.stdout)).toEqual(['ok\n', 'ok\n', 'ok\n']);
    expect(new Set(results.map((r) => r.runtime)).size).toBe(1);
    expect(await containers({ [`${LABEL_PREFIX}.job`]: 'jobB' })).toHaveLength(1);
  });

  it('kills a step at its timeout and keeps the sandbox', async () => {
    const first = await runner.run(req('jobC', ['true']));
    const res = await runner.run(req('jobC', ['sh', '-c', 'sleep 30'], { timeoutMs: 800 }));
    expect(res.failure).toBe('timeout');
    const after = await runner.run(req('jobC', ['echo', 'still here']));
    expect(after.stdout).toBe('still here\n');
    expect(after.runtime).toBe(first.runtime);
  });

  it('replaces a sandbox tainted by stray processes or a crash', async () => {
    const a = await runner.run(req('jobD', ['sh', '-c', 'sleep 100 & echo left-behind']));
    expect(a.exitCode).toBe(0);
    const b = await runner.run(req('jobD', ['sh', '-c', 'kill -SEGV $$']));
    expect(b.runtime).not.toBe(a.runtime);
    expect(b.exitCode).toBe(139);
    const c = await runner.run(req('jobD', ['true']));
    expect(c.runtime).not.toBe(b.runtime);
    // The replaced sandboxes are removed in the background: wait for it rather than assume it.
    expect(await until('one sandbox of jobD', () => containers({ [`${LABEL_PREFIX}.job`]: 'jobD' }), (l) => l.length === 1, 20000)).toHaveLength(1);
  });

  it('ends a running step and removes the sandbox when its job is aborted', async () => {
    const t0 = Date.now();
    const running = runner.run(req('jobF', ['sh', '-c', 'sleep 30']));
    await new Promise((r) => setTimeout(r, 500));
    await runner.endJob('jobF');
    const res = await running;
    expect(res.failure).toBe('transient');
    expect(Date.now() - t0).toBeLessThan(10000);
    expect(await containers({ [`${LABEL_PREFIX}.job`]: 'jobF' })).toEqual([]);
  });

  it('removes the sandbox when its job ends', async () => {
    await runner.run(req('jobE', ['true']));
    expect(await containers({ [`${LABEL_PREFIX}.job`]: 'jobE' })).toHaveLength(1);
    await runner.endJob('jobE');
    expect(await containers({ [`${LABEL_PREFIX}.job`]: 'jobE' })).toEqual([]);
  });
});
