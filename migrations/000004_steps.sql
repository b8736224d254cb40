-- Execution engine: reduction steps as durable rows. A step's id is the planner's content hash, so the
-- same step needed by several jobs (or users) is one row, run once, and its products are reused.

create table step (
  id             text primary key,
  operation      text not null,
  label          text not null,
  -- The planner's Step (argv, inputs, idx file, outputs, products), as JSON.
  spec           jsonb not null,
  state          text not null check (state in ('waiting', 'ready', 'running', 'done', 'failed', 'cancelled')),
  -- Owner of the job that first asked for the step: per-owner fairness when claiming.
  owner_id       text not null default '',
  priority       integer not null default 0,
  attempts       integer not null default 0,
  max_attempts   integer not null default 3,
  -- Backoff after a transient failure: not claimable before this instant.
  not_before     timestamptz,
  lease_owner    text,
  lease_expires  timestamptz,
  created_at     timestamptz not null default now(),
  ready_at       timestamptz,
  started_at     timestamptz,
  ended_at       timestamptz,
  -- Last time a job used the step's products (cache eviction is least-recently-used).
  last_used_at   timestamptz not null default now(),
  exit_code      integer,
  failure_kind   text check (failure_kind in ('fatal', 'transient', 'usage')),
  error_message  text,
  log_path       text,
  -- Image id/digest (or program) that ran the step.
  runtime        text,
  duration_ms    integer,
  products_bytes bigint not null default 0,
  check ((state = 'running') = (lease_owner is not null))
);
create index step_ready on step (priority desc, ready_at) where state = 'ready';
create index step_running_lease on step (lease_expires) where state = 'running';
create index step_running_owner on step (owner_id) where state = 'running';

create table step_dependency (
  step_id    text not null references step (id) on delete cascade,
  depends_on text not null references step (id) on delete cascade,
  primary key (step_id, depends_on)
);
create index step_dependency_reverse on step_dependency (depends_on);

-- Which jobs need which steps. A job's phase follows its steps; a step no live job needs is cancelled.
create table job_step (
  job_id  text not null references uws_job (id) on delete cascade,
  step_id text not null references step (id) on delete cascade,
  -- Index of the step in the job's plan (dependency order), for showing the DAG.
  position integer not null,
  primary key (job_id, step_id)
);
create index job_step_step on job_step (step_id);

create table step_output (
  step_id   text not null references step (id) on delete cascade,
  file_name text not null,
  size      bigint not null,
  sha256    text not null,
  product   boolean not null,
  primary key (step_id, file_name)
);

-- The plan a job runs (built when the job is created, shown in jobInfo while PENDING).
create table job_plan (
  job_id text primary key references uws_job (id) on delete cascade,
  plan   jsonb not null
);

create function step_ready_notify() returns trigger language plpgsql as $$
begin
  if new.state = 'ready' and (tg_op = 'INSERT' or old.state is distinct from 'ready') then
    perform pg_notify('step_ready', new.id);
  end if;
  if tg_op = 'UPDATE' and new.state is distinct from old.state then
    perform pg_notify('step_state', new.id || ' ' || new.state);
  end if;
  return null;
end
$$;

create trigger step_ready_notify after insert or update of state on step
  for each row execute function step_ready_notify();
