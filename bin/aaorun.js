#!/usr/bin/env node
// The 2dFdr-compatible reducer (`aaorun`), run from a checkout through tsx like bin/drsoda.js; the Docker
// image runs the esbuild bundle of the same entry (deploy/reducer/).
import { register } from 'tsx/esm/api';
register();
await import('../src/reducer/cli.ts');
