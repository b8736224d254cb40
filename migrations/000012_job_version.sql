-- A version per job for HTTP validators (ETag): every insert and update of a uws_job row takes the next value of
-- one sequence, so a job's version changes with every change of the job (phase, progress, quote, destruction,
-- jobInfo, error...), and the versions of a set of jobs identify that set's state (docs/uws.md#conditional-requests).
-- Parameters and results live in their own tables: every statement that changes them runs in a transaction that
-- also updates the job row (replaceParameters, markCompleted), so the job's version moves with them.

create sequence uws_job_version_seq;

alter table uws_job add column version bigint not null default nextval('uws_job_version_seq');

create function uws_job_next_version() returns trigger language plpgsql as $$
begin
  new.version := nextval('uws_job_version_seq');
  return new;
end
$$;

create trigger uws_job_next_version before update on uws_job
  for each row execute function uws_job_next_version();
