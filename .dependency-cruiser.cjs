// The target layering of src/ and web/src/ as dependency-cruiser rules: one table of which folder may import
// which, the rules generated from it, and the few rules a folder table cannot say (packages, cycles, web).
// Read by `npm run lint:deps` (and `npm test`), test/unit/architecture.test.ts and scripts/architecture-graph.ts.
'use strict';

/** The loose files at the top of src/ that every layer may use; in the tables they form the "base" layer. */
const baseFiles = ['clock.ts', 'config.ts', 'errors.ts', 'logger.ts', 'process-alive.ts', 'version.ts'];

/** Where the process is assembled: these may import anything and nothing under src/ may import them. */
const compositionRoot = { folders: ['cli'], files: ['factory.ts', 'main.ts', 'server.ts'] };

/** Separate programs: what they may import is their border (they run without the service around them). */
const programs = ['reducer', 'simulate'];

/**
 * Layer -> what it may import besides itself, npm packages and node builtins. An entry is a folder under src/
 * ("base" = the base files) or, to open a border by one file only, a path relative to src/.
 * Keep this graph acyclic (the unit test sorts it topologically): a cycle here would allow a cycle in src/.
 */
const layers = {
  base: ['domain'],
  domain: [],
  fits: [],
  reducer: ['fits'],
  simulate: ['fits', 'reducer/arc-lines.ts'],
  store: ['domain', 'base'],
  executor: ['domain', 'base'],
  planner: ['domain', 'base'],
  vo: ['domain', 'base'],
  cutout: ['domain', 'base', 'fits', 'vo'],
  auth: ['store', 'domain', 'base'],
  archive: ['store', 'fits', 'simulate', 'domain', 'base'],
  uws: ['store', 'vo', 'domain', 'base'],
  // Not uws: the scheduler reports phase changes through a port that uws implements.
  scheduler: ['store', 'executor', 'planner', 'domain', 'base'],
  previews: ['scheduler', 'fits', 'store', 'domain', 'base'],
  soda: ['uws', 'scheduler', 'planner', 'archive', 'cutout', 'previews', 'vo', 'store', 'domain', 'base'],
  datalink: ['soda', 'uws', 'archive', 'planner', 'previews', 'vo', 'store', 'domain', 'base'],
  watch: ['soda', 'uws', 'scheduler', 'archive', 'planner', 'fits', 'store', 'domain', 'base'],
  ops: ['uws', 'soda', 'scheduler', 'executor', 'store', 'domain', 'base'],
  // Every service layer except store and executor: handlers call services, never SQL or Docker.
  http: [
    'auth', 'archive', 'cutout', 'datalink', 'fits', 'ops', 'planner', 'previews', 'scheduler', 'soda', 'uws',
    'vo', 'watch', 'domain', 'base',
  ],
};

/** One line per layer on what it owns, for the table in docs/architecture.md. */
const owns = {
  base: 'clock, config (the only reader of process.env), typed service errors, logger, live-pid test, package version',
  domain: 'shared pure types: jobs and phases, the caller, frames, plans and steps',
  fits: 'FITS reading and writing: headers, images and binary tables',
  reducer: 'the aaorun program run inside the container: one file per 2dFdr operation and its maths',
  simulate: 'the 2dF-AAOmega night simulator program: raw frames and their truth file',
  store: 'the PostgreSQL pool, migrations and one `*-store.ts` per table family; the only SQL and `pg`',
  executor: 'running a step: the runner contract, containers (the only `dockerode`), warm sandboxes, local processes',
  planner: 'frames + options -> Plan, the DAG of 2dFdr steps with content-hash ids; pure',
  vo: 'pure builders of IVOA documents: UWS XML, VOTable, DataLink, VOSI, DALI examples',
  cutout: 'SODA cut-outs of product files: fibre regions and wavelength bands to FITS or VOTable',
  auth: 'who is calling (anonymous, proxy header or token), API token minting and the per-owner rate buckets',
  archive: 'the raw-frame index: scan, ingest, publisher DIDs, safe file access, the demo archive',
  uws: 'UWS job lists: owner checks, phase transitions, WAIT, quotes, job files',
  scheduler: 'the execution engine: submit, claim ready steps under a lease, run, retry, product cache',
  previews: 'quick-look PNGs of reduced products',
  soda: 'SODA requests and job runners: parameters, plan requests, result publishing, sync cuts',
  datalink: 'the DataLink {links} service: rows for raw frames, fields, nights, products and jobs',
  watch: 'the archive watcher: landing files, ingest, auto-reduction rules, turnaround records',
  ops: 'operations: metrics, diagnostics events, notifications (webhook, e-mail), doctor checks',
  http: 'express routers, DALI parameter parsing, error rendering; thin handlers over the services',
  // Outside the layer table: their import rules are the dedicated rules below.
  root: 'the composition root: process entries, wiring of stores, services and routers; the drsoda subcommands',
  web: 'the browser front end, built on its own by Vite',
};

