// `drsoda migrate`: apply pending migrations and exit.
import type { Command } from 'commander';
import { openDatabase } from '../store/database.js';
import { migrate } from '../store/migrate.js';
import { cliContext, fail } from './context.js';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations (serve does this automatically)')
    .action(async () => {
      const { config, log } = cliContext();
      const db = await openDatabase(config, log, 'drsoda-migrate').catch(fail);
      try {
        const applied = await migrate(db.pool);
        process.stdout.write(applied.length ? `applied ${applied.join(', ')}\n` : 'database is up to date\n');
      } catch (err) {
        await db.close();
        fail(err);
      }
      await db.close();
    });
}
