-- Authorization and money (issue 4): the reference a charge was settled under, and how many
-- parts of a line were reserved from a bin of non-serialised spares (so that closing or
-- cancelling the RMA gives back exactly what it took).
BEGIN;

ALTER TABLE charge
    ADD COLUMN reference text;

ALTER TABLE rma_line
    ADD COLUMN spare_bin_reserved integer NOT NULL DEFAULT 0 CHECK (spare_bin_reserved >= 0);

INSERT INTO schema_migrations (version) VALUES (3);
COMMIT;
