// Switching the reducer image never reuses the other image's products: the same SODA request on one database and
// one DATA_DIR, reduced in Docker (a container per step) first with the reference reducer image and then with a
// second image of different id, gives disjoint step ids, runs every step again, and each step's provenance names
// its own image; the same request again on the second image reuses its own steps.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import type Docker from 'dockerode';
import type { StepsJson } from '../../src/domain/api-types.js';
import { stepsOfJob, type StepRow } from '../../src/store/step-store.js';
import { createJob, waitFinal } from '../integration/uws-helpers.js';
import { requireDocker } from '../support/docker.js';
import { projectRoot } from '../support/process.js';
import { objectFrame } from '../integration/soda-fixture.js';
import { simulatedArchive, startSodaApp, type SimulatedArchive, type SodaTestApp } from '../support/soda-app.js';

const IMAGE_A = 'drsoda/aaorun:latest';
/** The same program under another image id (a label differs): only the identity changes. */
const IMAGE_B = `drsoda-test/aaorun-variant:${process.pid}`;

describe('pipeline identity in step ids', () => {
  let docker: Docker;
  let archive: SimulatedArchive;
  let first: SodaTestApp | undefined;
  let second: SodaTestApp | undefined;
  const imageId = async (name: string) => (await docker.getImage(name).inspect()).Id;

  beforeAll(async () => {
    docker = await requireDocker();
    execFileSync('bash', [path.join(projectRoot, 'deploy/reducer/build-image.sh'), IMAGE_A], { stdio: 'ignore', timeout: 600000 });
    execFileSync('docker', ['build', '-q', '-t', IMAGE_B, '-'], { input: `FROM ${IMAGE_A}\nLABEL drsoda.test.variant="${process.pid}"\n`, stdio: ['pipe', 'ignore', 'inherit'], timeout: 120000 });
    archive = await simulatedArchive();
  }, 700000);
  afterAll(async () => {
    await second?.close();
    await first?.close();
    if (first) rmSync(first.config.dataDir, { recursive: true, force: true });
    if (archive) rmSync(archive.root, { recursive: true, force: true });
    await docker?.getImage(IMAGE_B).remove().catch(() => {});
  });

  const docker_ = (image: string, o: { dataDir?: string } = {}) => ({
    EXECUTOR: 'docker', EXECUTION_MODE: 'container', PIPELINE_IMAGE: image, DOCKER_HOST: '', STEP_TIMEOUT_S: '300',
    ...(o.dataDir ? { DATA_DIR: o.dataDir } : {}),
  });

  async function reduce(s: SodaTestApp): Promise<{ jobUrl: string; steps: StepRow[]; shown: StepsJson; links: string }> {
    const id = objectFrame(s.frames, 1).id;
    const jobUrl = await createJob(`${s.url}/soda/async`, [['ID', id], ['ARMS', 'blue'], ['COMBINE', 'false'], ['SPLICE', 'false'], ['PHASE', 'RUN']]);
    expect(await waitFinal(jobUrl, 600)).toBe('COMPLETED');
    const steps = await stepsOfJob(s.db.pool, jobUrl.split('/').pop()!);
    const shown = (await (await fetch(`${jobUrl}/steps`)).json()) as StepsJson;
    const links = await (await fetch(`${jobUrl}/links`)).text();
    return { jobUrl, steps, shown, links };
  }

  it('gives two images disjoint step ids, runs both reductions, and records each image as the steps provenance', async () => {
    const [idA, idB] = [await imageId(IMAGE_A), await imageId(IMAGE_B)];
    expect(idA).not.toBe(idB);

    first = await startSodaApp(archive, { config: docker_(IMAGE_A) });
    expect(first.engine.pipeline).toEqual({ id: `image ${idA}`, description: `${IMAGE_A} (${idA})` });
    const a = await reduce(first);
    expect(a.steps.length).toBeGreaterThan(3);
    for (const s of a.steps) expect([s.state, s.attempts, s.pipeline, s.runtime]).toEqual(['done', 1, `${IMAGE_A} (${idA})`, idA]);
    expect(a.shown.steps.map((s) => s.pipeline)).toEqual(a.steps.map(() => `${IMAGE_A} (${idA})`));
    // DataLink's provenance of the result names the image that made the uncut product.
    expect(a.links).toContain(`; made by ${IMAGE_A} (${idA})`);
    const dataDir = first.config.dataDir;
    const db = first.db;

    // Same database, same product store: only PIPELINE_IMAGE differs. The first app's worker stays up: it must not
    // claim the second image's steps.
    second = await startSodaApp(archive, { db, config: docker_(IMAGE_B, { dataDir }) });
    const b = await reduce(second);
    const idsA = new Set(a.steps.map((s) => s.id));
    expect(b.steps).toHaveLength(a.steps.length);
    expect(b.steps.filter((s) => idsA.has(s.id))).toEqual([]);
    const endA = Math.max(...a.steps.map((s) => s.endedAt!.getTime()));
    for (const s of b.steps) {
      expect([s.state, s.attempts, s.pipeline, s.runtime]).toEqual(['done', 1, `${IMAGE_B} (${idB})`, idB]);
      // Run now, by the second image: not a product of the first reduction.
      expect(s.startedAt!.getTime()).toBeGreaterThan(endA);
    }
    expect(b.shown.steps.map((s) => s.pipeline)).toEqual(b.steps.map(() => `${IMAGE_B} (${idB})`));
    expect(b.links).toContain(`; made by ${IMAGE_B} (${idB})`);
    expect(b.links).not.toContain(idA);

    // The control: on one image the same request is a cache hit (same ids, nothing run again).
    const again = await reduce(second);
    expect(again.steps.map((s) => s.id).sort()).toEqual(b.steps.map((s) => s.id).sort());
    for (const s of again.steps) expect(s.attempts).toBe(1);
    expect(again.steps.map((s) => s.endedAt!.getTime()).sort()).toEqual(b.steps.map((s) => s.endedAt!.getTime()).sort());
  }, 1200000);
});
