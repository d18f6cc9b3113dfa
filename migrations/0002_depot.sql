-- The depot: every return type with its four legs.  Prices for quotes, spare stock for advance
-- replacements and exchanges, quotes and charges, receipts of whole-number quantities, tasks
-- (decisions to make), unexpected arrivals, inspections, repair parts, serial swaps and the
-- reminders of the core policy.
BEGIN;

ALTER TABLE product_model
    ADD COLUMN repair_price_cents integer NOT NULL DEFAULT 0 CHECK (repair_price_cents >= 0),
    ADD COLUMN part_price_cents integer NOT NULL DEFAULT 0 CHECK (part_price_cents >= 0),
    ADD COLUMN currency text NOT NULL DEFAULT 'EUR' CHECK (currency ~ '^[A-Z]{3}$'),
    ADD COLUMN data_bearing boolean NOT NULL DEFAULT false,
    ADD COLUMN install_guide text;

ALTER TABLE rma
    ADD COLUMN chargeable boolean NOT NULL DEFAULT false;

ALTER TABLE rma_line
    ADD COLUMN core_due_date date,
    ADD COLUMN core_returned_at timestamptz,
    ADD COLUMN outbound_serial text,
    ADD COLUMN misuse boolean NOT NULL DEFAULT false,
    ADD COLUMN grade text CHECK (grade IN ('A', 'B', 'C', 'D')),
    ADD COLUMN disposition text,
    ADD COLUMN destruction_certificate jsonb;

-- Spares: serialised units on the shelf, and bins of non-serialised parts.
CREATE TABLE spare_unit (
    serial_number text PRIMARY KEY,
    product_model text NOT NULL REFERENCES product_model (code),
    status text NOT NULL DEFAULT 'available' CHECK (status IN ('available', 'reserved',
                                                               'shipped')),
    line_id bigint REFERENCES rma_line (id),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'available') = (line_id IS NULL))
);
CREATE UNIQUE INDEX spare_unit_one_per_line ON spare_unit (line_id) WHERE line_id IS NOT NULL;

CREATE TABLE spare_bin (
    product_model text PRIMARY KEY REFERENCES product_model (code),
    on_hand integer NOT NULL CHECK (on_hand >= 0),
    reserved integer NOT NULL DEFAULT 0 CHECK (reserved >= 0 AND reserved <= on_hand)
);

-- A quote offered when screening or inspection makes the RMA chargeable.
CREATE TABLE quote (
    id bigserial PRIMARY KEY,
    rma_id bigint NOT NULL REFERENCES rma (id),
    status text NOT NULL DEFAULT 'offered'
        CHECK (status IN ('offered', 'accepted', 'declined', 'expired', 'withdrawn')),
    reason text NOT NULL,
    currency text NOT NULL,
    total_cents integer NOT NULL CHECK (total_cents >= 0),
    expires_on date NOT NULL,
    offered_by bigint NOT NULL REFERENCES api_token (id),
    offered_at timestamptz NOT NULL DEFAULT now(),
    decided_by bigint REFERENCES api_token (id),
    decided_at timestamptz,
    decision_note text
);
CREATE UNIQUE INDEX quote_one_offered ON quote (rma_id) WHERE status = 'offered';

CREATE TABLE quote_line (
    id bigserial PRIMARY KEY,
    quote_id bigint NOT NULL REFERENCES quote (id),
    line_id bigint REFERENCES rma_line (id),
    description text NOT NULL,
    coverage text NOT NULL CHECK (coverage IN ('warranty', 'contract', 'customer')),
    amount_cents integer NOT NULL CHECK (amount_cents >= 0)
);

-- Money the customer owes (positive) or is owed (negative: a credit).  The RMA cannot complete
-- while a charge is open; it is settled or waived with a reason.
CREATE TABLE charge (
    id bigserial PRIMARY KEY,
    rma_id bigint NOT NULL REFERENCES rma (id),
    line_id bigint REFERENCES rma_line (id),
    kind text NOT NULL CHECK (kind IN ('misuse', 'overdue_core', 'late_core_credit', 'quote')),
    amount_cents integer NOT NULL,
    currency text NOT NULL,
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'settled', 'waived')),
    reason text NOT NULL,
    created_by text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    closed_by text,
    closed_at timestamptz,
    close_reason text,
    CHECK ((status = 'open') = (closed_at IS NULL))
);
CREATE INDEX charge_rma ON charge (rma_id);
-- one overdue charge and one late credit per line at most
CREATE UNIQUE INDEX charge_once ON charge (line_id, kind)
    WHERE kind IN ('overdue_core', 'late_core_credit');

