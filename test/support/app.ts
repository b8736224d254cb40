// Starts the real app on a random loopback port against a test database.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, type App } from '../../src/app.js';
import { systemClock, type Clock } from '../../src/clock.js';
import type { Config } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import type { Pool } from '../../src/store/db.js';
import { testConfig } from './config.js';

export interface TestApp {
  url: string;
  app: App;
  config: Config;
  shutdown: AbortController;
  close(): Promise<void>;
}

export async function startTestApp(pool: Pool, opts: { config?: Record<string, string>; clock?: Clock } = {}): Promise<TestApp> {
  const shutdown = new AbortController();
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  const config = testConfig({ BASE_URL: `http://127.0.0.1:${port}`, ...opts.config });
  const app = createApp({
    config,
    pool,
    log: createLogger('silent'),
    clock: opts.clock ?? systemClock,
    upSince: new Date(),
    shutdown: shutdown.signal,
  });
  server.on('request', app.express);
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    config,
    shutdown,
    close: async () => {
      shutdown.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await app.close();
    },
  };
}
