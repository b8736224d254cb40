// The version of the frame index as this process knows it: a counter bumped on every frame_change notification
// (a trigger on the frame table, migration 000011, fires for ingest, the watcher, the demo archive and
// `drsoda ingest` alike, from any process) and after the LISTEN connection reconnects, since changes may have
// been missed then. Caches of what the index produced (SODA plans, src/soda/plan-cache.ts) key on it.
import type { NotificationListener } from '../store/notification-listener.js';

export interface ArchiveVersion {
  /** The current version; undefined until the LISTEN connection is up, when a change could go unheard (do not cache). */
  current(): number | undefined;
  close(): void;
}

export function watchArchiveVersion(listener: Pick<NotificationListener, 'subscribe' | 'onReconnect' | 'ready'>): ArchiveVersion {
  let version = 0;
  let live = false;
  // Subscribed before ready() resolves, so the first version handed out already hears every later change.
  const off = listener.subscribe('frame_change', () => {
    version++;
  });
  const offReconnect = listener.onReconnect(() => {
    version++;
  });
  listener.ready().then(
    () => {
      live = true;
    },
    () => {},
  );
  return {
    current: () => (live ? version : undefined),
    close() {
      off();
      offReconnect();
    },
  };
}
