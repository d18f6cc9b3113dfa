-- A planned remote session that never took place can be cancelled (issue 3): the session keeps
-- its row, with when, why and by whom it was cancelled; a cancelled session is no longer open
-- (it cannot be ended, and it does not keep the case from completing its work).  The session's
-- JSON gains its status: open (planned or running, not ended), ended or cancelled.
BEGIN;

ALTER TABLE remote_session
    ADD COLUMN cancelled_at timestamptz,
    ADD COLUMN cancel_reason text,
    ADD COLUMN cancelled_by text,
    ADD COLUMN cancelled_by_token_id bigint REFERENCES api_token (id),
    ADD CONSTRAINT remote_session_cancel_check CHECK (cancelled_at IS NULL OR (ended_at IS NULL
        AND cancel_reason IS NOT NULL AND cancelled_by IS NOT NULL
        AND cancelled_by_token_id IS NOT NULL));

CREATE OR REPLACE FUNCTION service_session_json(s remote_session) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object('session_no', s.session_no,
        'status', CASE WHEN s.cancelled_at IS NOT NULL THEN 'cancelled'
                       WHEN s.ended_at IS NOT NULL THEN 'ended' ELSE 'open' END,
        'starts_at', service_utc(s.starts_at),
        'zone', s.zone, 'tool', s.tool, 'purpose', s.purpose, 'engineer', s.actor,
        'authorization_id', s.authorization_id, 'created_at', service_utc(s.created_at),
        'ended_at', service_utc(s.ended_at), 'outcome', s.outcome, 'notes', s.end_notes,
        'overran', s.overran, 'ended_by', s.ended_by,
        'end_recorded_at', service_utc(s.end_recorded_at),
        'cancelled_at', service_utc(s.cancelled_at), 'cancel_reason', s.cancel_reason,
        'cancelled_by', s.cancelled_by)
$$;

INSERT INTO schema_migrations (version) VALUES (17);
COMMIT;
