import { readFileSync } from 'node:fs';
import { ConfigError, configVariables, loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  it('applies documented defaults', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.baseUrl).toBe('http://localhost:8080');
    expect(c.databaseUrl).toBeUndefined();
    expect(c.dataDir.endsWith('/var')).toBe(true);
    expect(c.uws.waitMaxS).toBe(60);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('derives BASE_URL from host and port, and strips a trailing slash from an explicit one', () => {
    expect(loadConfig({ PORT: '9000', HOST: '127.0.0.1' }).baseUrl).toBe('http://127.0.0.1:9000');
    expect(loadConfig({ BASE_URL: 'https://vo.example.org/drsoda/' }).baseUrl).toBe('https://vo.example.org/drsoda');
  });

  it.each([
    [{ PORT: 'abc' }, /^PORT: /],
    [{ PORT: '70000' }, /^PORT: /],
    [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL: must be a postgres/],
    [{ DATABASE_URL: 'not a url' }, /^DATABASE_URL: /],
    [{ BASE_URL: 'relative/path' }, /^BASE_URL: /],
    [{ IVO_AUTHORITY: 'bad authority/x' }, /^IVO_AUTHORITY: /],
    [{ AUTH_MODE: 'magic' }, /^AUTH_MODE: /],
  ])('names the bad variable for %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).port).toBe(8080);
  });

  it('documents every variable in docs/configuration.md', () => {
    const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    const missing = configVariables.filter((v) => !doc.includes(`\`${v}\``));
    expect(missing).toEqual([]);
  });
});
