// Real `aaorun` steps for the orchestration benchmark: the reference reducer image (PIPELINE_IMAGE, built by
// deploy/reducer/build-image.sh when absent) reducing a small simulated night, planned by the real planner, in a
// warm sandbox and in a container per step. Each repeat renames the step ids (same argv, inputs and order), so
// the product cache never answers for it. Quick mode runs the bias steps only; a full run the whole blue-arm
// reduction of one object frame.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { ingestArchive } from '../src/archive/ingest.js';
import type { Plan, Step } from '../src/domain/plan.js';
import type { ContainerClient } from '../src/executor/container-client.js';
import { createDockerRunner } from '../src/executor/docker-runner.js';
import { createSandboxRunner } from '../src/executor/sandbox/sandbox-runner.js';
import type { StepRunner } from '../src/executor/types.js';
import { createLogger } from '../src/logger.js';
import { createPlan } from '../src/planner/plan.js';
import { readPipelinePresets } from '../src/cli/plan.js';
import { makeWorkerId, type Engine } from '../src/scheduler/engine.js';
import { simulateNight } from '../src/simulate/index.js';
import { listFrames } from '../src/store/frame-store.js';
import { testPipeline } from '../test/support/fake-plan.js';
import { summarize, type BenchContext, type Row } from './lib.js';
import type { BenchDb, BenchServer } from './support.js';

export const REDUCER_IMAGE = 'drsoda/aaorun:latest';

/** The plan with every step id replaced by a salted one (dependencies, product inputs and targets follow). */
export function renamedPlan(plan: Plan, salt: string): Plan {
  const ids = new Map(plan.steps.map((s) => [s.id, createHash('sha256').update(`${salt}/${s.id}`).digest('hex').slice(0, s.id.length)]));
  const re = (id: string) => ids.get(id) ?? id;
  const steps: Step[] = plan.steps.map((s) => ({
    ...s,
    id: re(s.id),
    dependsOn: s.dependsOn.map(re),
    inputs: s.inputs.map((i) => (i.kind === 'product' ? { ...i, stepId: re(i.stepId) } : i)),
  }));
  const targets = plan.targets.map((t) => ({ ...t, products: t.products.map((p) => ({ ...p, stepId: re(p.stepId) })) }));
  return { ...plan, steps, targets };
}

/** Only the steps without dependencies (the biases), with the first one's output as the target. */
function firstLevel(plan: Plan): Plan {
  const steps = plan.steps.filter((s) => s.dependsOn.length === 0 && s.operation === 'reduce_bias');
  const first = steps[0];
  const targets = [{ request: 'bench', kind: 'calibration' as const, frameIds: [], products: [{ stepId: first.id, fileName: first.outputs[0], arm: first.arm, kind: 'reduced' as const }] }];
  return { ...plan, steps, targets: targets as unknown as Plan['targets'] };
}

export interface RealStepsDeps {
  docker: Docker;
  containers: ContainerClient;
  server: BenchServer;
  user: string;
  cores: number;
  /** submit -> COMPLETED wall time of a plan on an engine (orchestration.ts timeJob). */
  time: (db: BenchDb, engine: Engine, plan: Plan) => Promise<number>;
  engineWith: (db: BenchDb, runner: StepRunner, archive: string, workerId: string) => Engine;
}

export async function realSteps(ctx: BenchContext, d: RealStepsDeps): Promise<Row[]> {
  const exists = await d.docker.getImage(REDUCER_IMAGE).inspect().then(() => true, () => false);
  if (!exists) {
    ctx.log(`building ${REDUCER_IMAGE}`);
    execFileSync('bash', [path.resolve('deploy/reducer/build-image.sh'), REDUCER_IMAGE], { stdio: 'ignore', timeout: 900000 });
  }
  const root = mkdtempSync(path.join(os.tmpdir(), 'drsoda-bench-real-'));
  chmodSync(root, 0o755);
  const night = '2026-03-14';
  await simulateNight({ outDir: root, night, fields: 1, objects: 1, size: 'small', seed: 7, biases: 2, darks: 0, lflats: 0 });
  const sdb = await d.server.database();
  const cdb = await d.server.database();
  await ingestArchive({ pool: sdb.pool, root, authority: 'bench.drsoda', log: createLogger('silent') });
  const { frames } = await listFrames(sdb.pool, { night: [night] }, { limit: 10000, offset: 0 });
  const object = frames.find((f) => f.ndfClass === 'MFOBJECT' && f.arm === 'blue')!;
  const whole = createPlan({ frames, request: { frameIds: [object.id], fields: [] }, options: { arms: 'blue', splice: false }, presets: readPipelinePresets(), pipeline: testPipeline });
  const plan = ctx.quick ? firstLevel(whole) : whole;
  const what = ctx.quick ? `${plan.steps.length} reduce_bias steps` : `blue-arm reduction of one object frame, ${plan.steps.length} steps`;
  const limits = { cpus: 1, memoryBytes: 1 << 30, pids: 256, tmpfsBytes: 64 << 20 };
  const workerId = makeWorkerId();
  const sandbox = d.engineWith(sdb, createSandboxRunner({
    containers: d.containers, image: REDUCER_IMAGE, limits: { ...limits, cpus: d.cores }, user: d.user, baseDir: mkdtempSync(path.join(os.tmpdir(), 'drsoda-bench-real-sbx-')),
    roots: [{ hostPath: root, containerPath: '/archive' }], workerId, idleMs: 60000, prestart: true,
  }), root, workerId);
  const container = d.engineWith(cdb, createDockerRunner({ containers: d.containers, image: REDUCER_IMAGE, limits, user: d.user }), root, workerId);
  try {
    await sandbox.start();
    await container.start();
    const s: number[] = [];
    const c: number[] = [];
    for (let i = 0; i < 3; i++) {
      ctx.log(`real aaorun steps, repeat ${i + 1}`);
      s.push((await d.time(sdb, sandbox, renamedPlan(plan, `s${i}-${Date.now()}`))) / 1000);
      c.push((await d.time(cdb, container, renamedPlan(plan, `c${i}-${Date.now()}`))) / 1000);
    }
    return [
      { group: 'orchestration', metric: `real aaorun (${REDUCER_IMAGE}), sandbox: ${what}, submit to COMPLETED`, unit: 's', value: summarize(s), note: 'small frames' },
      { group: 'orchestration', metric: `real aaorun (${REDUCER_IMAGE}), container per step: ${what}, submit to COMPLETED`, unit: 's', value: summarize(c), note: 'small frames' },
      { group: 'orchestration', metric: 'real aaorun: container per step / sandbox', unit: 'x', value: summarize(c.map((x, i) => x / s[i])) },
    ];
  } finally {
    await sandbox.stop();
    await container.stop();
  }
}
