// The archive's front page: every observing night with what was observed.
import { listFrames, summariseNights } from '../api/frames';
import { ErrorNote, Loading } from '../components/status';
import { Link, paths } from '../router';
import { useAsync } from '../use-async';

export function NightsPage() {
  const frames = useAsync((signal) => listFrames({}, signal), []);
  const nights = frames.data ? summariseNights(frames.data) : [];
  return (
    <section>
      <h1>Observing nights</h1>
      <p class="lead">
        Raw 2dF-AAOmega frames in the archive. Open a night to pick object frames or whole fields, then reduce them with 2dFdr.
      </p>
      {frames.error && <ErrorNote error={frames.error} retry={frames.reload} />}
      {frames.loading && !frames.data && <Loading what="the archive" />}
      {frames.data && !nights.length && <p>The archive is empty (the demo night is still being made if the service just started).</p>}
      {nights.length > 0 && (
        <table class="grid">
          <caption class="visually-hidden">Observing nights</caption>
          <thead>
            <tr>
              <th scope="col">Night</th>
              <th scope="col" class="num">Fields</th>
              <th scope="col" class="num">Object frames</th>
              <th scope="col" class="num">Exposures</th>
              <th scope="col" class="num">Frames</th>
              <th scope="col">Arms</th>
              <th scope="col">Gratings</th>
            </tr>
          </thead>
          <tbody>
            {nights.map((n) => (
              <tr key={n.night}>
                <th scope="row">
                  <Link href={paths.night(n.night)}>{n.night}</Link>
                </th>
                <td class="num">{n.fields}</td>
                <td class="num">{n.objectFrames}</td>
                <td class="num">{n.exposures}</td>
                <td class="num">{n.frames}</td>
                <td>{n.arms.join(', ')}</td>
                <td>{n.gratings.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
