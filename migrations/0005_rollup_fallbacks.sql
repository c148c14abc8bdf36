ALTER TABLE `usage_daily` ADD `fallbacks` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `usage_hourly` ADD `fallbacks` integer DEFAULT 0 NOT NULL;