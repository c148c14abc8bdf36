-- A generation written by a recorder (src/objects/recorder.ts) names it: its R2 details
-- object belongs to that recorder's batch. 0: written by its account's gate, as before.
ALTER TABLE `generations` ADD `writer_n` integer DEFAULT 0 NOT NULL;
