-- Every process start records itself: VOSI availability reports upSince from it, and operators
-- see which API and worker processes ran against this database.
create table service_instance (
  id          uuid primary key,
  role        text not null check (role in ('serve', 'worker', 'watch', 'cli')),
  hostname    text not null,
  pid         integer not null,
  version     text not null,
  started_at  timestamptz not null default now(),
  stopped_at  timestamptz
);
create index service_instance_started on service_instance (started_at desc);
