#!/usr/bin/env node
// The 2dFdr-compatible reducer (`aaorun`), the same way as bin/drsoda.js: dist/reducer/cli.js after a build, else
// the sources through tsx; the Docker image runs the esbuild bundle of the same entry (deploy/reducer/).
import { runEntry } from './entry.js';
await runEntry('reducer/cli');
