// The application shell: header with navigation and sign-in state, the page for the current path, the
// selection bar and the Reduce dialog.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { detectMode, signedIn, storeToken, type Identity, type IdentityMode } from './api/auth';
import { sodaAsyncUrl } from './api/datalink';
import { ReduceDialog } from './components/reduce-dialog';
import { SelectionBar } from './components/selection-bar';
import { TargetSearchForm } from './components/target-search';
import { FrameHeaderPage } from './pages/frame-header-page';
import { SearchPage } from './pages/search-page';
import { FieldPage } from './pages/field-page';
import { JobPage } from './pages/job-page';
import { ApiPage } from './pages/api-page';
import { JobsPage } from './pages/jobs-page';
import { NightPage } from './pages/night-page';
import { NightsPage } from './pages/nights-page';
import { SignInPage } from './pages/sign-in-page';
import { titleOf } from './page-title';
import { onReduceAgain, type ReducePrefill } from './reduce-prefill';
import { Link, navigate, paths, useRoute, type Route } from './router';
import { selection, type Selected } from './selection';

function useIdentity(): Identity {
  const [mode, setMode] = useState<IdentityMode | 'unknown'>('unknown');
  const [tick, setTick] = useState(0);
  useEffect(() => {
    detectMode().then(setMode, () => setMode('unknown'));
  }, [tick]);
  const isIn = signedIn();
  return { mode, signedIn: isIn, canUseJobs: mode === 'open' || (mode === 'token' && isIn), refresh: () => setTick((t) => t + 1) };
}

/** Opens the Reduce dialog for one field or frame, or (no argument) for the shared selection. */
export type OnReduce = (only?: Selected) => void;

function Page({ route, identity, onReduce }: { route: Route; identity: Identity; onReduce: OnReduce }) {
  switch (route.page) {
    case 'nights':
      return <NightsPage />;
    case 'night':
      return <NightPage night={route.night} onReduce={onReduce} />;
    case 'field':
      return <FieldPage night={route.night} field={route.field} onReduce={onReduce} />;
    case 'jobs':
      return identity.canUseJobs ? <JobsPage /> : <SignInPage identity={identity} />;
    case 'job':
      return identity.canUseJobs ? <JobPage id={route.id} /> : <SignInPage identity={identity} />;
    case 'sign-in':
      return <SignInPage identity={identity} />;
    case 'api':
      return <ApiPage />;
    case 'search':
      return <SearchPage />;
    case 'frame-header':
      return <FrameHeaderPage id={route.id} />;
    default:
      return (
        <section>
          <h1>Page not found</h1>
          <p>
            <Link href={paths.nights()}>Browse the archive</Link> or <Link href={paths.jobs()}>see your jobs</Link>.
          </p>
        </section>
      );
  }
}

function Account({ identity }: { identity: Identity }) {
  if (identity.mode === 'open') return <span class="account">Demo: no sign-in needed</span>;
  if (identity.mode === 'proxy') return <span class="account">Signed in through your site</span>;
  if (identity.mode !== 'token') return null;
  if (!identity.signedIn) return <Link href={paths.signIn()} class="button">Sign in</Link>;
  return (
    <span class="account">
      Signed in with a token{' '}
      <button
        type="button"
        class="link"
        onClick={() => {
          storeToken(null);
          identity.refresh();
          navigate(paths.nights());
        }}
      >
        Sign out
      </button>
    </span>
  );
}

/**
 * The service answers job creation with a 303 to an absolute URL built from its BASE_URL; opened under another
 * origin (127.0.0.1 for localhost), the browser refuses to follow it. Say so, with the right address.
 */
function OriginNote() {
  const [service, setService] = useState<string | null>(null);
  useEffect(() => {
    sodaAsyncUrl().then((u) => u && setService(new URL(u).origin), () => {});
  }, []);
  if (!service || service === location.origin) return null;
  return (
    <p class="error banner" role="alert">
      This page is open at {location.origin}, but the service's public address (BASE_URL) is {service}: submitting jobs needs{' '}
      <a href={`${service}${location.pathname}`}>the page at {service}</a>.
    </p>
  );
}

export function App() {
  const route = useRoute();
  const identity = useIdentity();
  const [reduce, setReduce] = useState<{ items: Selected[]; fromSelection: boolean; prefill?: ReducePrefill } | null>(null);
  // The control that opened the dialog gets the focus back when it closes (the dialog is unmounted, not closed).
  const opener = useRef<HTMLElement | null>(null);
  const section = route.page === 'jobs' || route.page === 'job' ? 'jobs' : route.page === 'sign-in' ? 'sign-in' : route.page === 'api' ? 'api' : 'archive';
  const title = titleOf(route);
  useEffect(() => {
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [route.page]);
  // A layout effect, so that a page which titles itself more precisely (search, "no such" pages) in its own effect wins.
  useLayoutEffect(() => {
    document.title = title;
  }, [title]);
  useEffect(() => {
    if (reduce || !opener.current) return;
    if (opener.current.isConnected) opener.current.focus();
    opener.current = null;
  }, [reduce]);
  const remember = () => {
    opener.current = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null;
  };
  const openReduce: OnReduce = (only) => {
    if (!identity.canUseJobs) return navigate(paths.signIn());
    remember();
    setReduce(only ? { items: [only], fromSelection: false } : { items: selection.all(), fromSelection: true });
  };
  // "Reduce again with changes" (job page): reduce-prefill.ts has selected the job's IDs; open on them, filled in.
  useEffect(
    () =>
      onReduceAgain((prefill) => {
        remember();
        setReduce({ items: selection.all(), fromSelection: true, prefill });
      }),
    [],
  );
  return (
    <>
      <a class="skip" href="#main">Skip to content</a>
      <header class="top">
        <Link href={paths.nights()} class="brand">drsoda</Link>
        <nav aria-label="Main">
          <Link href={paths.nights()} aria-current={section === 'archive' ? 'page' : undefined}>Archive</Link>
          <Link href={paths.jobs()} aria-current={section === 'jobs' ? 'page' : undefined}>Jobs</Link>
          <Link href={paths.api()} aria-current={route.page === 'api' ? 'page' : undefined}>API</Link>
        </nav>
        {route.page !== 'search' && <TargetSearchForm />}
        <Account identity={identity} />
      </header>
      <OriginNote />
      <main id="main" tabIndex={-1}>
        <Page route={route} identity={identity} onReduce={openReduce} />
      </main>
      <SelectionBar onReduce={() => openReduce()} />
      {reduce && (
        <ReduceDialog key={reduce.prefill?.fromJob ?? ''} items={reduce.items} fromSelection={reduce.fromSelection} prefill={reduce.prefill} onClose={() => setReduce(null)} />
      )}
    </>
  );
}
