-- Quick turnaround (docs/quick-turnaround.md): the files the archive watcher saw land, the auto jobs its
-- rules made (one per exposure or field, so nothing is reduced twice), the frames each auto job covers
-- (the latency record), and extra readers of a job (the users of the programme an auto job reduced).

-- One row per archive root: the watcher's watermark. Folders unchanged since last_scan_at are not re-read.
create table watch_root (
  root          text primary key,
  started_at    timestamptz not null default now(),
  last_scan_at  timestamptz not null default now()
);

create table watch_file (
  root           text not null,
  rel_path       text not null,
  -- When the watcher first noticed the file (a file-system event or a rescan).
  first_seen_at  timestamptz not null,
  -- When the file was complete: its mtime, unless a copy kept an older one (then first_seen_at).
  landed_at      timestamptz,
  ingested_at    timestamptz,
  size_bytes     bigint,
  mtime          timestamptz,
  -- No foreign key: frame rows are never deleted, and a failed file has none.
  frame_id       text,
  -- PROGID of the 2dF configuration (FIBRES table header), whose users may read the auto jobs.
  programme      text,
  state          text not null check (state in ('ingested', 'failed')),
  error          text,
  primary key (root, rel_path)
);
create index watch_file_frame on watch_file (frame_id);
create index watch_file_landed on watch_file (landed_at) where state = 'ingested';

create table auto_job (
  id             bigserial primary key,
  rule           text not null,
  kind           text not null check (kind in ('frame', 'field')),
  -- frame: '<night>/<run>' (both arms of one exposure); field: '<night>/<field>#<object exposures>'.
  subject        text not null,
  night          date not null,
  -- claimed: being created (a crash leaves it; it is retried after a while); created: job_id set;
  -- abandoned: never became reducible (reason says why).
  state          text not null default 'claimed' check (state in ('claimed', 'created', 'abandoned')),
  -- No foreign key: a destroyed job keeps its claim, so the exposure is not reduced again.
  job_id         text,
  priority       integer not null default 0,
  reason         text,
  claimed_at     timestamptz not null default now(),
  -- "planned": the job was created with its plan.
  created_at     timestamptz,
  -- Set once when the finished job's latencies went into the metrics (exactly once across processes).
  accounted_at   timestamptz,
  unique (kind, subject)
);
create index auto_job_job on auto_job (job_id);
create index auto_job_unaccounted on auto_job (created_at) where state = 'created' and accounted_at is null;

-- The frames an auto job reduces, with their landing and ingest times copied at creation.
create table auto_job_frame (
  auto_job_id  bigint not null references auto_job (id) on delete cascade,
  frame_id     text not null,
  landed_at    timestamptz,
  ingested_at  timestamptz,
  primary key (auto_job_id, frame_id)
);

-- Users who may read a job they do not own ('*' = every caller). The owner and admins keep sole control.
create table uws_job_reader (
  job_id   text not null references uws_job (id) on delete cascade,
  user_id  text not null,
  primary key (job_id, user_id)
);
create index uws_job_reader_user on uws_job_reader (user_id, job_id);
