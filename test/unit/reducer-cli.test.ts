import { mkdtempSync, mkdirSync, readFileSync, symlinkSync, writeFileSync, readlinkSync, lstatSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgv } from '../../src/reducer/argv.js';
import { loadIdx, parseIdx, tokenize } from '../../src/reducer/idx.js';
import { Params } from '../../src/reducer/params.js';
import { runAaorun } from '../../src/reducer/main.js';
import { Workspace } from '../../src/reducer/workspace.js';
import { REDUCER_VERSION } from '../../src/reducer/version.js';
import { ReducerError, ReducerUsageError } from '../../src/reducer/errors.js';

async function run(argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runAaorun(argv, { cwd, env, stdout: (l) => out.push(l), stderr: (l) => err.push(l), pid: 4242, now: new Date(0) });
  return { code, out, err };
}

describe('aaorun command line', () => {
  it('takes the operation, a space-separated file list and case-insensitive options', () => {
    const inv = parseArgv(['COMBINE_IMAGE', 'a.fits  b.fits c.fits', '-idxFile', 'x.idx', '-combinedfile', 'BIAScombined.fits', '-CombinedFile', 'B2.fits']);
    expect(inv.operation).toBe('combine_image');
    expect(inv.files).toEqual(['a.fits', 'b.fits', 'c.fits']);
    expect([...inv.options]).toEqual([['IDXFILE', 'x.idx'], ['COMBINEDFILE', 'B2.fits']]);
    expect(parseArgv(['reduce_arc', 'a.fits', '-wave_start', '-1']).options.get('WAVE_START')).toBe('-1');
    expect(parseArgv(['version']).files).toEqual([]);
  });

  it.each([
    [[], /no operation/],
    [['reduce_bias'], /needs an input file/],
    [['reduce_bias', 'a.fits', '-idxfile'], /option -idxfile needs a value/],
    [['reduce_bias', 'a.fits', 'b.fits'], /unexpected argument "b.fits"/],
    [['-idxfile', 'x'], /expected an operation/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseArgv(argv)).toThrow(ReducerUsageError);
    expect(() => parseArgv(argv)).toThrow(message);
  });
});

describe('.idx files', () => {
  it('tokenises quotes and comments', () => {
    expect(tokenize('DRC_OVERRIDE_PAR LACOSMIC "OBJECT ONLY" REDUCE # comment')).toEqual(['DRC_OVERRIDE_PAR', 'LACOSMIC', 'OBJECT ONLY', 'REDUCE']);
    expect(tokenize('  # only a comment')).toEqual([]);
  });

  it('follows includes in order, built-in base files included, later settings winning', () => {
    const files: Record<string, string> = {
      '/d/gama_blue.idx': 'DRC_INCLUDE aaomega.idx\nDRC_INCLUDE extra.idx\nDRC_OVERRIDE_PAR OVERSCANORDER 9 REDUCE\nSOMETHING ELSE\n',
      '/d/extra.idx': 'DRC_CONST_PAR TPMETH OFFSKY REDUCE\nDRC_CONST_PAR OVERSCANORDER 5\n',
    };
    const r = loadIdx('/d/gama_blue.idx', { read: (f) => files[f], builtin: (n) => (n === 'aaomega.idx' ? 'DRC_CONST_PAR OVERSCANORDER 2 REDUCE\n' : undefined) });
    expect(r.settings.map((s) => `${s.name}=${s.value}`)).toEqual(['OVERSCANORDER=2', 'TPMETH=OFFSKY', 'OVERSCANORDER=5', 'OVERSCANORDER=9']);
    expect(r.ignored).toBe(1);
  });

  it('names a missing include, a malformed directive and a cycle', () => {
    const none = { read: () => undefined, builtin: () => undefined };
    expect(() => loadIdx('/d/x.idx', none)).toThrow(/idx file \/d\/x.idx does not exist/);
    expect(() => parseIdx('DRC_OVERRIDE_PAR ONLYNAME', 'x.idx')).toThrow(/x.idx:1: DRC_OVERRIDE_PAR needs a parameter name and a value/);
    const loop = { read: (f: string) => (f === '/d/a.idx' ? 'DRC_INCLUDE a.idx' : undefined), builtin: () => undefined };
    expect(() => loadIdx('/d/a.idx', loop)).toThrow(/includes itself/);
  });
});

describe('parameters', () => {
  it('layers sources and parses booleans and numbers, naming a bad value', () => {
    const p = new Params().set('USEBIASIM', '0', 'default').set('usebiasim', 'TRUE', 'idx').set('OVERSCANORDER', 'x', 'command line');
    expect(p.bool('USEBIASIM')).toBe(true);
    expect(p.source('UseBiasIm')).toBe('idx');
    expect(p.bool('MISSING', true)).toBe(true);
    expect(() => p.number('OVERSCANORDER', 2)).toThrow(/OVERSCANORDER must be a number, got "x" from the command line/);
    p.set('DO_TLMAP', 'maybe', 'command line');
    expect(() => p.bool('DO_TLMAP')).toThrow(/DO_TLMAP must be 0\/1/);
    expect(new Params().set('BIAS_FILENAME', 'NONE', 'idx').file('BIAS_FILENAME')).toBeUndefined();
  });
});

