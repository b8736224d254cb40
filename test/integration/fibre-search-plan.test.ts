// The target search on a million fibres: EXPLAIN shows each kind of query (name substring, name prefix, cone,
// cone across RA 0/360) reads its index rather than the whole table, and the answers match the data. Times are
// printed (EXPLAIN ANALYZE), never asserted: the machine is shared.
//   CI=true NODE_OPTIONS=--experimental-vm-modules npx jest test/integration/fibre-search-plan.test.ts
import pg from 'pg';
import { fibreSearchSql, searchFibres, type FibreSearch } from '../../src/store/fibre-search-store.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const FRAMES = 2500;
const FIBRES_PER_FRAME = 400; // 2dF: 400 fibres a frame, so 1,000,000 rows
const rad = Math.PI / 180;

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

function nodes(p: PlanNode): PlanNode[] {
  return [p, ...(p.Plans ?? []).flatMap(nodes)];
}

describe('target search on a million fibres', () => {
  let db: TestDatabase;
  let trigrams: boolean;

  beforeAll(async () => {
    db = await createTestDatabase();
    // The load takes minutes on a busy machine: its own connection, without the pool's statement timeout.
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    await c.query('set statement_timeout = 0');
    trigrams = (await c.query(`select 1 from pg_indexes where indexname = 'frame_fibre_name_trgm'`)).rowCount === 1;
    // Bulk load as a restore would: the migration's own index definitions, dropped and rebuilt around the load.
    const { rows: defs } = await c.query<{ name: string; def: string }>(
      `select indexname as name, indexdef as def from pg_indexes where tablename = 'frame_fibre' and indexname <> 'frame_fibre_pkey'`,
    );
    expect(defs.map((d) => d.name).sort()).toEqual(expect.arrayContaining(['frame_fibre_name_prefix', 'frame_fibre_sky']));
    for (const d of defs) await c.query(`drop index ${d.name}`);
    await c.query('select setseed(0.21)');
    // One object frame per field, fields spread over the whole sky (RA 0-360, Dec -90..+30 as from Siding Spring).
    await c.query(
      `insert into frame (id, root, rel_path, file_name, night, ccd, arm, run, ndf_class, object, grat_id, lambda_c_angstrom,
         dispersion_angstrom_per_px, speed, cfg_file, plate, exposed_s, ut_mjd, ut_start, mean_ra_deg, mean_dec_deg, flaps, lamp_name,
         naxis1, naxis2, size_bytes, sha256, mtime)
       select 'ivo://drsoda.example.org/aat?' || to_char(date '2010-01-01' + i / 4, 'YYYY-MM-DD') || '/ccd1/' || lpad((i % 4)::text, 4, '0'),
              '/bench', 'b/' || i, i || '.fits', date '2010-01-01' + i / 4, 1, 'blue', i % 4, 'MFOBJECT', 'F' || i, '580V', 4800, 1, 'NORMAL',
              'F' || i || '_p0.sds', 0, 1200, 55197 + i / 4.0, '11:00:00', random() * 360, degrees(asin(random() * 1.5 - 1)), 'OPEN', '',
              2048, 4096, 1, repeat('0', 64), now()
         from generate_series(0, ${FRAMES - 1}) i`,
    );
    // 400 fibres within a degree of each field centre; names like real catalogues (GAMA/2MASS-ish), with sky fibres.
    await c.query(
      `insert into frame_fibre (frame_id, fibre, name, type, ra_rad, dec_rad, pivot, magnitude)
       select f.id, n,
              case when n % 50 = 0 then 'Guide-' || n when n % 10 = 0 then 'Sky-' || n else 'J' || lpad((f.run * 1000003 + n * 7919 + length(f.id) * 31 + abs(hashtext(f.id)) % 100000)::text, 9, '0') end,
              case when n % 50 = 0 then 'F' when n % 10 = 0 then 'S' else 'P' end,
              radians(mod((f.mean_ra_deg + (random() * 2 - 1) / greatest(cos(radians(f.mean_dec_deg)), 0.02))::numeric + 360, 360)::float8),
              radians(greatest(-90, least(90, f.mean_dec_deg + random() * 2 - 1))),
              n, 15 + random() * 5
         from frame f, generate_series(1, ${FIBRES_PER_FRAME}) n`,
    );
    // Two known targets: one on RA 0/360 and one named like a galaxy, each in one field.
    await c.query(`update frame_fibre set name = 'NGC 1365', ra_rad = radians(53.4015), dec_rad = radians(-36.1404) where frame_id = (select min(id) from frame) and fibre = 3`);
    await c.query(`update frame_fibre set name = 'WrapStar', ra_rad = radians(359.9999), dec_rad = radians(-5) where frame_id = (select max(id) from frame) and fibre = 7`);
    for (const d of defs) await c.query(d.def);
    await c.query('analyze frame; analyze frame_fibre');
    await c.end();
  }, 900_000);
  afterAll(async () => {
    await db?.drop();
  }, 120_000);

  async function explain(q: FibreSearch): Promise<{ indexes: string[]; seqScans: string[]; ms: number }> {
    const { text, values } = fibreSearchSql(q);
    const { rows } = await db.pool.query(`explain (analyze, format json) ${text}`, values);
    const plan = rows[0]['QUERY PLAN'][0] as { Plan: PlanNode; 'Execution Time': number };
    const all = nodes(plan.Plan);
    return {
      indexes: all.filter((n) => n['Index Name']).map((n) => n['Index Name']!),
      seqScans: all.filter((n) => n['Node Type'] === 'Seq Scan').map((n) => n['Relation Name']!),
      ms: plan['Execution Time'],
    };
  }

  it('holds a million fibres', async () => {
    const { rows } = await db.pool.query('select count(*)::int as n from frame_fibre');
    expect(rows[0].n).toBe(FRAMES * FIBRES_PER_FRAME);
  });

  it('answers each kind of search from an index, never by scanning frame_fibre', async () => {
    const names = ['frame_fibre_name_prefix', 'frame_fibre_name_trgm'];
    const cases: Array<[string, FibreSearch, string[]]> = [
      ['name prefix', { name: { text: 'ngc 13', match: 'prefix' }, limit: 100 }, names],
      ['exact name', { name: { text: 'NGC 1365', match: 'exact' }, limit: 100 }, names],
      ['cone 1 arcmin', { cone: { raRad: 53.4015 * rad, decRad: -36.1404 * rad, radiusRad: (1 / 60) * rad }, limit: 100 }, ['frame_fibre_sky']],
      ['cone across RA 0/360', { cone: { raRad: 0.00005 * rad, decRad: -5 * rad, radiusRad: 0.001 * rad }, limit: 100 }, ['frame_fibre_sky']],
      ['cone 0.5 deg', { cone: { raRad: 120 * rad, decRad: -30 * rad, radiusRad: 0.5 * rad }, limit: 100 }, ['frame_fibre_sky']],
    ];
    if (trigrams) cases.push(['name substring', { name: { text: '1365', match: 'substring' }, limit: 100 }, ['frame_fibre_name_trgm']]);
    else console.log('pg_trgm is not installed here: substring search scans (not checked)');
    const report: string[] = [];
    for (const [what, q, accepted] of cases) {
      const e = await explain(q);
      report.push(`${what.padEnd(22)} ${e.ms.toFixed(1).padStart(8)} ms  via ${e.indexes.join(', ')}`);
      expect([what, e.indexes.some((i) => accepted.includes(i))]).toEqual([what, true]);
      expect([what, e.seqScans]).toEqual([what, expect.not.arrayContaining(['frame_fibre'])]);
    }
    console.log(`fibre search on ${FRAMES * FIBRES_PER_FRAME} fibres (EXPLAIN ANALYZE execution time):\n${report.join('\n')}`);
  }, 300_000);

  it('finds the planted targets', async () => {
    const byName = await searchFibres(db.pool, { name: { text: 'ngc 1365', match: 'substring' }, limit: 10 });
    expect(byName.hits.map((h) => h.name)).toEqual(['NGC 1365']);
    const wrap = await searchFibres(db.pool, { cone: { raRad: 0.00005 * rad, decRad: -5 * rad, radiusRad: 0.001 * rad }, limit: 10 });
    expect(wrap.hits.map((h) => h.name)).toEqual(['WrapStar']);
  }, 120_000);
});
