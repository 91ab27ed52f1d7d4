-- Member search: prefix indexes (hand-written: drizzle cannot express FTS5 or triggers).
-- A prefix search ("jo", "0412", "john.s") used to merge the lists of every word starting with
-- what was typed, which costs in proportion to how many members those words have: about 4 ms of
-- SQLite time for two letters at 1,000,000 members. FTS5 can keep a second index of each token's
-- first N characters, but N counts from the token's start, so the start must be the same length
-- for every company: the company id is now zero-padded to 20 digits (the longest Kounta id),
-- "456_n_john" becoming "00000000000000000456_n_john" (src/loyalty/search-terms.ts, tokenStart).
-- The 23-character start plus 1 to 8 typed characters gives the prefix lengths 24 to 31
-- (ftsPrefixOption; test/storage/search-migration.test.ts checks that the two agree).
-- Cost: about 26 s for 1,000,000 members on a 2-core machine (22 s of it the rebuild).
-- A Worker from before this migration that is still live until the deploy writes tokens the old
-- way; `npm run deploy` pads those afterwards (scripts/sql/pad-search-terms.sql, the same UPDATE).
DROP TRIGGER `members_fts_after_insert`;
--> statement-breakpoint
DROP TRIGGER `members_fts_after_delete`;
--> statement-breakpoint
DROP TRIGGER `members_fts_after_update`;
--> statement-breakpoint
DROP TABLE `members_fts`;
--> statement-breakpoint
-- Every token starts with "<company id>_" and tokens are separated by single spaces. An id of 20
-- digits or more stays as it is (as padStart leaves it).
UPDATE `members` SET `search_terms` = substr(
	replace(' ' || `search_terms`, ' ' || `company_id` || '_',
		' ' || CASE WHEN length(`company_id`) >= 20 THEN `company_id` ELSE substr('00000000000000000000' || `company_id`, -20) END || '_'),
	2)
WHERE `search_terms` <> '';
--> statement-breakpoint
CREATE VIRTUAL TABLE `members_fts` USING fts5(
	search_terms,
	content = 'members',
	content_rowid = 'pk',
	tokenize = "unicode61 remove_diacritics 2 tokenchars '_'",
	detail = none,
	prefix = '24 25 26 27 28 29 30 31'
);
--> statement-breakpoint
INSERT INTO members_fts(members_fts) VALUES ('rebuild');
--> statement-breakpoint
CREATE TRIGGER `members_fts_after_insert` AFTER INSERT ON `members` BEGIN
	INSERT INTO members_fts(rowid, search_terms) VALUES (new.pk, new.search_terms);
END;
--> statement-breakpoint
CREATE TRIGGER `members_fts_after_delete` AFTER DELETE ON `members` BEGIN
	INSERT INTO members_fts(members_fts, rowid, search_terms) VALUES ('delete', old.pk, old.search_terms);
END;
--> statement-breakpoint
CREATE TRIGGER `members_fts_after_update` AFTER UPDATE OF search_terms ON `members` BEGIN
	INSERT INTO members_fts(members_fts, rowid, search_terms) VALUES ('delete', old.pk, old.search_terms);
	INSERT INTO members_fts(rowid, search_terms) VALUES (new.pk, new.search_terms);
END;
