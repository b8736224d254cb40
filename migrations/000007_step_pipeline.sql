-- The pipeline a step is planned for (docs/reducer.md#pipeline-identity): its id is hashed into the step id, so
-- a product made by one reducer (image, local program, PIPELINE_VERSION) is never reused by another. Workers
-- claim only steps of their own pipeline; `runtime` keeps what actually ran. Steps made before this migration
-- keep null (their ids hash no pipeline, so no new plan reuses them) and run on any worker.
alter table step add column pipeline_id text;
-- For people: the image name with its id, the program with its hash, or the configured version.
alter table step add column pipeline text;
