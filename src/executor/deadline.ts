// Bounding calls to a daemon that may hang (restarting dockerd) and telling passing failures from lasting ones.

/** Rejects (code ETIMEDOUT) when p takes longer than ms; the operation itself is not cancelled. */
export function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`${what} timed out after ${ms} ms`), { code: 'ETIMEDOUT' })), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Daemon unreachable, restarting, or timing out: the step may succeed if retried. */
export function isTransientDockerError(e: unknown): boolean {
  const err = e as { code?: string; statusCode?: number; message?: string };
  if (err.code && ['ECONNREFUSED', 'ECONNRESET', 'ENOENT', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN'].includes(err.code)) return true;
  if (err.statusCode && err.statusCode >= 500) return true;
  return /socket hang up|connect|timed out|daemon/i.test(err.message ?? '');
}

/** The daemon says the container or image does not exist. */
export const isNotFound = (e: unknown): boolean => (e as { statusCode?: number }).statusCode === 404;
