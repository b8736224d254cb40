// "Start from the target": search every night's fibre tables by object name or by position (GET /api/fibres), and
// list the fibres, fields and nights that observed it, each linking to its field with the fibre ticked.
import { useEffect, useState } from 'preact/hooks';
import { searchFibres, fibreTypes, type FibreHitJson, type TargetQuery } from '../api/search';
import { TargetSearchForm, targetQuery } from '../components/target-search';
import { ErrorNote, Loading } from '../components/status';
import { decDms, degrees, raHms } from '../coords';
import { seconds } from '../format';
import { titled } from '../page-title';
import { Link, paths } from '../router';
import { useAsync } from '../use-async';

/** location.search, kept current when the query changes without the path changing. */
function useQueryString(): string {
  const [q, setQ] = useState(location.search);
  useEffect(() => {
    const on = () => setQ(location.search);
    addEventListener('popstate', on);
    return () => removeEventListener('popstate', on);
  }, []);
  return q;
}

function exposures(h: FibreHitJson): string {
  const runs = new Map(h.frames.map((f) => [f.run, f.exposedS]));
  const arms = [...new Set(h.frames.map((f) => f.arm))].join(' + ');
  return `${runs.size} × ${seconds([...runs.values()][0] ?? 0)} (${arms})`;
}

export function SearchPage() {
  const qs = new URLSearchParams(useQueryString());
  const target = qs.get('target') ?? '';
  const radius = qs.get('radius') ?? '';
  const query: TargetQuery | null = target.trim() ? targetQuery(target, radius) : null;
  const key = JSON.stringify(query);
  const found = useAsync(async (signal) => (query ? searchFibres(query, signal) : null), [key]);
  const hits = found.data?.hits ?? [];
  const cone = !!query?.ra;
  useEffect(() => {
    document.title = target ? titled(`Search: ${target}`) : titled('Search');
  }, [target]);
  return (
    <section>
      <p class="crumbs">
        <Link href={paths.nights()}>Nights</Link> › Search
      </p>
      <h1>Find a target</h1>
      <p class="muted">
        Every fibre of every object frame, all nights: search by object name (case-insensitive, any part of it), or by
        position (RA Dec in degrees or hh:mm:ss ±dd:mm:ss) within a radius.
      </p>
      <TargetSearchForm target={target} radius={radius} withRadius />
      {found.error && <ErrorNote error={found.error} retry={found.reload} />}
      {query && found.loading && <Loading what="the matching fibres" />}
      {query && found.data && !found.loading && (
        <p role="status">
          {hits.length === 0
            ? `No fibre matches ${target}.`
            : `${hits.length}${found.data.truncated ? '+' : ''} fibre${hits.length === 1 ? '' : 's'} in ${new Set(hits.map((h) => `${h.night}/${h.field}`)).size} field${hits.length === 1 ? '' : 's'} on ${new Set(hits.map((h) => h.night)).size} night(s)`}
          {found.data.truncated ? ': showing the first ones, narrow the search to see all.' : ''}
        </p>
      )}
      {hits.length > 0 && (
        <div class="scroll-x">
          <table class="grid">
            <caption class="visually-hidden">Fibres matching {target}</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col" class="num">Mag</th>
                <th scope="col">RA</th>
                <th scope="col">Dec</th>
                {cone && <th scope="col" class="num">Distance</th>}
                <th scope="col">Night</th>
                <th scope="col">Field</th>
                <th scope="col" class="num">Fibre</th>
                <th scope="col">Exposures</th>
              </tr>
            </thead>
            <tbody>
              {hits.map((h) => (
                <tr key={`${h.night}/${h.field}/${h.fibre}`}>
                  <th scope="row">{h.name}</th>
                  <td>{fibreTypes[h.type] ?? h.type}</td>
                  <td class="num">{h.magnitude === null ? '' : h.magnitude.toFixed(2)}</td>
                  <td title={`${degrees(h.raDeg)}°`}>{raHms(h.raDeg)}</td>
                  <td title={`${degrees(h.decDeg)}°`}>{decDms(h.decDeg)}</td>
                  {cone && <td class="num">{h.distanceArcsec === null ? '' : `${h.distanceArcsec.toFixed(1)}″`}</td>}
                  <td>
                    <Link href={paths.night(h.night)}>{h.night}</Link>
                  </td>
                  <td>
                    <Link href={paths.fieldFibres(h.night, h.field, [h.fibre])}>
                      {h.field}
                      <span class="visually-hidden"> (fibre {h.fibre} of {h.night})</span>
                    </Link>
                  </td>
                  <td class="num">{h.fibre}</td>
                  <td>{exposures(h)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
