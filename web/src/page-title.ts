// The browser tab's title for each route ("Field F1 · 2014-09-26 · drsoda"), so tabs, history and bookmarks say
// which page they hold; a page that finds nothing there (components/not-found.tsx) or knows more (the search
// page's target) replaces it from its own effect, which runs after the shell's layout effect.
import type { Route } from './router';

export const titled = (...parts: string[]) => [...parts, 'drsoda'].join(' · ');

export function titleOf(route: Route): string {
  switch (route.page) {
    case 'nights':
      return titled('Archive');
    case 'night':
      return titled(`Night ${route.night}`);
    case 'field':
      return titled(`Field ${route.field}`, route.night);
    case 'jobs':
      return titled('Jobs');
    case 'job':
      return titled(`Job ${route.id}`);
    case 'sign-in':
      return titled('Sign in');
    case 'api':
      return titled('API reference');
    case 'search':
      // The search page adds the target it searched for (search-page.tsx).
      return titled('Search');
    case 'frame-header':
      // "2014-09-26/ccd1/0012": the frame part of the DID, which is what the page is about.
      return titled('FITS header', route.id.split('?').pop() ?? route.id);
    default:
      return titled('Page not found');
  }
}
