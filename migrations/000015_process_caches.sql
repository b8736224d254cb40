-- Every change of a job row (any column: phase, progress, jobInfo, destruction, quote, results and parameters
-- through the row's version, see 000012) and every delete is announced on channel uws_job_change with the job
-- id, so a process's cache of rendered job documents (src/uws/job-cache.ts) forgets the job. uws_job keeps
-- announcing phase changes only, so WAIT and the notifier wake no more often than before. A truncate announces
-- '*': forget every job.

create function uws_job_change_notify() returns trigger language plpgsql as $$
begin
  if tg_op = 'TRUNCATE' then
    perform pg_notify('uws_job_change', '*');
  elsif tg_op = 'DELETE' then
    perform pg_notify('uws_job_change', old.id);
  else
    perform pg_notify('uws_job_change', new.id);
  end if;
  return null;
end
$$;

create trigger uws_job_change_notify after update or delete on uws_job
  for each row execute function uws_job_change_notify();

create trigger uws_job_change_notify_truncate after truncate on uws_job
  for each statement execute function uws_job_change_notify();

-- A revoked (or deleted) API token is announced on channel api_token with the hex of its hash, so every process's
-- cache of token lookups (src/auth/token-cache.ts) drops it at once; a truncate announces '*'.
create function api_token_notify() returns trigger language plpgsql as $$
begin
  if tg_op = 'TRUNCATE' then
    perform pg_notify('api_token', '*');
  elsif tg_op = 'DELETE' then
    perform pg_notify('api_token', encode(old.token_hash, 'hex'));
  elsif new.revoked_at is distinct from old.revoked_at or new.user_id is distinct from old.user_id or new.token_hash is distinct from old.token_hash then
    perform pg_notify('api_token', encode(old.token_hash, 'hex'));
  end if;
  return null;
end
$$;

create trigger api_token_notify after update or delete on api_token
  for each row execute function api_token_notify();

create trigger api_token_notify_truncate after truncate on api_token
  for each statement execute function api_token_notify();

-- Jobs created from one request share its plan (src/soda/plan-cache.ts): job creation stores each distinct plan
-- once in plan_body, by the SHA-256 of its JSON, and the job's job_plan row names it, instead of a 30 KB copy
-- per job. A plan written for one job (re-planned at start or on new parameters) stays in job_plan.plan.
create table plan_body (
  digest text primary key,
  plan   jsonb not null
);

alter table job_plan alter column plan drop not null;
alter table job_plan add column digest text references plan_body (digest);
alter table job_plan add constraint job_plan_one_plan check ((plan is null) <> (digest is null));
