-- Messages to members (issue 19; docs/notifications.md): each company's choices of what is sent,
-- one row per message, whose UNIQUE (company, member, kind, occasion) is what makes a repeated cause
-- (a retried webhook, a re-run job, a duplicate queue delivery) send nothing more, and the rewards a
-- member was already told they can afford. Members gain their email consent: nobody has it before
-- this migration (nobody was asked), so nobody is emailed until they or the merchant say so.
CREATE TABLE `notification_settings` (
	`company_id` text PRIMARY KEY NOT NULL,
	`sender_name` text,
	`welcome` integer DEFAULT 1 NOT NULL,
	`reward_ready` integer DEFAULT 1 NOT NULL,
	`points_expiring` integer DEFAULT 1 NOT NULL,
	`card_link` integer DEFAULT 1 NOT NULL,
	`expiry_warned_day` integer,
	`expiry_warn_cursor` text,
	`updated_at` integer,
	FOREIGN KEY (`company_id`) REFERENCES `companies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `notifications` (
	`id` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`member_id` text NOT NULL,
	`kind` text NOT NULL,
	`occasion` text NOT NULL,
	`payload` text,
	`origin` text,
	`status` text DEFAULT 'queued' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`lease_until` integer,
	`outcome` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`sent_at` integer,
	FOREIGN KEY (`company_id`) REFERENCES `companies`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`member_id`) REFERENCES `members`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notifications_occasion_unique` ON `notifications` (`company_id`,`member_id`,`kind`,`occasion`);--> statement-breakpoint
CREATE INDEX `notifications_company_idx` ON `notifications` (`company_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `notifications_company_status_idx` ON `notifications` (`company_id`,`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `notifications_waiting_idx` ON `notifications` (`updated_at`) WHERE "notifications"."status" IN ('queued', 'sending', 'failed');--> statement-breakpoint
CREATE TABLE `reward_notices` (
	`company_id` text NOT NULL,
	`member_id` text NOT NULL,
	`reward_id` text NOT NULL,
	`noticed_at` integer NOT NULL,
	PRIMARY KEY(`company_id`, `member_id`, `reward_id`)
) WITHOUT ROWID;
--> statement-breakpoint
ALTER TABLE `members` ADD `email_consent` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `members` ADD `email_consent_at` integer;