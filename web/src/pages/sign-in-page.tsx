// Sign-in for the token identity mode: paste an API token (from `drsoda token create USER`); it is checked
// against the job list and kept for this tab only.
import { useState } from 'preact/hooks';
import { storeToken, tokenWorks, type Identity } from '../api/auth';
import { Link, navigate, paths } from '../router';

export function SignInPage({ identity }: { identity: Identity }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (identity.mode === 'open') {
    return (
      <section>
        <h1>Sign in</h1>
        <p>This service runs as an open demo: no sign-in is needed. Every visitor shares the same jobs.</p>
        <p>
          <Link href={paths.jobs()}>See the jobs</Link>
        </p>
      </section>
    );
  }
  if (identity.mode === 'proxy') {
    return (
      <section>
        <h1>Sign in</h1>
        <p>This service signs you in through your organisation's login in front of it. Reload the page after signing in there.</p>
      </section>
    );
  }
  return (
    <section class="narrow">
      <h1>Sign in</h1>
      {identity.signedIn && <p>You are signed in. Paste another token to switch user.</p>}
      <p>
        Paste your drsoda API token. An administrator creates one with <code>drsoda token create &lt;user&gt;</code>; the same token works
        with pyvo, TOPCAT and curl (<code>Authorization: Bearer …</code>).
      </p>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            if (!(await tokenWorks(token.trim()))) throw new Error('The service does not accept this token (unknown or revoked).');
            storeToken(token.trim());
            identity.refresh();
            navigate(paths.jobs());
          } catch (err) {
            setError((err as Error).message);
          } finally {
            setBusy(false);
          }
        }}
      >
        <label for="token">API token</label>
        <input id="token" type="password" autoComplete="off" spellcheck={false} required value={token} onInput={(e) => setToken(e.currentTarget.value)} />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </section>
  );
}
