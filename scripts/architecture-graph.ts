// The generated "Layers" section of docs/architecture.md (folder graph, owns / may import table, other rules),
// built from .dependency-cruiser.cjs and the real imports; `npm run docs:architecture` rewrites it.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cruise, type ICruiseOptions, type ICruiseResult, type IForbiddenRuleType } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const START = '<!-- graph:start -->';
export const END = '<!-- graph:end -->';
const DOC = path.join(repoRoot, 'docs/architecture.md');

/** What .dependency-cruiser.cjs exports: the rule set, plus its tables (non-enumerable there). */
export interface Architecture {
  layers: Record<string, string[]>;
  owns: Record<string, string>;
  baseFiles: string[];
  compositionRoot: { folders: string[]; files: string[] };
  programs: string[];
  forbidden: IForbiddenRuleType[];
  options: ICruiseOptions;
}

export function loadArchitecture(): Architecture {
  return createRequire(import.meta.url)(path.join(repoRoot, '.dependency-cruiser.cjs')) as Architecture;
}

/**
 * The layers ordered so each comes after everything it may import (ties alphabetical, so the order is stable).
 * Throws naming the layers left in a cycle, because a cycle in the allowed graph would permit one in src/.
 */
export function layerOrder(layers: Record<string, string[]>): string[] {
  const needs = new Map(
    Object.entries(layers).map(([layer, allowed]) => [layer, new Set(allowed.map((e) => e.split('/')[0]).filter((f) => f !== layer))]),
  );
  const order: string[] = [];
  while (needs.size > 0) {
    const ready = [...needs].filter(([, deps]) => [...deps].every((d) => !needs.has(d))).map(([l]) => l).sort();
    if (ready.length === 0) throw new Error(`the allowed-import graph has a cycle among: ${onCycles(needs).join(', ')}`);
    for (const layer of ready) (order.push(layer), needs.delete(layer));
  }
  return order;
}

/** What is left of a graph with no sources once the layers nothing else needs are peeled off: the cycles. */
function onCycles(needs: Map<string, Set<string>>): string[] {
  const left = new Map(needs);
  for (let peeled = true; peeled; ) {
    const unneeded = [...left.keys()].filter((l) => ![...left.values()].some((deps) => deps.has(l)));
    unneeded.forEach((l) => left.delete(l));
    peeled = unneeded.length > 0;
  }
  return [...left.keys()].sort();
}

/** Cruises `paths` under `baseDir` with the project's rule set and options, as `npm run lint:deps` does. */
export async function cruiseTree(baseDir: string, paths: string[], arch = loadArchitecture()): Promise<ICruiseResult> {
  const options: ICruiseOptions = { ...arch.options, baseDir, ruleSet: { forbidden: arch.forbidden }, validate: true };
  const tsConfig = extractTSConfig(path.join(repoRoot, 'tsconfig.json'));
  const { output } = await cruise(paths, options, {}, { tsConfig });
  if (typeof output === 'string') throw new Error('dependency-cruiser returned text, expected a cruise result');
  return output;
}

/** The node a module belongs to in the folder graph, or null for packages and builtins. */
function nodeOf(source: string, arch: Architecture): string | null {
  if (source.startsWith('web/src/')) return 'web';
  const folder = /^src\/([^/]+)\//.exec(source);
  if (folder) return arch.compositionRoot.folders.includes(folder[1]) ? 'root' : folder[1];
  const file = /^src\/([^/]+)$/.exec(source);
  if (file) return arch.baseFiles.includes(file[1]) ? 'base' : 'root';
  return null;
}

const LABELS: Record<string, string> = { web: '"web/src"', base: '"base files"', root: '"cli + root files"' };

