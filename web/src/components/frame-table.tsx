// A table of raw frames with filters (class, arm, text) and a checkbox per frame to add it to the selection.
import { useMemo, useState } from 'preact/hooks';
import type { FrameJson } from '../api/frames';
import { bytes, seconds } from '../format';
import { Link, paths } from '../router';
import { selection, useSelection } from '../selection';

export const frameLabel = (f: FrameJson) => `${f.fileName} (${f.arm}, ${f.ndfClass})`;

export function FrameTable({ frames, caption }: { frames: FrameJson[]; caption: string }) {
  useSelection();
  const [cls, setCls] = useState('');
  const [arm, setArm] = useState('');
  const [text, setText] = useState('');
  const classes = useMemo(() => [...new Set(frames.map((f) => f.ndfClass))].sort(), [frames]);
  const shown = frames.filter(
    (f) =>
      (!cls || f.ndfClass === cls) &&
      (!arm || f.arm === arm) &&
      (!text || `${f.fileName} ${f.object} ${f.field}`.toLowerCase().includes(text.trim().toLowerCase())),
  );
  const idBase = caption.replace(/\W+/g, '-').toLowerCase();
  return (
    <div>
      <div class="filters" role="group" aria-label={`Filter ${caption.toLowerCase()}`}>
        <label>
          Class{' '}
          <select value={cls} onChange={(e) => setCls(e.currentTarget.value)}>
            <option value="">any</option>
            {classes.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label>
          Arm{' '}
          <select value={arm} onChange={(e) => setArm(e.currentTarget.value)}>
            <option value="">both</option>
            <option value="blue">blue</option>
            <option value="red">red</option>
          </select>
        </label>
        <label>
          Search{' '}
          <input type="search" value={text} placeholder="file, object or field" onInput={(e) => setText(e.currentTarget.value)} />
        </label>
        <span class="muted" role="status">
          {shown.length} of {frames.length} frames
        </span>
      </div>
      <div class="scroll-x">
      <table class="grid">
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">
              <span class="visually-hidden">Select</span>
            </th>
            <th scope="col">File</th>
            <th scope="col" class="num">Run</th>
            <th scope="col">Arm</th>
            <th scope="col">Class</th>
            <th scope="col">Object</th>
            <th scope="col">Field</th>
            <th scope="col" class="num">Exposure</th>
            <th scope="col">Grating</th>
            <th scope="col" class="num">λc (Å)</th>
            <th scope="col" class="num">Airmass</th>
            <th scope="col" class="num">Seeing</th>
            <th scope="col">UT start</th>
            <th scope="col" class="num">Size</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((f) => {
            const id = `${idBase}-${f.ccd}-${f.run}`;
            return (
              <tr key={f.id} class={selection.has(f.id) ? 'selected' : ''}>
                <td>
                  <input
                    type="checkbox"
                    id={id}
                    checked={selection.has(f.id)}
                    onChange={(e) => selection.toggle({ id: f.id, label: frameLabel(f), kind: 'frame' }, e.currentTarget.checked)}
                    aria-label={`Select ${frameLabel(f)}`}
                  />
                </td>
                <td>
                  <label for={id}>{f.fileName}</label>{' '}
                  <Link href={paths.frameHeader(f.id)} class="small">
                    header<span class="visually-hidden"> of {f.fileName}</span>
                  </Link>
                </td>
                <td class="num">{f.run}</td>
                <td>
                  <span class={`arm arm-${f.arm}`}>{f.arm}</span>
                </td>
                <td>{f.ndfClass}</td>
                <td>{f.object}</td>
                <td>{f.field}</td>
                <td class="num">{seconds(f.exposedS)}</td>
                <td>{f.gratId}</td>
                <td class="num">{f.lambdaCAngstrom}</td>
                <td class="num">{f.airmass === null ? '' : f.airmass.toFixed(2)}</td>
                <td class="num">{f.seeingArcsec === null ? '' : `${f.seeingArcsec.toFixed(1)}″`}</td>
                <td>{f.utStart}</td>
                <td class="num">
                  <a href={f.url} download={f.fileName} title={`Download the raw file ${f.fileName}`}>
                    {bytes(f.sizeBytes)}
                  </a>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      </div>
    </div>
  );
}
