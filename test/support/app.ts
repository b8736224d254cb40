// Starts the real app on a random loopback port against a test database, built by the composition root with the
// tests' `sleep` job kind behind /soda/async (the job manager alone; test/support/soda-app.ts has the SODA service).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../../src/clock.js';
import type { Config } from '../../src/config.js';
import { createFactory, type Factory } from '../../src/factory.js';
import { createLogger } from '../../src/logger.js';
import type { Pool } from '../../src/store/db.js';
import { testConfig } from './config.js';
import { createSleepRunner } from './sleep-runner.js';

export interface TestApp {
  url: string;
  factory: Factory;
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
  const factory = createFactory({ config, pool, log: createLogger('silent'), clock: opts.clock ?? systemClock, asyncKind: createSleepRunner() });
  const app = await factory.httpApp({ upSince: new Date(), shutdown: shutdown.signal });
  server.on('request', app);
  return {
    url: `http://127.0.0.1:${port}`,
    factory,
    config,
    shutdown,
    close: async () => {
      shutdown.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await factory.close();
    },
  };
}
