// One observing night: its fields (2dF configurations) to reduce whole, and every frame of the night.
import { listFrames, summariseFields, type FieldSummary } from '../api/frames';
import { FrameTable } from '../components/frame-table';
import { badAddress, NotFound } from '../components/not-found';
import { ErrorNote, Loading } from '../components/status';
import { TargetCount } from '../components/target-count';
import { decDms, raHms } from '../coords';
import { seconds } from '../format';
import { Link, paths } from '../router';
import { selection, useSelection, type Selected } from '../selection';
import { useAsync } from '../use-async';

export const fieldLabel = (f: FieldSummary) => `field ${f.field} (${f.night})`;

export function NightPage({ night, onReduce }: { night: string; onReduce: (only?: Selected) => void }) {
  useSelection();
  const frames = useAsync((signal) => listFrames({ night }, signal), [night]);
  const fields = frames.data ? summariseFields(frames.data) : [];
  if ((frames.data && !frames.data.length) || badAddress(frames.error)) return <NotFound what="night" name={night} />;
  return (
    <section>
      <p class="crumbs">
        <Link href={paths.nights()}>Nights</Link> › {night}
      </p>
      <h1>Night {night}</h1>
      {frames.error && <ErrorNote error={frames.error} retry={frames.reload} />}
      {frames.loading && !frames.data && <Loading what={`the frames of ${night}`} />}
      {frames.data && (
        <>
          <h2>Fields</h2>
          <p class="muted">A field is one 2dF configuration; reducing it reduces all its object frames and combines them.</p>
          <table class="grid">
            <caption class="visually-hidden">Fields observed on {night}</caption>
            <thead>
              <tr>
                <th scope="col">
                  <span class="visually-hidden">Select</span>
                </th>
                <th scope="col">Field</th>
                <th scope="col">Object</th>
                <th scope="col">RA, Dec</th>
                <th scope="col">Plate</th>
                <th scope="col" class="num">Object exposures</th>
                <th scope="col" class="num">Total exposure</th>
                <th scope="col">Arms</th>
                <th scope="col" class="num">Targets</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {fields.map((f) => {
                const firstObject = f.frames.find((x) => x.ndfClass === 'MFOBJECT') ?? f.frames[0];
                return (
                  <tr key={f.field} class={selection.has(f.fieldId) ? 'selected' : ''}>
                    <td>
                      <input
                        type="checkbox"
                        checked={selection.has(f.fieldId)}
                        aria-label={`Select ${fieldLabel(f)}`}
                        onChange={(e) => selection.toggle({ id: f.fieldId, label: fieldLabel(f), kind: 'field' }, e.currentTarget.checked)}
                      />
                    </td>
                    <th scope="row">
                      <Link href={paths.field(night, f.field)}>{f.field}</Link>
                    </th>
                    <td>{f.object}</td>
                    <td>{f.raDeg !== null && f.decDeg !== null ? `${raHms(f.raDeg)} ${decDms(f.decDeg)}` : ''}</td>
                    <td>{f.plates.join(', ')}</td>
                    <td class="num">{f.objectExposures}</td>
                    <td class="num">{seconds(f.totalExposureS)}</td>
                    <td>{f.arms.join(', ')}</td>
                    <td class="num">
                      <TargetCount frameId={firstObject.id} />
                    </td>
                    <td>
                      <button
                        type="button"
                        onClick={() => {
                          onReduce({ id: f.fieldId, label: fieldLabel(f), kind: 'field' });
                        }}
                      >
                        Reduce field…
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <h2>All frames</h2>
          <FrameTable frames={frames.data} caption={`Frames of ${night}`} />
        </>
      )}
    </section>
  );
}
