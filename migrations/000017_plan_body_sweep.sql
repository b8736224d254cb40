-- Shared plans (plan_body, 000015) outlive the jobs that named them: the UWS reaper deletes bodies no job_plan
-- row names any more (job-service.ts), once they are older than its grace period, so a body a creation batch has
-- just stored, before its job_plan rows are written, is never taken. The index keeps that "named by no job"
-- check, and the foreign key's check on every delete, an index probe.
alter table plan_body add column created timestamptz not null default now();
create index job_plan_digest on job_plan (digest) where digest is not null;
