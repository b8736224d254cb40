-- Slurm DAG hand-over (SLURM_SUBMIT=dag, docs/slurm.md): a step still waiting on its inputs may already have a
-- Slurm job, submitted ahead with --dependency=afterok on its parents' jobs. `ahead` marks such a record (the
-- worker that later claims the step attaches to it; one that Slurm ended unused is replaced, not retried), and
-- `after_ok` keeps the Slurm job ids it waits on.
alter table slurm_job add column ahead boolean not null default false;
alter table slurm_job add column after_ok text[] not null default '{}';
