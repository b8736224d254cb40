// The demo default: one small simulated night under DATA_DIR/demo-archive, made once, at first start.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger.js';
import { simulateNight } from '../simulate/index.js';

/** The demo night: the date of the example header in the domain notes (section 2.3). */
export const DEMO_NIGHT = '2014-09-26';

/** Written into the archive root once the demo night is complete. */
export const DEMO_MARKER = '.drsoda-demo-complete';

const nightFolder = (night: string) => night.slice(2).replace(/-/g, '');

/**
 * Simulates the demo night into root unless it is already there; returns true when it simulated now.
 * root itself is never replaced, only filled: the execution engine may already have bind-mounted it into
 * a sandbox container (Docker creates a missing bind source as an empty folder), and a container keeps
 * the folder it mounted. The night is written into a hidden folder inside root (the ingest skips hidden
 * entries), moved into place when complete, then the marker is written; an interrupted start leaves
 * only a hidden folder, which the next start removes before simulating again.
 */
export async function makeDemoArchive(root: string, log: Logger): Promise<boolean> {
  const night = path.join(root, nightFolder(DEMO_NIGHT));
  const marker = path.join(root, DEMO_MARKER);
  if (existsSync(marker)) return false;
  await mkdir(root, { recursive: true });
  if (existsSync(night)) {
    // Moved into place by a start that stopped before writing the marker: the night is whole.
    await writeFile(marker, `${DEMO_NIGHT}\n`);
    return false;
  }
  for (const e of await readdir(root)) if (e.startsWith('.demo-') && e.endsWith('.tmp')) await rm(path.join(root, e), { recursive: true, force: true });
  const tmp = path.join(root, `.demo-${randomBytes(4).toString('hex')}.tmp`);
  log.info({ night: DEMO_NIGHT, dir: root }, 'simulating the demo night');
  try {
    // Two fields (plates 0 and 1) of two exposures each with their flats and arcs, plus biases and a
    // long-slit flat: every kind of step a reduction plans, in 24 small frames (all 400 fibres, fewer
    // spectral pixels) that take a few seconds. One rendering thread leaves the other core to the service.
    const s = await simulateNight({ outDir: tmp, night: DEMO_NIGHT, size: 'small', seed: 1, fields: 2, objects: 2, biases: 3, darks: 0, lflats: 1, concurrency: 1 });
    await rename(path.join(tmp, nightFolder(DEMO_NIGHT)), night);
    await writeFile(marker, `${DEMO_NIGHT}\n`);
    log.info({ frames: s.frames.length, bytes: s.totalBytes, ms: s.elapsedMs }, 'demo night written');
    return true;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
