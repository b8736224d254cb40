// docs/configuration.md and deploy/env.example against src/config.ts: every variable is named, and every
// default they state is the one loadConfig applies (test/docker/deploy.test.ts checks compose.yaml).
import { readFileSync } from 'node:fs';
import { configVariables, loadConfig } from '../../src/config.js';

const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');

describe('configuration documents', () => {
  const doc = read('docs/configuration.md');
  const example = read('deploy/env.example');

  it('docs/configuration.md documents every variable', () => {
    expect(configVariables.filter((v) => !doc.includes(`| \`${v}\` |`))).toEqual([]);
  });

  it('docs/configuration.md states the defaults loadConfig applies', () => {
    // Rows whose default is one literal value; the others ("unset", "number of CPU cores", `http://<HOST...`) are derived.
    const stated = Object.fromEntries([...doc.matchAll(/^\| `([A-Z_]+)` \| `([^`<]*)` \|/gm)].map((m) => [m[1], m[2]]));
    expect(Object.keys(stated).length).toBeGreaterThan(40);
    expect(Object.keys(stated).filter((v) => !configVariables.includes(v))).toEqual([]);
    expect(loadConfig(stated)).toEqual(loadConfig({}));
  });

  it('deploy/env.example names every variable, with the defaults as its values', () => {
    const values = Object.fromEntries([...example.matchAll(/^#?([A-Z_]+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
    expect(configVariables.filter((v) => !(v in values))).toEqual([]);
    expect(Object.keys(values).filter((v) => !configVariables.includes(v))).toEqual([]);
    expect(loadConfig(values)).toEqual(loadConfig({}));
  });
});
