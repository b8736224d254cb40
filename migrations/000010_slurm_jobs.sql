-- Slurm executor (docs/slurm.md): the batch job that runs each step, so a restarted drsoda re-attaches to a
-- job Slurm still runs instead of submitting the step a second time. A row lives from sbatch until the
-- runner has collected the job's outcome; a row whose step no longer runs or waits is an orphan to scancel.
create table slurm_job (
  step_id       text primary key references step (id) on delete cascade,
  slurm_job_id  text not null,
  -- The step folder on the shared filesystem: script, work dir, logs, exit marker.
  job_dir       text not null,
  submitted_at  timestamptz not null default now()
);
create index slurm_job_slurm_id on slurm_job (slurm_job_id);
