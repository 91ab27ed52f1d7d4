-- Wrong manager codes are counted per company as well as per session (src/loyalty/limits.ts, takeManagerTry):
-- at most 20 an hour across every session, so signing in again and again cannot guess a short code.
ALTER TABLE `companies` ADD `manager_code_failures` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `companies` ADD `manager_code_failures_since` integer;