const esc = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const basePattern = `^src/(${baseFiles.map(esc).join('|')})$`;
const rootPattern = `^src/(${compositionRoot.folders.map((f) => `${esc(f)}/`).concat(compositionRoot.files.map((f) => `${esc(f)}$`)).join('|')})`;
const apiTypes = '^src/domain/api-types\\.ts$';

/** The modules of one layer entry: a folder, the base files, or a single file. */
function entryPattern(entry) {
  if (entry === 'base') return basePattern;
  return entry.endsWith('.ts') ? `^src/${esc(entry)}$` : `^src/${esc(entry)}/`;
}

// One rule per layer. Targets that a dedicated rule below covers (the composition root, store for http) are
// left out here, so each bad import is reported once, under the name that says why.
const layerRules = Object.entries(layers).map(([layer, allowed]) => {
  const from = { path: entryPattern(layer) };
  // api-types.ts has its own, stricter rule.
  if (layer === 'http') from.pathNot = apiTypes;
  const pathNot = [entryPattern(layer), ...allowed.map(entryPattern), rootPattern];
  if (layer === 'http') pathNot.push(entryPattern('store'));
  const program = programs.includes(layer);
  return {
    name: program ? `program-border-${layer}` : `layer-${layer}`,
    severity: 'error',
    comment: program
      ? `${layer}/ is a separate program: it may import only ${allowed.join(', ')} (and npm packages), so it ` +
        'builds and runs without the service.'
      : `${layer}/ may import only ${allowed.length ? allowed.join(', ') : 'npm packages and node builtins'} ` +
        '(see layers in .dependency-cruiser.cjs and docs/architecture.md).',
    from,
    to: { path: '^src/', pathNot },
  };
});

const known = [...Object.keys(layers).map(entryPattern), rootPattern];

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules must not import each other in a loop (type-only imports count): split or invert the dependency.',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'http-never-store',
      severity: 'error',
      comment: 'Handlers call services; SQL stays behind them. Add a service method instead of reaching into store/.',
      from: { path: '^src/http/', pathNot: apiTypes },
      to: { path: entryPattern('store') },
    },
    {
      name: 'no-import-of-composition-root',
      severity: 'error',
      comment: 'cli/ and the root files (main, factory, server) assemble the process; layers receive what they need.',
      from: { path: '^src/', pathNot: rootPattern },
      to: { path: rootPattern },
    },
    {
      name: 'src-outside-layering',
      severity: 'error',
      comment: 'Every module under src/ belongs to a layer, the base files or the composition root: add it to layers.',
      from: { path: '^src/', pathNot: known },
      to: { path: '^src/' },
    },
    {
      name: 'src-imports-no-other-tree',
      severity: 'error',
      comment: 'The service is built from src/ alone (tsconfig.build.json): no imports from web/, test/, bench/, bin/ or scripts/.',
      from: { path: '^src/' },
      to: { path: '^(web|test|bench|bin|scripts)/' },
    },
    {
      name: 'dockerode-only-in-executor',
      severity: 'error',
      comment: 'Docker stays behind the executor\'s runner interface.',
      from: { path: '^(src|web/src)/', pathNot: '^src/executor/' },
      to: { path: '(^|/)node_modules/(@types/)?dockerode/' },
    },
    {
      name: 'pg-only-in-store',
      severity: 'error',
      comment: 'SQL and the pg driver live only in store/; other layers call store functions.',
      from: { path: '^(src|web/src)/', pathNot: '^src/store/' },
      to: { path: '(^|/)node_modules/(@types/)?pg/' },
    },
    {
      name: 'web-only-web-and-api-types',
      severity: 'error',
      comment: 'The browser app has its own build: of the server code it may use only src/domain/api-types.ts (and the API page bundles the text of docs/api-guide.md).',
      from: { path: '^web/src/' },
      to: { pathNot: ['^web/src/', apiTypes, '^docs/api-guide\\.md$', '(^|/)node_modules/'], dependencyTypesNot: ['core'] },
    },
    {
      name: 'api-types-imports-nothing',
      severity: 'error',
      comment: 'api-types.ts is compiled into the browser app and the server alike, so it must stand alone.',
      from: { path: apiTypes },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: '(^|/)node_modules/' },
    // Test files are exempt from the layering (common.md); none live under src/ today, this keeps it so.
    exclude: { path: '\\.test\\.tsx?$' },
    tsPreCompilationDeps: true,
    // web/tsconfig.json is not needed: neither tsconfig has paths or baseUrl, and the extensions below resolve
    // both nodenext ('./x.js' -> x.ts) and bundler-style ('./x' -> x.tsx) imports.
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['es6', 'cjs'],
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
      extensions: ['.ts', '.tsx', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
    },
  },
};

// The tables, for the unit test and the docs generator. Not enumerable, because depcruise rejects a
// configuration with keys it does not know.
for (const [key, value] of Object.entries({ layers, owns, baseFiles, compositionRoot, programs })) {
  Object.defineProperty(module.exports, key, { value, enumerable: false });
}
