// A small simulated night (one field, two object exposures, both arms) ingested into a test database and served
// by the real app: the shared fixture of the DataLink, capabilities and examples conformance tests.
import { XMLParser } from 'fast-xml-parser';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ingestArchive } from '../../src/archive/ingest.js';
import { createLogger } from '../../src/logger.js';
import { simulateNight, type NightSummary } from '../../src/simulate/index.js';
import { listFrames } from '../../src/store/frame-store.js';
import type { ArchivedFrame } from '../../src/domain/frame.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

export interface DemoNight {
  db: TestDatabase;
  app: TestApp;
  root: string;
  night: NightSummary;
  frames: ArchivedFrame[];
  /** The first blue object frame. */
  object: ArchivedFrame;
  close(): Promise<void>;
}

export const NIGHT = '2014-09-26';

export async function startDemoNight(o: { config?: Record<string, string> } = {}): Promise<DemoNight> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'drsoda-dl-night-'));
  const night = await simulateNight({ outDir: root, night: NIGHT, size: 'small', fields: 1, objects: 2, biases: 2, darks: 0, lflats: 0, seed: 3, concurrency: 0 });
  const db = await createTestDatabase();
  await ingestArchive({ pool: db.pool, root, authority: 'drsoda.example.org', log: createLogger('silent') });
  const app = await startTestApp(db.pool, { config: { ARCHIVE_ROOT: root, IVO_AUTHORITY: 'drsoda.example.org', ...o.config } });
  const { frames } = await listFrames(db.pool, {}, { limit: 1000, offset: 0 });
  const object = frames.find((f) => f.ndfClass === 'MFOBJECT' && f.arm === 'blue')!;
  return {
    db, app, root, night, frames, object,
    close: async () => {
      await app.close();
      await db.drop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** GET /soda/links with the IDs (and any extra parameters), as text with status and Content-Type. */
export async function getLinks(app: TestApp, ids: string[], extra: Record<string, string> = {}, init: RequestInit = {}) {
  const q = new URLSearchParams();
  for (const id of ids) q.append('ID', id);
  for (const [k, v] of Object.entries(extra)) q.append(k, v);
  const res = await fetch(`${app.url}/soda/links?${q}`, init);
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', parseTagValue: false, isArray: (n) => ['RESOURCE', 'PARAM', 'TR', 'TD', 'FIELD', 'INFO'].includes(n) });
const columns = ['ID', 'access_url', 'service_def', 'error_message', 'description', 'semantics', 'content_type', 'content_length', 'content_qualifier', 'local_semantics', 'link_auth'];
export type LinkRowCells = Record<string, string>;

/** The link table as objects (empty cells absent), plus the QUERY_STATUS and the descriptor RESOURCEs. */
export function parseLinks(xml: string) {
  const vot = parser.parse(xml).VOTABLE;
  const results = vot.RESOURCE.filter((r: { type: string }) => r.type === 'results');
  expect(results).toHaveLength(1);
  const info = Object.fromEntries(results[0].INFO.map((i: { name: string; value: string }) => [i.name, i.value]));
  const trs = results[0].TABLE?.DATA?.TABLEDATA?.TR ?? [];
  const rows: LinkRowCells[] = trs.map((tr: { TD: unknown[] }) => Object.fromEntries(tr.TD.map((td, i) => [columns[i], td]).filter(([, v]) => v !== '')));
  // Error documents have no table (DALI 1.1 section 4.4.3).
  if (info.QUERY_STATUS !== 'ERROR') expect(results[0].TABLE.FIELD.map((f: { name: string }) => f.name)).toEqual(columns);
  return { rows, info, descriptors: vot.RESOURCE.filter((r: { type: string }) => r.type === 'meta') };
}
