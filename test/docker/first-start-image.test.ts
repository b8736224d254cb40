// The first `drsoda serve` on a machine with Docker builds the missing stand-in reducer image (issue 22), and
// when it cannot, the local-process fallback names the one command that would put steps in containers.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type Docker from 'dockerode';
import { chooseRunner } from '../../src/executor/choose-runner.js';
import { buildBlocker, ensureReducerImage, localFallback } from '../../src/executor/reducer-image.js';
import { createLogger } from '../../src/logger.js';
import { testConfig } from '../support/config.js';
import { requireContainers, requireDocker } from '../support/docker.js';

describe('the reducer image at first start', () => {
  const image = `drsoda/aaorun:first-start-${process.pid}`;
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger('info', new Writable({ write: (c: Buffer, _e, done) => (lines.push(JSON.parse(c.toString()) as Record<string, unknown>), done()) }));
  const emptyPath = mkdtempSync(path.join(os.tmpdir(), 'drsoda-nopath-'));
  let docker: Docker;

  beforeAll(async () => {
    docker = await requireDocker();
  });
  afterAll(async () => {
    rmSync(emptyPath, { recursive: true, force: true });
    await docker.getImage(image).remove({ force: true }).catch(() => {});
  });
  beforeEach(() => lines.splice(0));

  it('builds the missing stand-in image once, saying so, and then finds it present', async () => {
    const containers = await requireContainers();
    expect(await containers.imageId(image)).toBeNull();
    expect(await ensureReducerImage({ image, log, containers })).toBe('built');
    expect(lines.map((l) => l.msg)).toEqual(['building the reducer image (steps will run in containers)', 'reducer image built']);
    const facts = await containers.inspectImage(image);
    expect(facts.labels['drsoda.reducer.hash']).toMatch(/^[0-9a-f]{16}$/);
    // The executor now chooses containers for this image.
    const c = testConfig({ PIPELINE_IMAGE: image, DOCKER_HOST: '', EXECUTION_MODE: 'container' });
    const dirs = mkdtempSync(path.join(os.tmpdir(), 'drsoda-first-start-'));
    try {
      const choice = await chooseRunner({ ...c.executor, dataDir: dirs }, { archiveRoot: dirs, productsRoot: dirs, workerId: `first-${process.pid}`, log });
      expect(choice.runner.kind).toBe('docker');
      await choice.runner.close();
    } finally {
      rmSync(dirs, { recursive: true, force: true });
    }
    lines.splice(0);
    expect(await ensureReducerImage({ image, log, containers })).toBe('present');
    expect(lines).toEqual([]);
  }, 300_000);

  it('without busybox it builds nothing, and the fallback names the package that fixes it', async () => {
    const missing = `drsoda/aaorun:never-${process.pid}`;
    expect(await ensureReducerImage({ image: missing, log, envPath: emptyPath })).toBe('cannot-build');
    expect(await (await requireContainers()).imageId(missing)).toBeNull();
    expect(lines).toEqual([]);
    expect(buildBlocker(missing, emptyPath)).toEqual({ reason: `image ${missing} is missing and building it needs busybox`, fix: 'sudo apt-get install busybox-static' });
    // The fallback's advice depends on the machine's PATH: here busybox is installed (.ci/run), so the fix is the build.
    expect(localFallback(true, missing)).toEqual({ reason: `image ${missing} is missing`, fix: 'npm run image:reducer' });
  });

  it('leaves a site image alone and names the daemon that does not answer', async () => {
    expect(await ensureReducerImage({ image: 'example.org/2dfdr:6.46', log })).not.toBe('built');
    expect(localFallback(true, 'example.org/2dfdr:6.46').fix).toBe('docker pull example.org/2dfdr:6.46 (or build it: deploy/2dfdr/README.md)');
    expect(await ensureReducerImage({ image, log, dockerHost: 'unix:///nonexistent/docker.sock' })).toBe('no-daemon');
    expect(localFallback(false, image)).toEqual({ reason: 'no Docker daemon answers', fix: 'sudo systemctl start docker' });
  });
});
