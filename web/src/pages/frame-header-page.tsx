// The FITS headers of one raw frame (GET /api/frame/header), card by card, with a keyword filter.
import { useState } from 'preact/hooks';
import { frameHeader } from '../api/search';
import { ErrorNote, Loading } from '../components/status';
import { Link, paths } from '../router';
import { useAsync } from '../use-async';

const show = (v: string | number | boolean | null) => (v === null ? '' : typeof v === 'boolean' ? (v ? 'T' : 'F') : String(v));

export function FrameHeaderPage({ id }: { id: string }) {
  const h = useAsync((signal) => frameHeader(id, signal), [id]);
  const [filter, setFilter] = useState('');
  const night = /\?(\d{4}-\d{2}-\d{2})\//.exec(id)?.[1];
  const f = filter.trim().toLowerCase();
  return (
    <section>
      <p class="crumbs">
        <Link href={paths.nights()}>Nights</Link>
        {night && (
          <>
            {' '}› <Link href={paths.night(night)}>{night}</Link>
          </>
        )}{' '}
        › FITS header
      </p>
      <h1>FITS header of {h.data?.fileName ?? id}</h1>
      <p>
        <code>{id}</code>
      </p>
      {h.error && <ErrorNote error={h.error} retry={h.reload} />}
      {h.loading && !h.data && <Loading what="the header" />}
      {h.data && (
        <>
          <div class="filters">
            <label>
              Keyword or text{' '}
              <input type="search" value={filter} placeholder="e.g. GRATID" onInput={(e) => setFilter(e.currentTarget.value)} />
            </label>
          </div>
          {h.data.hdus.map((hdu) => {
            const cards = hdu.cards.filter((c) => !f || `${c.key} ${show(c.value)} ${c.comment ?? ''}`.toLowerCase().includes(f));
            return (
              <details key={hdu.index} open={hdu.index === 0 || !!f}>
                <summary>
                  HDU {hdu.index}: {hdu.name} ({cards.length} of {hdu.cards.length} cards)
                </summary>
                <div class="scroll-x">
                  <table class="grid fits-header">
                    <caption class="visually-hidden">Header of HDU {hdu.index} ({hdu.name})</caption>
                    <thead>
                      <tr>
                        <th scope="col">Keyword</th>
                        <th scope="col">Value</th>
                        <th scope="col">Comment</th>
                      </tr>
                    </thead>
                    <tbody>
                      {cards.map((c, i) => (
                        <tr key={i}>
                          <th scope="row">
                            <code>{c.key}</code>
                          </th>
                          <td>
                            <code>{show(c.value)}</code>
                          </td>
                          <td>{c.comment ?? ''}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </details>
            );
          })}
        </>
      )}
    </section>
  );
}
