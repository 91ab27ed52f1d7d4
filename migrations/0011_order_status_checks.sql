-- The catch-up reads orders its rejected-orders list offers without a status (Kounta's list filter and
-- fields are unpublished) and remembers the ones it found standing, so it does not read them again every
-- run until Kounta changes them (src/jobs/catch-up-orders.ts).
CREATE TABLE `order_status_checks` (
	`company_id` text NOT NULL,
	`order_id` text NOT NULL,
	`kounta_updated_at` integer,
	`checked_at` integer NOT NULL,
	PRIMARY KEY(`company_id`, `order_id`)
);
--> statement-breakpoint
CREATE INDEX `order_status_checks_checked_idx` ON `order_status_checks` (`checked_at`);