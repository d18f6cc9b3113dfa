-- Repair and outbound (issue 4): what the pack scan and the shipment events record on an
-- outbound parcel (the serial that went out, the station, when it was packed, shipped and
-- delivered).
BEGIN;

ALTER TABLE parcel
    ADD COLUMN packed_serial text,
    ADD COLUMN packed_quantity integer CHECK (packed_quantity IS NULL OR packed_quantity > 0),
    ADD COLUMN packed_station text,
    ADD COLUMN packed_at timestamptz,
    ADD COLUMN shipped_at timestamptz,
    ADD COLUMN delivered_at timestamptz;

INSERT INTO schema_migrations (version) VALUES (5);
COMMIT;
