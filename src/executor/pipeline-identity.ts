// What reducer program a runner choice runs, as a PipelineIdentity (domain/plan.ts) that the planner hashes into
// every step id: the Docker image id for containers and sandboxes, PIPELINE_VERSION when configured, else a hash
// of the local program's files. Switching any of them gives new step ids, so products are never shared.
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { PipelineIdentity } from '../domain/plan.js';

export type { PipelineIdentity };

/** A Docker image: its id (sha256 of its config) changes whenever its contents do, whatever its tag. */
export function imagePipeline(image: string, imageId: string): PipelineIdentity {
  return { id: `image ${imageId}`, description: `${image} (${imageId})` };
}

/** An operator-declared version (PIPELINE_VERSION): the native or Slurm aaorun whose files drsoda cannot see. */
export function configuredPipeline(version: string, program: string): PipelineIdentity {
  return { id: `version ${version}`, description: `${program} (PIPELINE_VERSION ${version})` };
}

// The bundled reducer runs from the checkout: bin/aaorun.js (through bin/entry.js) loads dist/reducer/cli.js after a
// build, else src/reducer through tsx, and the reducer imports only fits/ (docs/architecture.md): those files are
// the program.
const bundledEntries = ['bin/aaorun.js', 'bin/entry.js'];
const bundledEntry = bundledEntries[0];

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** sha256 over (relative name, content) of each file, in name order. */
async function hashFiles(root: string, files: readonly string[]): Promise<string> {
  const h = createHash('sha256');
  for (const f of [...files].sort()) {
    h.update(`${path.relative(root, f)}\u0000`);
    h.update(await readFile(f));
    h.update('\u0000');
  }
  return h.digest('hex');
}

/**
 * A local program: the bundled reducer is hashed over the files it runs (dist/ after a build, else src/); any other AAORUN_COMMAND over the command
 * line and the contents of every argument that is a file (the binary or script it runs). Without the bundled
 * entry files (the service image) the identity is 'program absent'; throws when a present reducer's file cannot be read.
 */
export async function localPipeline(command: readonly string[], projectRoot: string, bundled: boolean): Promise<PipelineIdentity> {
  if (bundled) {
    const files = [];
    for (const e of bundledEntries) if ((await stat(path.join(projectRoot, e)).catch(() => null))?.isFile()) files.push(path.join(projectRoot, e));
    const built = (await stat(path.join(projectRoot, 'dist/reducer/cli.js')).catch(() => null))?.isFile();
    // The service image (deploy/Dockerfile) ships a bundle without the reducer: it serves the API, and a local step
    // there fails when it runs. Its identity says so rather than stopping the service at start.
    if (!files.length) return { id: 'program absent', description: `no bundled reducer here (${bundledEntry} is missing): local steps cannot run` };
    for (const t of ['reducer', 'fits']) files.push(...(await filesUnder(path.join(projectRoot, built ? 'dist' : 'src', t))));
    const digest = await hashFiles(projectRoot, files);
    return { id: `program sha256:${digest}`, description: `bundled reducer ${bundledEntry} (sources sha256:${digest.slice(0, 16)}...)` };
  }
  const files: string[] = [];
  for (const a of command) {
    const s = await stat(a).catch(() => null);
    if (s?.isFile()) files.push(path.resolve(a));
  }
  const h = createHash('sha256').update(JSON.stringify(command));
  h.update(await hashFiles('/', files));
  const digest = h.digest('hex');
  return { id: `program sha256:${digest}`, description: `${command.join(' ')} (sha256:${digest.slice(0, 16)}...)` };
}
