// Versions that enter every step id: bump REDUCER_VERSION whenever a step's outputs for the same inputs change.

/**
 * The reduction software a step runs (the aaorun stand-in emulating 2dfdr 6.x, plus how the planner calls it).
 * It is hashed into every step id, so changing it invalidates every cached product.
 */
export const REDUCER_VERSION = 'drsoda-2dfdr-6.46/1';

/** Length of step ids in hex digits (128 bits of sha256: collisions are not a practical concern). */
export const STEP_ID_HEX_DIGITS = 32;
