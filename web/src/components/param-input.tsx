// One SODA input parameter of a service descriptor as a form control: enumerations as selects (booleans as
// checkboxes), intervals as two numbers (metres shown in nm), circles as ra/dec/radius, anything else as text.
// The value is kept as the DALI string the service takes; '' means "not given" (the service default applies).
import type { DescriptorParam } from '../api/datalink';

export interface ParamInputProps {
  param: DescriptorParam;
  value: string;
  onChange: (value: string) => void;
}

const helpId = (p: DescriptorParam) => `help-${p.name.toLowerCase()}`;
export const inputId = (p: DescriptorParam, part = '') => `param-${p.name.toLowerCase()}${part}`;

// BAND is declared in metres (SODA 1.0 section 3.3.3); people think of AAOmega in nanometres.
const nm = (p: DescriptorParam) => p.unit === 'm';
const toShown = (p: DescriptorParam, v: string) => (v === '' || !nm(p) ? v : String(Number((Number(v) * 1e9).toPrecision(6))));
const fromShown = (p: DescriptorParam, v: string) => (v === '' || !nm(p) ? v : String(Number(v) * 1e-9));

function Help({ p }: { p: DescriptorParam }) {
  const domain = p.min || p.max
    ? nm(p)
      ? ` Range: ${toShown(p, p.min ?? '') || '…'} to ${toShown(p, p.max ?? '') || '…'} nm (sent in metres).`
      : ` Range: ${p.min ?? '…'} to ${p.max ?? '…'}${p.unit ? ` ${p.unit}` : ''}.`
    : '';
  const def = p.defaultValue !== null ? ` Default: ${p.defaultValue}.` : '';
  return (
    <p class="help" id={helpId(p)}>
      {p.description}
      {p.xtype === 'circle' ? '' : domain}
      {def}
    </p>
  );
}

/** "lo hi" parts of an interval or circle value (missing parts are ''). */
export const parts = (v: string, n: number) => {
  const xs = v.trim() ? v.trim().split(/\s+/) : [];
  return Array.from({ length: n }, (_, i) => xs[i] ?? '');
};


function NumberParts({ param: p, value, onChange, labels, n }: ParamInputProps & { labels: string[]; n: number }) {
  const xs = parts(value, n);
  const bounds = [p.min, p.max].map((b) => (b ? toShown(p, b) : undefined));
  const set = (i: number, v: string) => {
    const next = xs.slice();
    next[i] = fromShown(p, v);
    onChange(next.every((x) => x === '') ? '' : next.join(' '));
  };
  return (
    <div class="parts">
      {labels.map((l, i) => (
        <label key={l}>
          {l}
          <input
            id={inputId(p, `-${i}`)}
            type="number"
            step="any"
            value={toShown(p, xs[i])}
            min={n === 2 ? bounds[0] : undefined}
            max={n === 2 ? bounds[1] : undefined}
            placeholder={n === 2 ? bounds[i] : undefined}
            aria-describedby={helpId(p)}
            onInput={(e) => set(i, e.currentTarget.value)}
          />
        </label>
      ))}
    </div>
  );
}

export function ParamInput({ param: p, value, onChange }: ParamInputProps) {
  if (p.datatype === 'boolean' && p.options.length) {
    const checked = (value || p.defaultValue) === 'true';
    return (
      <div class="param">
        <label class="check" for={inputId(p)}>
          <input id={inputId(p)} type="checkbox" checked={checked} aria-describedby={helpId(p)} onChange={(e) => onChange(String(e.currentTarget.checked))} />{' '}
          <code>{p.name}</code>
        </label>
        <Help p={p} />
      </div>
    );
  }
  if (p.options.length) {
    return (
      <div class="param">
        <label for={inputId(p)}>
          <code>{p.name}</code>
        </label>
        <select id={inputId(p)} value={value || p.defaultValue || ''} aria-describedby={helpId(p)} onChange={(e) => onChange(e.currentTarget.value)}>
          {p.defaultValue === null && <option value="">(not set)</option>}
          {p.options.map((o) => (
            <option key={o} value={o}>
              {o}
              {o === p.defaultValue ? ' (default)' : ''}
            </option>
          ))}
        </select>
        <Help p={p} />
      </div>
    );
  }
  if (p.xtype === 'interval') {
    const unit = nm(p) ? 'nm' : (p.unit ?? '');
    return (
      <fieldset class="param">
        <legend>
          <code>{p.name}</code> {unit && <span class="muted">({unit})</span>}
        </legend>
        <NumberParts param={p} value={value} onChange={onChange} labels={['from', 'to']} n={2} />
        <Help p={p} />
      </fieldset>
    );
  }
  if (p.xtype === 'circle') {
    return (
      <fieldset class="param">
        <legend>
          <code>{p.name}</code> <span class="muted">(ICRS, degrees)</span>
        </legend>
        <NumberParts param={p} value={value} onChange={onChange} labels={['RA', 'Dec', 'radius']} n={3} />
        <Help p={p} />
      </fieldset>
    );
  }
  return (
    <div class="param">
      <label for={inputId(p)}>
        <code>{p.name}</code>
      </label>
      <input id={inputId(p)} type="text" value={value} placeholder={p.max ?? ''} aria-describedby={helpId(p)} onInput={(e) => onChange(e.currentTarget.value)} />
      <Help p={p} />
    </div>
  );
}
