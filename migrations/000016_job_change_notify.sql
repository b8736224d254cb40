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
