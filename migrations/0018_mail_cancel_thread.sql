-- E-mail follow-up and intake replies (issue 3, fixes of 0011).
--
-- outbox: a message may be 'cancelled' (with cancelled_at and cancel_reason) instead of sent.
--   Closing a follow-up (feedback recorded, or closed without feedback) cancels its follow-up
--   e-mail in the same transaction while the message is still 'queued'; the sender checks again
--   right before the send and cancels a follow-up e-mail whose follow-up is no longer open.  A
--   cancelled message is never claimed.
-- outbox.intake_id: the intake record a missing-fields reply answers, so that the customer's
--   reply to it (In-Reply-To / References naming its Message-ID) is read together with it.
-- email_intake.fields: the fields read from an intake that lacked some (the earlier messages of
--   its thread included), as JSON; NULL for an intake that opened a case.  The customer's reply
--   only needs to send what was missing.  Personal data: it holds what the customer wrote.
BEGIN;

ALTER TABLE outbox DROP CONSTRAINT outbox_status_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_status_check
    CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'cancelled'));
ALTER TABLE outbox ADD COLUMN cancelled_at timestamptz;
ALTER TABLE outbox ADD COLUMN cancel_reason text;
ALTER TABLE outbox ADD CONSTRAINT outbox_cancelled_check
    CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL AND cancel_reason IS NOT NULL));
ALTER TABLE outbox ADD COLUMN intake_id bigint REFERENCES email_intake (id);
CREATE INDEX outbox_intake ON outbox (intake_id) WHERE intake_id IS NOT NULL;

ALTER TABLE email_intake ADD COLUMN fields jsonb;

-- follow-up e-mails of follow-ups closed before this migration: cancelled now, never sent
UPDATE outbox o SET status = 'cancelled', cancelled_at = now(),
    cancel_reason = 'the follow-up was closed (' || f.status || ') before the e-mail was sent'
  FROM follow_up f
 WHERE f.outbox_id = o.id AND f.status <> 'open' AND o.status = 'queued';

INSERT INTO schema_migrations (version) VALUES (18);
COMMIT;
