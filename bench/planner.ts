// Benchmark: plan a simulated night of 2,000 frames (1,000 exposures on both CCDs, 44 fields) and report the time
// to plan it and to render the plan as JSON and as jobInfo XML. Run: npx tsx bench/planner.ts
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { createPlan } from '../src/planner/plan.js';
import { planToJson } from '../src/planner/render-json.js';
import { planXml } from '../src/vo/plan-xml.js';
import { summarize, type Bench } from './lib.js';
import { buildNight, loadPresets, type FieldSpec } from '../test/unit/planner-fixture.js';

/** Planning cost does not depend on which reducer the ids name. */
const benchPipeline = { id: 'bench', description: 'bench (no runner)' };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function time<T>(runs: number, f: () => T): { ms: number; value: T } {
  let value = f(); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    value = f();
    ms.push(performance.now() - t0);
  }
  return { ms: median(ms), value };
}

/** Rows for bench/run.ts: planning time (target < 200 ms) and rendering times, each over repeated runs. */
export const planner: Bench = async ({ quick }) => {
  const runs = quick ? 3 : 15;
  const { frames, request, presets, fields } = benchNight();
  createPlan({ frames, request, presets, pipeline: benchPipeline });
  const planMs: number[] = [];
  let plan = createPlan({ frames, request, presets, pipeline: benchPipeline });
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    plan = createPlan({ frames, request, presets, pipeline: benchPipeline });
    planMs.push(performance.now() - t0);
  }
  const jsonMs: number[] = [];
  const xmlMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    let t0 = performance.now();
    planToJson(plan);
    jsonMs.push(performance.now() - t0);
    t0 = performance.now();
    planXml(plan);
    xmlMs.push(performance.now() - t0);
  }
  const note = `${frames.length} frames, ${fields} fields, ${plan.steps.length} steps`;
  return [
    { group: 'planner', metric: 'plan a night', unit: 'ms', value: summarize(planMs), target: '< 200', note },
    { group: 'planner', metric: 'render the plan as JSON', unit: 'ms', value: summarize(jsonMs), note },
    { group: 'planner', metric: 'render the plan as jobInfo XML', unit: 'ms', value: summarize(xmlMs), note },
  ];
};

function benchNight() {
  const night = '2014-09-26';
  const fields: FieldSpec[] = Array.from({ length: 44 }, (_, i) => ({
    cfgFile: `BENCH_${String(i).padStart(2, '0')}_p${i % 2}.sds`,
    plate: (i % 2) as 0 | 1,
    raDeg: 10 + 3 * i,
    decDeg: -30,
    sequence: ['flat', 'arc', ...Array<'object'>(20).fill('object')],
  }));
  const frames = buildNight({ night, calibrations: [...Array<'bias'>(20).fill('bias'), ...Array<'dark'>(10).fill('dark'), 'lflat', 'lflat'], fields });
  return { frames, request: { fields: fields.map((f) => ({ night, cfgFile: f.cfgFile })) }, presets: loadPresets(), fields: fields.length };
}

export function runPlannerBench(runs = 10): string {
  const { frames, request, presets, fields: fieldCount } = benchNight();
  const plan = time(runs, () => createPlan({ frames, request, presets, pipeline: benchPipeline }));
  const json = time(runs, () => planToJson(plan.value));
  const xml = time(runs, () => planXml(plan.value));
  return (
    `planner: ${frames.length} frames, ${fieldCount} fields -> ${plan.value.steps.length} steps; ` +
    `plan ${plan.ms.toFixed(1)} ms, JSON ${json.ms.toFixed(1)} ms (${(json.value.length / 1e6).toFixed(1)} MB), ` +
    `XML ${xml.ms.toFixed(1)} ms (${(xml.value.length / 1e6).toFixed(1)} MB) (medians of ${runs} runs)`
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(runPlannerBench());
