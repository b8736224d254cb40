// Makes sure the front end the tests load is built from the current sources (npm test builds nothing else).
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../support/process.js';

export function ensureWebBuilt(): void {
  execFileSync('flock', [path.join(os.tmpdir(), 'drsoda-web-build.lock'), process.execPath, path.join(projectRoot, 'test/browser/support/build-web.mjs'), projectRoot], {
    stdio: 'inherit',
    timeout: 180_000,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
}
