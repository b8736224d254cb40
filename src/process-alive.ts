// Whether a process id names a live process on this host: the one test behind stale-lock, orphan and
// dead-worker decisions (embedded PostgreSQL pid files, job folders mid-creation, workers of this host).

/** Signal 0 checks existence without touching the process; EPERM means it exists but belongs to another user. */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
