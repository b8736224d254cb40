// What makes a step id: the planner's recipe version (bump it whenever a step's outputs for the same inputs
// change) and the id's length.

/**
 * The reduction recipe a step runs (the aaorun stand-in emulating 2dfdr 6.x, plus how the planner calls it).
 * Not the aaorun program's own version (src/reducer/version.ts): this one names what a cached product means.
 * It is hashed into every step id, so changing it invalidates every cached product; plans expose it as
 * `reducerVersion`. The program that runs the recipe (image id, local program hash, PIPELINE_VERSION) is hashed
 * in beside it (Plan.pipeline), so switching reducers never reuses the other one's products.
 */
export const PLAN_RECIPE_VERSION = 'drsoda-2dfdr-6.46/1';

/** Length of step ids in hex digits (128 bits of sha256: collisions are not a practical concern). */
export const STEP_ID_HEX_DIGITS = 32;
