-- Every statement that changes the frame index (ingest, the watcher, the demo archive's startup, `drsoda ingest`)
-- announces it on the frame_change channel, so API processes drop the SODA plans they built from the old index
-- (src/archive/archive-changes.ts). One notification per statement, and NOTIFY folds duplicates per transaction.
create function frame_change_notify() returns trigger language plpgsql as $$
begin
  perform pg_notify('frame_change', tg_op);
  return null;
end $$;

create trigger frame_change_notify after insert or update or delete or truncate on frame
  for each statement execute function frame_change_notify();
