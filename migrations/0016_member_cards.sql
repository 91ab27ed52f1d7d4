-- Members' own cards: the links to their card pages (/card/<token>; only a hash of each token is kept),
-- and whether a company lets customers join themselves (/join/<company id>), with the terms they agree to.
CREATE TABLE `member_card_links` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`member_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`revoked_at` integer,
	FOREIGN KEY (`company_id`) REFERENCES `companies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `member_card_links_member_idx` ON `member_card_links` (`company_id`,`member_id`);--> statement-breakpoint
ALTER TABLE `companies` ADD `self_enrol` integer DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE `companies` ADD `join_terms` text;