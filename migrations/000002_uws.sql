-- UWS 1.1 job manager: jobs, their ordered parameters and results, and hashed API tokens.
-- Every phase change (and every delete) is announced with pg_notify in the changing transaction,
-- so blocked WAIT requests in any API process wake at commit, whichever process made the change.

create table uws_job (
  id                 text primary key,
  kind               text not null,
  owner_id           text,
  run_id             text,
  phase              text not null default 'PENDING' check (phase in
                       ('PENDING', 'QUEUED', 'EXECUTING', 'COMPLETED', 'ERROR', 'ABORTED',
                        'UNKNOWN', 'HELD', 'SUSPENDED', 'ARCHIVED')),
  quote              timestamptz,
  creation_time      timestamptz not null,
  start_time         timestamptz,
  end_time           timestamptz,
  -- Seconds; 0 = unlimited (UWS 1.1 section 2.1.6).
  execution_duration integer not null check (execution_duration >= 0),
  -- start_time + execution_duration, set when the job starts executing (null = unlimited).
  deadline           timestamptz,
  destruction        timestamptz,
  error_type         text check (error_type in ('fatal', 'transient')),
  error_message      text,
  error_detail       text,
  error_detail_type  text,
  -- A well-formed XML fragment shown inside uws:jobInfo (the reduction plan, later).
  job_info           text,
  progress_fraction  double precision check (progress_fraction between 0 and 1),
  progress_message   text,
  check ((error_type is null) = (error_message is null))
);

-- Job lists are read newest first (creationTime desc, id desc as the keyset tie-break), per kind,
-- for everyone (anonymous/admin) or one owner, optionally for one phase.
create index uws_job_list on uws_job (kind, creation_time desc, id desc);
create index uws_job_owner_list on uws_job (kind, owner_id, creation_time desc, id desc);
create index uws_job_phase_list on uws_job (kind, phase, creation_time desc, id desc);
create index uws_job_owner_phase_list on uws_job (kind, owner_id, phase, creation_time desc, id desc);
-- The reaper's two sweeps.
create index uws_job_destruction on uws_job (destruction) where destruction is not null;
create index uws_job_deadline on uws_job (deadline) where phase = 'EXECUTING' and deadline is not null;
-- Quotes: recent run times of completed jobs of a kind.
create index uws_job_history on uws_job (kind, end_time desc) where phase = 'COMPLETED';

create table uws_parameter (
  job_id       text not null references uws_job (id) on delete cascade,
  position     integer not null,
  -- Upper-cased: DALI parameter names are case-insensitive.
  name         text not null,
  value        text not null,
  by_reference boolean not null default false,
  primary key (job_id, position)
);

create table uws_result (
  job_id     text not null references uws_job (id) on delete cascade,
  position   integer not null,
  result_id  text not null,
  -- Absolute URL of a result held elsewhere; null when the file lives in the job's directory.
  href       text,
  path       text,
  mime_type  text,
  size       bigint check (size >= 0),
  primary key (job_id, result_id),
  unique (job_id, position),
  check ((href is null) <> (path is null))
);

create function uws_job_notify() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' then
    perform pg_notify('uws_job', old.id || ' DELETED');
  elsif new.phase is distinct from old.phase then
    perform pg_notify('uws_job', new.id || ' ' || new.phase);
  end if;
  return null;
end
$$;

create trigger uws_job_notify after update of phase or delete on uws_job
  for each row execute function uws_job_notify();

-- Bearer API tokens (AUTH_MODE=token). Only a SHA-256 of the token is stored: tokens are 256-bit
-- random strings, so a plain hash cannot be brute-forced and needs no per-token salt.
create table api_token (
  id           text primary key,
  user_id      text not null,
  token_hash   bytea not null unique,
  label        text,
  created_at   timestamptz not null,
  last_used_at timestamptz,
  revoked_at   timestamptz
);
create index api_token_user on api_token (user_id);
