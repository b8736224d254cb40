// The 2dF-AAOmega night simulator: public API for the CLI, the demo, tests and benchmarks.
export { simulateNight, TRUTH_FILE, type NightSummary, type SimulatedFrame } from './night.js';
export type { FrameProgress } from './pool.js';
export { resolveOptions, planNight, SimulateOptionsError, type FrameClass, type SimulateOptions } from './plan.js';
export { buildTruth } from './model.js';
export { fibreElectrons, traceCentre, wavelengthGrid, columnOf, lampShape, objectContinuum, normalCdf } from './spectra.js';
export { skyLines, galaxyLines, type EmissionLine } from './lines.js';
export { geometryFor, type ArmName, type Geometry, type SimSize } from './instrument.js';
export type { ArmTruth, ExposureTruth, FibreTruth, FieldTruth, NightTruth, ObjectSpectrum } from './truth.js';
export { renderFrame, PROFILE_HALF_WIDTH_PX } from './render.js';
