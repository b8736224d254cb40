// Shared by the bin/ scripts: refuse an old Node in one line, then run the compiled entry in dist/ (what
// production runs, `npm run build`), or, in a development checkout without a build, the sources through tsx.
// Plain JavaScript that parses on any Node, so the version message is what an old Node shows.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function checkNode() {
  const wanted = /(\d+)\.(\d+)/.exec(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).engines.node);
  const [major, minor] = process.versions.node.split('.').map(Number);
  const [wMajor, wMinor] = [Number(wanted[1]), Number(wanted[2])];
  if (major < wMajor || (major === wMajor && minor < wMinor)) {
    process.stderr.write(`drsoda: needs Node.js >= ${wMajor}.${wMinor} (this is ${process.version}); install the current LTS release\n`);
    process.exit(1);
  }
}

/** name: the entry's path under src/ without extension ('main', 'reducer/cli'). */
export async function runEntry(name) {
  checkNode();
  const built = join(root, 'dist', `${name}.js`);
  if (existsSync(built)) return import(pathToFileURL(built).href);
  let tsx;
  try {
    tsx = await import('tsx/esm/api');
  } catch {
    process.stderr.write(`drsoda: ${built} is missing: run \`npm run build\` (running the sources needs the dev dependency tsx)\n`);
    process.exit(1);
  }
  tsx.register();
  return import(pathToFileURL(join(root, 'src', `${name}.ts`)).href);
}
