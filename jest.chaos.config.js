// The slow fault and load suite (`npm run test:chaos`, docs/reliability.md): test/chaos only, one file at a
// time (--runInBand), since each kills processes, restarts a database or loads the machine on purpose.
import base from './jest.config.js';

export default {
  ...base,
  testMatch: ['<rootDir>/test/chaos/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 300000,
  maxWorkers: 1,
};
