-- The raw-data archive index: one row per raw frame (one CCD of one exposure), keyed by its publisher
-- DID, plus its 2dF fibre table. Filled by `drsoda ingest` from FITS headers; see docs/archive.md.
create table frame (
  id                          text primary key check (id like 'ivo://%' and length(id) <= 256),
  -- Absolute archive root the file was indexed under, and the file's path below it (no '..', no leading '/').
  root                        text not null,
  rel_path                    text not null check (rel_path !~ '(^/|(^|/)\.\.?(/|$)|\\)'),
  file_name                   text not null,
  night                       date not null,
  ccd                         smallint not null check (ccd in (1, 2)),
  arm                         text not null check (arm in ('blue', 'red')),
  run                         integer not null check (run >= 0),
  ndf_class                   text not null,
  object                      text not null,
  grat_id                     text not null,
  lambda_c_angstrom           double precision not null,
  dispersion_angstrom_per_px  double precision not null,
  speed                       text not null,
  cfg_file                    text not null,
  -- CFG_FILE without .sds: the field key of field DIDs and of the listing's field filter.
  field                       text generated always as (regexp_replace(cfg_file, '\.sds$', '', 'i')) stored,
  plate                       smallint check (plate in (0, 1)),
  exposed_s                   double precision not null,
  ut_mjd                      double precision not null,
  ut_start                    text not null,
  mean_ra_deg                 double precision,
  mean_dec_deg                double precision,
  flaps                       text not null,
  lamp_name                   text not null,
  naxis1                      integer not null,
  naxis2                      integer not null,
  size_bytes                  bigint not null check (size_bytes >= 0),
  sha256                      text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  mtime                       timestamptz not null,
  ingested_at                 timestamptz not null default now(),
  -- Set when an ingest no longer finds the file; the row stays so jobs that used the frame keep their
  -- provenance, but the frame leaves the listing and its download answers 404. Cleared if it returns.
  missing_since               timestamptz
);
-- One present frame per file; a vanished file's row may share its path with the file's new occupant.
create unique index frame_present_path on frame (root, rel_path) where missing_since is null;
create index frame_listing on frame (night, run, ccd);
create index frame_field on frame (field, night);
create index frame_class on frame (ndf_class, night);

create table frame_fibre (
  frame_id   text not null references frame (id) on delete cascade,
  fibre      smallint not null check (fibre between 1 and 1000),
  name       text not null,
  type       text not null,
  ra_rad     double precision not null,
  dec_rad    double precision not null,
  pivot      smallint not null,
  magnitude  double precision,
  primary key (frame_id, fibre)
);
