import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config.js';

/** A JSON file for DRSODA_CONFIG holding this text. */
function configFile(text: string): string {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'drsoda-config-')), 'drsoda.json');
  writeFileSync(file, text);
  return file;
}

describe('loadConfig', () => {
  it('applies documented defaults', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.baseUrl).toBe('http://localhost:8080');
    expect(c.databaseUrl).toBeUndefined();
    expect(c.dataDir.endsWith('/var')).toBe(true);
    expect(c.uws.waitMaxS).toBe(60);
    expect(c.executor.concurrency).toBe(os.cpus().length || 1);
    expect(c.ops.smtp).toBeUndefined();
  });

  it('freezes every section, so no module can change a setting another one reads', () => {
    const c = loadConfig({ SMTP_URL: 'smtp://mail.example.org' });
    const sections = [c, c.db, c.executor, c.uws, c.soda, c.auth, c.auth.admins, c.ops, c.ops.notify, c.ops.smtp, c.watch, c.priority, c.priority.users];
    for (const s of sections) expect(Object.isFrozen(s)).toBe(true);
  });

  it('derives BASE_URL from host and port, and strips a trailing slash from an explicit one', () => {
    expect(loadConfig({ PORT: '9000', HOST: '127.0.0.1' }).baseUrl).toBe('http://127.0.0.1:9000');
    expect(loadConfig({ HOST: '::' }).baseUrl).toBe('http://localhost:8080');
    expect(loadConfig({ BASE_URL: 'https://vo.example.org/drsoda/' }).baseUrl).toBe('https://vo.example.org/drsoda');
  });

  it('converts units and lists where the variables are written for people', () => {
    const c = loadConfig({
      STEP_MEMORY_MB: '512', CACHE_MAX_GB: '1.5', NOTIFY_TIMEOUT_S: '2.5', NOTIFY_RETENTION_DAYS: '2',
      ADMIN_USERS: ' alice, ,bob ', PRIORITY_USERS: '*', AUTH_HEADER: 'X-Remote-User', ARCHIVE_ROOT: 'raw/archive',
      SMTP_URL: 'smtp://mail.example.org:587', IVO_AUTHORITY: 'vo.example.org', SANDBOX_XVFB: 'yes', RUN_WORKER: '0',
    });
    expect(c.executor.stepMemoryBytes).toBe(512 * 1024 * 1024);
    expect(c.executor.cacheMaxBytes).toBe(1.5 * 2 ** 30);
    expect(c.ops.notify.timeoutMs).toBe(2500);
    expect(c.ops.notify.retentionS).toBe(2 * 86400);
    expect(c.auth.admins).toEqual(['alice', 'bob']);
    expect(c.priority.users).toEqual(['*']);
    expect(c.auth.header).toBe('x-remote-user');
    expect(c.archiveRoot).toBe(path.resolve('raw/archive'));
    expect(c.ops.smtp).toEqual({ url: 'smtp://mail.example.org:587', from: 'drsoda <noreply@vo.example.org>' });
    expect(c.executor.sandboxXvfb).toBe(true);
    expect(c.executor.runWorker).toBe(false);
  });

  it.each([
    [{ PORT: 'abc' }, /^PORT: /],
    [{ PORT: '70000' }, /^PORT: /],
    [{ DATABASE_URL: 'mysql://x' }, /^DATABASE_URL: must be a postgres/],
    [{ DATABASE_URL: 'not a url' }, /^DATABASE_URL: /],
    [{ BASE_URL: 'relative/path' }, /^BASE_URL: /],
    [{ IVO_AUTHORITY: 'bad authority/x' }, /^IVO_AUTHORITY: /],
    [{ AUTH_MODE: 'magic' }, /^AUTH_MODE: /],
    [{ RUN_WORKER: 'maybe' }, /^RUN_WORKER: .*\(got "maybe"\)$/],
    [{ CONTAINER_USER: '0:0' }, /^CONTAINER_USER: must be uid:gid of a non-root user/],
  ])('names the bad variable for %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).port).toBe(8080);
  });

  it('reads DRSODA_CONFIG, a JSON file of variables that the environment overrides', () => {
    const file = configFile(JSON.stringify({ PORT: 9001, UWS_WAIT_MAX_S: '5', AUTH_MODE: 'token' }));
    const c = loadConfig({ DRSODA_CONFIG: file, UWS_WAIT_MAX_S: '7', AUTH_MODE: '' });
    expect(c.port).toBe(9001);
    expect(c.uws.waitMaxS).toBe(7);
    expect(c.auth.mode).toBe('token');
  });

  it('names the variable of a bad value from DRSODA_CONFIG, and DRSODA_CONFIG for a bad file', () => {
    expect(() => loadConfig({ DRSODA_CONFIG: configFile('{"PORT": "eighty"}') })).toThrow(/^PORT: .*\(got "eighty"\)$/);
    expect(() => loadConfig({ DRSODA_CONFIG: configFile('["PORT"]') })).toThrow(/^DRSODA_CONFIG: .* must hold a JSON object/);
    expect(() => loadConfig({ DRSODA_CONFIG: configFile('PORT=80') })).toThrow(/^DRSODA_CONFIG: cannot read /);
    expect(() => loadConfig({ DRSODA_CONFIG: '/nonexistent/drsoda.json' })).toThrow(ConfigError);
  });
});
