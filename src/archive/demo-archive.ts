// The demo default: one small simulated night under DATA_DIR/demo-archive, made once, at first start.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger.js';
import { simulateNight } from '../simulate/index.js';

/** The demo night: the date of the example header in the domain notes (section 2.3). */
export const DEMO_NIGHT = '2014-09-26';

/**
 * Simulates the demo night into root unless root exists; returns true when it simulated now. The night
 * is written into a hidden sibling folder and renamed into place when complete, so an interrupted first
 * start leaves no half-made archive (the leftover folder is removed by the next start).
 */
export async function makeDemoArchive(root: string, log: Logger): Promise<boolean> {
  if (existsSync(root)) return false;
  const parent = path.dirname(root);
  const stem = `.${path.basename(root)}-`;
  for (const e of await readdir(parent).catch(() => [] as string[])) {
    if (e.startsWith(stem) && e.endsWith('.tmp')) await rm(path.join(parent, e), { recursive: true, force: true });
  }
  const tmp = path.join(parent, `${stem}${randomBytes(4).toString('hex')}.tmp`);
  log.info({ night: DEMO_NIGHT, dir: root }, 'simulating the demo night');
  try {
    // Two fields (plates 0 and 1) of two exposures each with their flats and arcs, plus biases and a
    // long-slit flat: every kind of step a reduction plans, in 24 small frames (all 400 fibres, fewer
    // spectral pixels) that take a few seconds. One rendering thread leaves the other core to the service.
    const s = await simulateNight({ outDir: tmp, night: DEMO_NIGHT, size: 'small', seed: 1, fields: 2, objects: 2, biases: 3, darks: 0, lflats: 1, concurrency: 1 });
    await rename(tmp, root);
    log.info({ frames: s.frames.length, bytes: s.totalBytes, ms: s.elapsedMs }, 'demo night written');
    return true;
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}
