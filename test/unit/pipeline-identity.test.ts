// The local runner's pipeline identity changes whenever the program it runs does (and only then), so its step
// ids never name another program's products; PIPELINE_VERSION and image ids are used as given.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { configuredPipeline, imagePipeline, localPipeline } from '../../src/executor/pipeline-identity.js';

describe('pipeline identity', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'drsoda-pipeline-'));
    for (const d of ['bin', 'src/reducer/ops', 'src/fits', 'src/other']) mkdirSync(path.join(root, d), { recursive: true });
    writeFileSync(path.join(root, 'bin/aaorun.js'), 'entry');
    writeFileSync(path.join(root, 'src/reducer/ops/reduce-object.ts'), 'v1');
    writeFileSync(path.join(root, 'src/fits/read.ts'), 'fits');
    writeFileSync(path.join(root, 'src/other/unrelated.ts'), 'x');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const bundled = () => localPipeline(['node', path.join(root, 'bin/aaorun.js')], root, true);

  it('hashes the bundled reducer over the files it loads: any change there gives a new id, elsewhere none', async () => {
    const first = await bundled();
    expect(first.id).toMatch(/^program sha256:[0-9a-f]{64}$/);
    expect((await bundled()).id).toBe(first.id);
    writeFileSync(path.join(root, 'src/other/unrelated.ts'), 'y');
    expect((await bundled()).id).toBe(first.id);
    writeFileSync(path.join(root, 'src/reducer/ops/reduce-object.ts'), 'v2');
    const second = await bundled();
    expect(second.id).not.toBe(first.id);
    writeFileSync(path.join(root, 'src/fits/read.ts'), 'fits 2');
    expect((await bundled()).id).not.toBe(second.id);
  });

  it('names an absent bundled reducer (the service image ships none) instead of failing the start', async () => {
    rmSync(path.join(root, 'bin'), { recursive: true });
    rmSync(path.join(root, 'src/reducer'), { recursive: true });
    expect((await bundled()).id).toBe('program absent');
  });

  it('hashes another command by its line and the files it names', async () => {
    const program = path.join(root, 'aaorun-native');
    writeFileSync(program, 'binary 1');
    const a = await localPipeline([program, '-v'], root, false);
    expect((await localPipeline([program, '-v'], root, false)).id).toBe(a.id);
    expect((await localPipeline([program, '-q'], root, false)).id).not.toBe(a.id);
    writeFileSync(program, 'binary 2');
    expect((await localPipeline([program, '-v'], root, false)).id).not.toBe(a.id);
  });

  it('hashes the built program when there is one (what bin/aaorun.js then runs)', async () => {
    const fromSources = await bundled();
    mkdirSync(path.join(root, 'dist/reducer'), { recursive: true });
    mkdirSync(path.join(root, 'dist/fits'), { recursive: true });
    writeFileSync(path.join(root, 'dist/reducer/cli.js'), 'built');
    const built = await bundled();
    expect(built.id).not.toBe(fromSources.id);
    writeFileSync(path.join(root, 'src/reducer/ops/reduce-object.ts'), 'v3');
    expect((await bundled()).id).toBe(built.id);
    writeFileSync(path.join(root, 'dist/fits/read.js'), 'built fits');
    expect((await bundled()).id).not.toBe(built.id);
  });

  it('takes a configured version and an image id as they are', () => {
    expect(configuredPipeline('6.46', '/opt/2dfdr/bin/aaorun')).toEqual({ id: 'version 6.46', description: '/opt/2dfdr/bin/aaorun (PIPELINE_VERSION 6.46)' });
    expect(imagePipeline('drsoda/aaorun:latest', 'sha256:ab')).toEqual({ id: 'image sha256:ab', description: 'drsoda/aaorun:latest (sha256:ab)' });
  });
});
