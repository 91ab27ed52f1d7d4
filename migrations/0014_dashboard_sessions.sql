-- The merchant dashboard (src/dashboard/): its sign-in sessions, and the purpose of an OAuth state
-- (connecting the company, or signing in to the dashboard through the same /oauth/callback).
CREATE TABLE `dashboard_sessions` (
	`id_hash` text PRIMARY KEY NOT NULL,
	`company_id` text NOT NULL,
	`csrf_token` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`company_id`) REFERENCES `companies`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `dashboard_sessions_company_idx` ON `dashboard_sessions` (`company_id`);--> statement-breakpoint
ALTER TABLE `oauth_states` ADD `purpose` text DEFAULT 'connect' NOT NULL;