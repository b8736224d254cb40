// The layering rules of .dependency-cruiser.cjs against tiny fake trees (test/fixtures/architecture/<case>/),
// the allowed-import graph being acyclic, and the generated layers section of docs/architecture.md being current.
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  END,
  START,
  cruiseTree,
  layerOrder,
  loadArchitecture,
  readDoc,
  renderSection,
  repoRoot,
} from '../../scripts/architecture-graph.js';

const arch = loadArchitecture();
const fixtures = path.join(repoRoot, 'test/fixtures/architecture');

/** The names of the rules a fixture tree breaks, each once, sorted. */
async function brokenRules(fixture: string): Promise<string[]> {
  const baseDir = path.join(fixtures, fixture);
  const roots = ['src', 'web'].filter((dir) => existsSync(path.join(baseDir, dir)));
  const result = await cruiseTree(baseDir, roots, arch);
  // A fixture that resolves nothing would pass every rule for the wrong reason.
  const unresolved = result.modules.flatMap((m) => m.dependencies.filter((d) => d.couldNotResolve).map((d) => `${m.source} -> ${d.module}`));
  expect(unresolved).toEqual([]);
  return [...new Set(result.summary.violations.map((v) => v.rule.name))].sort();
}

describe('dependency rules', () => {
  it('pass a tree that uses every kind of allowed import', async () => {
    expect(await brokenRules('clean')).toEqual([]);
  });

  it.each([
    ['store-imports-uws', ['layer-store']],
    ['http-imports-store', ['http-never-store']],
    ['scheduler-imports-uws', ['layer-scheduler']],
    ['folder-cycle', ['layer-store', 'no-circular']],
    ['module-cycle', ['no-circular']],
    ['scheduler-imports-dockerode', ['dockerode-only-in-executor']],
    ['uws-imports-pg', ['pg-only-in-store']],
    ['reducer-imports-planner', ['program-border-reducer']],
    ['simulate-imports-reducer', ['program-border-simulate']],
    ['web-imports-store', ['web-only-web-and-api-types']],
    ['api-types-imports-another', ['api-types-imports-nothing']],
    ['layer-imports-root', ['no-import-of-composition-root']],
    ['file-outside-layers', ['src-outside-layering']],
    ['src-imports-web', ['src-imports-no-other-tree']],
  ])('catch %s as %j', async (fixture, rules) => {
    expect(await brokenRules(fixture)).toEqual(rules);
  });
});

describe('the layer table', () => {
  it('allows imports only downwards: it sorts topologically', () => {
    const order = layerOrder(arch.layers);
    expect([...order].sort()).toEqual(Object.keys(arch.layers).sort());
    for (const [layer, allowed] of Object.entries(arch.layers)) {
      const later = allowed.filter((entry) => order.indexOf(entry.split('/')[0]) >= order.indexOf(layer));
      expect([layer, later]).toEqual([layer, []]);
    }
  });

  it('would refuse a cycle, naming the layers in it', () => {
    expect(() => layerOrder({ ...arch.layers, store: [...arch.layers.store, 'uws'] })).toThrow(/cycle among: store, uws$/);
  });

  it('names only layers, and describes each', () => {
    const known = new Set(Object.keys(arch.layers));
    const entries = Object.values(arch.layers).flat().map((e) => e.split('/')[0]);
    expect(entries.filter((e) => !known.has(e))).toEqual([]);
    expect(Object.keys(arch.layers).filter((l) => !arch.owns[l])).toEqual([]);
  });
});

// When this fails after imports or .dependency-cruiser.cjs changed, regenerate: npm run docs:architecture
describe('docs/architecture.md', () => {
  it('has the layers section the generator writes for this tree (regenerate: npm run docs:architecture)', async () => {
    const doc = readDoc();
    const written = doc.slice(doc.indexOf(START) + START.length + 1, doc.indexOf(END) - 1);
    expect(written).toEqual(await renderSection(arch));
  });
});