describe('workspace', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'aaorun-ws-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const work = path.join(root, 'work');
  mkdirSync(work);
  writeFileSync(path.join(root, 'elsewhere.fits'), 'x');
  const ws = new Workspace(work, { IMP_SCRATCH: path.join(root, 'scratch') }, new Params(), 'AAO00001', 'CMD00001');

  it('allows the work dir, scratch, named outputs and input dirs, and refuses anything else', () => {
    expect(() => ws.assertWritable(path.join(work, 'a.fits'))).not.toThrow();
    expect(() => ws.assertWritable(path.join(root, 'scratch/AAO00001/CMD00001/FIBPOS.DAT'))).not.toThrow();
    expect(() => ws.assertWritable(path.join(root, 'b.fits'))).toThrow(ReducerError);
    expect(() => ws.assertWritable(path.join(work, '../b.fits'))).toThrow(/refusing to write/);
    ws.named('../combined.fits');
    expect(() => ws.assertWritable(path.join(root, 'combined.fits'))).not.toThrow();
    ws.input('../elsewhere.fits', 'RAW file');
    expect(() => ws.assertWritable(path.join(root, 'elsewhereim.fits'))).not.toThrow();
    expect(ws.outDir).toBe(path.join(root, 'scratch/AAO00001/CMD00001'));
    expect(ws.nextTo(path.join(work, '26nov10033.fits'), 'red')).toBe(path.join(work, '26nov10033red.fits'));
    expect(() => ws.input('nothere.fits', 'TLMAP_FILENAME')).toThrow(/TLMAP_FILENAME nothere.fits does not exist/);
  });

  it('replaces a symlinked output instead of writing through it', async () => {
    const target = path.join(root, 'other-step-tlm.fits');
    writeFileSync(target, 'precious');
    const link = path.join(work, 'x.fits');
    symlinkSync(target, link);
    await ws.writeFits(link, [{ kind: 'image', axes: [2], bitpix: -32, data: new Float32Array(2) }]);
    expect(readFileSync(target, 'utf8')).toBe('precious');
    expect(lstatSync(link).isSymbolicLink()).toBe(false);
    expect(() => readlinkSync(link)).toThrow();
  });
});

describe('runAaorun', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'aaorun-run-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'gama_blue.idx'), 'DRC_INCLUDE aaomega.idx\n');
  writeFileSync(path.join(dir, 'junk.fits'), 'this is not FITS at all');
  writeFileSync(path.join(dir, 'tlm.fits'), '');

  it('frames a success like 2dFdr, ending with the EXIT action', async () => {
    const r = await run(['version'], dir);
    expect(r.code).toBe(0);
    expect(r.out[0]).toBe('===============================');
    expect(r.out).toContain('AAO Run Process AAO04242:');
    expect(r.out).toContain('AAO04242:Action "VERSION", Task "CMD04242", completed.');
    expect(r.out.at(-4)).toBe('AAO04242:Action "EXIT", Task "CMD04242", completed.');
    expect(r.out.join('\n')).toContain(REDUCER_VERSION);
  });

  it.each([
    [['reduce_object', 'o.fits', '-idxfile', 'gama_blue.idx'], 1, 'REDUCE_OBJECT needs a tramline map: -TLMAP_FILENAME is not given'],
    [['reduce_object', 'o.fits', '-idxfile', 'gama_blue.idx', '-TLMAP_FILENAME', 'tlm.fits'], 1, 'REDUCE_OBJECT needs a wavelength calibration (reduced arc): -WAVEL_FILENAME is not given'],
    [['reduce_object', 'o.fits', '-idxfile', 'gama_blue.idx', '-TLMAP_FILENAME', 'tlm.fits', '-WAVEL_FILENAME', 'tlm.fits'], 1, 'REDUCE_OBJECT needs a reduced fibre flat: -FFLAT_FILENAME is not given'],
    [['reduce_object', 'o.fits', '-idxfile', 'gama_blue.idx', '-TLMAP_FILENAME', 'gone.fits', '-WAVEL_FILENAME', 'tlm.fits'], 1, 'TLMAP_FILENAME gone.fits does not exist'],
    [['reduce_arc', 'a.fits', '-idxfile', 'gama_blue.idx'], 1, 'REDUCE_ARC needs a tramline map: -TLMAP_FILENAME is not given'],
    [['reduce_bias', 'junk.fits', '-idxfile', 'gama_blue.idx'], 1, 'cannot read RAW file junk.fits: not a FITS file (no SIMPLE card)'],
    [['reduce_bias', 'b.fits'], 2, 'no parameter file given (-idxfile)'],
    [['reduce_dark', 'd.fits', '-idxfile', 'gama_blue.idx'], 1, 'RAW file d.fits does not exist'],
    [['frobnicate', 'x.fits', '-idxfile', 'gama_blue.idx'], 2, 'unknown operation "frobnicate"'],
  ])('fails %j with exit %i and a message naming the problem', async (argv, code, message) => {
    const r = await run(argv, dir);
    expect(r.code).toBe(code);
    expect(r.err.join('\n')).toContain(message);
    expect(r.out.join('\n')).toContain(`##!! Error: ${message}`);
    expect(r.out.join('\n')).toMatch(/Action "[A-Z_]+", Task "CMD04242", failed\./);
    expect(r.out.join('\n')).not.toContain('Action "EXIT"');
  });

  it('keeps REDUCER_VERSION equal to package.json', () => {
    expect(REDUCER_VERSION).toBe(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version);
  });
});
