// The reducer image: built locally without a registry, non-root, entry point aaorun, nothing but node, the
// bundle and a static shell in it;
// and the same small simulated night reduced by local aaorun processes and by containers of the image,
// step by step, gives byte-identical products (the DATE card aside).
import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { simulateNight } from '../../src/simulate/index.js';
import { requireDocker } from '../support/docker.js';
import { projectRoot } from '../support/process.js';
import { armSteps, IDX } from '../science/reducer-pipeline.js';

const run = promisify(execFile);
const IMAGE = 'drsoda/aaorun:latest';

/** The product's bytes with the one time-dependent card (DATE) masked. */
const timeless = (file: string) => readFileSync(file).toString('latin1').replace(/DATE    = '[0-9T:-]+' /g, 'DATE    = (masked)');

describe('the reducer image', () => {
  let root: string;
  // Two reductions of a simulated night (local and in Docker): hundreds of MB.
  afterAll(() => root && rmSync(root, { recursive: true, force: true }));
  let steps: string[][];

  beforeAll(async () => {
    await requireDocker();
    // Rebuilds only when the bundle, node or the Dockerfile changed (content hash label).
    await run('bash', [path.join(projectRoot, 'deploy/reducer/build-image.sh'), IMAGE], { timeout: 600000 });
    root = mkdtempSync(path.join(os.tmpdir(), 'reducer-image-'));
    const sim = await simulateNight({ outDir: path.join(root, 'raw'), night: '2017-05-02', fields: 1, objects: 2, size: 'small', seed: 9, biases: 2, darks: 1, lflats: 1, concurrency: 0 });
    const blue = sim.frames.filter((f) => f.ccd === 1);
    const classes = new Map(blue.map((f) => [path.basename(f.file), f.ndfClass as string]));
    for (const mode of ['local', 'docker']) {
      const dir = path.join(root, mode);
      mkdirSync(dir);
      // The container runs as uid 10001 and writes its products here.
      chmodSync(dir, 0o777);
      for (const f of blue) copyFileSync(f.file, path.join(dir, path.basename(f.file)));
      writeFileSync(path.join(dir, 'sim.idx'), IDX);
    }
    steps = armSteps([...classes.keys()], classes, 1).steps;
  }, 660000);

  it('is not rebuilt when nothing it is made from changed (its content hash ignores the temporary build folder)', async () => {
    const hashOf = async () => (await run('docker', ['image', 'inspect', '-f', '{{ index .Config.Labels "drsoda.reducer.hash" }}', IMAGE], { timeout: 30000 })).stdout.trim();
    const before = await hashOf();
    const { stderr } = await run('bash', [path.join(projectRoot, 'deploy/reducer/build-image.sh'), IMAGE], { timeout: 600000 });
    expect(stderr).toContain(`${IMAGE} is up to date (${before})`);
    expect(await hashOf()).toBe(before);
  }, 660000);

  it('holds node, the bundle and a static busybox sh for the warm-sandbox launcher, runs as non-root with entry point aaorun', async () => {
    const { stdout } = await run('docker', ['image', 'inspect', '-f', '{{json .Config}}', IMAGE], { timeout: 30000 });
    const config = JSON.parse(stdout);
    expect(config.User).toBe('10001:10001');
    expect(config.Entrypoint).toEqual(['aaorun']);
    const { stdout: id } = await run('docker', ['create', IMAGE], { timeout: 30000 });
    try {
      const { stdout: listing } = await run('sh', ['-c', `docker export ${id.trim()} | tar -t`], { timeout: 60000, maxBuffer: 1 << 20 });
      // Docker adds .dockerenv, dev/, etc/, proc/ and sys/ to every container; the rest is the image.
      const files = listing.split('\n').filter((f) => f && !/\/$/.test(f) && !/^(\.dockerenv|dev\/|etc\/|proc\/|sys\/)/.test(f)).sort();
      expect(files).toEqual(
        ['bin/busybox', 'bin/cat', 'bin/mkdir', 'bin/setsid', 'bin/sh', 'opt/aaorun/aaorun.mjs', 'usr/local/bin/aaorun', 'usr/local/bin/node', ...files.filter((f) => /^lib(64)?\//.test(f))].sort(),
      );
      expect(files.filter((f) => /^lib(64)?\//.test(f)).every((f) => /\.so(\.\d+)*$/.test(f))).toBe(true);
    } finally {
      await run('docker', ['rm', id.trim()], { timeout: 30000 });
    }
    const v = await run('docker', ['run', '--rm', '--network', 'none', IMAGE, 'version'], { timeout: 30000 });
    expect(v.stdout).toMatch(/Action "EXIT", Task "CMD\d{5}", completed\.\n/);
  });

  it('reduces a night to the same bytes as local aaorun processes', async () => {
    for (const argv of steps) {
      const [local, docker] = await Promise.all([
        run(process.execPath, [path.join(projectRoot, 'bin/aaorun.js'), ...argv], {
          cwd: path.join(root, 'local'),
          env: { ...process.env, NODE_OPTIONS: '', IMP_SCRATCH: path.join(root, 'local/scratch') },
          timeout: 120000,
        }),
        run('docker', ['run', '--rm', '--network', 'none', '-v', `${path.join(root, 'docker')}:/work`, '-e', 'IMP_SCRATCH=/work/scratch', IMAGE, ...argv], { timeout: 120000 }),
      ]);
      expect(local.stdout).toMatch(/Action "EXIT", Task "CMD\d{5}", completed\./);
      expect(docker.stdout).toMatch(/Action "EXIT", Task "CMD\d{5}", completed\./);
    }
    const products = readdirSync(path.join(root, 'local')).filter((f) => f.endsWith('.fits') && /(im|ex|red|tlm|combined|ccd1)\.fits$/.test(f)).sort();
    expect(products.length).toBeGreaterThan(18);
    expect(readdirSync(path.join(root, 'docker')).filter((f) => products.includes(f)).sort()).toEqual(products);
    for (const f of products) {
      const a = timeless(path.join(root, 'local', f));
      const b = timeless(path.join(root, 'docker', f));
      expect({ f, same: a === b }).toEqual({ f, same: true });
    }
    // Written by the image's non-root user.
    expect(statSync(path.join(root, 'docker', products[0])).uid).toBe(10001);
  }, 600000);
});
