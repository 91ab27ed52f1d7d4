CREATE TABLE `companies` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`points_label` text DEFAULT 'Points' NOT NULL,
	`intro_text` text,
	`currency` text DEFAULT 'AUD' NOT NULL,
	`phone_country_code` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `customer_links` (
	`company_id` text NOT NULL,
	`kounta_customer_id` text NOT NULL,
	`member_id` text NOT NULL,
	`linked_at` integer NOT NULL,
	PRIMARY KEY(`company_id`, `kounta_customer_id`),
	FOREIGN KEY (`company_id`) REFERENCES `companies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `customer_links_member_idx` ON `customer_links` (`company_id`,`member_id`);--> statement-breakpoint
CREATE TABLE `kounta_connections` (
	`company_id` text PRIMARY KEY NOT NULL,
	`status` text NOT NULL,
	`access_token` text,
	`refresh_token` text,
	`access_token_expires_at` integer,
	`connected_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`company_id`) REFERENCES `companies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `members` (
	`pk` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`company_id` text NOT NULL,
	`first_name` text NOT NULL,
	`last_name` text,
	`email` text,
	`phone` text,
	`card_number` text,
	`icon_version` integer,
	`points` integer DEFAULT 0 NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`search_terms` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`company_id`) REFERENCES `companies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `members_id_unique` ON `members` (`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `members_company_email_unique` ON `members` (`company_id`,`email`) WHERE "members"."email" IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `members_company_card_unique` ON `members` (`company_id`,`card_number`) WHERE "members"."card_number" IS NOT NULL;--> statement-breakpoint
CREATE INDEX `members_company_created_idx` ON `members` (`company_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `points_ledger` (
	`id` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`member_id` text NOT NULL,
	`delta` integer NOT NULL,
	`reason` text NOT NULL,
	`site_id` text,
	`order_id` text,
	`reward_id` text,
	`actor` text,
	`note` text,
	`idempotency_key` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`company_id`) REFERENCES `companies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `points_ledger_idempotency_unique` ON `points_ledger` (`company_id`,`idempotency_key`);--> statement-breakpoint
CREATE INDEX `points_ledger_member_idx` ON `points_ledger` (`company_id`,`member_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `rewards` (
	`id` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`title` text NOT NULL,
	`terms` text,
	`kind` text NOT NULL,
	`points_required` integer NOT NULL,
	`variable_quantity` integer DEFAULT false NOT NULL,
	`action_label` text,
	`value` integer,
	`product_id` text,
	`active` integer DEFAULT true NOT NULL,
	`sort_order` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`company_id`) REFERENCES `companies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `rewards_company_order_idx` ON `rewards` (`company_id`,`active`,`sort_order`);--> statement-breakpoint
CREATE TABLE `sites` (
	`company_id` text NOT NULL,
	`id` text NOT NULL,
	`name` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`company_id`, `id`),
	FOREIGN KEY (`company_id`) REFERENCES `companies`(`id`) ON UPDATE no action ON DELETE no action
);
