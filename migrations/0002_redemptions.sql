CREATE TABLE `redemptions` (
	`id` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`member_id` text NOT NULL,
	`reward_id` text NOT NULL,
	`kind` text NOT NULL,
	`order_id` text NOT NULL,
	`site_id` text,
	`kounta_customer_id` text,
	`points` integer NOT NULL,
	`amount_cents` integer,
	`status` text NOT NULL,
	`failure_reason` text,
	`kounta_ref` text,
	`idempotency_key` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`company_id`) REFERENCES `companies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`reward_id`) REFERENCES `rewards`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `redemptions_idempotency_unique` ON `redemptions` (`company_id`,`idempotency_key`);--> statement-breakpoint
CREATE INDEX `redemptions_status_idx` ON `redemptions` (`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `redemptions_member_idx` ON `redemptions` (`company_id`,`member_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `redemptions_order_idx` ON `redemptions` (`company_id`,`order_id`);--> statement-breakpoint
ALTER TABLE `companies` ADD `reward_product_id` text;--> statement-breakpoint
ALTER TABLE `companies` ADD `loyalty_payment_method_id` text;--> statement-breakpoint
ALTER TABLE `companies` ADD `point_value_cents` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `kounta_connections` ADD `refresh_lock_until` integer;