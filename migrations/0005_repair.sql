-- Repair and outbound (issue 4): what the pack scan and the shipment events record on an
-- outbound parcel (the serial that went out, the station, when it was packed, shipped and
-- delivered), and where the new serial of a swap came from.
BEGIN;

ALTER TABLE parcel
    ADD COLUMN packed_serial text,
    ADD COLUMN packed_quantity integer CHECK (packed_quantity IS NULL OR packed_quantity > 0),
    ADD COLUMN packed_station text,
    ADD COLUMN packed_at timestamptz,
    ADD COLUMN shipped_at timestamptz,
    ADD COLUMN delivered_at timestamptz;

-- A swap may put a depot spare of the line's model into the customer's unit: the spare leaves
-- the stock for good, consumed by the line that swapped it in (line_id stays for the spare a
-- line sends out, so a line may have both).
ALTER TABLE spare_unit
    DROP CONSTRAINT spare_unit_status_check,
    DROP CONSTRAINT spare_unit_check,
    ADD COLUMN consumed_line_id bigint REFERENCES rma_line (id),
    ADD CONSTRAINT spare_unit_status_check
        CHECK (status IN ('available', 'reserved', 'shipped', 'consumed')),
    ADD CONSTRAINT spare_unit_check
        CHECK ((status = 'available') = (line_id IS NULL AND consumed_line_id IS NULL)),
    ADD CONSTRAINT spare_unit_consumed_check
        CHECK ((status = 'consumed') = (consumed_line_id IS NOT NULL)
               AND (line_id IS NULL OR consumed_line_id IS NULL));

-- The new serial of a swap: a depot spare ('spare') or a new unit from stock ('stock').
ALTER TABLE serial_swap
    ADD COLUMN source text NOT NULL DEFAULT 'stock' CHECK (source IN ('spare', 'stock'));

INSERT INTO schema_migrations (version) VALUES (5);
COMMIT;
