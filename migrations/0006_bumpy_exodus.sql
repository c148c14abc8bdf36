CREATE TABLE `content_logs` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `content_logs_expires_idx` ON `content_logs` (`expires_at`);--> statement-breakpoint
ALTER TABLE `accounts` ADD `content_logging` text DEFAULT 'opt_in' NOT NULL;--> statement-breakpoint
ALTER TABLE `accounts` ADD `content_retention_days` integer DEFAULT 30 NOT NULL;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `log_content` integer DEFAULT false NOT NULL;