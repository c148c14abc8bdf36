CREATE TABLE `accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `api_keys` (
	`hash` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`name` text NOT NULL,
	`label` text NOT NULL,
	`kind` text DEFAULT 'inference' NOT NULL,
	`limit_micro` integer,
	`limit_reset` text,
	`disabled` integer DEFAULT false NOT NULL,
	`expires_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `api_keys_account_idx` ON `api_keys` (`account_id`);--> statement-breakpoint
CREATE TABLE `credit_events` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`amount_micro` integer NOT NULL,
	`kind` text NOT NULL,
	`reason` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `credit_events_account_idx` ON `credit_events` (`account_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `generations` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`key_hash` text NOT NULL,
	`model` text NOT NULL,
	`provider_id` text,
	`provider_name` text,
	`region` text,
	`upstream_id` text,
	`api_type` text DEFAULT 'completions' NOT NULL,
	`streamed` integer NOT NULL,
	`cancelled` integer DEFAULT false NOT NULL,
	`status` integer NOT NULL,
	`finish_reason` text,
	`native_finish_reason` text,
	`tokens_prompt` integer DEFAULT 0 NOT NULL,
	`tokens_completion` integer DEFAULT 0 NOT NULL,
	`tokens_reasoning` integer DEFAULT 0 NOT NULL,
	`tokens_cached` integer DEFAULT 0 NOT NULL,
	`tokens_cache_write` integer DEFAULT 0 NOT NULL,
	`cost_micro` integer NOT NULL,
	`latency_ms` integer,
	`generation_time_ms` integer,
	`attempts` text DEFAULT '[]' NOT NULL,
	`http_referer` text,
	`app_title` text,
	`user_agent` text,
	`external_user` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `generations_account_idx` ON `generations` (`account_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `generations_key_idx` ON `generations` (`key_hash`,`created_at`);