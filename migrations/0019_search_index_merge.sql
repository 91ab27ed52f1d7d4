-- Member search: FTS5 merges the b-trees ("segments") of members_fts's index as soon as two share a
-- level, when asked to (src/loyalty/search/search-index.ts; the cron asks every run). FTS5's
-- default is four. Every transaction that writes members' search tokens adds a segment, and a search
-- probes every segment for every term it looks up, so fewer segments make every search cheaper:
-- measured on 100,000 members, 11 segments cost about twice the SQL time of 2 (docs/search.md).
-- Stored in members_fts_config; a migration that creates members_fts again must set it again.
INSERT INTO members_fts(members_fts, rank) VALUES ('usermerge', 2);
