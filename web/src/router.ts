// A small history router: the app's paths (mirrored by webAppPaths in src/http/web-router.ts, which serves
// index.html for them) are real URLs, so they can be bookmarked, reloaded and opened in a new tab.
import { createElement, type ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { page: 'nights' }
  | { page: 'night'; night: string }
  | { page: 'field'; night: string; field: string }
  | { page: 'jobs' }
  | { page: 'job'; id: string }
  | { page: 'sign-in' }
  | { page: 'api' }
  | { page: 'search' }
  | { page: 'frame-header'; id: string }
  | { page: 'not-found' };

export function parseRoute(pathname: string): Route {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { page: 'nights' };
  if (parts[0] === 'nights' && parts.length === 1) return { page: 'nights' };
  if (parts[0] === 'nights' && parts.length === 2) return { page: 'night', night: parts[1] };
  if (parts[0] === 'nights' && parts.length === 4 && parts[2] === 'fields') return { page: 'field', night: parts[1], field: parts[3] };
  if (parts[0] === 'jobs' && parts.length === 1) return { page: 'jobs' };
  if (parts[0] === 'jobs' && parts.length === 2) return { page: 'job', id: parts[1] };
  if (parts[0] === 'sign-in' && parts.length === 1) return { page: 'sign-in' };
  if (parts[0] === 'api-reference' && parts.length === 1) return { page: 'api' };
  if (parts[0] === 'search' && parts.length === 1) return { page: 'search' };
  if (parts[0] === 'frames' && parts.length === 3 && parts[2] === 'header') return { page: 'frame-header', id: parts[1] };
  return { page: 'not-found' };
}

export const paths = {
  nights: () => '/',
  night: (night: string) => `/nights/${encodeURIComponent(night)}`,
  field: (night: string, field: string) => `/nights/${encodeURIComponent(night)}/fields/${encodeURIComponent(field)}`,
  jobs: () => '/jobs',
  job: (id: string) => `/jobs/${encodeURIComponent(id)}`,
  signIn: () => '/sign-in',
  api: () => '/api-reference',
  search: (target: string, radius = '') => `/search?${new URLSearchParams(radius ? { target, radius } : { target })}`,
  /** The field page with these fibres ticked. */
  fieldFibres: (night: string, field: string, fibres: number[]) => `${paths.field(night, field)}?fibres=${fibres.join(',')}`,
  frameHeader: (id: string) => `/frames/${encodeURIComponent(id)}/header`,
};

export function navigate(to: string): void {
  if (to === location.pathname + location.search) return;
  history.pushState(null, '', to);
  dispatchEvent(new PopStateEvent('popstate'));
  window.scrollTo(0, 0);
}

export function useRoute(): Route {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const on = () => setPath(location.pathname);
    addEventListener('popstate', on);
    return () => removeEventListener('popstate', on);
  }, []);
  return parseRoute(path);
}

/** An ordinary link that navigates without reloading (modified clicks still open new tabs). */
export function Link(p: { href: string; children: ComponentChildren; class?: string; 'aria-current'?: 'page' | undefined }) {
  return createElement('a', {
    ...p,
    onClick: (e: MouseEvent) => {
      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      navigate(p.href);
    },
  });
}
