// Read-only queries behind DataLink: which done steps derive from raw frames, what a product was made from,
// and whether the caller may see a product (a product is visible to the owners and readers of the jobs that used it).
import type { OwnerScope } from '../domain/job.js';
import type { StepInput } from '../domain/plan.js';
import type { Queryable } from './db.js';

/** Whose products a caller sees: every job's (admin), one owner's (null = the anonymous owner), or none. */

export interface ProductFile {
  stepId: string;
  operation: string;
  label: string;
  fileName: string;
  size: number;
  sha256: string;
  endedAt: Date | null;
  /** The pipeline the step was planned for (step.pipeline); null for steps older than migration 7. */
  pipeline: string | null;
}

export interface DerivedProduct extends ProductFile {
  /** The raw frame it derives from. */
  frameId: string;
}

/** Steps that combine earlier products: their products derive from every raw frame behind their inputs. */
const combining = ['combine_image', 'combine_spectra', 'splice'];

function scopeSql(scope: OwnerScope, stepCol: string, p: number): string {
  if (scope.kind === 'all') return 'true';
  if (scope.kind === 'none') return 'false';
  // The caller's own jobs, and the jobs shared with them to read (uws_job_reader: the user, or '*' = everyone).
  return `exists (select 1 from job_step js join uws_job j on j.id = js.job_id
                   where js.step_id = ${stepCol}
                     and (j.owner_id is not distinct from $${p}
                          or exists (select 1 from uws_job_reader r where r.job_id = j.id and (r.user_id = '*' or r.user_id = $${p}))))`;
}

const scopeArgs = (scope: OwnerScope) => (scope.kind === 'owner' ? [scope.ownerId] : []);

/**
 * Products of done steps that read one of the raw frames, and of the combining steps (combine_image,
 * combine_spectra, splice) downstream of them, that the scope may see. Ordered by frame, then step end time.
 * Scans done steps' inputs (no index on spec; a night's reductions are a few thousand steps).
 */
export async function derivedProducts(db: Queryable, frameIds: readonly string[], scope: OwnerScope): Promise<DerivedProduct[]> {
  if (!frameIds.length || scope.kind === 'none') return [];
  const { rows } = await db.query(
    `with recursive direct as (
       select s.id, i->>'frameId' as frame_id
         from step s cross join lateral jsonb_array_elements(s.spec->'inputs') i
        where s.state = 'done' and i->>'kind' = 'raw' and i->>'frameId' = any($1)
     ), walk(id, frame_id) as (
       select id, frame_id from direct
       union
       select d.step_id, w.frame_id from walk w
         join step_dependency d on d.depends_on = w.id
         join step n on n.id = d.step_id
        where n.state = 'done' and n.operation = any($2)
     )
     select distinct w.frame_id, s.id, s.operation, s.label, s.ended_at, s.pipeline, o.file_name, o.size, o.sha256
       from walk w join step s on s.id = w.id join step_output o on o.step_id = s.id and o.product
      where ${scopeSql(scope, 's.id', 3)}
      order by w.frame_id, s.ended_at nulls last, s.id, o.file_name`,
    [frameIds, combining, ...scopeArgs(scope)],
  );
  return rows.map((r) => ({ frameId: r.frame_id, stepId: r.id, operation: r.operation, label: r.label, endedAt: r.ended_at, pipeline: r.pipeline, fileName: r.file_name, size: r.size, sha256: r.sha256 }));
}

/** One product file of a done step, when the scope may see it; null otherwise (indistinguishable from absent). */
export async function findProduct(db: Queryable, stepId: string, fileName: string, scope: OwnerScope): Promise<ProductFile | null> {
  if (scope.kind === 'none') return null;
  const { rows } = await db.query(
    `select s.id, s.operation, s.label, s.ended_at, s.pipeline, o.file_name, o.size, o.sha256
       from step s join step_output o on o.step_id = s.id and o.file_name = $1 and o.product
      where s.id = $2 and s.state = 'done' and ${scopeSql(scope, 's.id', 3)}`,
    [fileName, stepId, ...scopeArgs(scope)],
  );
  const r = rows[0];
  return r ? { stepId: r.id, operation: r.operation, label: r.label, endedAt: r.ended_at, pipeline: r.pipeline, fileName: r.file_name, size: r.size, sha256: r.sha256 } : null;
}

export interface AncestorStep {
  id: string;
  operation: string;
  inputs: StepInput[];
}

/** The step and every step it depends on, transitively (for provenance: raw inputs and calibrations). */
export async function stepAncestry(db: Queryable, stepId: string): Promise<AncestorStep[]> {
  const { rows } = await db.query(
    `with recursive up(id) as (
       select $1::text
       union
       select d.depends_on from up join step_dependency d on d.step_id = up.id
     )
     select s.id, s.operation, s.spec->'inputs' as inputs from up join step s on s.id = up.id`,
    [stepId],
  );
  return rows.map((r) => ({ id: r.id, operation: r.operation, inputs: r.inputs as StepInput[] }));
}

/** Where raw rows point: the indexed frames among ids (present or missing), with their size and class. */
export async function framesForLinks(db: Queryable, ids: readonly string[]): Promise<Array<{ id: string; fileName: string; ndfClass: string; arm: 'blue' | 'red'; sizeBytes: number; missing: boolean }>> {
  if (!ids.length) return [];
  const { rows } = await db.query(
    'select id, file_name, ndf_class, arm, size_bytes, missing_since is not null as missing from frame where id = any($1)',
    [ids],
  );
  return rows.map((r) => ({ id: r.id, fileName: r.file_name, ndfClass: r.ndf_class, arm: r.arm, sizeBytes: r.size_bytes, missing: r.missing }));
}
