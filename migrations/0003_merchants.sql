CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`name` text NOT NULL,
	`prefix` text NOT NULL,
	`key_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer,
	FOREIGN KEY (`company_id`) REFERENCES `companies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_key_hash_unique` ON `api_keys` (`key_hash`);--> statement-breakpoint
CREATE INDEX `api_keys_company_idx` ON `api_keys` (`company_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `earning_rules` (
	`id` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`kind` text NOT NULL,
	`target_id` text NOT NULL,
	`multiplier` real,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`company_id`) REFERENCES `companies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `earning_rules_target_unique` ON `earning_rules` (`company_id`,`kind`,`target_id`);--> statement-breakpoint
CREATE TABLE `oauth_states` (
	`state` text PRIMARY KEY NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer
);
--> statement-breakpoint
ALTER TABLE `companies` ADD `points_per_currency_unit` real DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `companies` ADD `minimum_spend_cents` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `companies` ADD `expiry_months` integer;--> statement-breakpoint
ALTER TABLE `companies` ADD `auto_enrol` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `kounta_connections` ADD `access_token_ciphertext` text;--> statement-breakpoint
ALTER TABLE `kounta_connections` ADD `refresh_token_ciphertext` text;--> statement-breakpoint
ALTER TABLE `kounta_connections` ADD `webhook_id` text;--> statement-breakpoint
ALTER TABLE `kounta_connections` ADD `webhook_secret_hash` text;--> statement-breakpoint
ALTER TABLE `kounta_connections` ADD `disconnected_at` integer;