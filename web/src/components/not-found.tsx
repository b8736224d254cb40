// The page for an address that names nothing in the archive (a night without frames, a field not observed that
// night): says so plainly, titles the tab accordingly, and offers the way back instead of empty tables.
import { useEffect } from 'preact/hooks';
import { ApiError } from '../api/http';
import { titled } from '../page-title';
import { Link, paths } from '../router';

export function NotFound({ what, name, night }: { what: 'night' | 'field'; name: string; night?: string }) {
  useEffect(() => {
    document.title = titled(`No such ${what}`);
  }, [what, name]);
  return (
    <section class="not-found">
      <h1>No such {what}</h1>
      <p>
        The archive has no {what} <strong>{name}</strong>
        {night ? ` on ${night}` : ''}: no frames were observed {what === 'night' ? 'that night' : 'with that configuration'}, or the address is mistyped.
      </p>
      <p>
        {night && (
          <>
            <Link href={paths.night(night)}>Fields of {night}</Link> ·{' '}
          </>
        )}
        <Link href={paths.nights()}>All nights</Link>
      </p>
    </section>
  );
}

/** The archive refused the address itself (a night that is not a date): the same "no such" page, not an error. */
export const badAddress = (e: Error | undefined) => e instanceof ApiError && (e.status === 400 || e.status === 404);
