// Sign-in as the service's identity mode requires (docs/web.md): anonymous demo (nothing to do), bearer
// tokens (pasted once, kept for this browser tab only), or an authenticating proxy in front of the service.
const key = 'drsoda.token';

export type IdentityMode = 'open' | 'token' | 'proxy';

/** What the pages know of the sign-in state (app.tsx keeps it). */
export interface Identity {
  mode: IdentityMode | 'unknown';
  signedIn: boolean;
  /** May this browser create and see jobs now? */
  canUseJobs: boolean;
  refresh(): void;
}

export function storedToken(): string | null {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

export function storeToken(token: string | null): void {
  try {
    if (token) sessionStorage.setItem(key, token);
    else sessionStorage.removeItem(key);
  } catch {
    // Storage disabled: the token lives only as long as this page.
  }
  memory = token;
}

let memory: string | null = storedToken();

export function authHeader(): Record<string, string> {
  return memory ? { Authorization: `Bearer ${memory}` } : {};
}

export const signedIn = () => memory !== null;

/**
 * Asks the job list who may use it: 200 without credentials is the anonymous demo (or a proxy that already
 * signed the user in); 401 with a Bearer challenge wants a token; any other 401 is a sign-in proxy's business.
 */
export async function detectMode(): Promise<IdentityMode> {
  const res = await fetch('/soda/async?LAST=1', { credentials: 'same-origin', signal: AbortSignal.timeout(15_000) });
  if (res.ok) return 'open';
  if (res.status === 401) return /bearer/i.test(res.headers.get('www-authenticate') ?? '') ? 'token' : 'proxy';
  throw new Error(`the job list answered ${res.status}`);
}

/** Checks a token against the job list; resolves true when the service accepts it. */
export async function tokenWorks(token: string): Promise<boolean> {
  const res = await fetch('/soda/async?LAST=1', { headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(15_000) });
  return res.ok;
}
