CREATE TABLE `order_checks` (
	`company_id` text NOT NULL,
	`order_id` text NOT NULL,
	`kounta_updated_at` integer NOT NULL,
	`checked_at` integer NOT NULL,
	PRIMARY KEY(`company_id`, `order_id`)
);
--> statement-breakpoint
CREATE INDEX `order_checks_checked_idx` ON `order_checks` (`checked_at`);--> statement-breakpoint
ALTER TABLE `companies` ADD `search_reindex_epoch` integer DEFAULT 0 NOT NULL;