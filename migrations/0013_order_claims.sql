-- One redemption at a time may change a Kounta order (src/loyalty/order-claims.ts): two rewards redeemed
-- on one order at the same moment no longer read and rewrite its lines over each other.
CREATE TABLE `order_claims` (
	`company_id` text NOT NULL,
	`order_id` text NOT NULL,
	`redemption_id` text NOT NULL,
	`expires_at` integer NOT NULL,
	PRIMARY KEY(`company_id`, `order_id`)
);
