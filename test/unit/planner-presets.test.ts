// Pipeline presets: the committed file parses, its JSON Schema is the one generated from the validator, bad
// documents are refused naming the path, and idx files render as 2dfdr reads them.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createIdxLookup, parsePipelinePresets, pipelinePresetsJsonSchema } from '../../src/planner/presets.js';
import { loadPresets } from './planner-fixture.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (f: string) => JSON.parse(readFileSync(path.join(root, f), 'utf8'));

describe('pipeline presets', () => {
  it('keeps schemas/pipeline-presets.schema.json identical to the validator it documents', () => {
    expect(read('schemas/pipeline-presets.schema.json')).toEqual(pipelinePresetsJsonSchema());
  });

  it('covers both 2dF arms of the survey presets and every AAOmega grating in the default', () => {
    const p = loadPresets();
    expect(p.defaultPreset).toBe('aaomega');
    expect(Object.keys(p.presets.gama.gratings)).toEqual(['580V', '385R']);
    expect(Object.keys(p.presets.aaomega.gratings).sort()).toEqual(['1000I', '1000R', '1500V', '1700B', '1700D', '1700I', '2000R', '2500V', '3200B', '385R', '580V']);
  });

  it('refuses malformed or inconsistent documents, naming what is wrong', () => {
    const good = read('schemas/pipeline-presets.json');
    const bad = (patch: (d: any) => void) => {
      const d = structuredClone(good);
      patch(d);
      return () => parsePipelinePresets(d);
    };
    expect(bad((d) => (d.defaultPreset = 'none'))).toThrow('pipeline presets: defaultPreset "none" is not defined');
    expect(bad((d) => (d.presets.gama.gratings['580V'].idxFile = '../evil.idx'))).toThrow(/^pipeline presets: presets\.gama\.gratings\.580V\.idxFile: /);
    expect(bad((d) => (d.presets.gama.gratings['580V'].parameters.BAD = 'a"b'))).toThrow(/presets\.gama\.gratings\.580V\.parameters\.BAD/);
    expect(bad((d) => (d.presets.gama.gratings['385R'].idxFile = 'gama_blue.idx'))).toThrow('pipeline presets: gama: gratings 580V and 385R both use gama_blue.idx');
    expect(bad((d) => (d.extra = 1))).toThrow(/^pipeline presets: \(root\): /);
  });

  it('renders idx directives with TRUE/FALSE, numbers and quoted strings, matching GRATID loosely', () => {
    const presets = parsePipelinePresets({
      defaultPreset: 'x',
      presets: { x: { description: 'd', include: 'aaomega.idx', gratings: { '580V': { idxFile: 'x_blue.idx', parameters: { A: true, B: false, C: 9, D: 'OBJECT ONLY', E: 'SKYFLUX(COR)' } } } } },
    });
    const idx = createIdxLookup(presets, 'x')(' 580v  ');
    expect(idx).toEqual({
      fileName: 'x_blue.idx',
      preset: 'x',
      grating: '580V',
      content: [
        '# x_blue.idx: written by drsoda from pipeline preset "x", grating 580V',
        'DRC_INCLUDE aaomega.idx',
        'DRC_OVERRIDE_PAR A TRUE REDUCE',
        'DRC_OVERRIDE_PAR B FALSE REDUCE',
        'DRC_OVERRIDE_PAR C 9 REDUCE',
        'DRC_OVERRIDE_PAR D "OBJECT ONLY" REDUCE',
        'DRC_OVERRIDE_PAR E SKYFLUX(COR) REDUCE',
        '',
      ].join('\n'),
    });
  });
});
