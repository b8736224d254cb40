#!/usr/bin/env node
// The `drsoda` command: dist/main.js after `npm run build` (production), else src/main.ts through tsx (bin/entry.js).
import { runEntry } from './entry.js';
await runEntry('main');
