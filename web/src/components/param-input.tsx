// One SODA input parameter of a service descriptor as a form control, labelled in 2dFdr's words with the protocol
// name as a hint: enumerations as selects (booleans as checkboxes), BAND as two boxes in nm, TIME as two UTC
// date-times (MJD shown beside them), CIRCLE as ra/dec/radius, anything else as text. Each box keeps what was typed
// in it (reduce-form.ts turns the boxes into the SODA value), so no value ever moves from one box to another.
import type { DescriptorParam } from '../api/datalink';
import { optionLabel, wordsFor } from '../param-labels';
import { boxCount, kindOf, shownDomain, utcText, utcToMjd } from '../reduce-form';

export interface ParamInputProps {
  param: DescriptorParam;
  entry: string[];
  onChange: (entry: string[]) => void;
  /** Why the control cannot be used now (shown, and the control disabled). */
  blockedBy?: string;
  /** What is wrong with the value (from the one validation, reduce-form.ts buildRequest). */
  problem?: string;
}

const helpId = (p: DescriptorParam) => `help-${p.name.toLowerCase()}`;
const problemId = (p: DescriptorParam) => `problem-${p.name.toLowerCase()}`;
export const inputId = (p: DescriptorParam, part = '') => `param-${p.name.toLowerCase()}${part}`;

const Name = ({ p }: { p: DescriptorParam }) => <code class="pname">{p.name}</code>;

function Help({ p, blockedBy, problem }: { p: DescriptorParam; blockedBy?: string; problem?: string }) {
  const k = kindOf(p);
  const [min, max] = shownDomain(p);
  const unit = k === 'band' ? ' nm' : k === 'interval' && p.unit ? ` ${p.unit}` : '';
  const show = (v: string) => (k === 'time' ? utcText(v) : `${v}${unit}`);
  const domain = (min !== null || max !== null) && k !== 'circle' && k !== 'text' && k !== 'choice' && k !== 'bool'
    ? ` This data covers ${min === null ? '…' : show(min)} to ${max === null ? '…' : show(max)}.`
    : '';
  const shownDefault = k === 'bool' ? (p.defaultValue === 'true' ? 'on' : 'off') : optionLabel(p.name, p.defaultValue ?? '');
  const def = p.defaultValue !== null && (k === 'choice' || k === 'bool') ? ` Default: ${shownDefault}.` : '';
  return (
    <>
      <p class="help" id={helpId(p)}>
        {blockedBy ? <strong>{blockedBy} </strong> : null}
        {wordsFor(p.name).help ?? p.description}
        {domain}
        {def}
      </p>
      {problem && (
        <p class="error small" id={problemId(p)}>
          {problem}
        </p>
      )}
    </>
  );
}

const describedBy = (p: DescriptorParam, problem?: string) => (problem ? `${helpId(p)} ${problemId(p)}` : helpId(p));

function Boxes({ param: p, entry, onChange, problem, labels }: ParamInputProps & { labels: string[] }) {
  const k = kindOf(p);
  const [min, max] = shownDomain(p);
  const xs = Array.from({ length: boxCount(k) }, (_, i) => entry[i] ?? '');
  const set = (i: number, v: string) => onChange(xs.map((x, j) => (j === i ? v : x)));
  return (
    <div class="parts">
      {labels.map((l, i) => (
        <label key={l}>
          {l}
          <input
            id={inputId(p, `-${i}`)}
            type={k === 'time' ? 'datetime-local' : 'number'}
            step={k === 'time' ? 1 : 'any'}
            value={xs[i]}
            min={k === 'time' ? (min ?? undefined) : undefined}
            max={k === 'time' ? (max ?? undefined) : undefined}
            placeholder={k === 'band' || k === 'interval' ? ([min, max][i] ?? undefined) : undefined}
            aria-invalid={problem ? true : undefined}
            aria-describedby={describedBy(p, problem)}
            onInput={(e) => set(i, e.currentTarget.value)}
          />
          {k === 'time' && <span class="hint">{Number.isFinite(utcToMjd(xs[i])) ? `MJD ${utcToMjd(xs[i])}` : '\u00a0'}</span>}
        </label>
      ))}
    </div>
  );
}

export function ParamInput(props: ParamInputProps) {
  const { param: p, entry, onChange, blockedBy, problem } = props;
  const k = kindOf(p);
  const words = wordsFor(p.name);
  const value = entry[0] ?? '';
  if (k === 'bool') {
    const checked = !blockedBy && (value || p.defaultValue) === 'true';
    return (
      <div class={`param${blockedBy ? ' blocked' : ''}`}>
        <label class="check" for={inputId(p)}>
          <input id={inputId(p)} type="checkbox" checked={checked} disabled={!!blockedBy} aria-describedby={describedBy(p, problem)} onChange={(e) => onChange([String(e.currentTarget.checked)])} />{' '}
          {words.label} <Name p={p} />
        </label>
        <Help p={p} blockedBy={blockedBy} problem={problem} />
      </div>
    );
  }
  if (k === 'choice') {
    return (
      <div class="param">
        <label for={inputId(p)}>
          {words.label} <Name p={p} />
        </label>
        <select id={inputId(p)} value={value || p.defaultValue || ''} aria-describedby={describedBy(p, problem)} onChange={(e) => onChange([e.currentTarget.value])}>
          {p.defaultValue === null && <option value="">(not set)</option>}
          {p.options.map((o) => (
            <option key={o} value={o}>
              {optionLabel(p.name, o)}
              {o === p.defaultValue ? ' (default)' : ''}
            </option>
          ))}
        </select>
        <Help p={p} problem={problem} />
      </div>
    );
  }
  if (k === 'band' || k === 'time' || k === 'interval' || k === 'circle') {
    const unit = k === 'band' ? 'nm' : k === 'time' ? '' : k === 'circle' ? 'ICRS, degrees' : (p.unit ?? '');
    const labels = k === 'circle' ? ['RA', 'Dec', 'radius'] : ['from', 'to'];
    return (
      <fieldset class="param">
        <legend>
          {words.label} {unit && <span class="muted">({unit})</span>} <Name p={p} />
        </legend>
        <Boxes {...props} labels={labels} />
        <Help p={p} problem={problem} />
      </fieldset>
    );
  }
  return (
    <div class="param">
      <label for={inputId(p)}>
        {words.label} <Name p={p} />
      </label>
      <input id={inputId(p)} type="text" value={value} placeholder={p.max ?? ''} aria-describedby={describedBy(p, problem)} onInput={(e) => onChange([e.currentTarget.value])} />
      <Help p={p} problem={problem} />
    </div>
  );
}

/** "lo hi" parts of a DALI value (the sky map reads CIRCLE values with it). */
export { daliParts as parts } from '../reduce-form';
