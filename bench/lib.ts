// Benchmark plumbing: repeated measurements summarised as median/min/max, a results table in Markdown,
// raw JSON under bench/results/. Every figure names its target so a miss is visible in the table.

export interface Summary {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function summarize(xs: number[]): Summary {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { median: mid, min: s[0], max: s[s.length - 1], n: s.length };
}

export interface Row {
  group: string;
  metric: string;
  unit: string;
  value: Summary;
  /** e.g. "< 60" or ">= 1000"; evaluated against the median (of the ratio when targetOn is 'ratio'). */
  target?: string;
  targetOn?: 'value' | 'ratio';
  note?: string;
  /** The same request answered by a bare node:http server with a body of the same size, same client, same run. */
  baseline?: Summary;
  /** drsoda / bare server, per repeat (the repeats alternate between the two). */
  ratio?: Summary;
}

export function meets(r: Row): boolean | undefined {
  if (!r.target) return undefined;
  const m = /^(<=|>=|<|>)\s*([\d.e+-]+)$/.exec(r.target.trim());
  if (!m) return undefined;
  const v = r.targetOn === 'ratio' ? r.ratio?.median : r.value.median;
  if (v === undefined) return undefined;
  const t = Number(m[2]);
  return m[1] === '<' ? v < t : m[1] === '<=' ? v <= t : m[1] === '>' ? v > t : v >= t;
}

const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2));

export function markdownTable(rows: Row[]): string {
  const lines = ['| group | metric | median | min | max | n | bare server (median) | ratio (min-max) | target | met |', '|---|---|---|---|---|---|---|---|---|---|'];
  for (const r of rows) {
    const ok = meets(r);
    const bare = r.baseline ? `${fmt(r.baseline.median)} ${r.unit}` : '';
    const ratio = r.ratio ? `${r.ratio.median.toFixed(2)} (${r.ratio.min.toFixed(2)}-${r.ratio.max.toFixed(2)})` : '';
    const target = r.target ? `${r.targetOn === 'ratio' ? 'ratio ' : ''}${r.target}` : '';
    lines.push(
      `| ${r.group} | ${r.metric}${r.note ? ` (${r.note})` : ''} | ${fmt(r.value.median)} ${r.unit} | ${fmt(r.value.min)} | ${fmt(r.value.max)} | ${r.value.n} | ${bare} | ${ratio} | ${target} | ${ok === undefined ? '' : ok ? 'yes' : '**no**'} |`,
    );
  }
  return lines.join('\n');
}

export interface BenchContext {
  quick: boolean;
  log: (msg: string) => void;
}

export type Bench = (ctx: BenchContext) => Promise<Row[]>;

export const ms = (t0: number) => performance.now() - t0;
