// Loads the TypeScript frame worker through tsx, because worker threads do not inherit the tsx loader
// that bin/drsoda.js registers in the main thread (the project runs from sources, without a build step).
import { register } from 'tsx/esm/api';

register();
await import('./frame-worker.ts');