-- Every receipt at the dock: a parcel scan, or a count of whole-number parts.
CREATE TABLE receipt (
    id bigserial PRIMARY KEY,
    rma_id bigint NOT NULL REFERENCES rma (id),
    line_id bigint NOT NULL REFERENCES rma_line (id),
    parcel_id bigint REFERENCES parcel (id),
    quantity integer NOT NULL CHECK (quantity > 0),
    serial_scanned text,
    over_receipt_reason text,
    station text,
    actor text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX receipt_line ON receipt (line_id);

-- Decisions someone has to make: a serial mismatch on hold, an unexpected arrival.
CREATE TABLE task (
    id bigserial PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('serial_mismatch', 'unexpected_arrival')),
    rma_id bigint REFERENCES rma (id),
    line_id bigint REFERENCES rma_line (id),
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'decided')),
    details jsonb NOT NULL DEFAULT '{}',
    decision text,
    decision_reason text,
    decided_by text,
    decided_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX task_open ON task (kind, id) WHERE status = 'open';

-- A parcel that came in with no RMA we could find: an internal id, a label, a queue.
CREATE SEQUENCE unexpected_seq;
CREATE TABLE unexpected_arrival (
    id bigserial PRIMARY KEY,
    internal_id text NOT NULL UNIQUE
        DEFAULT 'U' || lpad(nextval('unexpected_seq')::text, 8, '0'),
    code text,
    serial_number text,
    description text NOT NULL,
    station text NOT NULL,
    status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'matched', 'returned',
                                                            'scrapped')),
    matched_rma_id bigint REFERENCES rma (id),
    task_id bigint REFERENCES task (id),
    actor text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Inspections: the grade and findings with their evidence.  Append-only.
CREATE TABLE inspection (
    id bigserial PRIMARY KEY,
    line_id bigint NOT NULL REFERENCES rma_line (id),
    grade text NOT NULL CHECK (grade IN ('A', 'B', 'C', 'D')),
    findings text[] NOT NULL,
    misuse boolean NOT NULL,
    evidence jsonb NOT NULL DEFAULT '{}',
    notes text,
    actor text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Parts consumed by a repair work order.
CREATE TABLE repair_part (
    id bigserial PRIMARY KEY,
    line_id bigint NOT NULL REFERENCES rma_line (id),
    product_model text NOT NULL REFERENCES product_model (code),
    serial_number text,
    quantity integer NOT NULL CHECK (quantity > 0),
    actor text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Rule 7: a repaired unit goes back as the serial that came in, unless a swap is recorded.
CREATE TABLE serial_swap (
    id bigserial PRIMARY KEY,
    line_id bigint NOT NULL REFERENCES rma_line (id),
    old_serial text NOT NULL,
    new_serial text NOT NULL,
    warranty_end date,
    reason text NOT NULL,
    actor text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (old_serial <> new_serial)
);
CREATE UNIQUE INDEX serial_swap_one_per_line ON serial_swap (line_id);

-- Reminders of the core policy, one per line and kind: never sent twice.
CREATE TABLE reminder (
    id bigserial PRIMARY KEY,
    line_id bigint NOT NULL REFERENCES rma_line (id),
    kind text NOT NULL CHECK (kind IN ('core_due_soon', 'core_overdue')),
    due_on date NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (line_id, kind)
);

CREATE TRIGGER inspection_append_only BEFORE UPDATE OR DELETE ON inspection
    FOR EACH ROW EXECUTE FUNCTION rmad_append_only();
CREATE TRIGGER receipt_append_only BEFORE UPDATE OR DELETE ON receipt
    FOR EACH ROW EXECUTE FUNCTION rmad_append_only();

INSERT INTO schema_migrations (version) VALUES (2);
COMMIT;
