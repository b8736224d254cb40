// Migration 000013 on a server where pg_trgm cannot be created (here: a database owner without the CREATE
// privilege on the database, which a trusted extension needs): the migrations still apply, the trigram index is
// left out, and substring search still answers (by scanning).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPool, type Pool } from '../../src/store/db.js';
import { searchFibres } from '../../src/store/fibre-search-store.js';
import { upsertFrame } from '../../src/store/frame-store.js';
import { migrate } from '../../src/store/migrate.js';
import { adminUrl, urlFor } from '../support/db.js';

const suffix = randomBytes(5).toString('hex');
const database = `drsoda_notrgm_${suffix}`;
const role = `drsoda_notrgm_${suffix}`;

async function asAdmin(dbName: string | null, sql: string[]): Promise<void> {
  const c = new pg.Client({ connectionString: dbName ? urlFor(dbName) : adminUrl() });
  await c.connect();
  try {
    for (const s of sql) await c.query(s);
  } finally {
    await c.end();
  }
}

describe('fibre search without pg_trgm', () => {
  let pool: Pool;

  beforeAll(async () => {
    await asAdmin(null, [`create role ${role} login password 'x'`, `create database ${database} template template0`, `revoke create on database ${database} from public`]);
    await asAdmin(database, [`grant create, usage on schema public to ${role}`]);
    const url = new URL(urlFor(database));
    url.username = role;
    url.password = 'x';
    pool = createPool({ connectionString: url.toString(), max: 2, statementTimeoutMs: 30000, connectTimeoutMs: 10000 });
  }, 120_000);
  afterAll(async () => {
    await pool?.end();
    await asAdmin(null, [`drop database if exists ${database} with (force)`, `drop role if exists ${role}`]);
  }, 120_000);

  it('applies every migration, leaves out the trigram index, and still finds names by substring', async () => {
    const applied = await migrate(pool);
    expect(applied).toContain('000013_fibre_search');
    expect((await pool.query(`select 1 from pg_extension where extname = 'pg_trgm'`)).rowCount).toBe(0);
    const { rows } = await pool.query(`select indexname from pg_indexes where tablename = 'frame_fibre' order by 1`);
    expect(rows.map((r) => r.indexname)).toEqual(['frame_fibre_name_prefix', 'frame_fibre_pkey', 'frame_fibre_sky']);
    await upsertFrame(pool, '/r', {
      id: 'ivo://drsoda.example.org/aat?2014-09-26/ccd1/0001', fileName: '26sep10001.fits', relPath: '140926/ccd_1/26sep10001.fits', night: '2014-09-26',
      ccd: 1, arm: 'blue', run: 1, ndfClass: 'MFOBJECT', object: 'F', gratId: '580V', lambdaCAngstrom: 4800, dispersionAngstromPerPx: 1, speed: 'NORMAL',
      cfgFile: 'F_p0.sds', plate: 0, exposedS: 600, utMjd: 56926.5, utStart: '11:00:00', meanRaDeg: 10, meanDecDeg: -30, flaps: 'OPEN', lampName: '',
      naxis1: 1, naxis2: 1, sizeBytes: 1, sha256: '0'.repeat(64), mtime: new Date(0),
    }, [{ fibre: 1, name: 'NGC 1365', type: 'P', raRad: 0.93, decRad: -0.63, pivot: 1, magnitude: 12 }]);
    const found = await searchFibres(pool, { name: { text: '136', match: 'substring' }, limit: 10 });
    expect(found.hits.map((h) => h.name)).toEqual(['NGC 1365']);
  }, 120_000);
});
