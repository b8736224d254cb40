// The stand-in's version, written as TDFDRVER into every product and printed by `aaorun version`.
// A constant (not read from package.json at run time) so the bundled image needs no package files;
// a unit test keeps it equal to package.json's version.
export const REDUCER_VERSION = '0.1.0';
export const TDFDRVER = `drsoda-aaorun ${REDUCER_VERSION}`;
