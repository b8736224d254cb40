// A small simulated night, ingested into a test database: the raw material of end-to-end reductions.
import { chmodSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ingestArchive } from '../../src/archive/ingest.js';
import type { FrameRecord } from '../../src/domain/frame.js';
import { createLogger } from '../../src/logger.js';
import { simulateNight } from '../../src/simulate/night.js';
import type { Pool } from '../../src/store/db.js';
import { listFrames } from '../../src/store/frame-store.js';

export const TEST_AUTHORITY = 'drsoda.test';

export interface IngestedNight {
  root: string;
  night: string;
  frames: FrameRecord[];
  /** CFG_FILE of each field, in observing order. */
  fields: string[];
  truthFile: string;
}

export async function ingestedNight(pool: Pool, o: { night?: string; fields?: number; objects?: number; seed?: number } = {}): Promise<IngestedNight> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'drsoda-night-'));
  chmodSync(root, 0o755); // containers read it as a non-root user
  const night = o.night ?? '2026-03-14';
  const sim = await simulateNight({ outDir: root, night, fields: o.fields ?? 1, objects: o.objects ?? 2, size: 'small', seed: o.seed ?? 7, biases: 3, darks: 0, lflats: 0 });
  await ingestArchive({ pool, root, authority: TEST_AUTHORITY, log: createLogger('silent') });
  const { frames } = await listFrames(pool, { night: [night] }, { limit: 10000, offset: 0 });
  const fields = [...new Set(frames.filter((f) => f.ndfClass === 'MFOBJECT').sort((a, b) => a.utMjd - b.utMjd).map((f) => f.cfgFile))];
  return { root, night, frames, fields, truthFile: sim.truthFile };
}

/** A product's bytes with the one time-dependent card (DATE) blanked: reductions of one night compare equal. */
export function timeless(file: string): string {
  return readFileSync(file).toString('latin1').replace(/DATE    = '[0-9T:-]+' /g, 'DATE    = (masked)');
}
