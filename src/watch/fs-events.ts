// File-system events under the archive root (inotify through node's recursive fs.watch): each event naming a
// raw frame file is passed on at once. Events are a fast path only; when the watch fails (inotify limits,
// the root replaced, a network file system) it is re-armed at the next rescan, which finds what was missed.
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { isRawFileName } from '../archive/frame-header.js';
import type { Logger } from '../logger.js';

export interface FsEvents {
  /** True while the watch is armed. */
  readonly armed: boolean;
  /** Arms the watch if it is not (after an error); returns whether it is armed now. */
  rearm(): boolean;
  close(): void;
}

/** onFile receives the POSIX path relative to root of every raw file an event names. */
export function watchArchive(root: string, log: Logger, onFile: (relPath: string) => void): FsEvents {
  let w: FSWatcher | undefined;
  const arm = (): boolean => {
    if (w) return true;
    try {
      w = watch(root, { recursive: true, persistent: false }, (_event, name) => {
        if (!name) return;
        const rel = name.toString().split(path.sep).join('/');
        // Hidden folders and files (temporary copies, editors) are not frames yet.
        if (rel.split('/').some((p) => p.startsWith('.'))) return;
        if (isRawFileName(path.posix.basename(rel))) onFile(rel);
      });
      w.on('error', (err) => {
        log.warn({ err: err.message }, 'archive file-system watch failed; relying on rescans until it is re-armed');
        w?.close();
        w = undefined;
      });
      return true;
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'cannot watch the archive for file-system events; relying on rescans');
      w = undefined;
      return false;
    }
  };
  arm();
  return {
    get armed() {
      return w !== undefined;
    },
    rearm: arm,
    close() {
      w?.close();
      w = undefined;
    },
  };
}
