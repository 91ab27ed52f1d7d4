-- Pads member search tokens still in the shape from before migration 0009 ("456_n_john" becomes
-- "00000000000000000456_n_john"); the triggers of members_fts move the index along. `npm run deploy`
-- runs it after the new Worker is live: between applying the migrations and that moment, a Worker
-- from before 0009 may still have written tokens the old way. Idempotent: a padded token never
-- matches ' <company id>_' (it is preceded by zeros, not by a space), and rows already padded are
-- not touched (nor are ids of 20 digits, which have no padding). The same rewrite as
-- migrations/0009_search_prefix_index.sql.
UPDATE `members` SET `search_terms` = substr(
	replace(' ' || `search_terms`, ' ' || `company_id` || '_',
		' ' || substr('00000000000000000000' || `company_id`, -20) || '_'),
	2)
WHERE `search_terms` <> '' AND length(`company_id`) < 20
	AND substr(`search_terms`, 1, 21) <> substr('00000000000000000000' || `company_id`, -20) || '_';
