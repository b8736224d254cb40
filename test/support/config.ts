// Test configurations built through the real loadConfig, so tests exercise the same validation.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';

export function testConfig(overrides: Record<string, string> = {}): Config {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'drsoda-test-data-'));
  return loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', PORT: '0', DEMO_ARCHIVE: 'false', ...overrides });
}
