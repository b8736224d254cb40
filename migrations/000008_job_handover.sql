-- Durable hand-over of QUEUED jobs (src/uws/handover.ts, docs/reliability.md). The process that accepts PHASE=RUN
-- records itself and a lease it renews until the job's runner has handed it on (for SODA: the plan's steps are
-- in the engine); any live API or worker process takes over a QUEUED job whose lease expired (its process died),
-- one of them only (an update of the expired row under SKIP LOCKED).
alter table uws_job
  -- The process (host:pid:random) that accepted PHASE=RUN, or that last took the job over.
  add column handover_owner text,
  -- Set while the hand-over is under way; null once the runner has handed the job on (or before PHASE=RUN).
  add column handover_expires timestamptz,
  -- Processes that have held the hand-over: a job that keeps killing them ends in ERROR instead of looping.
  add column handover_attempts integer not null default 0;

create index uws_job_handover on uws_job (handover_expires) where phase = 'QUEUED' and handover_expires is not null;

-- QUEUED jobs that never reached the engine before this migration (no plan submitted) were stranded by a dead
-- process, or are being handed over this instant by one not yet upgraded: expire their hand-over so a live
-- process takes them over (starting a job twice submits the same steps, which are shared by id).
update uws_job set handover_expires = now(), handover_attempts = 1
 where phase = 'QUEUED' and not exists (select 1 from job_plan p where p.job_id = uws_job.id);
