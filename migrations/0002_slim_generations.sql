-- Hand-written (drizzle-kit generate --custom), because this migration moves data: drizzle-kit
-- would rebuild `generations` and drop its contents. The CREATE statements are drizzle-kit's own
-- output for src/db/schema.ts; the snapshot (meta/0002_snapshot.json) is drizzle-kit's too.
--
-- Generations before this migration keep their details in `generations_legacy` (the old table,
-- renamed, without its two indexes); their charges are copied into the slim `generations`, with
-- account, key, model, provider and app interned in `names`. App values must equal appName() in
-- src/storage/record.ts: JSON [referer, title], each cut to 256 characters.
DROP INDEX `generations_account_idx`;
--> statement-breakpoint
DROP INDEX `generations_key_idx`;
--> statement-breakpoint
ALTER TABLE `generations` RENAME TO `generations_legacy`;
--> statement-breakpoint
CREATE TABLE `flushes` (
	`account_n` integer NOT NULL,
	`batch` integer NOT NULL,
	`rows` integer NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`account_n`, `batch`)
);
--> statement-breakpoint
CREATE TABLE `generations` (
	`id` text PRIMARY KEY NOT NULL,
	`account_n` integer NOT NULL,
	`key_n` integer NOT NULL,
	`model_n` integer NOT NULL,
	`provider_n` integer DEFAULT 0 NOT NULL,
	`app_n` integer DEFAULT 0 NOT NULL,
	`api_type` integer DEFAULT 0 NOT NULL,
	`status` integer NOT NULL,
	`streamed` integer NOT NULL,
	`cancelled` integer DEFAULT false NOT NULL,
	`tokens_prompt` integer DEFAULT 0 NOT NULL,
	`tokens_completion` integer DEFAULT 0 NOT NULL,
	`tokens_reasoning` integer DEFAULT 0 NOT NULL,
	`tokens_cached` integer DEFAULT 0 NOT NULL,
	`tokens_cache_write` integer DEFAULT 0 NOT NULL,
	`cost_micro` integer NOT NULL,
	`latency_ms` integer,
	`batch` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `generations_account_idx` ON `generations` (`account_n`,`created_at`);
--> statement-breakpoint
CREATE TABLE `names` (
	`id` integer PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `names_kind_value_idx` ON `names` (`kind`,`value`);
--> statement-breakpoint
INSERT INTO `names` (`kind`, `value`)
  SELECT DISTINCT 'account', `account_id` FROM `generations_legacy`
  UNION SELECT DISTINCT 'key', `key_hash` FROM `generations_legacy`
  UNION SELECT DISTINCT 'model', `model` FROM `generations_legacy`
  UNION SELECT DISTINCT 'provider', `provider_id` FROM `generations_legacy` WHERE `provider_id` IS NOT NULL
  UNION SELECT DISTINCT 'app', json_array(substr(`http_referer`, 1, 256), substr(`app_title`, 1, 256)) FROM `generations_legacy`
    WHERE `http_referer` IS NOT NULL OR `app_title` IS NOT NULL;
--> statement-breakpoint
INSERT INTO `generations` (`id`, `account_n`, `key_n`, `model_n`, `provider_n`, `app_n`, `api_type`, `status`, `streamed`, `cancelled`,
    `tokens_prompt`, `tokens_completion`, `tokens_reasoning`, `tokens_cached`, `tokens_cache_write`, `cost_micro`, `latency_ms`, `batch`, `created_at`)
  SELECT l.`id`, a.`id`, k.`id`, m.`id`, COALESCE(p.`id`, 0), COALESCE(ap.`id`, 0),
    CASE l.`api_type` WHEN 'embeddings' THEN 1 WHEN 'messages' THEN 2 WHEN 'responses' THEN 3 ELSE 0 END,
    l.`status`, l.`streamed`, l.`cancelled`, l.`tokens_prompt`, l.`tokens_completion`, l.`tokens_reasoning`, l.`tokens_cached`,
    l.`tokens_cache_write`, l.`cost_micro`, l.`latency_ms`, NULL, l.`created_at`
  FROM `generations_legacy` l
  JOIN `names` a ON a.`kind` = 'account' AND a.`value` = l.`account_id`
  JOIN `names` k ON k.`kind` = 'key' AND k.`value` = l.`key_hash`
  JOIN `names` m ON m.`kind` = 'model' AND m.`value` = l.`model`
  LEFT JOIN `names` p ON p.`kind` = 'provider' AND p.`value` = l.`provider_id`
  LEFT JOIN `names` ap ON ap.`kind` = 'app' AND ap.`value` = json_array(substr(l.`http_referer`, 1, 256), substr(l.`app_title`, 1, 256))
    AND (l.`http_referer` IS NOT NULL OR l.`app_title` IS NOT NULL);
