// Watches the Slurm jobs of running steps: one squeue call per tick for all of them (never one per step), and
// an inotify wake-up when a job's exit marker appears, so a finished step is seen at once on a local or
// inotify-capable filesystem and within one tick on NFS.
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../logger.js';
import type { SlurmCli } from './slurm-cli.js';
import { parseExitMarker, slurmOutcome, type SlurmOutcome } from './slurm-state.js';

export type Finished = Extract<SlurmOutcome, { done: true }>;

export interface Watched {
  slurmJobId: string;
  jobDir: string;
  timeoutS: number;
  /** Set when drsoda asked for the scancel: CANCELLED then means aborted, not transient. */
  cancelledByUs: boolean;
  /** Called on every tick (the runner copies new log output). */
  onTick?: () => Promise<void>;
  onDone: (o: Finished) => void;
}

export interface SlurmPoller {
  add(w: Watched): void;
  remove(slurmJobId: string): void;
  /** Check now (after a scancel, or when a marker appeared). */
  wake(): void;
  size(): number;
  close(): void;
}

export async function readMarker(jobDir: string) {
  const text = await readFile(path.join(jobDir, 'exit'), 'utf8').catch(() => null);
  return text === null ? null : parseExitMarker(text);
}

export function createSlurmPoller(o: { cli: SlurmCli; intervalMs: number; log: Logger; onIdleTick?: () => Promise<void> }): SlurmPoller {
  const watched = new Map<string, { w: Watched; fsw?: FSWatcher }>();
  let timer: NodeJS.Timeout | undefined;
  let busy = false;
  let again = false;
  let closed = false;

  const check = async () => {
    const entries = [...watched.values()].map((e) => e.w);
    if (!entries.length) return;
    let states: Map<string, string>;
    try {
      states = await o.cli.states(entries.map((w) => w.slurmJobId));
    } catch (err) {
      // The controller is unreachable: keep waiting (the jobs run on without it), say so once per tick.
      o.log.warn({ err: (err as Error).message }, 'squeue failed; Slurm jobs not checked this tick');
      return;
    }
    for (const w of entries) {
      await w.onTick?.().catch(() => {});
      // The marker is read after squeue answered: a job squeue saw ending has written it by now.
      const marker = await readMarker(w.jobDir);
      const state = states.get(w.slurmJobId) ?? null;
      const needsCode = !marker && state !== null && /^(COMPLETED|FAILED)/.test(state);
      const outcome = slurmOutcome({ marker, state, exitCode: needsCode ? ((await o.cli.exitCode(w.slurmJobId)) ?? undefined) : undefined, cancelledByUs: w.cancelledByUs, timeoutS: w.timeoutS, slurmJobId: w.slurmJobId });
      if (outcome.done && watched.get(w.slurmJobId)?.w === w) {
        remove(w.slurmJobId);
        w.onDone(outcome);
      }
    }
  };

  const run = (): void => {
    if (closed) return;
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    void (async () => {
      try {
        do {
          again = false;
          await check();
        } while (again && !closed);
        await o.onIdleTick?.().catch((err) => o.log.warn({ err: (err as Error).message }, 'Slurm housekeeping failed'));
      } finally {
        busy = false;
      }
    })();
  };

  const remove = (id: string) => {
    const e = watched.get(id);
    e?.fsw?.close();
    watched.delete(id);
  };

  timer = setInterval(run, o.intervalMs);
  timer.unref();
  return {
    add(w) {
      let fsw: FSWatcher | undefined;
      try {
        fsw = watch(w.jobDir, (_event, name) => {
          if (name === 'exit') run();
        });
        fsw.on('error', () => {});
      } catch {
        // No inotify here: the tick alone finds the marker.
      }
      watched.set(w.slurmJobId, { w, fsw });
      run();
    },
    remove,
    wake: run,
    size: () => watched.size,
    close() {
      closed = true;
      clearInterval(timer);
      timer = undefined;
      for (const id of [...watched.keys()]) remove(id);
    },
  };
}
