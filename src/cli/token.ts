// `drsoda token create|list|revoke`: bearer API tokens for AUTH_MODE=token (stored hashed; shown once).
import type { Command } from 'commander';
import { createToken } from '../auth/tokens.js';
import { systemClock } from '../clock.js';
import type { Database } from '../store/database.js';
import { listTokens, revokeToken } from '../store/token-store.js';
import { cliContext, fail } from './context.js';
import { openCliDatabase } from './open-db.js';

/** Opens and migrates the database, runs fn, closes; prints failures as one line and exits 1. */
async function withDatabase(fn: (db: Database) => Promise<void>): Promise<void> {
  const { config, log } = cliContext();
  const db = await openCliDatabase(config, log, 'drsoda-token').catch(fail);
  try {
    await fn(db);
  } catch (err) {
    await db.close();
    fail(err);
  }
  await db.close();
}

export function registerToken(program: Command): void {
  const token = program.command('token').description('manage bearer API tokens (AUTH_MODE=token)');
  token
    .command('create')
    .description('create a token for USER and print it (it cannot be shown again)')
    .argument('<user>', 'user id the token authenticates as (shown as the job owner)')
    .option('--label <text>', 'a note to recognise the token by in `token list`')
    .action(async (user: string, opts: { label?: string }) =>
      withDatabase(async (db) => {
        const t = await createToken(db.pool, systemClock, user, opts.label);
        process.stdout.write(`${t.token}\n`);
        process.stderr.write(`created token ${t.id} for ${user}; send it as "Authorization: Bearer <token>"\n`);
      }),
    );
  token
    .command('list')
    .description('list tokens (ids, users, dates; never the tokens themselves)')
    .argument('[user]', 'only this user')
    .action(async (user: string | undefined) =>
      withDatabase(async (db) => {
        for (const t of await listTokens(db.pool, user)) {
          const state = t.revokedAt ? `revoked ${t.revokedAt.toISOString()}` : 'active';
          process.stdout.write(`${t.id}\t${t.userId}\t${t.createdAt.toISOString()}\t${t.lastUsedAt?.toISOString() ?? '-'}\t${state}\t${t.label ?? ''}\n`);
        }
      }),
    );
  token
    .command('revoke')
    .description('revoke a token by its id (the part after drsoda_)')
    .argument('<id>', 'token id as shown by `token list`')
    .action(async (id: string) =>
      withDatabase(async (db) => {
        if (!(await revokeToken(db.pool, id, systemClock.now()))) throw new Error(`no active token ${id}`);
        process.stdout.write(`revoked ${id}\n`);
      }),
    );
}
