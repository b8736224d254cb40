// Makes sure the front end the tests load is built from the current sources (npm test builds nothing else).
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../support/process.js';

export function ensureWebBuilt(): void {
  // One lock for the checkout, shared by the test workers (each file's TMPDIR is its own, so not there).
  const cache = path.join(projectRoot, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  execFileSync('flock', [path.join(cache, 'drsoda-web-build.lock'), process.execPath, path.join(projectRoot, 'test/browser/support/build-web.mjs'), projectRoot], {
    stdio: 'inherit',
    timeout: 180_000,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
}
