// The plan as text for `drsoda plan`: summary, targets, each step with its aaorun command line, then the
// warnings, ignored and reclassified frames; pure.
import type { Plan } from '../domain/plan.js';

/** Quotes an argv element for a POSIX shell when it needs it (multi-file arguments, parentheses). */
export function shellQuote(a: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

export function planToText(plan: Plan): string {
  const o = plan.options;
  const lines = [
    `plan: ${plan.estimate.steps} steps, estimated ${plan.estimate.totalCostS} s on one core, ${plan.estimate.criticalPathS} s with unlimited parallelism (${plan.reducerVersion})`,
    `pipeline: ${plan.pipeline.description}`,
    `options: arms=${o.arms} idxPreset=${o.idxPreset} extraction=${o.extraction} throughput=${o.throughput} skySubtraction=${o.skySubtraction} combine=${o.combine} splice=${o.splice}`,
    'targets:',
  ];
  for (const t of plan.targets) {
    lines.push(`  ${t.request} (${t.kind})`);
    for (const p of t.products) lines.push(`    ${p.kind.padEnd(8)} ${p.arm.padEnd(4)} ${p.fileName}  [step ${p.stepId.slice(0, 12)}]`);
  }
  lines.push('steps:');
  const number = new Map(plan.steps.map((s, i) => [s.id, i + 1]));
  const width = String(plan.steps.length).length;
  plan.steps.forEach((s, i) => {
    const after = s.dependsOn.map((d) => number.get(d)).join(',');
    lines.push(`  ${String(i + 1).padStart(width)} ${s.id.slice(0, 12)} ${s.label} (${s.estimatedCostS} s${after ? `; after ${after}` : ''})`);
    lines.push(`  ${' '.repeat(width)} aaorun ${s.argv.map(shellQuote).join(' ')}`);
  });
  const section = (title: string, rows: string[]) => rows.length && lines.push(`${title}:`, ...rows.map((r) => `  ${r}`));
  section('warnings', plan.warnings.map((w) => `${w.code}: ${w.message}`));
  section('ignored frames', plan.ignored.map((f) => `${f.fileName} (${f.ndfClass}): ${f.reason}`));
  section('reclassified frames', plan.reclassified.map((f) => `${f.fileName} ${f.from} -> ${f.to}: ${f.reason}`));
  return lines.join('\n') + '\n';
}
