-- Receiving and inspection (issue 4): the dock scan checks the serial that arrived against the
-- one expected.  rmad_receive_parcel takes the scanned serial (NULL when the station did not
-- read one) and the hold state; per parcel, in one round trip and under the parcel row lock:
--
--   serialised line, serial matches or not given  inbound -> received, one 'receive' event, a
--                                                  receipt row (quantity 1, the serial read)
--   serialised line, another serial               inbound -> received -> hold: two events
--                                                  (receive, hold), a receipt row with the serial
--                                                  read, an open 'serial_mismatch' task
--   non-serialised line                            the parcel arrived: one 'parcel_arrived'
--                                                  event; the parts are counted next (receipts)
--   parcel already received                        'duplicate': nothing changes but the scan log
--   the RMA is closed (parcel not yet received)    'not_expected': nothing changes but the scan
--                                                  log (quarantine)
--
-- The RMA row is locked FOR SHARE first (before the parcel and the line), so a receive and a
-- cancel or close (which lock the RMA FOR UPDATE) serialize: whichever comes second sees what
-- the first committed (rule 6).
--
-- rma_line.received_serial is the serial of the unit that actually came in: the serial read at
-- the dock (when it matches), the one accepted on a serial_mismatch task, or the one read at
-- inspection.  NULL until one was read.  coalesce(received_serial, serial_number) is "the serial
-- that came in" (rule 7): inspection compares a serial read against it, and so does the pack.
BEGIN;

ALTER TABLE rma_line ADD COLUMN received_serial text;

CREATE FUNCTION rmad_receive_parcel(p_parcel bigint, p_from text[], p_to text, p_station text,
                                    p_actor text, p_token bigint, p_code text, p_serial text,
                                    p_hold text)
RETURNS TABLE (outcome text, leg_from text, received_at timestamptz, rma_number text,
               line_no integer, task_id bigint)
LANGUAGE plpgsql AS $$
DECLARE
    v_rma bigint;
    v_case bigint;
    v_line bigint;
    v_from text;
    v_at timestamptz;
    v_serial text;
    v_number text;
    v_no integer;
    v_task bigint;
    v_closed boolean;
