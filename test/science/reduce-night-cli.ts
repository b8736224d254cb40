// Simulates a small night and reduces both arms with the reducer, in a plain node process: jest's
// module sandbox runs numeric loops several times slower, and the engine runs aaorun as a process too.
// Usage: node --import tsx test/science/reduce-night-cli.ts <root> ; prints a JSON summary on stdout.
import path from 'node:path';
import { simulateNight } from '../../src/simulate/index.js';
import { reduceArm } from './reducer-pipeline.js';

const root = process.argv[2];
const sim = await simulateNight({ outDir: path.join(root, 'raw'), night: '2015-03-21', fields: 1, objects: 2, size: 'small', seed: 11, biases: 3, darks: 2, lflats: 2, concurrency: 0 });
const classes = new Map(sim.frames.map((f) => [path.basename(f.file), f.ndfClass as string]));
const blue = await reduceArm(sim.nightDir, 1, path.join(root, 'blue'), classes);
const red = await reduceArm(sim.nightDir, 2, path.join(root, 'red'), classes);
const json = (r: typeof blue) => ({ ...r, logs: Object.fromEntries(r.logs) });
process.stdout.write(JSON.stringify({ truthFile: sim.truthFile, nightDir: sim.nightDir, blue: json(blue), red: json(red) }));
