-- Member search (hand-written: drizzle cannot express FTS5 or triggers).
-- members.search_terms holds tokens built by src/loyalty/search-terms.ts, each prefixed with the
-- company id and a field tag ("456_n_john", "456_e_john_smith_example_com", "456_p_412345678",
-- "456_k_a1b2c3"), so a search only ever walks that company's part of the index.
-- External content: the index stores no copy of the text; the triggers keep it in sync.
CREATE VIRTUAL TABLE `members_fts` USING fts5(
	search_terms,
	content = 'members',
	content_rowid = 'pk',
	tokenize = "unicode61 remove_diacritics 2 tokenchars '_'",
	detail = none
);
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
