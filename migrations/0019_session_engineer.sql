-- A remote session names its engineer (issue 3): the engineer assigned to the case when it was
-- started (engineer.name, e.g. eva.berg), as a visit does, and no longer the name of the token
-- that started it (eva, or "admin (deploy/up.sh)" when an admin ran it); that actor is the
-- session's started_by.  Sessions of cases already archived keep their row (their record is
-- sealed): the JSON falls back to the actor for them.
BEGIN;

ALTER TABLE remote_session ADD COLUMN engineer text;

-- the engineer whose token started the session, else the engineer assigned to the case then
UPDATE remote_session s SET engineer = coalesce(
    (SELECT e.name FROM engineer e WHERE e.token_id = s.actor_token_id),
    (SELECT e.name FROM case_assignment ca JOIN engineer e ON e.id = ca.engineer_id
      WHERE ca.case_id = s.case_id AND ca.assigned_at <= s.created_at
        AND (ca.unassigned_at IS NULL OR ca.unassigned_at > s.created_at)
      ORDER BY ca.id DESC LIMIT 1))
WHERE NOT EXISTS (SELECT 1 FROM case_record cr WHERE cr.case_id = s.case_id);

CREATE OR REPLACE FUNCTION service_session_json(s remote_session) RETURNS json
LANGUAGE sql STABLE AS $$
    SELECT json_build_object('session_no', s.session_no,
        'status', CASE WHEN s.cancelled_at IS NOT NULL THEN 'cancelled'
                       WHEN s.ended_at IS NOT NULL THEN 'ended' ELSE 'open' END,
        'starts_at', service_utc(s.starts_at),
        'zone', s.zone, 'tool', s.tool, 'purpose', s.purpose,
        'engineer', coalesce(s.engineer, s.actor), 'started_by', s.actor,
        'authorization_id', s.authorization_id, 'created_at', service_utc(s.created_at),
        'ended_at', service_utc(s.ended_at), 'outcome', s.outcome, 'notes', s.end_notes,
        'overran', s.overran, 'ended_by', s.ended_by,
        'end_recorded_at', service_utc(s.end_recorded_at),
        'cancelled_at', service_utc(s.cancelled_at), 'cancel_reason', s.cancel_reason,
        'cancelled_by', s.cancelled_by)
$$;

INSERT INTO schema_migrations (version) VALUES (19);
COMMIT;
