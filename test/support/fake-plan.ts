// Synthetic plans for orchestration tests: real Plan/Step shapes whose argv the fake aaorun understands.
import { createHash } from 'node:crypto';
import type { PipelineIdentity, Plan, Step, StepInput } from '../../src/domain/plan.js';
import { configuredPipeline } from '../../src/executor/pipeline-identity.js';

/** The pipeline of test engines (the fake aaorun) and of plans made without a runner. */
export const testPipeline: PipelineIdentity = { id: 'test fake-aaorun', description: 'test/fixtures/fake-aaorun.sh (tests)' };

/**
 * A `drsoda worker` process claims only steps planned for its own pipeline: spawned local or native-Slurm workers
 * running the fake aaorun get PIPELINE_VERSION=fakeAaorunVersion, and the plans they should run name workerPipeline.
 */
export const fakeAaorunVersion = 'fake-aaorun';
export const workerPipeline: PipelineIdentity = configuredPipeline(fakeAaorunVersion, 'test/fixtures/fake-aaorun.sh');

export interface FakeStepSpec {
  name: string;
  /** Names of earlier fake steps whose output this one reads. */
  after?: string[];
  /** Raw archive files (relative to the archive root) it reads. */
  raw?: string[];
  sleepS?: number;
  fail?: string;
}

export function fakeStepId(name: string, salt: string): string {
  return createHash('sha256').update(`${salt}/${name}`).digest('hex').slice(0, 32);
}

/** Builds a plan; every step writes `<name>.fits`; the last step is the target. */
export function fakePlan(specs: FakeStepSpec[], salt = 'fake', pipeline: PipelineIdentity = testPipeline): Plan {
  const byName = new Map<string, Step>();
  const steps: Step[] = [];
  for (const s of specs) {
    const id = fakeStepId(s.name, salt);
    const inputs: StepInput[] = [
      ...(s.raw ?? []).map((r): StepInput => ({ kind: 'raw', frameId: `ivo://test/${r}`, relPath: r, fileName: r.split('/').pop()!, sha256: 'x' })),
      ...(s.after ?? []).map((a): StepInput => ({ kind: 'product', stepId: byName.get(a)!.id, fileName: `${a}.fits` })),
    ];
    const argv = ['reduce_object', ...inputs.map((i) => i.fileName), '-idxfile', 'fake.idx', '-OUTPUT_FILE', `${s.name}.fits`];
    if (s.sleepS) argv.push('-SLEEP', String(s.sleepS));
    if (s.fail) argv.push('-FAIL', s.fail);
    const step: Step = {
      id,
      operation: 'reduce_object',
      label: `fake ${s.name}`,
      night: '2026-11-26',
      arm: 'blue',
      inputs,
      idx: { fileName: 'fake.idx', preset: 'fake', grating: '580V', content: '# fake\n' },
      outputs: [`${s.name}.fits`],
      products: [`${s.name}.fits`],
      argv,
      dependsOn: (s.after ?? []).map((a) => byName.get(a)!.id).sort(),
      estimatedCostS: s.sleepS ?? 0.1,
    };
    byName.set(s.name, step);
    steps.push(step);
  }
  const last = steps[steps.length - 1];
  return {
    formatVersion: 1,
    reducerVersion: 'fake',
    pipeline,
    options: { arms: 'blue', idxPreset: 'fake', extraction: 'GAUSS', throughput: 'NONE', skySubtraction: false, combine: false, splice: false },
    steps,
    targets: [{ request: 'fake', kind: 'object', frameIds: [], products: [{ stepId: last.id, fileName: last.outputs[0], arm: 'blue', kind: 'reduced' }] }],
    calibrations: [],
    warnings: [],
    ignored: [],
    reclassified: [],
    estimate: { steps: steps.length, totalCostS: 0, criticalPathS: 0 },
  };
}
