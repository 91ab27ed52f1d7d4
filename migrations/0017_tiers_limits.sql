-- Tiers, limits and suspicious activity (issue 17; docs/tiers-and-limits.md).
--
-- member_tier_months holds, per member and UTC month (year * 12 + month - 1), what counts toward the
-- member's tier: points earned on sales and the cents those sales counted, less what a refund, a
-- rejection or a deletion took back (counted in the month of the sale it undoes, found by its key
-- `earn:<order>`), plus adjustments marked to count. Points redeemed or expired never count. A trigger
-- keeps it in the same transaction as every ledger row (as migration 0015 does for the overview), so
-- no writer can forget it; a member's level then reads at most 13 of these rows, never the ledger.
--
-- Existing admin API keys become managers' keys: they could make any adjustment before this.
CREATE TABLE `member_tier_months` (
	`company_id` text NOT NULL,
	`member_id` text NOT NULL,
	`month` integer NOT NULL,
	`points` integer DEFAULT 0 NOT NULL,
	`spent_cents` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`company_id`, `member_id`, `month`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `tier_changes` (
	`id` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`member_id` text NOT NULL,
	`from_tier_id` text,
	`from_name` text,
	`to_tier_id` text,
	`to_name` text,
	`reason` text NOT NULL,
	`actor` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`company_id`) REFERENCES `companies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `tier_changes_member_idx` ON `tier_changes` (`company_id`,`member_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `tier_changes_company_idx` ON `tier_changes` (`company_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `tiers` (
	`id` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`position` integer NOT NULL,
	`name` text NOT NULL,
	`threshold` integer NOT NULL,
	`multiplier` real DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`removed_at` integer,
	FOREIGN KEY (`company_id`) REFERENCES `companies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `tiers_company_idx` ON `tiers` (`company_id`,`position`);--> statement-breakpoint
CREATE TABLE `activity_flags` (
	`id` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`member_id` text NOT NULL,
	`kind` text NOT NULL,
	`day` integer NOT NULL,
	`count` integer NOT NULL,
	`detail` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`company_id`) REFERENCES `companies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `activity_flags_unique` ON `activity_flags` (`company_id`,`kind`,`member_id`,`day`);--> statement-breakpoint
CREATE INDEX `activity_flags_company_idx` ON `activity_flags` (`company_id`,`created_at`,`id`);--> statement-breakpoint
ALTER TABLE `companies` ADD `tier_basis` text DEFAULT 'points' NOT NULL;--> statement-breakpoint
ALTER TABLE `companies` ADD `tier_window` text DEFAULT 'rolling' NOT NULL;--> statement-breakpoint
ALTER TABLE `companies` ADD `tier_window_months` integer DEFAULT 12 NOT NULL;--> statement-breakpoint
ALTER TABLE `companies` ADD `tiers_version` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `companies` ADD `max_redemptions_per_member_day` integer;--> statement-breakpoint
ALTER TABLE `companies` ADD `max_redemptions_per_order` integer;--> statement-breakpoint
ALTER TABLE `companies` ADD `max_points_per_member_day` integer;--> statement-breakpoint
ALTER TABLE `companies` ADD `large_adjustment_points` integer;--> statement-breakpoint
ALTER TABLE `companies` ADD `manager_code_hash` text;--> statement-breakpoint
ALTER TABLE `companies` ADD `flag_transactions_per_day` integer DEFAULT 5 NOT NULL;--> statement-breakpoint
ALTER TABLE `companies` ADD `flags_computed_day` integer;--> statement-breakpoint
ALTER TABLE `members` ADD `tier_id` text;--> statement-breakpoint
ALTER TABLE `members` ADD `tier_floor_id` text;--> statement-breakpoint
ALTER TABLE `members` ADD `tier_floor_until` integer;--> statement-breakpoint
ALTER TABLE `members` ADD `tier_review_at` integer;--> statement-breakpoint
CREATE INDEX `members_tier_review_idx` ON `members` (`tier_review_at`) WHERE "members"."tier_review_at" IS NOT NULL;--> statement-breakpoint
ALTER TABLE `rewards` ADD `min_tier_id` text;--> statement-breakpoint
ALTER TABLE `points_ledger` ADD `spent_cents` integer;--> statement-breakpoint
ALTER TABLE `points_ledger` ADD `counts_toward_tier` integer;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `manager` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `dashboard_sessions` ADD `manager` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `dashboard_sessions` ADD `manager_tries` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
UPDATE `api_keys` SET `manager` = 1;
--> statement-breakpoint
-- ---- Backfill: what the ledger written before this migration counts ----------------------------
INSERT INTO `member_tier_months` (`company_id`, `member_id`, `month`, `points`, `spent_cents`)
SELECT `company_id`, `member_id`,
	CAST(strftime('%Y', CAST(`at` AS INTEGER) / 1000, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', CAST(`at` AS INTEGER) / 1000, 'unixepoch') AS INTEGER) - 1,
	sum(`delta`), 0
FROM (
	SELECT `company_id`, `member_id`, `delta`, `created_at` AS `at` FROM `points_ledger` WHERE `reason` = 'earn'
	UNION ALL
	SELECT g.`company_id`, g.`member_id`, g.`delta`, coalesce(e.`created_at`, g.`created_at`)
	FROM `points_ledger` g
	LEFT JOIN `points_ledger` e ON e.`company_id` = g.`company_id` AND e.`idempotency_key` = 'earn:' || g.`order_id`
	WHERE g.`reason` = 'reversal' AND g.`reward_id` IS NULL
)
GROUP BY 1, 2, 3;
--> statement-breakpoint
CREATE TRIGGER `points_ledger_tier_months` AFTER INSERT ON `points_ledger`
WHEN NEW.`reason` = 'earn' OR (NEW.`reason` = 'reversal' AND NEW.`reward_id` IS NULL) OR (NEW.`reason` = 'adjustment' AND NEW.`counts_toward_tier` = 1)
BEGIN
	INSERT INTO `member_tier_months` (`company_id`, `member_id`, `month`, `points`, `spent_cents`)
	SELECT NEW.`company_id`, NEW.`member_id`,
		CAST(strftime('%Y', CAST(x.`at` AS INTEGER) / 1000, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', CAST(x.`at` AS INTEGER) / 1000, 'unixepoch') AS INTEGER) - 1,
		NEW.`delta`, coalesce(NEW.`spent_cents`, 0)
	FROM (SELECT CASE WHEN NEW.`reason` = 'reversal'
		THEN coalesce((SELECT e.`created_at` FROM `points_ledger` e WHERE e.`company_id` = NEW.`company_id` AND e.`idempotency_key` = 'earn:' || NEW.`order_id`), NEW.`created_at`)
		ELSE NEW.`created_at` END AS `at`) x
	WHERE true
	ON CONFLICT (`company_id`, `member_id`, `month`) DO UPDATE SET `points` = `points` + excluded.`points`, `spent_cents` = `spent_cents` + excluded.`spent_cents`;
END;
