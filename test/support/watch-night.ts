// A simulated night written into a watched archive the way the telescope writes it: exposure by exposure in
// observing order (run numbers), both arms together, with the hours between exposures shortened to a gap; one
// file can be written slowly, in chunks with pauses, so a test can look at the archive while it is partial.
import { chmodSync, mkdtempSync } from 'node:fs';
import { copyFile, mkdir, open, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { simulateNight, type NightSummary, type SimulatedFrame } from '../../src/simulate/index.js';

export interface StagedNight {
  staging: string;
  sim: NightSummary;
  /** Frames in observing order (run, then blue before red). */
  frames: SimulatedFrame[];
}

export async function stageNight(o: { night: string; fields: number; objects: number; seed?: number }): Promise<StagedNight> {
  const staging = mkdtempSync(path.join(os.tmpdir(), 'drsoda-watch-staging-'));
  const sim = await simulateNight({ outDir: staging, night: o.night, fields: o.fields, objects: o.objects, size: 'small', seed: o.seed ?? 11, biases: 2, darks: 0, lflats: 0 });
  const frames = [...sim.frames].sort((a, b) => a.run - b.run || a.ccd - b.ccd);
  return { staging, sim, frames };
}

/** A fresh, empty archive root readable by the reducer. */
export function emptyArchive(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'drsoda-watch-archive-'));
  chmodSync(root, 0o755);
  return root;
}

export interface SlowWrite {
  /** Byte offsets after which the writer pauses (ascending, inside the file). */
  cuts: (bytes: Buffer) => number[];
  pauseMs: number;
  /** Called during each pause, with how many bytes are on disk. */
  duringPause: (written: number) => Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Writes the file in chunks, pausing after each cut. */
export async function writeSlowly(src: string, dest: string, s: SlowWrite): Promise<void> {
  const bytes = await readFile(src);
  const fh = await open(dest, 'w');
  try {
    let at = 0;
    for (const cut of [...s.cuts(bytes), bytes.length]) {
      await fh.write(bytes, at, cut - at, at);
      await fh.sync();
      at = cut;
      if (at < bytes.length) {
        await sleep(s.pauseMs);
        await s.duringPause(at);
      }
    }
  } finally {
    await fh.close();
  }
}

/**
 * Copies the night into root exposure by exposure, gapMs apart; the frame for which slow(frame) returns a plan
 * is written slowly instead of copied.
 */
export async function landNight(n: StagedNight, root: string, o: { gapMs: number; slow?: (f: SimulatedFrame) => SlowWrite | undefined }): Promise<void> {
  const runs = [...new Set(n.frames.map((f) => f.run))];
  for (const run of runs) {
    await Promise.all(
      n.frames
        .filter((f) => f.run === run)
        .map(async (f) => {
          const dest = path.join(root, f.relPath);
          await mkdir(path.dirname(dest), { recursive: true });
          const slow = o.slow?.(f);
          if (slow) await writeSlowly(f.file, dest, slow);
          else await copyFile(f.file, dest);
        }),
    );
    await sleep(o.gapMs);
  }
}
