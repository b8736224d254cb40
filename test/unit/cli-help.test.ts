// `drsoda <command> --help` ends with an example and the environment settings the command reads (issue 22).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildCli } from '../../src/cli/index.js';
import { helpExtras } from '../../src/cli/help.js';
import { projectRoot } from '../support/process.js';

describe('drsoda --help', () => {
  const program = buildCli();
  const configDoc = readFileSync(path.join(projectRoot, 'docs/configuration.md'), 'utf8');

  it('gives every subcommand examples and the settings it reads', () => {
    const names = program.commands.map((c) => c.name());
    expect(names.length).toBeGreaterThan(5);
    expect(Object.keys(helpExtras).sort()).toEqual([...names].sort());
    for (const name of names) {
      const out: string[] = [];
      const cmd = program.commands.find((c) => c.name() === name)!;
      cmd.configureOutput({ writeOut: (s) => out.push(s), writeErr: (s) => out.push(s) });
      cmd.exitOverride();
      expect(() => cmd.parse(['--help'], { from: 'user' })).toThrow();
      const text = out.join('');
      expect(text).toContain(`Usage: drsoda ${name}`);
      expect(text).toContain(`Examples:\n  $ `);
      expect(text).toMatch(new RegExp(`\\$ (\\S+=\\S+ )*drsoda ${name}\\b`));
      expect(text).toContain('Environment:\n  ');
    }
  });

  it('names only settings that docs/configuration.md documents', () => {
    for (const [name, extra] of Object.entries(helpExtras)) {
      for (const v of extra.env) expect(`${name}: ${configDoc.includes(`| \`${v}\` |`) ? v : `${v} undocumented`}`).toBe(`${name}: ${v}`);
    }
  });
});