BEGIN
    -- the RMA first, shared: a cancel or close waits for this receive, or this receive for it
    SELECT p.rma_id INTO v_rma FROM parcel p WHERE p.id = p_parcel;
    SELECT r.closed_at IS NOT NULL OR NOT r.authorized INTO v_closed FROM rma r
     WHERE r.id = v_rma FOR SHARE;
    IF v_closed AND EXISTS (SELECT 1 FROM parcel p WHERE p.id = p_parcel
                                                     AND p.received_at IS NULL) THEN
        INSERT INTO scan (code, station, outcome, parcel_id, rma_id, actor_token_id)
        VALUES (p_code, p_station, 'not_expected', p_parcel, v_rma, p_token);
        RETURN QUERY SELECT 'not_expected'::text, NULL::text, NULL::timestamptz, r.rma_number,
                            NULL::integer, NULL::bigint FROM rma r WHERE r.id = v_rma;
        RETURN;
    END IF;
    UPDATE parcel p SET received_at = now(), received_station = p_station, state = 'received'
     WHERE p.id = p_parcel AND p.direction = 'inbound' AND p.received_at IS NULL
    RETURNING p.rma_id, p.line_id, p.received_at INTO v_rma, v_line, v_at;
    SELECT r.rma_number, r.case_id INTO v_number, v_case FROM parcel p
      JOIN rma r ON r.id = p.rma_id WHERE p.id = p_parcel;
    IF v_line IS NULL THEN
        SELECT p.rma_id, p.received_at, l.line_no INTO v_rma, v_at, v_no FROM parcel p
          LEFT JOIN rma_line l ON l.id = p.line_id WHERE p.id = p_parcel;
        INSERT INTO scan (code, station, outcome, parcel_id, rma_id, actor_token_id)
        VALUES (p_code, p_station, 'duplicate', p_parcel, v_rma, p_token);
        RETURN QUERY SELECT 'duplicate'::text, NULL::text, v_at, v_number, v_no, NULL::bigint;
        RETURN;
    END IF;
    SELECT coalesce(l.received_serial, l.serial_number), l.line_no INTO v_serial, v_no
      FROM rma_line l WHERE l.id = v_line FOR UPDATE;
    SELECT l.state INTO v_from FROM leg l WHERE l.line_id = v_line AND l.kind = 'inbound'
       FOR UPDATE;

    IF v_serial IS NULL THEN
        -- whole-number parts: the box is here, its contents are counted as receipts
        INSERT INTO event (case_id, rma_id, line_id, parcel_id, kind, actor, actor_token_id,
                           channel, evidence)
        VALUES (v_case, v_rma, v_line, p_parcel, 'parcel_arrived', p_actor, p_token, 'dock_scan',
                jsonb_build_object('station', p_station));
        INSERT INTO scan (code, station, outcome, parcel_id, rma_id, actor_token_id)
        VALUES (p_code, p_station, 'arrived', p_parcel, v_rma, p_token);
        RETURN QUERY SELECT 'arrived'::text, v_from, v_at, v_number, v_no, NULL::bigint;
        RETURN;
    END IF;

    IF v_from IS NULL OR NOT (v_from = ANY (p_from)) THEN
        RAISE EXCEPTION 'inbound leg is %', coalesce(v_from, 'missing') USING ERRCODE = 'RM409';
    END IF;
    UPDATE leg SET state = p_to, updated_at = now() WHERE line_id = v_line AND kind = 'inbound';
    UPDATE rma_line SET received_quantity = quantity,
                        received_serial = CASE WHEN p_serial IS NOT NULL
                                                AND upper(p_serial) = upper(v_serial)
                                               THEN upper(p_serial) ELSE received_serial END
     WHERE id = v_line;
    INSERT INTO event (case_id, rma_id, line_id, parcel_id, leg, kind, from_state, to_state,
                       actor, actor_token_id, channel, evidence)
    VALUES (v_case, v_rma, v_line, p_parcel, 'inbound', 'receive', v_from, p_to, p_actor,
            p_token, 'dock_scan',
            jsonb_build_object('station', p_station, 'serial_scanned', p_serial));
    INSERT INTO receipt (rma_id, line_id, parcel_id, quantity, serial_scanned, station, actor)
    VALUES (v_rma, v_line, p_parcel, 1, p_serial, p_station, p_actor);

    IF p_serial IS NOT NULL AND upper(p_serial) <> upper(v_serial) THEN
        UPDATE leg SET state = p_hold, updated_at = now()
         WHERE line_id = v_line AND kind = 'inbound';
        INSERT INTO event (case_id, rma_id, line_id, parcel_id, leg, kind, from_state, to_state,
                           actor, actor_token_id, channel, reason, evidence)
        VALUES (v_case, v_rma, v_line, p_parcel, 'inbound', 'hold', p_to, p_hold, p_actor,
                p_token, 'dock_scan', 'serial mismatch',
                jsonb_build_object('expected', v_serial, 'scanned', upper(p_serial),
                                   'station', p_station));
        INSERT INTO task (kind, rma_id, line_id, details)
        VALUES ('serial_mismatch', v_rma, v_line,
                jsonb_build_object('expected', v_serial, 'scanned', upper(p_serial),
                                   'station', p_station, 'parcel_id', p_parcel))
        RETURNING id INTO v_task;
        INSERT INTO scan (code, station, outcome, parcel_id, rma_id, actor_token_id)
        VALUES (p_code, p_station, 'serial_mismatch', p_parcel, v_rma, p_token);
        RETURN QUERY SELECT 'serial_mismatch'::text, v_from, v_at, v_number, v_no, v_task;
        RETURN;
    END IF;

    INSERT INTO scan (code, station, outcome, parcel_id, rma_id, actor_token_id)
    VALUES (p_code, p_station, 'received', p_parcel, v_rma, p_token);
    RETURN QUERY SELECT 'received'::text, v_from, v_at, v_number, v_no, NULL::bigint;
END
$$;

-- The foundation's form (no serial read) stays callable: the same receive, serial unchecked.
CREATE OR REPLACE FUNCTION rmad_receive_parcel(p_parcel bigint, p_from text[], p_to text,
                                               p_station text, p_actor text, p_token bigint,
                                               p_code text)
RETURNS TABLE (outcome text, leg_from text, received_at timestamptz)
LANGUAGE sql AS $$
    SELECT r.outcome, r.leg_from, r.received_at
      FROM rmad_receive_parcel(p_parcel, p_from, p_to, p_station, p_actor, p_token, p_code,
                               NULL::text, 'hold') r
$$;

-- An unexpected arrival that was matched to an RMA line names the line too.
ALTER TABLE unexpected_arrival
    ADD COLUMN matched_line_id bigint REFERENCES rma_line (id),
    ADD COLUMN closed_reason text,
    ADD COLUMN decided_at timestamptz;

CREATE INDEX unexpected_arrival_queued ON unexpected_arrival (id) WHERE status = 'queued';

INSERT INTO schema_migrations (version) VALUES (4);
COMMIT;
