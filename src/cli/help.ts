// The `--help` epilogues: an example per subcommand and the environment settings it reads, added after every
// subcommand is registered so the texts live in one place (docs/configuration.md has every setting).
import type { Command } from 'commander';

interface HelpExtra {
  examples: string[];
  /** The settings that matter for this subcommand (all of them: docs/configuration.md). */
  env: string[];
}

const common = ['DATABASE_URL', 'DATA_DIR', 'LOG_LEVEL', 'LOG_FORMAT'];
const executor = ['EXECUTOR', 'DOCKER_HOST', 'PIPELINE_IMAGE', 'WORKER_CONCURRENCY', 'STEP_TIMEOUT_S'];

export const helpExtras: Record<string, HelpExtra> = {
  serve: {
    examples: ['drsoda serve                                   # http://localhost:8080, embedded PostgreSQL, demo archive', 'ARCHIVE_ROOT=/data/aat PORT=9000 drsoda serve --watch'],
    env: ['PORT', 'HOST', 'BASE_URL', 'ARCHIVE_ROOT', 'DEMO_ARCHIVE', ...common, 'AUTH_MODE', 'RUN_WORKER', ...executor, 'METRICS_PORT'],
  },
  migrate: { examples: ['DATABASE_URL=postgresql://drsoda@db/drsoda drsoda migrate'], env: common },
  token: { examples: ['drsoda token create alice --label laptop', 'drsoda token list alice', 'drsoda token revoke ID     # ID from token list'], env: [...common, 'AUTH_MODE'] },
  ingest: {
    examples: ['drsoda ingest                                  # all of ARCHIVE_ROOT (or the demo archive)', 'ARCHIVE_ROOT=/data/aat drsoda ingest /data/aat/140926 --json'],
    env: ['ARCHIVE_ROOT', 'IVO_AUTHORITY', ...common],
  },
  frames: { examples: ['drsoda frames --night 2014-09-26 --arm blue --class MFOBJECT'], env: ['ARCHIVE_ROOT', ...common] },
  plan: { examples: ["drsoda plan 'ivo://drsoda.example.org/aat?2014-09-26/ccd1/0007' --format json"], env: ['ARCHIVE_ROOT', 'IVO_AUTHORITY', ...common] },
  worker: { examples: ['DATABASE_URL=postgresql://drsoda@db/drsoda drsoda worker --concurrency 4'], env: ['ARCHIVE_ROOT', ...common, ...executor, 'METRICS_PORT'] },
  watch: {
    examples: ['ARCHIVE_ROOT=/data/aat drsoda watch --rules rules.json'],
    env: ['ARCHIVE_ROOT', ...common, 'WATCH_USER', 'WATCH_RESCAN_S', 'WATCH_STABLE_MS', 'AUTO_REDUCE_RULES', 'RUN_WORKER', 'METRICS_PORT'],
  },
  simulate: { examples: ['drsoda simulate --out /tmp/archive --night 2014-09-26 --fields 1 --objects 2 --size small'], env: ['LOG_LEVEL', 'LOG_FORMAT'] },
  doctor: { examples: ['drsoda doctor --min-free-gb 50', 'drsoda doctor --json'], env: ['ARCHIVE_ROOT', ...common, 'DOCKER_HOST', 'PIPELINE_IMAGE', 'SMTP_URL'] },
};

const section = (title: string, lines: string[]) => `\n${title}:\n${lines.map((l) => `  ${l}`).join('\n')}\n`;

/** Adds the examples and settings to every registered subcommand's --help, and a pointer to them to the program's. */
export function addHelpExtras(program: Command): void {
  for (const cmd of program.commands) {
    const extra = helpExtras[cmd.name()];
    if (!extra) continue;
    cmd.addHelpText('after', section('Examples', extra.examples.map((e) => `$ ${e}`)) + section('Environment', [extra.env.join(', ')]));
  }
  program.addHelpText(
    'after',
    section('Examples', ['$ drsoda serve', '$ drsoda <command> --help     # an example and the settings each command reads']) +
      section('Environment', ['every setting is an environment variable (docs/configuration.md); LOG_FORMAT=json|pretty overrides the terminal check']),
  );
}
