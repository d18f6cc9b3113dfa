-- Carrier tracking (issue 5), second round: the return parcel's carrier, the outcome of an event
-- that moves nothing, and the archive guard on the carrier events and the manifest lines of an
-- archived case's parcels.
BEGIN;

-- The carrier the customer sends the return with (POST /api/v1/rmas "return_carrier"): every
-- inbound parcel of the RMA gets it when it is made.  NULL: none named (an inbound DespatchAdvice
-- naming the carrier sets the parcel's).
ALTER TABLE rma ADD COLUMN return_carrier_id bigint REFERENCES carrier (id);

-- 'history': older than the parcel's last event; 'no_move': newer, but nothing to move in the
-- leg's state (in transit twice, attempted, after the carrier's delivered).  Rows stored before
-- this migration say 'history' for both.
ALTER TABLE tracking_event DROP CONSTRAINT tracking_event_outcome_check;
ALTER TABLE tracking_event ADD CONSTRAINT tracking_event_outcome_check
    CHECK (outcome IN ('moved', 'recorded', 'history', 'no_move', 'unknown'));

-- The archive guard (the functions of 0012 and 0015, same RM409 and message):
--   tracking_event   UPDATE (per statement) and DELETE (per row) of an archived case's parcel's
--                    events are refused; INSERT stays open: a carrier's late event about an
--                    archived parcel is still noted (bookkeeping outside the record, like the
--                    parcel's '~' columns of 0012)
--   manifest_parcel  INSERT and UPDATE (per statement) and DELETE (per row)
-- and TRUNCATE of either while any case is archived.
CREATE TRIGGER tracking_event_archived_update AFTER UPDATE ON tracking_event
    REFERENCING OLD TABLE AS rmad_old NEW TABLE AS rmad_new
    FOR EACH STATEMENT EXECUTE FUNCTION rmad_archived_stmt('parcel_id', 'parcel');
CREATE TRIGGER tracking_event_archived_delete BEFORE DELETE ON tracking_event
    FOR EACH ROW EXECUTE FUNCTION rmad_archived_child('parcel_id', 'parcel');
CREATE TRIGGER tracking_event_archived_truncate BEFORE TRUNCATE ON tracking_event
    FOR EACH STATEMENT EXECUTE FUNCTION rmad_archived_truncate();

CREATE TRIGGER manifest_parcel_archived AFTER INSERT ON manifest_parcel
    REFERENCING NEW TABLE AS rmad_new
    FOR EACH STATEMENT EXECUTE FUNCTION rmad_archived_stmt('parcel_id', 'parcel');
CREATE TRIGGER manifest_parcel_archived_update AFTER UPDATE ON manifest_parcel
    REFERENCING OLD TABLE AS rmad_old NEW TABLE AS rmad_new
    FOR EACH STATEMENT EXECUTE FUNCTION rmad_archived_stmt('parcel_id', 'parcel');
CREATE TRIGGER manifest_parcel_archived_delete BEFORE DELETE ON manifest_parcel
    FOR EACH ROW EXECUTE FUNCTION rmad_archived_child('parcel_id', 'parcel');
CREATE TRIGGER manifest_parcel_archived_truncate BEFORE TRUNCATE ON manifest_parcel
    FOR EACH STATEMENT EXECUTE FUNCTION rmad_archived_truncate();

INSERT INTO schema_migrations (version) VALUES (16);
COMMIT;
