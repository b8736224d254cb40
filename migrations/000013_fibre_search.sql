-- Target search over the fibre tables (docs/archive.md#searching-targets): object names (case-insensitive
-- prefix and substring) and cones on the sky, fast for millions of fibres; and the airmass and seeing of a
-- frame when its header records them.

-- Substring search uses trigrams when pg_trgm can be installed (it ships with PostgreSQL's contrib, and is a
-- trusted extension, so the database owner may create it). Without it the same query still answers, by scanning.
do $$
begin
  create extension if not exists pg_trgm;
exception when others then
  raise notice 'pg_trgm is unavailable (%): object-name substring search will scan frame_fibre', sqlerrm;
end $$;

do $$
begin
  if exists (select 1 from pg_extension where extname = 'pg_trgm') then
    execute 'create index frame_fibre_name_trgm on frame_fibre using gin (lower(name) gin_trgm_ops)';
  end if;
end $$;

-- Prefix and exact-name search (lower(name) like 'ngc 12%'), with or without pg_trgm.
create index frame_fibre_name_prefix on frame_fibre (lower(name) text_pattern_ops);

-- Cone search: a declination band from this index, narrowed by an RA window in the same index, then the exact
-- great-circle distance (src/store/fibre-search-store.ts). RA is radians in [0, 2pi) as the fibre table stores it.
create index frame_fibre_sky on frame_fibre (dec_rad, ra_rad);

-- Null when the header has neither AIRMASS nor ZDSTART (airmass) or no SEEING (src/archive/frame-header.ts).
alter table frame add column airmass double precision;
alter table frame add column seeing_arcsec double precision;
