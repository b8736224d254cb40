// One field of one night: its frames, its targets, and the field DID to reduce it whole.
import { countFibres, frameWithFibres, listFrames, summariseFields } from '../api/frames';
import { FibreTable } from '../components/fibre-table';
import { FrameTable } from '../components/frame-table';
import { badAddress, NotFound } from '../components/not-found';
import { ErrorNote, Loading } from '../components/status';
import { decDms, raHms } from '../coords';
import { seconds } from '../format';
import { Link, paths } from '../router';
import { selection, useSelection, type Selected } from '../selection';
import { useAsync } from '../use-async';
import { fieldLabel } from './night-page';

export function FieldPage({ night, field, onReduce }: { night: string; field: string; onReduce: (only?: Selected) => void }) {
  useSelection();
  const frames = useAsync((signal) => listFrames({ night, field }, signal), [night, field]);
  const summary = frames.data ? summariseFields(frames.data)[0] : undefined;
  const first = summary?.frames.find((f) => f.ndfClass === 'MFOBJECT') ?? summary?.frames[0];
  const fibres = useAsync(async (signal) => (first ? frameWithFibres(first.id, signal) : null), [first?.id]);
  const counts = fibres.data ? countFibres(fibres.data.fibres) : null;
  if ((frames.data && !summary) || badAddress(frames.error)) return <NotFound what="field" name={field} night={night} />;
  return (
    <section>
      <p class="crumbs">
        <Link href={paths.nights()}>Nights</Link> › <Link href={paths.night(night)}>{night}</Link> › {field}
      </p>
      <h1>Field {field}</h1>
      {frames.error && <ErrorNote error={frames.error} retry={frames.reload} />}
      {frames.loading && !frames.data && <Loading what="the field" />}
      {summary && (
        <>
          <dl class="facts">
            <dt>Object</dt>
            <dd>{summary.object}</dd>
            <dt>Object exposures</dt>
            <dd>
              {summary.objectExposures} ({seconds(summary.totalExposureS)})
            </dd>
            <dt>Centre (RA, Dec)</dt>
            <dd>{first?.meanRaDeg != null && first.meanDecDeg != null ? `${raHms(first.meanRaDeg)} ${decDms(first.meanDecDeg)} (${first.meanRaDeg.toFixed(4)}°, ${first.meanDecDeg.toFixed(4)}°)` : 'not recorded'}</dd>
            <dt>Targets</dt>
            <dd>{counts ? `${counts.targets} targets, ${counts.sky} sky fibres, ${counts.guide} guide fibres` : '…'}</dd>
            <dt>Field ID</dt>
            <dd>
              <code>{summary.fieldId}</code>
            </dd>
          </dl>
          <p class="actions">
            <label class="check">
              <input
                type="checkbox"
                checked={selection.has(summary.fieldId)}
                onChange={(e) => selection.toggle({ id: summary.fieldId, label: fieldLabel(summary), kind: 'field' }, e.currentTarget.checked)}
              />{' '}
              Select the whole field
            </label>
            <button
              type="button"
              class="primary"
              onClick={() => {
                onReduce({ id: summary.fieldId, label: fieldLabel(summary), kind: 'field' });
              }}
            >
              Reduce this field…
            </button>
          </p>
          <h2>Fibres</h2>
          {fibres.data && (
            <FibreTable
              key={summary.fieldId}
              fibres={fibres.data.fibres}
              fieldId={summary.fieldId}
              field={field}
              initial={(new URLSearchParams(location.search).get('fibres') ?? '').split(',').map(Number).filter((n) => n > 0)}
            />
          )}
          <h2>Frames</h2>
          <FrameTable frames={summary.frames} caption={`Frames of field ${field}`} />
        </>
      )}
    </section>
  );
}
