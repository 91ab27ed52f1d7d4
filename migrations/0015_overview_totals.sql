-- The merchant dashboard's overview (src/loyalty/stats/overview.ts) in a bounded number of rows,
-- whatever the company's size: running totals kept beside the rows they count, so the overview
-- never scans points_ledger or members. Each total is what a full scan of those tables gives (the
-- tests compare the two: test/loyalty/stats/).
--
--   daily_totals (company, UTC day)     points earned, redeemed, reversed and expired (positive
--                                       numbers) and adjusted (signed, opening balances included);
--                                       members created that day; members whose latest activity
--                                       (members.last_active_day: an earn or redeem row) is that day
--   company_totals (company)            members (any status) and points outstanding: the sum of the
--                                       positive balances (a negative balance, left by a reversal
--                                       after the points were spent, is owed by the member: no
--                                       liability of the programme)
--   monthly_reward_totals               per UTC month and reward: the redemptions made that month
--     (company, month, reward)          and their points, less those given back since
--
-- Net figures, each counted where the thing it undoes was counted, so none goes below zero:
-- - redeemed: a 'redeem' row counts one redemption and its points; the row giving those points back
--   (a 'reversal' row with a reward_id: `release:<redemption>` when a pending redemption failed and
--   was released, `return:<redemption>` when an applied one's order was rejected or deleted) takes
--   them away again on the day and month of that redemption, found by its ledger key
--   `redeem:<redemption>` (src/loyalty/ledger/keys.ts). Redeemed = points redemptions made that day
--   still cost; a month's redemptions = the ones made in it that stood (pending ones included).
-- - reversed: earning taken back (a 'reversal' row without a reward: a refund, a rejected or deleted
--   order) counts on the day of the sale that earned it, found by its key `earn:<order_id>`; so
--   earned - reversed = what a day's sales still earn.
-- A row whose original is not found (none of the scheme's writers make one) counts on its own day.
--
-- Days are UTC days since 1970-01-01 (created_at / 86400000), months 'YYYY-MM' in UTC: one
-- definition for every company, whatever its time zone (the dashboard says so).
--
-- Why triggers: every writer of points_ledger and members (earning, undoing, redemption, expiry,
-- adjustments, enrolment, import, the seed's SQL, a statement run by hand) updates the totals in the
-- same transaction as its own row, and none can forget to. Upserts (INSERT ... ON CONFLICT DO
-- UPDATE): the first row of a day, month or company creates its total. The domain's batches are
-- unaffected: changes(), which they rely on, counts the top-level statement's own rows, never a
-- trigger's.
--
-- The migration is applied as one D1 query (with its d1_migrations row), so no write comes between
-- the backfill below and the triggers after it. The three tables are WITHOUT ROWID (hand-added: one
-- b-tree each, where a rowid table would keep a second for its primary key). A trigger body holds no
-- "END;" but its own: wrangler and the test runner split statements as sqlite3_complete does.
CREATE TABLE `company_totals` (
	`company_id` text PRIMARY KEY NOT NULL,
	`members` integer DEFAULT 0 NOT NULL,
	`points_outstanding` integer DEFAULT 0 NOT NULL
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `daily_totals` (
	`company_id` text NOT NULL,
	`day` integer NOT NULL,
	`earned` integer DEFAULT 0 NOT NULL,
	`redeemed` integer DEFAULT 0 NOT NULL,
	`reversed` integer DEFAULT 0 NOT NULL,
	`expired` integer DEFAULT 0 NOT NULL,
	`adjusted` integer DEFAULT 0 NOT NULL,
	`new_members` integer DEFAULT 0 NOT NULL,
	`last_active` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`company_id`, `day`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `monthly_reward_totals` (
	`company_id` text NOT NULL,
	`month` text NOT NULL,
	`reward_id` text NOT NULL,
	`redemptions` integer DEFAULT 0 NOT NULL,
	`points` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`company_id`, `month`, `reward_id`)
) WITHOUT ROWID;
--> statement-breakpoint
ALTER TABLE `members` ADD `last_active_day` integer;--> statement-breakpoint
CREATE INDEX `redemptions_company_status_idx` ON `redemptions` (`company_id`,`status`,`created_at`);
--> statement-breakpoint
-- ---- Backfill: one pass over the rows written before this migration ----------------------------
-- Each member's latest activity: the UTC day of their latest earn or redeem row.
UPDATE `members` SET `last_active_day` = a.`day`
FROM (
	SELECT `member_id`, max(CAST(`created_at` AS INTEGER)) / 86400000 AS `day`
	FROM `points_ledger` WHERE `reason` IN ('earn', 'redeem') GROUP BY `member_id`
) AS a
WHERE `members`.`id` = a.`member_id`;
--> statement-breakpoint
INSERT INTO `company_totals` (`company_id`, `members`, `points_outstanding`)
SELECT `company_id`, count(*), sum(max(`points`, 0)) FROM `members` GROUP BY `company_id`;
--> statement-breakpoint
INSERT INTO `daily_totals` (`company_id`, `day`, `earned`, `redeemed`, `reversed`, `expired`, `adjusted`, `new_members`, `last_active`)
SELECT `company_id`, `day`, sum(`earned`), sum(`redeemed`), sum(`reversed`), sum(`expired`), sum(`adjusted`), sum(`new_members`), sum(`last_active`)
FROM (
	-- Every ledger row but a reversal, on its own day.
	SELECT `company_id`, CAST(`created_at` AS INTEGER) / 86400000 AS `day`,
		CASE WHEN `reason` = 'earn' THEN `delta` ELSE 0 END AS `earned`,
		CASE WHEN `reason` = 'redeem' THEN -`delta` ELSE 0 END AS `redeemed`,
		0 AS `reversed`,
		CASE WHEN `reason` = 'expiry' THEN -`delta` ELSE 0 END AS `expired`,
		CASE WHEN `reason` = 'adjustment' THEN `delta` ELSE 0 END AS `adjusted`,
		0 AS `new_members`, 0 AS `last_active`
	FROM `points_ledger` WHERE `reason` <> 'reversal'
	UNION ALL
	-- A give-back, on the day of the redemption it undoes.
	SELECT g.`company_id`, CAST(coalesce(r.`created_at`, g.`created_at`) AS INTEGER) / 86400000, 0, -g.`delta`, 0, 0, 0, 0, 0
	FROM `points_ledger` g
	LEFT JOIN `points_ledger` r ON r.`company_id` = g.`company_id`
		AND r.`idempotency_key` = 'redeem:' || substr(g.`idempotency_key`, instr(g.`idempotency_key`, ':') + 1)
	WHERE g.`reason` = 'reversal' AND g.`reward_id` IS NOT NULL
	UNION ALL
	-- Earning taken back, on the day of the sale that earned it.
	SELECT g.`company_id`, CAST(coalesce(e.`created_at`, g.`created_at`) AS INTEGER) / 86400000, 0, 0, -g.`delta`, 0, 0, 0, 0
	FROM `points_ledger` g
	LEFT JOIN `points_ledger` e ON e.`company_id` = g.`company_id` AND e.`idempotency_key` = 'earn:' || g.`order_id`
	WHERE g.`reason` = 'reversal' AND g.`reward_id` IS NULL
	UNION ALL
	SELECT `company_id`, CAST(`created_at` AS INTEGER) / 86400000, 0, 0, 0, 0, 0, 1, 0 FROM `members`
	UNION ALL
	SELECT `company_id`, `last_active_day`, 0, 0, 0, 0, 0, 0, 1 FROM `members` WHERE `last_active_day` IS NOT NULL
)
GROUP BY `company_id`, `day`;
--> statement-breakpoint
INSERT INTO `monthly_reward_totals` (`company_id`, `month`, `reward_id`, `redemptions`, `points`)
SELECT `company_id`, `month`, `reward_id`, sum(`n`), sum(`points`)
FROM (
	SELECT `company_id`, strftime('%Y-%m', CAST(`created_at` AS INTEGER) / 1000, 'unixepoch') AS `month`, `reward_id`, 1 AS `n`, -`delta` AS `points`
	FROM `points_ledger` WHERE `reason` = 'redeem' AND `reward_id` IS NOT NULL
	UNION ALL
	SELECT g.`company_id`, strftime('%Y-%m', CAST(coalesce(r.`created_at`, g.`created_at`) AS INTEGER) / 1000, 'unixepoch'), g.`reward_id`, -1, -g.`delta`
	FROM `points_ledger` g
	LEFT JOIN `points_ledger` r ON r.`company_id` = g.`company_id`
		AND r.`idempotency_key` = 'redeem:' || substr(g.`idempotency_key`, instr(g.`idempotency_key`, ':') + 1)
	WHERE g.`reason` = 'reversal' AND g.`reward_id` IS NOT NULL
)
GROUP BY `company_id`, `month`, `reward_id`;
--> statement-breakpoint
-- ---- Triggers on points_ledger (append-only: inserts only) -------------------------------------
-- Every row but a reversal: its own day's points.
CREATE TRIGGER `points_ledger_daily_totals` AFTER INSERT ON `points_ledger`
WHEN new.reason <> 'reversal' BEGIN
	INSERT INTO daily_totals (company_id, day, earned, redeemed, expired, adjusted)
	VALUES (new.company_id, CAST(new.created_at AS INTEGER) / 86400000,
		CASE WHEN new.reason = 'earn' THEN new.delta ELSE 0 END,
		CASE WHEN new.reason = 'redeem' THEN -new.delta ELSE 0 END,
		CASE WHEN new.reason = 'expiry' THEN -new.delta ELSE 0 END,
		CASE WHEN new.reason = 'adjustment' THEN new.delta ELSE 0 END)
	ON CONFLICT (company_id, day) DO UPDATE SET
		earned = earned + excluded.earned,
		redeemed = redeemed + excluded.redeemed,
		expired = expired + excluded.expired,
		adjusted = adjusted + excluded.adjusted;
END;
--> statement-breakpoint
-- A redemption of a reward: one more for its month.
CREATE TRIGGER `points_ledger_reward_totals` AFTER INSERT ON `points_ledger`
WHEN new.reason = 'redeem' AND new.reward_id IS NOT NULL BEGIN
	INSERT INTO monthly_reward_totals (company_id, month, reward_id, redemptions, points)
	VALUES (new.company_id, strftime('%Y-%m', CAST(new.created_at AS INTEGER) / 1000, 'unixepoch'), new.reward_id, 1, -new.delta)
	ON CONFLICT (company_id, month, reward_id) DO UPDATE SET
		redemptions = redemptions + excluded.redemptions,
		points = points + excluded.points;
END;
--> statement-breakpoint
-- A give-back: the redemption it undoes no longer counts, on that redemption's day and in its month.
CREATE TRIGGER `points_ledger_give_back_totals` AFTER INSERT ON `points_ledger`
WHEN new.reason = 'reversal' AND new.reward_id IS NOT NULL BEGIN
	INSERT INTO daily_totals (company_id, day, redeemed)
	SELECT new.company_id, CAST(r.at AS INTEGER) / 86400000, -new.delta
	FROM (SELECT coalesce((SELECT x.created_at FROM points_ledger x WHERE x.company_id = new.company_id
		AND x.idempotency_key = 'redeem:' || substr(new.idempotency_key, instr(new.idempotency_key, ':') + 1)), new.created_at) AS at) r
	WHERE true
	ON CONFLICT (company_id, day) DO UPDATE SET redeemed = redeemed + excluded.redeemed;
	INSERT INTO monthly_reward_totals (company_id, month, reward_id, redemptions, points)
	SELECT new.company_id, strftime('%Y-%m', CAST(r.at AS INTEGER) / 1000, 'unixepoch'), new.reward_id, -1, -new.delta
	FROM (SELECT coalesce((SELECT x.created_at FROM points_ledger x WHERE x.company_id = new.company_id
		AND x.idempotency_key = 'redeem:' || substr(new.idempotency_key, instr(new.idempotency_key, ':') + 1)), new.created_at) AS at) r
	WHERE true
	ON CONFLICT (company_id, month, reward_id) DO UPDATE SET
		redemptions = redemptions + excluded.redemptions,
		points = points + excluded.points;
END;
--> statement-breakpoint
-- Earning taken back: on the day of the sale that earned it.
CREATE TRIGGER `points_ledger_reversal_totals` AFTER INSERT ON `points_ledger`
WHEN new.reason = 'reversal' AND new.reward_id IS NULL BEGIN
	INSERT INTO daily_totals (company_id, day, reversed)
	SELECT new.company_id, CAST(coalesce((SELECT e.created_at FROM points_ledger e WHERE e.company_id = new.company_id
		AND e.idempotency_key = 'earn:' || new.order_id), new.created_at) AS INTEGER) / 86400000, -new.delta
	WHERE true
	ON CONFLICT (company_id, day) DO UPDATE SET reversed = reversed + excluded.reversed;
END;
--> statement-breakpoint
-- An earn or redeem row: the member's latest activity moves to its day, only ever later (a row
-- written with an older time moves nothing). The members trigger below moves the days' counts.
CREATE TRIGGER `points_ledger_activity` AFTER INSERT ON `points_ledger`
WHEN new.reason IN ('earn', 'redeem') BEGIN
	UPDATE members SET last_active_day = CAST(new.created_at AS INTEGER) / 86400000
	WHERE id = new.member_id
		AND (last_active_day IS NULL OR last_active_day < CAST(new.created_at AS INTEGER) / 86400000);
END;
--> statement-breakpoint
-- ---- Triggers on members -----------------------------------------------------------------------
-- (created_at and company_id never change; last_active_day is written by the trigger above.)
CREATE TRIGGER `members_totals_after_insert` AFTER INSERT ON `members` BEGIN
	INSERT INTO company_totals (company_id, members, points_outstanding)
	VALUES (new.company_id, 1, max(new.points, 0))
	ON CONFLICT (company_id) DO UPDATE SET
		members = members + 1,
		points_outstanding = points_outstanding + excluded.points_outstanding;
	INSERT INTO daily_totals (company_id, day, new_members)
	VALUES (new.company_id, CAST(new.created_at AS INTEGER) / 86400000, 1)
	ON CONFLICT (company_id, day) DO UPDATE SET new_members = new_members + 1;
	INSERT INTO daily_totals (company_id, day, last_active)
	SELECT new.company_id, new.last_active_day, 1 WHERE new.last_active_day IS NOT NULL
	ON CONFLICT (company_id, day) DO UPDATE SET last_active = last_active + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `members_totals_after_delete` AFTER DELETE ON `members` BEGIN
	UPDATE company_totals SET members = members - 1, points_outstanding = points_outstanding - max(old.points, 0)
	WHERE company_id = old.company_id;
	UPDATE daily_totals SET new_members = new_members - 1
	WHERE company_id = old.company_id AND day = CAST(old.created_at AS INTEGER) / 86400000;
	UPDATE daily_totals SET last_active = last_active - 1
	WHERE company_id = old.company_id AND day = old.last_active_day;
END;
--> statement-breakpoint
CREATE TRIGGER `members_totals_after_points` AFTER UPDATE OF points ON `members`
WHEN max(old.points, 0) <> max(new.points, 0) BEGIN
	UPDATE company_totals SET points_outstanding = points_outstanding + max(new.points, 0) - max(old.points, 0)
	WHERE company_id = new.company_id;
END;
--> statement-breakpoint
-- A member's latest activity moved: from the old day's count to the new day's.
CREATE TRIGGER `members_totals_after_activity` AFTER UPDATE OF last_active_day ON `members`
WHEN old.last_active_day IS NOT new.last_active_day BEGIN
	UPDATE daily_totals SET last_active = last_active - 1
	WHERE company_id = old.company_id AND day = old.last_active_day;
	INSERT INTO daily_totals (company_id, day, last_active)
	SELECT new.company_id, new.last_active_day, 1 WHERE new.last_active_day IS NOT NULL
	ON CONFLICT (company_id, day) DO UPDATE SET last_active = last_active + 1;
END;
