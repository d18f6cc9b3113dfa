-- Carrier tracking import (issue 5): a carrier's zone for local times without an offset, the
-- canonical events of every tracking document (rule 5: an event applied twice is one row), the
-- events whose tracking number names no parcel of the carrier (kept, not dropped), and the
-- per-parcel facts the feed drives (the carrier's delivered is not our received).
--
-- tracking_stage and tracking_stage_decision are the import's working space: rows of one
-- document (document_id) are COPYed in and deleted again inside the importing transaction, so
-- no committed row ever stays there.  UNLOGGED: nothing in them survives a crash, nor needs to.
BEGIN;

-- NULL: the carrier's local times without an offset are refused (rule 9).
ALTER TABLE carrier ADD COLUMN zone text
    CHECK (zone IS NULL OR (length(zone) <= 64 AND zone ~ '^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$'));

ALTER TABLE parcel
    ADD COLUMN carrier_delivered_at timestamptz, -- the carrier said delivered (not received)
    ADD COLUMN last_event_at timestamptz,        -- the latest carrier event applied
    ADD COLUMN last_event text;                  -- its canonical name

CREATE INDEX parcel_tracking_number ON parcel (upper(tracking_number))
    WHERE tracking_number IS NOT NULL;

-- What an event did: moved a leg, recorded a fact on the parcel (carrier delivered), history
-- only (older than the parcel's last event, or nothing to move), or an unknown code.
CREATE TABLE tracking_event (
    id bigserial PRIMARY KEY,
    parcel_id bigint NOT NULL REFERENCES parcel (id),
    carrier_id bigint NOT NULL, -- the poster's carrier: the parcel's (checked by the import)
    document_id bigint NOT NULL REFERENCES document (id),
    tracking_number text NOT NULL,
    canon text NOT NULL CHECK (canon IN ('unknown', 'label_created', 'picked_up', 'in_transit',
                                         'out_for_delivery', 'attempted', 'delivered',
                                         'exception', 'returned_to_sender', 'lost')),
    code text NOT NULL,
    text text NOT NULL DEFAULT '',
    location text NOT NULL DEFAULT '',
    at timestamptz NOT NULL,
    offset_known boolean NOT NULL,
    ambiguous boolean NOT NULL DEFAULT false,
    line integer NOT NULL,
    outcome text NOT NULL CHECK (outcome IN ('moved', 'recorded', 'history', 'unknown')),
    leg text,
    leg_from text,
    leg_to text,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (parcel_id, at, code)
);

-- An event whose tracking number names none of the carrier's parcels: kept for later matching.
CREATE TABLE tracking_unmatched (
    id bigserial PRIMARY KEY,
    carrier_id bigint NOT NULL REFERENCES carrier (id),
    document_id bigint NOT NULL REFERENCES document (id),
    tracking_number text NOT NULL,
    canon text NOT NULL,
    code text NOT NULL,
    text text NOT NULL DEFAULT '',
    location text NOT NULL DEFAULT '',
    at timestamptz NOT NULL,
    line integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (carrier_id, tracking_number, at, code)
);

CREATE UNLOGGED TABLE tracking_stage (
    document_id bigint NOT NULL,
    seq integer NOT NULL,
    line integer NOT NULL,
    tracking_number text NOT NULL,
    canon text NOT NULL,
    code text NOT NULL,
    text text NOT NULL,
    location text NOT NULL,
    at bigint NOT NULL, -- seconds since the epoch
    offset_known boolean NOT NULL,
    ambiguous boolean NOT NULL
);

-- kind 'e': what event seq did; 'm': one leg move (ord orders them); 'l': a leg's moves over
-- the document (first from, last to); 'p': a parcel's new facts.  Times in seconds.
CREATE UNLOGGED TABLE tracking_stage_decision (
    document_id bigint NOT NULL,
    kind char(1) NOT NULL,
    ord integer,
    seq integer,
    parcel_id bigint,
    line_id bigint,
    outcome text,
    leg text,
    leg_event text,
    leg_from text,
    leg_to text,
    state text,
    last_event_at bigint,
    last_event text,
    prev_event_at bigint,
    carrier_delivered_at bigint,
    shipped_at bigint,
    delivered_at bigint
);

INSERT INTO schema_migrations (version) VALUES (14);
COMMIT;
