// Files that are landing: each candidate is re-checked until its size and mtime have held still for the
// stability window and its FITS structure is whole (completeness.ts); only then is it handed to the ingest.
// A file still growing, or whole-looking but stable for less than the window, is never ingested.
import { stat } from 'node:fs/promises';
import { checkComplete } from './completeness.js';

export interface Candidate {
  relPath: string;
  absPath: string;
  firstSeenAt: Date;
  sizeBytes: number;
  mtimeMs: number;
  /** Date.now() when size and mtime were last seen to change. */
  changedAt: number;
  /** Why it is not ready yet (for the log and the CLI). */
  waitingFor: string;
}

export interface ReadyFile {
  relPath: string;
  absPath: string;
  firstSeenAt: Date;
  sizeBytes: number;
  mtimeMs: number;
  programme: string | null;
}

export interface TrackerOptions {
  stableMs: number;
  /** A file stable this long yet still not whole is reported as broken (it is kept, and re-checked when it changes). */
  brokenAfterMs: number;
  now?: () => number;
}

export interface PollResult {
  ready: ReadyFile[];
  broken: Array<{ relPath: string; absPath: string; firstSeenAt: Date; sizeBytes: number; mtimeMs: number; reason: string }>;
}

export class FileTracker {
  private readonly files = new Map<string, Candidate>();
  /** Broken files, by path, with the size/mtime they were judged at: re-checked only when these change. */
  private readonly parked = new Map<string, { sizeBytes: number; mtimeMs: number }>();
  private readonly now: () => number;

  constructor(private readonly o: TrackerOptions) {
    this.now = o.now ?? Date.now;
  }

  get size(): number {
    return this.files.size;
  }

  pending(): Candidate[] {
    return [...this.files.values()];
  }

  /** Notes a file that may be new or changed; seenAt is when the watcher first heard of it. */
  add(relPath: string, absPath: string, seenAt = new Date(this.now())): void {
    if (this.files.has(relPath)) return;
    this.files.set(relPath, { relPath, absPath, firstSeenAt: seenAt, sizeBytes: -1, mtimeMs: -1, changedAt: this.now(), waitingFor: 'first look' });
  }

  has(relPath: string): boolean {
    return this.files.has(relPath);
  }

  forget(relPath: string): void {
    this.files.delete(relPath);
    this.parked.delete(relPath);
  }

  /** Re-checks every candidate once; returns the files now complete (removed from the tracker) and newly broken ones. */
  async poll(): Promise<PollResult> {
    const out: PollResult = { ready: [], broken: [] };
    for (const c of [...this.files.values()]) {
      const st = await stat(c.absPath).catch(() => undefined);
      if (!st || !st.isFile()) {
        // Gone (renamed away, deleted): nothing to ingest; a rescan finds it again if it comes back.
        this.files.delete(c.relPath);
        continue;
      }
      const t = this.now();
      if (st.size !== c.sizeBytes || st.mtimeMs !== c.mtimeMs) {
        c.sizeBytes = st.size;
        c.mtimeMs = st.mtimeMs;
        c.changedAt = t;
        c.waitingFor = 'size and mtime to hold still';
        continue;
      }
      const parked = this.parked.get(c.relPath);
      if (parked && parked.sizeBytes === st.size && parked.mtimeMs === st.mtimeMs) continue;
      if (t - c.changedAt < this.o.stableMs) continue;
      const r = await checkComplete(c.absPath);
      if (r.complete && r.sizeBytes === c.sizeBytes && r.mtimeMs === c.mtimeMs) {
        this.files.delete(c.relPath);
        this.parked.delete(c.relPath);
        out.ready.push({ relPath: c.relPath, absPath: c.absPath, firstSeenAt: c.firstSeenAt, sizeBytes: r.sizeBytes, mtimeMs: r.mtimeMs, programme: r.programme });
        continue;
      }
      c.waitingFor = r.complete ? 'size and mtime to hold still' : r.reason;
      if (!r.complete && t - c.changedAt >= this.o.brokenAfterMs) {
        this.parked.set(c.relPath, { sizeBytes: st.size, mtimeMs: st.mtimeMs });
        out.broken.push({ relPath: c.relPath, absPath: c.absPath, firstSeenAt: c.firstSeenAt, sizeBytes: st.size, mtimeMs: st.mtimeMs, reason: r.reason });
      }
    }
    return out;
  }
}
