// The browser tab's title for each route ("Field F1 · 2014-09-26 · drsoda"), so tabs, history and bookmarks say
// which page they hold; a page that finds nothing there replaces it (components/not-found.tsx).
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
    default:
      return titled('Page not found');
  }
}
