// How steps run is chosen from the executor settings: Docker when the daemon and the image are there,
// local processes otherwise (with a warning), and an error when EXECUTOR=docker cannot be honoured.
import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { chooseRunner, type ExecutorSettings } from '../../src/executor/choose-runner.js';
import { LABEL_PREFIX } from '../../src/executor/container-spec.js';
import { createLogger } from '../../src/logger.js';
import { testConfig } from '../support/config.js';
import { requireDocker } from '../support/docker.js';
import { ensureBusyboxImage } from '../support/images.js';

const settings = (env: Record<string, string>): ExecutorSettings => {
  const c = testConfig(env);
  return { ...c.executor, dataDir: c.dataDir };
};

describe('choosing the step runner', () => {
  let image: string;
  const warnings: Array<Record<string, unknown>> = [];
  const log = createLogger('warn', new Writable({ write: (c: Buffer, _e, done) => (warnings.push(JSON.parse(c.toString()) as Record<string, unknown>), done()) }));
  const where = () => ({ archiveRoot: mkdtempSync(path.join(os.tmpdir(), 'drsoda-choose-')), productsRoot: mkdtempSync(path.join(os.tmpdir(), 'drsoda-choose-')), workerId: `choose-${process.pid}`, log });

  beforeAll(async () => {
    image = await ensureBusyboxImage(await requireDocker());
  });
  beforeEach(() => warnings.splice(0));

  it('runs a container per step when asked and the image is there, and hands out the container client', async () => {
    const choice = await chooseRunner(settings({ EXECUTOR: 'docker', EXECUTION_MODE: 'container', PIPELINE_IMAGE: image, DOCKER_HOST: '' }), where());
    expect(choice.runner.kind).toBe('docker');
    expect(choice.description).toMatch(new RegExp(`^docker container per step \\(${image} sha256:[0-9a-f]{64}\\)$`));
    expect(await choice.containers!.list({ [`${LABEL_PREFIX}.worker`]: `choose-${process.pid}` })).toEqual([]);
    await choice.runner.close();
  });

  it('keeps warm sandboxes under DATA_DIR/sandboxes', async () => {
    const s = settings({ EXECUTOR: 'docker', EXECUTION_MODE: 'sandbox', SANDBOX_PRESTART: 'false', PIPELINE_IMAGE: image, DOCKER_HOST: '' });
    const choice = await chooseRunner(s, where());
    try {
      expect(choice.runner.kind).toBe('sandbox');
      expect(choice.description).toMatch(/^docker warm sandbox per job /);
      const res = await choice.runner.run({ labels: { stepId: 's1', jobId: `choose-${process.pid}`, workerId: `choose-${process.pid}` }, argv: ['true'], workDir: mkdtempSync(path.join(os.tmpdir(), 'drsoda-choose-work-')), inputs: [], env: {}, timeoutMs: 20000 });
      expect(res.exitCode).toBe(0);
      expect(readdirSync(path.join(s.dataDir, 'sandboxes'))).toHaveLength(1);
    } finally {
      await choice.runner.close();
    }
    expect(readdirSync(path.join(s.dataDir, 'sandboxes'))).toEqual([]);
  });

  it('refuses EXECUTOR=docker without the image, and falls back to local processes with a warning otherwise', async () => {
    const missing = { PIPELINE_IMAGE: 'drsoda-test/no-such-image:0', DOCKER_HOST: '' };
    await expect(chooseRunner(settings({ ...missing, EXECUTOR: 'docker' }), where())).rejects.toThrow('EXECUTOR=docker but image drsoda-test/no-such-image:0 is missing');
    const choice = await chooseRunner(settings(missing), where());
    expect(choice.runner.kind).toBe('local');
    expect(choice.containers).toBeUndefined();
    expect(warnings).toEqual([expect.objectContaining({ msg: 'running steps as local processes', reason: expect.stringContaining('is missing') })]);
  });

  it('names the unreachable daemon', async () => {
    await expect(chooseRunner(settings({ EXECUTOR: 'docker', DOCKER_HOST: 'unix:///nonexistent/docker.sock' }), where())).rejects.toThrow('EXECUTOR=docker but no Docker daemon answers at unix:///nonexistent/docker.sock');
    const local = await chooseRunner(settings({ EXECUTOR: 'local', DOCKER_HOST: 'unix:///nonexistent/docker.sock' }), where());
    expect(local.description).toMatch(/^local processes \(.*bin\/aaorun\.js\)$/);
    expect(warnings).toEqual([]);
  });
});
