-- Labels (issue 6): SSCCs allocated from a counter per company prefix, so that no number is used
-- twice, across processes and restarts; the flag of a parcel whose label needed a text fallback;
-- the creation time of parcels (a day's outbound parcels of a carrier are its pickup batch).
BEGIN;

-- One row per extension digit + GS1 company prefix: the next serial reference to hand out.
-- rmad takes numbers with UPDATE ... RETURNING under the row lock; a number taken by a request
-- that then fails is skipped, never handed out again.
CREATE TABLE sscc_counter (
    range_key text PRIMARY KEY CHECK (range_key ~ '^[0-9]{8,11}$'),
    next_ref bigint NOT NULL CHECK (next_ref >= 0),
    updated_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE parcel ADD COLUMN IF NOT EXISTS created_at timestamptz NOT NULL DEFAULT now();
-- Why the parcel's label printed a visible fallback (text a thermal printer's font may lack).
ALTER TABLE parcel ADD COLUMN label_flag text;
ALTER TABLE parcel ADD COLUMN label_flagged_at timestamptz;
CREATE INDEX parcel_outbound_day ON parcel (carrier_id, created_at) WHERE direction = 'outbound';

INSERT INTO schema_migrations (version) VALUES (6);
COMMIT;
