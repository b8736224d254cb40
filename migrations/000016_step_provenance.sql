-- Provenance of shared steps: the job a step last (re)started life for, and when each job linked to each of its
-- steps. A step that was already done (or running) when a job linked to it was made by another job: the job page
-- marks it "reused" and names that job instead of showing the other job's times as this job's own.
alter table step add column made_for_job text;
alter table job_step add column linked_at timestamptz;
-- Rows from before this migration keep a null linked_at: whether they were reused is unknown, so they are not marked.
alter table job_step alter column linked_at set default now();
