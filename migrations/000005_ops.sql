-- Notifications: an outbox of webhook calls and e-mails about job phase changes. A trigger writes the rows
-- in the transaction that changes the phase, whichever process (API, worker, reaper) made the change, so no
-- change is missed and none is announced twice; any API process delivers them (SKIP LOCKED + lease).

create table notification (
  id              bigserial primary key,
  -- No foreign key: a job deleted right after it ended still has its last events delivered.
  job_id          text not null,
  kind            text not null,
  owner_id        text,
  run_id          text,
  channel         text not null check (channel in ('webhook', 'email')),
  -- The job's NOTIFY_URL or NOTIFY_EMAIL parameter.
  target          text not null,
  phase           text not null,
  previous_phase  text,
  event_time      timestamptz not null default now(),
  state           text not null default 'pending' check (state in ('pending', 'sending', 'delivered', 'failed')),
  attempts        integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  lease_expires   timestamptz,
  last_error      text,
  delivered_at    timestamptz
);
create index notification_due on notification (next_attempt_at) where state in ('pending', 'sending');
create index notification_job on notification (job_id, id);
create index notification_finished on notification (event_time) where state in ('delivered', 'failed');

-- Webhooks hear every phase change; e-mail only the start and the end (as PAWS told its users).
create function notification_enqueue() returns trigger language plpgsql as $$
begin
  if new.phase is distinct from old.phase then
    insert into notification (job_id, kind, owner_id, run_id, channel, target, phase, previous_phase)
    select new.id, new.kind, new.owner_id, new.run_id,
           case p.name when 'NOTIFY_URL' then 'webhook' else 'email' end, p.value, new.phase, old.phase
      from uws_parameter p
     where p.job_id = new.id and p.name in ('NOTIFY_URL', 'NOTIFY_EMAIL')
       and (p.name = 'NOTIFY_URL' or new.phase in ('EXECUTING', 'COMPLETED', 'ERROR', 'ABORTED'))
     order by p.position;
    if found then
      perform pg_notify('notification', new.id);
    end if;
  end if;
  return null;
end
$$;

create trigger notification_enqueue after update of phase on uws_job
  for each row execute function notification_enqueue();
