// Builds web/dist when it is missing or older than any source of the front end. Run under `flock` by
// web-build.ts, so two Jest workers never build at once and the second finds the first one's build fresh.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = process.argv[2];
const web = path.join(root, 'web');
const index = path.join(web, 'dist', 'index.html');

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

// The API page bundles docs/api-guide.md as text, so the guide is a source too.
const sources = Math.max(newest(path.join(web, 'src')), ...['index.html', 'vite.config.ts', '../docs/api-guide.md'].map((f) => statSync(path.join(web, f)).mtimeMs));
if (!existsSync(index) || statSync(index).mtimeMs < sources) {
  execFileSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', path.join(web, 'vite.config.ts'), '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
    timeout: 120_000,
  });
}