/** Folder-level edges, each marked when one of its imports breaks a rule. Edges out of the root are left out. */
function folderGraph(result: ICruiseResult, arch: Architecture): string {
  const edges = new Map<string, boolean>();
  for (const mod of result.modules) {
    const from = nodeOf(mod.source, arch);
    if (!from || from === 'root') continue;
    for (const dep of mod.dependencies) {
      const to = nodeOf(dep.resolved, arch);
      if (!to || to === from) continue;
      const key = `${from} ${to}`;
      edges.set(key, (edges.get(key) ?? false) || !dep.valid);
    }
  }
  const rank = ['root', 'web', ...layerOrder(arch.layers).reverse()];
  const byRank = (a: string, b: string) => (rank.indexOf(a) + 1 || 1e6) - (rank.indexOf(b) + 1 || 1e6) || a.localeCompare(b);
  const nodes = [...new Set([...edges.keys()].flatMap((k) => k.split(' ')))].sort(byRank);
  const sorted = [...edges].sort(([a], [b]) => {
    const [af, at] = a.split(' ');
    const [bf, bt] = b.split(' ');
    return byRank(af, bf) || byRank(at, bt);
  });
  const lines = ['```mermaid', 'flowchart TD'];
  for (const node of nodes) lines.push(`  ${node}${LABELS[node] ? `[${LABELS[node]}]` : ''}`);
  const broken: number[] = [];
  sorted.forEach(([key, bad], i) => {
    const [from, to] = key.split(' ');
    lines.push(bad ? `  ${from} -. breaks a rule .-> ${to}` : `  ${from} --> ${to}`);
    if (bad) broken.push(i);
  });
  if (broken.length > 0) lines.push(`  linkStyle ${broken.join(',')} stroke:#c00,color:#c00`);
  lines.push('```');
  return lines.join('\n');
}

function layerTable(arch: Architecture): string {
  const name = (layer: string) => (layer === 'base' ? `base (${arch.baseFiles.map((f) => `\`${f}\``).join(' ')})` : `\`${layer}/\``);
  const rows = layerOrder(arch.layers).reverse().map((layer) => {
    const allowed = arch.layers[layer].map((e) => (e.endsWith('.ts') ? `\`src/${e}\`` : e)).join(', ');
    return `| ${name(layer)} | ${arch.owns[layer]} | ${allowed || 'nothing (packages and builtins only)'} |`;
  });
  const root = [...arch.compositionRoot.folders.map((f) => `\`${f}/\``), ...arch.compositionRoot.files.map((f) => `\`${f}\``)];
  return [
    '| folder | owns | may import |',
    '|---|---|---|',
    `| ${root.join(' ')} | ${arch.owns.root} | anything; nothing under src/ imports them |`,
    `| \`web/src/\` | ${arch.owns.web} | web/src and \`src/domain/api-types.ts\` only (which itself imports nothing) |`,
    ...rows,
  ].join('\n');
}

/** The text between the markers, for the tree as it is now. */
export async function renderSection(arch = loadArchitecture()): Promise<string> {
  const result = await cruiseTree(repoRoot, ['src', 'web/src'], arch);
  const others = arch.forbidden
    .filter((rule) => !/^(layer|program-border)-/.test(rule.name ?? ''))
    .map((rule) => `- \`${rule.name}\`: ${rule.comment}`);
  return [
    '<!-- Generated by `npm run docs:architecture` from .dependency-cruiser.cjs and the imports; edit those, not this. -->',
    '',
    folderGraph(result, arch),
    '',
    'Arrows are imports between folders, type-only ones included. A dotted red arrow holds at least one import that',
    'breaks a rule (`npm run lint:deps` names it). The arrows out of cli/ and the root files are left out: they',
    'assemble the process and may import anything.',
    '',
    'Besides its own folder, npm packages and node builtins, each folder may import only the folders on its row;',
    '`npm test` runs `npm run lint:deps`, which fails on any other import. Test files are exempt.',
    '',
    layerTable(arch),
    '',
    'The rule set also says:',
    '',
    ...others,
  ].join('\n');
}

/** `doc` with the text between the markers replaced; throws when the markers are missing. */
export function replaceSection(doc: string, section: string): string {
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) throw new Error(`docs/architecture.md needs the markers ${START} and ${END}`);
  return `${doc.slice(0, start + START.length)}\n${section}\n${doc.slice(end)}`;
}

export function readDoc(): string {
  return readFileSync(DOC, 'utf8');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(DOC, replaceSection(readDoc(), await renderSection()));
  console.log(`wrote the layers section of ${path.relative(process.cwd(), DOC)}`);
}
