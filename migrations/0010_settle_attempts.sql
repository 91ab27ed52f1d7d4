-- The settling job (src/jobs/settle-redemptions.ts) backs off from a pending redemption it could not
-- settle (Kounta down, the company's refresh token revoked): it counts its tries and records when it
-- may try next, so such rows no longer fill every run's batch and hold up the other companies'.
ALTER TABLE `redemptions` ADD `settle_attempts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `redemptions` ADD `next_settle_at` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `redemptions_settle_idx` ON `redemptions` (`status`,`next_settle_at`,`created_at`);