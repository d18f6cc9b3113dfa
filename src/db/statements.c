/*
 * statements: every SQL statement rmad runs, by name.  Prepared once per connection (again after
 * a reconnect) and always run with parameters; never SQL built from request text.
 */
#include "db_int.h"

#define EVENT_COLUMNS                                                                              \
    "case_id, rma_id, line_id, parcel_id, leg, kind, from_state, to_state, actor, "                \
    "actor_token_id, channel, reason, evidence"

/* cases: the SLA clocks' data of a case (issue 3, db_sla.c); times in whole epoch seconds */
#define SLA_COLUMNS                                                                                \
    "c.id, c.case_number, c.status, c.channel, m.product_line, c.addr_zone, "                      \
    "c.addr_region,"                                                                               \
    " floor(extract(epoch FROM c.created_at))::bigint,"                                            \
    " (SELECT floor(extract(epoch FROM min(e.created_at)))::bigint FROM event e"                   \
    "   WHERE e.case_id = c.id AND e.kind = 'case_register'),"                                     \
    " (SELECT floor(extract(epoch FROM min(e.created_at)))::bigint FROM event e"                   \
    "   WHERE e.case_id = c.id AND e.kind = 'case_start'),"                                        \
    " (SELECT floor(extract(epoch FROM min(e.created_at)))::bigint FROM event e"                   \
    "   WHERE e.case_id = c.id AND e.rma_id IS NULL"                                               \
    "   AND e.to_state IN ('resolved_remotely', 'work_complete')),"                                \
    " (SELECT string_agg(CASE e.kind WHEN 'case_hold' THEN 'h' ELSE 'r' END"                       \
    "   || floor(extract(epoch FROM e.created_at))::bigint, ',' ORDER BY "                         \
    "e.created_at, e.id)"                                                                          \
    "   FROM event e WHERE e.case_id = c.id AND e.kind IN ('case_hold', "                          \
    "'case_resume')),"                                                                             \
    " floor(extract(epoch FROM now()))::bigint,"                                                   \
    " (SELECT floor(extract(epoch FROM min(e.created_at)))::bigint FROM event e"                   \
    "   WHERE e.case_id = c.id AND e.kind = 'case_cancel')"
const struct statement db_statements[Q__COUNT] = {
    [Q_SECRET_INSERT] =
        {"secret_insert", 2,
         "INSERT INTO server_secret (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING"},
    [Q_SECRET_GET] = {"secret_get", 1, "SELECT value FROM server_secret WHERE name = $1"},
    [Q_TOKEN_INSERT] =
        {"token_insert", 4,
         "INSERT INTO api_token (name, role, token_hash, carrier_id) VALUES ($1, $2, $3, $4)"},
    [Q_TOKEN_LOOKUP] = {"token_lookup", 1,
                        "SELECT id, name, role, carrier_id FROM api_token "
                        "WHERE token_hash = $1 AND revoked_at IS NULL"},
    [Q_CARRIER_BY_CODE] = {"carrier_by_code", 1, "SELECT id FROM carrier WHERE code = $1"},
    /* carriers (issue 5): one named by its code or its name (a document's carrier party) */
    [Q_CARRIER_FIND] = {"carrier_find", 1,
                        "SELECT id, code FROM carrier WHERE upper(code) = upper($1)"
                        " OR upper(name) = upper($1) ORDER BY upper(code) = upper($1) DESC, id"},
    [Q_CARRIER_EXISTS] = {"carrier_exists", 1, "SELECT id FROM carrier WHERE code = $1"},
    [Q_CARRIER_UPSERT] =
        {"carrier_upsert", 5,
         "INSERT INTO carrier (code, name, account, time_zone, zone)"
         " VALUES ($1, coalesce($2, ''), coalesce($3, ''), coalesce($4, 'UTC'), $5)"
         " ON CONFLICT (code) DO UPDATE SET"
         " name = coalesce($2, carrier.name), account = coalesce($3, carrier.account),"
         " time_zone = coalesce($4, carrier.time_zone), zone = coalesce($5, carrier.zone)"
         " RETURNING id, xmax = 0"},
    [Q_RMA_RETURN_CARRIER] = {"rma_return_carrier", 2,
                              "UPDATE rma SET return_carrier_id = $2 WHERE id = $1"},
    [Q_NOTICE_PARCEL_CARRIER] = {"notice_parcel_carrier", 1,
                                 "SELECT p.carrier_id, c.code, p.tracking_number FROM parcel p"
                                 " LEFT JOIN carrier c ON c.id = p.carrier_id WHERE p.id = $1"
                                 " FOR UPDATE OF p"},
    [Q_NOTICE_PARCEL_CARRIER_SET] =
        {"notice_parcel_carrier_set", 3,
         "UPDATE parcel SET carrier_id = coalesce(carrier_id, $2::bigint),"
         " tracking_number = coalesce(tracking_number, $3) WHERE id = $1"},
    [Q_MIGRATION_VERSIONS] = {"migration_versions", 0, "SELECT version FROM schema_migrations"},
    [Q_MODEL_GET] =
        {"model_get", 1,
         "SELECT code, name, serialised, easy_install, sold_separately FROM product_model "
         "WHERE code = $1"},
    [Q_CASE_INSERT] =
        {"case_insert", 18,
         "INSERT INTO service_case (channel, product_model, serial_number, configuration, "
         "error_messages, fault_description, contact_name, contact_phone, contact_email, "
         "addr_name, addr_street, addr_city, addr_postcode, addr_postcode_norm, addr_country, "
         "created_by, addr_zone, addr_region) VALUES ($1, $2, $3, $4::jsonb, "
         "coalesce($5::jsonb, '[]'), $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, "
         "$18) RETURNING id, case_number"},
    [Q_EVENT_CASE] = {"event_case", 4,
                      "INSERT INTO event (case_id, kind, to_state, actor, actor_token_id, channel) "
                      "VALUES ($1, 'case_created', 'new', $2, $3, $4)"},
    [Q_CASE_FOR_RMA] =
        {"case_for_rma", 1,
         "SELECT id, serial_number, product_model FROM service_case WHERE case_number = $1"},
    [Q_RMA_SEQ] = {"rma_seq", 0, "SELECT nextval('rma_number_seq')"},
    [Q_DEPOT_DEFAULT] = {"depot_default", 0, "SELECT id FROM depot WHERE is_default"},
    [Q_INSTALL_BASE_GET] =
        {"install_base_get", 1,
         "SELECT json_build_object('serial_number', serial_number, 'product_model', "
         "product_model, 'ship_date', ship_date, 'warranty_end', warranty_end, 'contract', "
         "contract, 'under_warranty', warranty_end >= current_date, 'checked_on', current_date), "
         "product_model FROM install_base WHERE serial_number = $1"},
    [Q_RMA_INSERT] =
        {"rma_insert", 6,
         "INSERT INTO rma (rma_number, case_id, type, depot_id, authorized, created_by) "
         "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"},
    [Q_SCREENING_INSERT] =
        {"screening_insert", 6,
         "INSERT INTO screening (rma_id, outcome, reason, evidence, entitlement, decided_by) "
         "VALUES ($1, $2, $3, coalesce($4::jsonb, '{}'), $5::jsonb, $6)"},
    [Q_LINE_INSERT] =
        {"line_insert", 6,
         "INSERT INTO rma_line (rma_id, line_no, product_model, serial_number, quantity, open) "
         "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"},
    [Q_LEG_INSERT] = {"leg_insert", 3,
                      "INSERT INTO leg (line_id, kind, state) VALUES ($1, $2, $3)"},
    [Q_PARCEL_INSERT] =
        {"parcel_insert", 6,
         "INSERT INTO parcel (rma_id, line_id, direction, parcel_no, parcel_count, state,"
         " carrier_id) SELECT $1::bigint, $2::bigint, $3::text, $4::int, $5::int, $6::text,"
         " CASE WHEN $3::text = 'inbound' THEN r.return_carrier_id END FROM rma r"
         " WHERE r.id = $1::bigint"
         " RETURNING id"},
    [Q_EVENT_INSERT] = {"event_insert", 13,
                        "INSERT INTO event (" EVENT_COLUMNS
                        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
                        "$11, $12, $13::jsonb)"},
    [Q_RMA_VIEW] =
        {"rma_view", 1,
         "SELECT json_build_object("
         " 'rma_number', r.rma_number, 'type', r.type, 'authorized', r.authorized,"
         " 'closed_at', r.closed_at, 'close_reason', r.close_reason, 'created_at', r.created_at,"
         " 'chargeable', r.chargeable,"
         " 'certificates_missing', (SELECT count(*) FROM rma_line cl"
         "   JOIN product_model cm ON cm.code = cl.product_model WHERE cl.rma_id = r.id"
         "   AND r.type = 'replacement_no_return' AND cm.data_bearing"
         "   AND cl.destruction_certificate IS NULL),"
         " 'open_charges', (SELECT count(*) FROM charge ch WHERE ch.rma_id = r.id"
         "   AND ch.status = 'open'),"
         " 'quotes', (SELECT json_agg(json_build_object('id', q.id, 'status', q.status,"
         "   'reason', q.reason, 'currency', q.currency, 'total_cents', q.total_cents,"
         "   'expires_on', q.expires_on, 'offered_at', q.offered_at, 'decided_at', q.decided_at,"
         "   'decision_note', q.decision_note, 'lines', (SELECT json_agg(json_build_object("
         "     'line_no', ql_l.line_no, 'description', ql.description, 'coverage', ql.coverage,"
         "     'amount_cents', ql.amount_cents) ORDER BY ql.id) FROM quote_line ql"
         "     LEFT JOIN rma_line ql_l ON ql_l.id = ql.line_id WHERE ql.quote_id = q.id))"
         "   ORDER BY q.id) FROM quote q WHERE q.rma_id = r.id),"
         " 'charges', (SELECT json_agg(json_build_object('id', ch.id, 'kind', ch.kind,"
         "   'line_no', ch_l.line_no, 'amount_cents', ch.amount_cents, 'currency', ch.currency,"
         "   'status', ch.status, 'reason', ch.reason, 'created_at', ch.created_at,"
         "   'closed_at', ch.closed_at, 'close_reason', ch.close_reason) ORDER BY ch.id)"
         "   FROM charge ch LEFT JOIN rma_line ch_l ON ch_l.id = ch.line_id"
         "   WHERE ch.rma_id = r.id),"
         " 'tasks', (SELECT json_agg(json_build_object('id', t.id, 'kind', t.kind,"
         "   'line_no', t_l.line_no, 'status', t.status, 'details', t.details,"
         "   'decision', t.decision, 'decided_at', t.decided_at) ORDER BY t.id)"
         "   FROM task t LEFT JOIN rma_line t_l ON t_l.id = t.line_id WHERE t.rma_id = r.id),"
         " 'case', json_build_object('case_number', c.case_number, 'channel', c.channel,"
         "   'product_model', c.product_model, 'serial_number', c.serial_number,"
         "   'fault_description', c.fault_description,"
         "   'contact', json_build_object('name', c.contact_name, 'phone', c.contact_phone,"
         "     'email', c.contact_email),"
         "   'service_address', json_build_object('name', c.addr_name, 'street', c.addr_street,"
         "     'city', c.addr_city, 'postcode', c.addr_postcode, 'country', c.addr_country)),"
         " 'depot', json_build_object('code', d.code, 'name', d.name),"
         " 'screening', (SELECT json_agg(json_build_object('outcome', s.outcome, 'reason',"
         "   s.reason, 'evidence', s.evidence, 'entitlement', s.entitlement, 'decided_by', t.name,"
         "   'decided_at', s.decided_at) ORDER BY s.id) FROM screening s"
         "   JOIN api_token t ON t.id = s.decided_by WHERE s.rma_id = r.id),"
         " 'lines', (SELECT json_agg(json_build_object('line_no', l.line_no, 'product_model',"
         "   l.product_model, 'serial_number', l.serial_number, 'quantity', l.quantity,"
         "   'received_quantity', l.received_quantity, 'open', l.open,"
         "   'core_due_date', l.core_due_date, 'core_returned_at', l.core_returned_at,"
         "   'outbound_serial', l.outbound_serial, 'misuse', l.misuse, 'grade', l.grade,"
         "   'disposition', l.disposition, 'destruction_certificate', l.destruction_certificate,"
         "   'spare_serial', (SELECT su.serial_number FROM spare_unit su WHERE su.line_id = l.id),"
         "   'install_guide', (SELECT pm.install_guide FROM product_model pm"
         "     WHERE pm.code = l.product_model AND r.type IN ('advance_replacement', 'exchange',"
         "     'replacement_no_return')),"
         "   'swap', (SELECT json_build_object('old_serial', sw.old_serial, 'new_serial',"
         "     sw.new_serial, 'warranty_end', sw.warranty_end) FROM serial_swap sw"
         "     WHERE sw.line_id = l.id),"
         "   'receipts', (SELECT json_agg(json_build_object('quantity', rc.quantity,"
         "     'serial_scanned', rc.serial_scanned, 'over_receipt_reason',"
         "     rc.over_receipt_reason, 'station', rc.station, 'at', rc.created_at)"
         "     ORDER BY rc.id) FROM receipt rc WHERE rc.line_id = l.id),"
         "   'inspections', (SELECT json_agg(json_build_object('grade', ins.grade, 'findings',"
         "     ins.findings, 'misuse', ins.misuse, 'evidence', ins.evidence, 'notes', ins.notes,"
         "     'actor', ins.actor, 'at', ins.created_at) ORDER BY ins.id) FROM inspection ins"
         "     WHERE ins.line_id = l.id),"
         "   'legs', (SELECT json_object_agg(g.kind, json_build_object('state', g.state,"
         "     'updated_at', g.updated_at)) FROM leg g WHERE g.line_id = l.id))"
         "   ORDER BY l.line_no) FROM rma_line l WHERE l.rma_id = r.id),"
         " 'parcels', (SELECT json_agg(json_build_object('parcel_no', p.parcel_no,"
         "   'parcel_count', p.parcel_count, 'direction', p.direction, 'state', p.state,"
         "   'line_no', pl.line_no, 'sscc', p.sscc, 'tracking_number', p.tracking_number,"
         "   'carrier', pc.code, 'announced_at', p.announced_at, 'received_at', p.received_at,"
         "   'received_station', p.received_station, 'carrier_delivered_at',"
         "   p.carrier_delivered_at, 'last_carrier_event', p.last_event, 'last_carrier_event_at',"
         "   p.last_event_at) ORDER BY p.direction, p.parcel_no)"
         "   FROM parcel p LEFT JOIN rma_line pl ON pl.id = p.line_id"
         "   LEFT JOIN carrier pc ON pc.id = p.carrier_id WHERE p.rma_id = r.id),"
         " 'events', (SELECT json_agg(json_build_object('id', e.id, 'at', e.created_at,"
         "   'kind', e.kind, 'leg', e.leg, 'line_no', el.line_no, 'parcel_no', ep.parcel_no,"
         "   'from', e.from_state, 'to', e.to_state, 'actor', e.actor, 'channel', e.channel,"
         "   'reason', e.reason, 'evidence', e.evidence) ORDER BY e.id) FROM event e"
         "   LEFT JOIN rma_line el ON el.id = e.line_id LEFT JOIN parcel ep ON ep.id = e.parcel_id"
         "   WHERE e.rma_id = r.id)"
         ")::text FROM rma r JOIN service_case c ON c.id = r.case_id"
         " JOIN depot d ON d.id = r.depot_id WHERE r.rma_number = $1"},
    [Q_TRACK_VIEW] =
        {"track_view", 2,
         "SELECT json_build_object("
         " 'rma_number', r.rma_number, 'type', r.type, 'authorized', r.authorized,"
         " 'closed', r.closed_at IS NOT NULL, 'created_at', r.created_at,"
         " 'open_charges', (SELECT count(*) FROM charge ch WHERE ch.rma_id = r.id"
         "   AND ch.status = 'open'),"
         " 'certificates_missing', (SELECT count(*) FROM rma_line cl"
         "   JOIN product_model cm ON cm.code = cl.product_model WHERE cl.rma_id = r.id"
         "   AND r.type = 'replacement_no_return' AND cm.data_bearing"
         "   AND cl.destruction_certificate IS NULL),"
         " 'lines', (SELECT json_agg(json_build_object('line_no', l.line_no, 'product',"
         "   pm.name, 'quantity', l.quantity, 'received_quantity', l.received_quantity,"
         "   'legs', (SELECT json_object_agg(g.kind, json_build_object('state', g.state,"
         "     'updated_at', g.updated_at)) FROM leg g WHERE g.line_id = l.id))"
         "   ORDER BY l.line_no) FROM rma_line l JOIN product_model pm ON pm.code = l.product_model"
         "   WHERE l.rma_id = r.id),"
         " 'parcels', (SELECT json_agg(json_build_object('parcel_no', p.parcel_no,"
         "   'parcel_count', p.parcel_count, 'direction', p.direction, 'state', p.state,"
         "   'carrier', pc.name, 'tracking_number', p.tracking_number,"
         "   'received_at', p.received_at) ORDER BY p.direction, p.parcel_no)"
         "   FROM parcel p LEFT JOIN carrier pc ON pc.id = p.carrier_id WHERE p.rma_id = r.id),"
         " 'events', (SELECT json_agg(json_build_object('at', e.created_at, 'kind', e.kind,"
         "   'leg', e.leg, 'to', e.to_state) ORDER BY e.id) FROM event e"
         "   WHERE e.rma_id = r.id AND e.leg IS NOT NULL)"
         ")::text FROM rma r JOIN service_case c ON c.id = r.case_id"
         " WHERE r.rma_number = $1 AND c.addr_postcode_norm = $2"},
#define PARCEL_REF                                                                                 \
    "SELECT p.id, r.id, r.rma_number, p.parcel_no, p.parcel_count, p.received_at IS NOT NULL,"     \
    " r.authorized, r.closed_at IS NOT NULL FROM parcel p JOIN rma r ON r.id = p.rma_id"
    [Q_PARCEL_BY_NO] =
        {"parcel_by_no", 2,
         PARCEL_REF " WHERE r.rma_number = $1 AND p.direction = 'inbound' AND p.parcel_no = $2"},
    [Q_PARCEL_BY_RMA_OPEN] = {"parcel_by_rma", 1,
                              PARCEL_REF " WHERE r.rma_number = $1 AND p.direction = 'inbound'"
                                         " ORDER BY p.received_at IS NOT NULL, p.parcel_no"},
    [Q_PARCEL_BY_SSCC] = {"parcel_by_sscc", 1,
                          PARCEL_REF " WHERE p.sscc = $1 AND p.direction = 'inbound'"},
    [Q_PARCEL_BY_TRACKING] = {"parcel_by_tracking", 1,
                              PARCEL_REF
                              " WHERE upper(p.tracking_number) = $1 AND p.direction = 'inbound'"},
    [Q_RECEIVE_PARCEL] = {"receive_parcel", 9,
                          "SELECT outcome, leg_from, received_at, rma_number, line_no, task_id"
                          " FROM rmad_receive_parcel($1, $2::text[], $3, $4, $5, $6, $7, $8, $9)"},
    [Q_SCAN_LOG] =
        {"scan_log", 4,
         "INSERT INTO scan (code, station, outcome, actor_token_id) VALUES ($1, $2, $3, $4)"},
    [Q_RECEIPT_HEAD] =
        {"receipt_head", 1,
         "SELECT r.rma_number, d.name, d.street, d.city, d.postcode, d.country, c.addr_name,"
         " to_char(max(p.received_at), 'YYYY-MM-DD'), to_char(max(p.received_at), 'HH24:MI:SS'),"
         " count(p.id) FROM rma r JOIN depot d ON d.id = r.depot_id"
         " JOIN service_case c ON c.id = r.case_id"
         " LEFT JOIN parcel p ON p.rma_id = r.id AND p.received_at IS NOT NULL"
         " WHERE r.rma_number = $1 GROUP BY r.rma_number, d.id, c.id"},
    [Q_RECEIPT_LINES] =
        {"receipt_lines", 1,
         "SELECT l.line_no, l.serial_number, l.product_model, pm.name, l.received_quantity,"
         " l.quantity - l.received_quantity,"
         " (SELECT p.sscc FROM parcel p WHERE p.line_id = l.id AND p.direction = 'inbound'"
         "   AND p.sscc IS NOT NULL LIMIT 1)"
         " FROM rma_line l JOIN rma r ON r.id = l.rma_id"
         " JOIN product_model pm ON pm.code = l.product_model"
         " WHERE r.rma_number = $1 AND l.received_quantity > 0 ORDER BY l.line_no"},
    [Q_DOC_INSERT] =
        {"doc_insert", 5,
         "INSERT INTO document (sender, doc_type, doc_id, body_sha256, status, response,"
         " created_by) VALUES ($1, $2, $3, $4, 0, '{}', $5)"
         " ON CONFLICT (sender, doc_type, doc_id) DO NOTHING RETURNING id"},
    [Q_DOC_GET] = {"doc_get", 3,
                   "SELECT id, body_sha256, status, response::text FROM document"
                   " WHERE sender = $1 AND doc_type = $2 AND doc_id = $3"},
    [Q_DOC_FINISH] = {"doc_finish", 3,
                      "UPDATE document SET status = $2, response = $3::jsonb WHERE id = $1"},
    [Q_NOTICE_LINE] =
        {"notice_line", 3,
         "SELECT r.id, l.id, p.id, r.authorized, r.closed_at IS NOT NULL, l.serial_number,"
         " l.quantity, p.sscc, l.line_no, p.parcel_no, p.received_at IS NOT NULL"
         " FROM rma r JOIN rma_line l ON l.rma_id = r.id"
         " LEFT JOIN parcel p ON p.line_id = l.id AND p.direction = 'inbound'"
         " WHERE r.rma_number = $1 AND ($2::text IS NULL OR l.serial_number = $2)"
         " AND ($3::bigint IS NULL OR p.carrier_id IS NULL OR p.carrier_id = $3)"
         " ORDER BY l.line_no"},
    /* the rma a notice names, for a carrier ($2) only when one of its inbound parcels is the
     * carrier's or has no carrier yet */
    [Q_NOTICE_RMA] = {"notice_rma", 2,
                      "SELECT 1 FROM rma r WHERE r.rma_number = $1 AND ($2::bigint IS NULL"
                      " OR EXISTS (SELECT 1 FROM parcel p WHERE p.rma_id = r.id"
                      " AND p.direction = 'inbound' AND (p.carrier_id IS NULL"
                      " OR p.carrier_id = $2)))"},
    [Q_NOTICE_INSERT] =
        {"notice_insert", 7,
         "INSERT INTO advance_notice (document_id, rma_id, line_id, parcel_id, serial_number,"
         " sscc, quantity) VALUES ($1, $2, $3, $4, $5, $6, $7)"},
    [Q_PARCEL_ANNOUNCE] =
        {"parcel_announce", 2,
         "UPDATE parcel SET announced_at = coalesce(announced_at, now()),"
         " sscc = coalesce($2, sscc) WHERE id = $1 AND (sscc IS NULL OR $2::text IS NULL"
         " OR sscc = $2) RETURNING id"},
    [Q_IDEM_INSERT] =
        {"idem_insert", 5,
         "INSERT INTO idempotency_key (token_id, key, method, path, request_sha256)"
         " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (token_id, key) DO NOTHING RETURNING 1"},
    [Q_IDEM_GET] = {"idem_get", 2,
                    "SELECT method, path, request_sha256, status, content_type, response,"
                    " created_at < now() - interval '60 seconds' FROM idempotency_key"
                    " WHERE token_id = $1 AND key = $2"},
    [Q_IDEM_TAKEOVER] =
        {"idem_takeover", 2,
         "UPDATE idempotency_key SET created_at = now() WHERE token_id = $1 AND key = $2"
         " AND status IS NULL AND created_at < now() - interval '60 seconds' RETURNING 1"},
    [Q_IDEM_FINISH] = {"idem_finish", 5,
                       "UPDATE idempotency_key SET status = $3, content_type = $4, response = $5"
                       " WHERE token_id = $1 AND key = $2"},
    [Q_IDEM_DELETE] =
        {"idem_delete", 2,
         "DELETE FROM idempotency_key WHERE token_id = $1 AND key = $2 AND status IS NULL"},
    /* ---- zones and holidays (issue 3, tzcache.c) ---- */
    [Q_CAL_CASE] = {"cal_case", 1,
                    "SELECT addr_zone, addr_region FROM service_case WHERE id = $1::bigint"},
    /* a region's holidays and, for a subdivision (DE-BY), its country's (DE), as epoch days */
    /* the name of a holiday of the case's region (or its country's) on a local date */
    [Q_CAL_HOLIDAY_NAME] = {"cal_holiday_name", 2,
                            "SELECT h.name FROM holiday h JOIN service_case c"
                            " ON h.region = c.addr_region OR h.region = split_part(c.addr_region,"
                            " '-', 1) WHERE c.id = $1::bigint AND h.day = $2::date"
                            " ORDER BY length(h.region) DESC, h.name LIMIT 1"},
    [Q_CAL_HOLIDAYS] = {"cal_holidays", 1,
                        "SELECT DISTINCT day - date '1970-01-01' AS d FROM holiday"
                        " WHERE region = $1 OR region = split_part($1, '-', 1) ORDER BY d"},

    /* leg moves shared by the depot modules (db_leg.c) */
    /* The lock first, the read after: a read that waited for the lock in the same statement
     * would see the legs as they were before the holder committed. */
    /* The identity rmad's own scheduled work acts as: an admin token row that is revoked from
     * the start, so it can never authenticate; made once, found again by every process. */
    [Q_SYSTEM_PRINCIPAL] =
        {"system_principal", 1,
         "WITH found AS (SELECT id FROM api_token WHERE name = $1 AND role = 'admin'"
         "   AND token_hash = sha256(convert_to('system:' || $1, 'UTF8'))),"
         " made AS (INSERT INTO api_token (name, role, token_hash, revoked_at)"
         "   SELECT $1, 'admin', sha256(convert_to('system:' || $1, 'UTF8')), now()"
         "   WHERE NOT EXISTS (SELECT 1 FROM found)"
         "   ON CONFLICT (token_hash) DO NOTHING RETURNING id)"
         " SELECT id FROM found UNION ALL SELECT id FROM made"},
    [Q_LINE_LOCK] = {"line_lock", 2,
                     "SELECT l.id FROM rma r JOIN rma_line l ON l.rma_id = r.id"
                     " WHERE r.rma_number = $1 AND l.line_no = $2 FOR UPDATE OF l"},
    [Q_LINE_REF] =
        {"line_ref", 2,
         "SELECT r.id, l.id, r.case_id, r.rma_number, l.line_no, r.type, r.authorized,"
         " r.closed_at IS NOT NULL, r.chargeable, l.misuse, l.serial_number, l.product_model,"
         " l.quantity, l.received_quantity, coalesce(l.core_due_date::text, ''),"
         " coalesce((SELECT g.state FROM leg g WHERE g.line_id = l.id AND g.kind = 'inbound'), ''),"
         " coalesce((SELECT g.state FROM leg g WHERE g.line_id = l.id AND g.kind = 'repair'), ''),"
         " coalesce((SELECT g.state FROM leg g WHERE g.line_id = l.id AND g.kind = 'outbound'),"
         " ''),"
         " EXISTS (SELECT 1 FROM quote q WHERE q.rma_id = r.id AND q.status = 'accepted'"
         "   AND q.offered_at >= coalesce((SELECT max(i.created_at) FROM inspection i"
         "     WHERE i.line_id = l.id), '-infinity')"
         "   AND q.id = (SELECT max(q2.id) FROM quote q2 WHERE q2.rma_id = r.id)),"
         " coalesce(l.disposition = 'scrap', false)"
         " FROM rma r JOIN rma_line l ON l.rma_id = r.id"
         " WHERE r.rma_number = $1 AND l.line_no = $2 FOR UPDATE OF l"},
    [Q_LEG_SET] = {"leg_set", 4,
                   "UPDATE leg SET state = $4, updated_at = now()"
                   " WHERE line_id = $1 AND kind = $2 AND state = $3 RETURNING id"},
    [Q_OUTBOUND_SERIAL] = {"outbound_serial", 2,
                           "UPDATE rma_line SET outbound_serial = $2 WHERE id = $1"},
    /* depot: authorization and money (issue 4, db_money.c) */
    [Q_MONEY_EVENT] =
        {"money_event", 9,
         "INSERT INTO event (case_id, rma_id, line_id, kind, from_state, to_state, actor,"
         " actor_token_id, channel, reason, evidence) SELECT r.case_id, r.id, $2, $3, $4, $5,"
         " $6, $7, 'api', $8, $9::jsonb FROM rma r WHERE r.id = $1"},
    [Q_MONEY_MODEL] = {"money_model", 1,
                       "SELECT serialised, easy_install, sold_separately, data_bearing,"
                       " repair_price_cents, part_price_cents, currency, name"
                       " FROM product_model WHERE code = $1"},
    [Q_MONEY_TODAY] = {"money_today", 0, "SELECT current_date - date '1970-01-01'"},
    [Q_SPARE_RESERVE_UNIT] =
        {"spare_reserve_unit", 2,
         "UPDATE spare_unit SET status = 'reserved', line_id = $2, updated_at = now()"
         " WHERE serial_number = (SELECT s.serial_number FROM spare_unit s"
         " WHERE s.product_model = $1 AND s.status = 'available' ORDER BY s.serial_number"
         " LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING serial_number"},
    [Q_SPARE_RESERVE_BIN] =
        {"spare_reserve_bin", 3,
         "WITH b AS (UPDATE spare_bin SET reserved = reserved + $2::int WHERE product_model = $1"
         " AND reserved + $2::int <= on_hand RETURNING 1)"
         " UPDATE rma_line SET spare_bin_reserved = $2::int WHERE id = $3"
         " AND EXISTS (SELECT 1 FROM b) RETURNING id"},
/* a spare goes back to stock only while its outbound leg is blocked or ready: once packed, the
 * box is physically there (or gone) */
#define MONEY_NOT_PACKED                                                                           \
    " NOT EXISTS (SELECT 1 FROM leg g WHERE g.line_id = l.id AND g.kind = 'outbound'"              \
    " AND g.state NOT IN ('blocked', 'ready'))"
    [Q_SPARE_RELEASE] =
        {"spare_release", 1,
         "WITH u AS (UPDATE spare_unit SET status = 'available', line_id = NULL,"
         " updated_at = now() WHERE status = 'reserved' AND line_id IN"
         " (SELECT l.id FROM rma_line l WHERE l.rma_id = $1 AND" MONEY_NOT_PACKED ")"
         " RETURNING serial_number),"
         " x AS (SELECT l.product_model, sum(l.spare_bin_reserved)::int AS q FROM rma_line l"
         " WHERE l.rma_id = $1 AND l.spare_bin_reserved > 0 AND" MONEY_NOT_PACKED
         " GROUP BY l.product_model),"
         " b AS (UPDATE spare_bin sb SET reserved = sb.reserved - x.q FROM x"
         " WHERE sb.product_model = x.product_model RETURNING x.q),"
         " z AS (UPDATE rma_line l SET spare_bin_reserved = 0 WHERE l.rma_id = $1"
         " AND l.spare_bin_reserved > 0 AND" MONEY_NOT_PACKED " RETURNING l.id)"
         " SELECT (SELECT count(*) FROM u), (SELECT coalesce(sum(q), 0) FROM b),"
         " (SELECT count(*) FROM z)"},
    [Q_LINE_CORE_DUE] = {"line_core_due", 2,
                         "UPDATE rma_line SET core_due_date = $2::date WHERE id = $1"},
    [Q_QUOTE_INSERT] =
        {"quote_insert", 6,
         "INSERT INTO quote (rma_id, reason, currency, total_cents, expires_on, offered_by)"
         " VALUES ($1, $2, $3, $4, current_date + $5::int, $6) RETURNING id, expires_on"},
    [Q_QUOTE_LINE_INSERT] =
        {"quote_line_insert", 5,
         "INSERT INTO quote_line (quote_id, line_id, description, coverage, amount_cents)"
         " VALUES ($1, $2, $3, $4, $5)"},
    [Q_QUOTE_VIEW] =
        {"quote_view", 1,
         "SELECT (SELECT json_build_object('rma_number', r.rma_number, 'id', q.id,"
         " 'status', CASE WHEN q.status = 'offered' AND q.expires_on < current_date"
         "   THEN 'expired' ELSE q.status END,"
         " 'reason', q.reason, 'currency', q.currency, 'total_cents', q.total_cents,"
         " 'expires_on', q.expires_on, 'offered_at', q.offered_at, 'decided_at', q.decided_at,"
         " 'decision_note', q.decision_note, 'lines', (SELECT json_agg(json_build_object("
         "   'line_no', ql_l.line_no, 'description', ql.description, 'coverage', ql.coverage,"
         "   'amount_cents', ql.amount_cents) ORDER BY ql.id) FROM quote_line ql"
         "   LEFT JOIN rma_line ql_l ON ql_l.id = ql.line_id WHERE ql.quote_id = q.id))::text"
         " FROM quote q WHERE q.rma_id = r.id ORDER BY q.id DESC LIMIT 1)"
         " FROM rma r WHERE r.rma_number = $1"},
    [Q_QUOTE_LOCK] =
        {"quote_lock", 1,
         "SELECT r.id, r.case_id, r.type, r.authorized, r.closed_at IS NOT NULL, q.id, q.status,"
         " q.expires_on < current_date, q.total_cents, q.currency, q.reason"
         " FROM rma r LEFT JOIN LATERAL (SELECT * FROM quote q0 WHERE q0.rma_id = r.id"
         " ORDER BY q0.id DESC LIMIT 1) q ON true WHERE r.rma_number = $1 FOR UPDATE OF r"},
    [Q_QUOTE_DECIDE] = {"quote_decide", 4,
                        "UPDATE quote SET status = $2, decided_by = $3, decided_at = now(),"
                        " decision_note = $4 WHERE id = $1 AND status = 'offered' RETURNING id"},
    [Q_QUOTE_EXPIRED] =
        {"quote_expired", 1,
         "SELECT r.rma_number, q.expires_on FROM quote q JOIN rma r ON r.id = q.rma_id"
         " WHERE q.status = 'offered' AND q.expires_on < $1::date ORDER BY q.id"},
    [Q_QUOTE_LINE_NOS] = {"quote_line_nos", 1,
                          "SELECT DISTINCT l.line_no FROM quote_line ql"
                          " JOIN rma_line l ON l.id = ql.line_id WHERE ql.quote_id = $1"
                          " ORDER BY l.line_no"},
    [Q_RMA_AUTHORIZE] = {"rma_authorize", 1,
                         "UPDATE rma SET authorized = true, chargeable = true WHERE id = $1"
                         " AND NOT authorized AND closed_at IS NULL RETURNING id"},
    [Q_RMA_LINES] = {"rma_lines", 1,
                     "SELECT id, line_no, product_model, serial_number, quantity FROM rma_line"
                     " WHERE rma_id = $1 ORDER BY line_no"},
    [Q_LINE_OPEN] = {"line_open", 1, "UPDATE rma_line SET open = true WHERE id = $1"},
    /* the lock first, the read after (Q_RMA_HEAD): a cancel that waited for a receive sees
     * what the receive committed */
    [Q_MONEY_RMA_LOCK] = {"money_rma_lock", 1,
                          "SELECT id FROM rma WHERE rma_number = $1 FOR UPDATE"},
    [Q_RMA_HEAD] =
        {"rma_head", 1,
         "SELECT r.id, r.authorized, r.closed_at IS NOT NULL, CASE"
         " WHEN EXISTS (SELECT 1 FROM parcel p WHERE p.rma_id = r.id"
         "   AND p.received_at IS NOT NULL) THEN 'a parcel was received at the depot'"
         " WHEN EXISTS (SELECT 1 FROM rma_line l JOIN receipt rc ON rc.line_id = l.id"
         "   WHERE l.rma_id = r.id) THEN 'parts were received at the depot'"
         " WHEN EXISTS (SELECT 1 FROM rma_line l JOIN leg g ON g.line_id = l.id"
         "   WHERE l.rma_id = r.id AND g.kind = 'inbound'"
         "   AND g.state NOT IN ('label_issued', 'overdue')) THEN 'the unit is on its way'"
         " WHEN EXISTS (SELECT 1 FROM rma_line l JOIN spare_unit su ON su.line_id = l.id"
         "   WHERE l.rma_id = r.id AND su.status = 'shipped') THEN 'a spare has shipped'"
         " WHEN EXISTS (SELECT 1 FROM rma_line l JOIN leg g ON g.line_id = l.id"
         "   WHERE l.rma_id = r.id AND g.kind = 'outbound' AND g.state IN ('shipped',"
         "   'delivered', 'delivery_exception', 'returned_to_sender'))"
         "   THEN 'a parcel has shipped'"
         " WHEN EXISTS (SELECT 1 FROM rma_line l JOIN leg g ON g.line_id = l.id"
         "   WHERE l.rma_id = r.id AND g.kind = 'outbound' AND g.state NOT IN ('blocked',"
         "   'ready')) THEN 'the spare is packed' END"
         " FROM rma r WHERE r.rma_number = $1"},
    /* the open manifests that still list a parcel of the rma waiting for its pickup */
    [Q_RMA_MANIFESTED] = {"rma_manifested", 1,
                          "SELECT string_agg(DISTINCT m.manifest_no, ', ') FROM parcel p"
                          " JOIN manifest_parcel mp ON mp.parcel_id = p.id AND mp.active"
                          " JOIN manifest m ON m.id = mp.manifest_id AND m.status = 'open'"
                          " WHERE p.rma_id = $1::bigint AND p.state = 'manifested'"},
    [Q_RMA_CLOSE] = {"rma_close", 2,
                     "UPDATE rma SET closed_at = now(), close_reason = $2 WHERE id = $1"
                     " AND closed_at IS NULL RETURNING id"},
    [Q_RMA_LINES_CLOSE] = {"rma_lines_close", 1,
                           "WITH w AS (UPDATE quote SET status = 'withdrawn', decided_at = now()"
                           " WHERE rma_id = $1 AND status = 'offered')"
                           " UPDATE rma_line SET open = false WHERE rma_id = $1"},
    [Q_CHARGE_INSERT] =
        {"charge_insert", 7,
         "INSERT INTO charge (rma_id, line_id, kind, amount_cents, currency, reason, created_by)"
         " VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"},
#define MONEY_CHARGE_JSON                                                                          \
    "json_build_object('id', ch.id, 'rma_number', cr.rma_number, 'line_no', cl.line_no,"           \
    " 'kind', ch.kind, 'amount_cents', ch.amount_cents, 'currency', ch.currency,"                  \
    " 'status', ch.status, 'reason', ch.reason, 'created_by', ch.created_by,"                      \
    " 'created_at', ch.created_at, 'closed_by', ch.closed_by, 'closed_at', ch.closed_at,"          \
    " 'close_reason', ch.close_reason, 'reference', ch.reference)"
    [Q_CHARGE_LIST] =
        {"charge_list", 1,
         "SELECT coalesce((SELECT json_agg(" MONEY_CHARGE_JSON " ORDER BY ch.id) FROM charge ch"
         " JOIN rma cr ON cr.id = ch.rma_id LEFT JOIN rma_line cl ON cl.id = ch.line_id"
         " WHERE ch.rma_id = r.id), '[]')::text FROM rma r WHERE r.rma_number = $1"},
    [Q_CHARGE_LOCK] = {"charge_lock", 1,
                       "SELECT ch.id, ch.status, ch.rma_id, ch.line_id FROM charge ch"
                       " WHERE ch.id = $1 FOR UPDATE"},
    [Q_CHARGE_CLOSE] =
        {"charge_close", 5,
         "UPDATE charge SET status = $2, closed_by = $3, closed_at = now(), close_reason = $4,"
         " reference = $5 WHERE id = $1 AND status = 'open' RETURNING id"},
    [Q_CHARGE_GET] =
        {"charge_get", 1,
         "SELECT " MONEY_CHARGE_JSON "::text FROM charge ch"
         " JOIN rma cr ON cr.id = ch.rma_id LEFT JOIN rma_line cl ON cl.id = ch.line_id"
         " WHERE ch.id = $1"},
    [Q_CHARGE_OF_LINE] = {"charge_of_line", 2,
                          "SELECT id, amount_cents, currency, status FROM charge"
                          " WHERE line_id = $1 AND kind = $2 ORDER BY id LIMIT 1"},
#define MONEY_CORE_OPEN                                                                            \
    " FROM rma_line l JOIN rma r ON r.id = l.rma_id"                                               \
    " JOIN leg g ON g.line_id = l.id AND g.kind = 'inbound'"                                       \
    " WHERE r.type = 'advance_replacement' AND r.authorized AND r.closed_at IS NULL AND l.open"    \
    " AND l.core_due_date IS NOT NULL AND l.core_returned_at IS NULL"
    [Q_CORE_DUE_LINES] = {"core_due_lines", 0,
                          "SELECT r.rma_number, l.line_no, l.core_due_date - date '1970-01-01',"
                          " g.state" MONEY_CORE_OPEN
                          " AND g.state IN ('label_issued', 'in_transit', 'partially_received',"
                          " 'overdue') AND EXISTS (SELECT 1 FROM leg o WHERE o.line_id = l.id"
                          " AND o.kind = 'outbound' AND o.state IN ('shipped', 'delivered',"
                          " 'delivery_exception')) ORDER BY l.id"},
    [Q_REMINDER_INSERT] = {"reminder_insert", 3,
                           "INSERT INTO reminder (line_id, kind, due_on) VALUES ($1, $2, $3::date)"
                           " ON CONFLICT (line_id, kind) DO NOTHING RETURNING id"},
    [Q_CORE_RETURNED] = {"core_returned", 1,
                         "UPDATE rma_line SET core_returned_at = now() WHERE id = $1"
                         " AND core_due_date IS NOT NULL AND core_returned_at IS NULL"
                         " RETURNING current_date - core_due_date"},
    [Q_CORE_OUTSTANDING] =
        {"core_outstanding", 0,
         "SELECT coalesce(json_agg(json_build_object('rma_number', r.rma_number, 'line_no',"
         " l.line_no, 'product_model', l.product_model, 'serial_number', l.serial_number,"
         " 'quantity', l.quantity, 'received_quantity', l.received_quantity,"
         " 'spare_serial', (SELECT su.serial_number FROM spare_unit su WHERE su.line_id = l.id),"
         " 'core_due_date', l.core_due_date, 'inbound', g.state,"
         " 'days_overdue', greatest(0, current_date - l.core_due_date),"
         " 'reminders', coalesce((SELECT json_agg(json_build_object('kind', rm.kind, 'at',"
         "   rm.created_at) ORDER BY rm.id) FROM reminder rm WHERE rm.line_id = l.id), '[]'),"
         " 'charge', (SELECT json_build_object('id', ch.id, 'amount_cents', ch.amount_cents,"
         "   'currency', ch.currency, 'status', ch.status) FROM charge ch"
         "   WHERE ch.line_id = l.id AND ch.kind = 'overdue_core'))"
         " ORDER BY l.core_due_date, l.id), '[]')::text" MONEY_CORE_OPEN
         " AND g.state IN ('label_issued', 'in_transit', 'partially_received', 'overdue',"
         " 'lost')"},
    [Q_LINE_CERT] = {"line_cert", 2,
                     "UPDATE rma_line SET destruction_certificate = $2::jsonb WHERE id = $1"
                     " AND destruction_certificate IS NULL RETURNING id"},
    /* depot: receiving and inspection (issue 4, db_receiving.c) */
    [Q_RCV_PARCEL_OF_LINE] = {"rcv_parcel_of_line", 1,
                              PARCEL_REF " WHERE p.line_id = $1 AND p.direction = 'inbound'"
                                         " ORDER BY p.received_at IS NOT NULL, p.parcel_no"},
    [Q_RCV_LINE_QTY] = {"rcv_line_qty", 2,
                        "UPDATE rma_line SET received_quantity = $2 WHERE id = $1"},
    [Q_RCV_RECEIPT_INSERT] =
        {"rcv_receipt_insert", 7,
         "INSERT INTO receipt (rma_id, line_id, quantity, over_receipt_reason, station, actor,"
         " serial_scanned) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"},
    /* a count that completes the line: its boxes are here too, so a later scan is a duplicate */
    [Q_RCV_PARCELS_COUNTED] = {"rcv_parcels_counted", 2,
                               "UPDATE parcel SET received_at = now(), received_station = $2,"
                               " state = 'received' WHERE line_id = $1 AND direction = 'inbound'"
                               " AND received_at IS NULL"},
#define TASK_JSON                                                                                  \
    "json_build_object('id', t.id, 'kind', t.kind, 'status', t.status, 'rma_number',"              \
    " tr.rma_number, 'line_no', tl.line_no, 'details', t.details, 'decision', t.decision,"         \
    " 'decision_reason', t.decision_reason, 'decided_by', t.decided_by, 'decided_at',"             \
    " t.decided_at, 'created_at', t.created_at)"
    [Q_RCV_TASK_INSERT] = {"rcv_task_insert", 4,
                           "INSERT INTO task (kind, rma_id, line_id, details)"
                           " VALUES ($1, $2, $3, $4::jsonb) RETURNING id"},
    [Q_RCV_TASK_LIST] =
        {"rcv_task_list", 2,
         "SELECT coalesce(json_agg(" TASK_JSON " ORDER BY t.id), '[]')::text FROM"
         " (SELECT * FROM task WHERE ($1::text IS NULL OR kind = $1)"
         "  AND ($2::text IS NULL OR status = $2) ORDER BY id LIMIT 500) t"
         " LEFT JOIN rma tr ON tr.id = t.rma_id LEFT JOIN rma_line tl ON tl.id = t.line_id"},
    [Q_RCV_TASK_LOCK] =
        {"rcv_task_lock", 1,
         "SELECT t.id, t.kind, t.status, tr.rma_number, tl.line_no, t.details->>'scanned',"
         " " TASK_JSON "::text FROM task t LEFT JOIN rma tr ON tr.id = t.rma_id"
         " LEFT JOIN rma_line tl ON tl.id = t.line_id WHERE t.id = $1 FOR UPDATE OF t"},
    [Q_RCV_TASK_DECIDE] =
        {"rcv_task_decide", 5,
         "UPDATE task SET status = 'decided', decision = $2, decision_reason = $3,"
         " decided_by = $4, decided_at = now(), details = details || coalesce($5::jsonb, '{}')"
         " WHERE id = $1 AND status = 'open' RETURNING id"},
#define UA_JSON                                                                                    \
    "json_build_object('internal_id', u.internal_id, 'status', u.status, 'code', u.code,"          \
    " 'serial_number', u.serial_number, 'description', u.description, 'station', u.station,"       \
    " 'task_id', u.task_id, 'matched_rma_number', ur.rma_number, 'matched_line_no',"               \
    " ul.line_no, 'closed_reason', u.closed_reason, 'actor', u.actor, 'created_at',"               \
    " u.created_at, 'decided_at', u.decided_at)"
    [Q_RCV_UA_INSERT] =
        {"rcv_ua_insert", 5,
         "WITH n AS (SELECT 'U' || lpad(nextval('unexpected_seq')::text, 8, '0') AS iid),"
         " t AS (INSERT INTO task (kind, details) SELECT 'unexpected_arrival',"
         "  jsonb_strip_nulls(jsonb_build_object('internal_id', n.iid, 'code', $1::text,"
         "  'serial', $2::text, 'station', $4::text)) FROM n RETURNING id)"
         " INSERT INTO unexpected_arrival (internal_id, code, serial_number, description, station,"
         " task_id, actor) SELECT n.iid, $1, $2, $3, $4, t.id, $5 FROM n, t RETURNING internal_id"},
    [Q_RCV_UA_LIST] =
        {"rcv_ua_list", 1,
         "SELECT coalesce(json_agg(" UA_JSON " ORDER BY u.id), '[]')::text FROM"
         " (SELECT * FROM unexpected_arrival WHERE status = $1 ORDER BY id LIMIT 500) u"
         " LEFT JOIN rma ur ON ur.id = u.matched_rma_id"
         " LEFT JOIN rma_line ul ON ul.id = u.matched_line_id"},
    [Q_RCV_UA_LOCK] = {"rcv_ua_lock", 1,
                       "SELECT id, status, serial_number, task_id, station FROM unexpected_arrival"
                       " WHERE internal_id = $1 FOR UPDATE"},
    [Q_RCV_UA_SET] =
        {"rcv_ua_set", 5,
         "UPDATE unexpected_arrival SET status = $2, matched_rma_id = $3, matched_line_id = $4,"
         " closed_reason = $5, decided_at = now() WHERE id = $1 AND status = 'queued'"
         " RETURNING id"},
    [Q_RCV_UA_VIEW] = {"rcv_ua_view", 1,
                       "SELECT " UA_JSON "::text FROM unexpected_arrival u"
                       " LEFT JOIN rma ur ON ur.id = u.matched_rma_id"
                       " LEFT JOIN rma_line ul ON ul.id = u.matched_line_id"
                       " WHERE u.internal_id = $1"},
    [Q_RCV_UA_LABEL] =
        {"rcv_ua_label", 1,
         "SELECT u.station, u.serial_number FROM unexpected_arrival u WHERE u.internal_id = $1"},
    [Q_RCV_INSPECTION_INSERT] =
        {"rcv_inspection_insert", 7,
         "INSERT INTO inspection (line_id, grade, findings, misuse, evidence, notes, actor)"
         " VALUES ($1, $2, $3::text[], $4, coalesce($5::jsonb, '{}'), $6, $7) RETURNING id"},
    [Q_RCV_LINE_GRADE] = {"rcv_line_grade", 3,
                          "UPDATE rma_line SET grade = $2, misuse = $3 WHERE id = $1"},
    [Q_RCV_RMA_CHARGEABLE] = {"rcv_rma_chargeable", 1,
                              "UPDATE rma SET chargeable = true WHERE id = $1"},
    [Q_RCV_PRICE] =
        {"rcv_price", 1,
         "SELECT pm.repair_price_cents, pm.part_price_cents, pm.currency, pm.name,"
         " coalesce((SELECT su.status FROM spare_unit su WHERE su.line_id = l.id), '')"
         " FROM rma_line l JOIN product_model pm ON pm.code = l.product_model WHERE l.id = $1"},
    [Q_RCV_QUOTE_INSERT] =
        {"rcv_quote_insert", 5,
         "INSERT INTO quote (rma_id, reason, currency, total_cents, expires_on, offered_by)"
         " VALUES ($1, $2, $3, $4, current_date + 30, $5)"
         " ON CONFLICT (rma_id) WHERE status = 'offered' DO NOTHING RETURNING id"},
    [Q_RCV_QUOTE_OFFERED] = {"rcv_quote_offered", 1,
                             "SELECT id FROM quote WHERE rma_id = $1 AND status = 'offered'"
                             " FOR UPDATE"},
    [Q_RCV_QUOTE_ADD] = {"rcv_quote_add", 2,
                         "UPDATE quote SET total_cents = total_cents + $2 WHERE id = $1"},
    [Q_RCV_QUOTE_LINE_INSERT] =
        {"rcv_quote_line_insert", 4,
         "INSERT INTO quote_line (quote_id, line_id, description, coverage, amount_cents)"
         " VALUES ($1, $2, $3, 'customer', $4)"},
    [Q_RCV_DISPOSITION] = {"rcv_disposition", 2,
                           "UPDATE rma_line SET disposition = $2 WHERE id = $1"},
    [Q_RCV_RMA_SHARE] = {"rcv_rma_share", 1, "SELECT id FROM rma WHERE rma_number = $1 FOR SHARE"},
    [Q_RCV_LINE_SERIAL] = {"rcv_line_serial", 1,
                           "SELECT coalesce(received_serial, serial_number) FROM rma_line"
                           " WHERE id = $1"},
    [Q_RCV_SET_SERIAL] = {"rcv_set_serial", 2,
                          "UPDATE rma_line SET received_serial = upper($2) WHERE id = $1"},
    /* depot: repair and outbound (issue 4, db_repair.c) */
    [Q_RPR_PART_INSERT] = {"rpr_part_insert", 5,
                           "INSERT INTO repair_part (line_id, product_model, serial_number,"
                           " quantity, actor) VALUES ($1, $2, $3, $4, $5)"},
/* The install base row whose warranty a swap carries over: the serial that came in ($1), else
 * the line's own serial ($2) when the unit that came in is not in the install base. */
#define RPR_OLD_IB                                                                                 \
    " FROM install_base o WHERE o.serial_number IN ($1, $2)"                                       \
    " ORDER BY o.serial_number = $1 DESC LIMIT 1"
    [Q_RPR_SWAP_INSERT] =
        {"rpr_swap_insert", 7,
         "INSERT INTO serial_swap (line_id, old_serial, new_serial, warranty_end, reason, actor,"
         " source) VALUES ($3, $1, $4, (SELECT o.warranty_end" RPR_OLD_IB "), $5, $6, $7)"
         " RETURNING warranty_end"},
    /* rule 7: the new serial inherits the old one's warranty end (and contract); an existing
     * row is only ever a depot spare's (the caller refused a customer's unit), never another
     * customer's */
    [Q_RPR_WARRANTY_CARRY] =
        {"rpr_warranty_carry", 4,
         "INSERT INTO install_base (serial_number, product_model, ship_date, warranty_end,"
         " contract) SELECT * FROM (SELECT $3::text, $4::text, current_date, o.warranty_end,"
         " o.contract" RPR_OLD_IB ") x ON CONFLICT (serial_number) DO UPDATE"
         " SET warranty_end = EXCLUDED.warranty_end, contract = EXCLUDED.contract"
         " WHERE EXISTS (SELECT 1 FROM spare_unit su WHERE su.serial_number ="
         " install_base.serial_number AND su.status = 'consumed')"},
    /* the serial that goes back on a repair line: its swap, else the serial that came in */
    [Q_RPR_SWAP_GET] = {"rpr_swap_get", 1,
                        "SELECT coalesce((SELECT sw.new_serial FROM serial_swap sw"
                        " WHERE sw.line_id = l.id), l.received_serial, l.serial_number)"
                        " FROM rma_line l WHERE l.id = $1"},
    [Q_RPR_SPARE_GET] = {"rpr_spare_get", 1,
                         "SELECT serial_number FROM spare_unit WHERE line_id = $1"
                         " AND status = 'reserved'"},
    [Q_RPR_CARRIER] = {"rpr_carrier", 1,
                       "SELECT id, code FROM carrier WHERE $1::text IS NULL OR code = upper($1)"
                       " ORDER BY id LIMIT 1"},
    [Q_RPR_PACKED_PARCEL] =
        {"rpr_packed_parcel", 1,
         "SELECT id, packed_serial, coalesce(packed_quantity, 0) FROM parcel"
         " WHERE line_id = $1 AND direction = 'outbound' AND packed_at IS NOT NULL"
         " ORDER BY id DESC LIMIT 1"},
    [Q_RPR_RMA_OUTBOUND_LOCK] = {"rpr_rma_outbound_lock", 1,
                                 "SELECT pg_advisory_xact_lock(5, $1::int)"},
    [Q_RPR_PARCEL_INSERT] =
        {"rpr_parcel_insert", 6,
         "INSERT INTO parcel (rma_id, line_id, direction, parcel_no, parcel_count, state,"
         " carrier_id, packed_serial, packed_quantity, packed_station, packed_at)"
         " SELECT $1, $2, 'outbound', n.no, greatest(n.no, (SELECT count(*) FROM rma_line l"
         "   JOIN leg g ON g.line_id = l.id AND g.kind = 'outbound' WHERE l.rma_id = $1)),"
         " 'packed', $3, $4, $5, $6, now()"
         " FROM (SELECT coalesce(max(p.parcel_no), 0) + 1 AS no FROM parcel p"
         "   WHERE p.rma_id = $1 AND p.direction = 'outbound') n RETURNING id"},
    [Q_RPR_SHIPMENT_VIEW] =
        {"rpr_shipment_view", 1,
         "SELECT json_build_object('rma_number', r.rma_number, 'parcel_no', p.parcel_no,"
         " 'parcel_count', p.parcel_count, 'direction', p.direction, 'state', p.state,"
         " 'line_no', l.line_no, 'carrier', c.code, 'serial', p.packed_serial,"
         " 'quantity', p.packed_quantity, 'station', p.packed_station,"
         " 'tracking_number', p.tracking_number, 'packed_at', p.packed_at,"
         " 'shipped_at', p.shipped_at, 'delivered_at', p.delivered_at,"
         " 'outbound_leg', (SELECT g.state FROM leg g WHERE g.line_id = l.id"
         "   AND g.kind = 'outbound'),"
         " 'install_guide', CASE WHEN r.type IN ('advance_replacement', 'exchange',"
         "   'replacement_no_return') THEN pm.install_guide END)::text"
         " FROM parcel p JOIN rma r ON r.id = p.rma_id JOIN rma_line l ON l.id = p.line_id"
         " JOIN product_model pm ON pm.code = l.product_model"
         " LEFT JOIN carrier c ON c.id = p.carrier_id WHERE p.id = $1"},
    [Q_RPR_SHIPMENT_GET] =
        {"rpr_shipment_get", 2,
         "SELECT p.id, l.line_no, p.carrier_id FROM parcel p JOIN rma r ON r.id = p.rma_id"
         " JOIN rma_line l ON l.id = p.line_id WHERE r.rma_number = $1"
         " AND p.direction = 'outbound' AND p.parcel_no = $2"},
    [Q_RPR_PARCEL_SET] =
        {"rpr_parcel_set", 3,
         "UPDATE parcel SET state = $2, tracking_number = coalesce($3, tracking_number),"
         " shipped_at = CASE WHEN $2 = 'shipped' THEN now() ELSE shipped_at END,"
         " delivered_at = CASE WHEN $2 = 'delivered' THEN now() ELSE delivered_at END"
         " WHERE id = $1"},
    [Q_RPR_SPARE_SHIP] = {"rpr_spare_ship", 1,
                          "UPDATE spare_unit SET status = 'shipped', updated_at = now()"
                          " WHERE line_id = $1 AND status = 'reserved' RETURNING serial_number"},
    [Q_RPR_BIN_SHIP] = {"rpr_bin_ship", 2,
                        "UPDATE spare_bin SET on_hand = on_hand - $2::int,"
                        " reserved = reserved - $2::int WHERE product_model = $1"
                        " AND reserved >= $2::int RETURNING on_hand"},
    [Q_RPR_WORK_ORDER] =
        {"rpr_work_order", 2,
         "SELECT json_build_object('rma_number', r.rma_number, 'type', r.type,"
         " 'line_no', l.line_no, 'product_model', l.product_model,"
         " 'serial_number', l.serial_number, 'quantity', l.quantity,"
         " 'outbound_serial', l.outbound_serial,"
         " 'repair', (SELECT g.state FROM leg g WHERE g.line_id = l.id AND g.kind = 'repair'),"
         " 'outbound', (SELECT g.state FROM leg g WHERE g.line_id = l.id"
         "   AND g.kind = 'outbound'),"
         " 'events', coalesce((SELECT json_agg(json_build_object('id', e.id, 'at', e.created_at,"
         "   'kind', e.kind, 'from', e.from_state, 'to', e.to_state, 'actor', e.actor,"
         "   'reason', e.reason, 'evidence', e.evidence) ORDER BY e.id) FROM event e"
         "   WHERE e.line_id = l.id AND e.leg = 'repair'), '[]'),"
         " 'parts', coalesce((SELECT json_agg(json_build_object('product_model',"
         "   rp.product_model, 'serial_number', rp.serial_number, 'quantity', rp.quantity,"
         "   'actor', rp.actor, 'at', rp.created_at) ORDER BY rp.id) FROM repair_part rp"
         "   WHERE rp.line_id = l.id), '[]'),"
         " 'swap', (SELECT json_build_object('old_serial', sw.old_serial, 'new_serial',"
         "   sw.new_serial, 'warranty_end', sw.warranty_end, 'source', sw.source, 'reason',"
         "   sw.reason, 'actor', sw.actor, 'at', sw.created_at) FROM serial_swap sw"
         "   WHERE sw.line_id = l.id))::text"
         " FROM rma r JOIN rma_line l ON l.rma_id = r.id"
         " WHERE r.rma_number = $1 AND l.line_no = $2"},
    /* taken before db_line_ref, so that its snapshot sees what the previous holder committed */
    [Q_RPR_LINE_LOCK] = {"rpr_line_lock", 2,
                         "SELECT l.id FROM rma_line l JOIN rma r ON r.id = l.rma_id"
                         " WHERE r.rma_number = $1 AND l.line_no = $2 FOR UPDATE OF l"},
    /* what the repair route needs beyond db_line_ref: the disposition, the serial that came in */
    [Q_RPR_LINE_MORE] = {"rpr_line_more", 1,
                         "SELECT coalesce(disposition, ''),"
                         " coalesce(received_serial, serial_number, '') FROM rma_line"
                         " WHERE id = $1"},
    /* swaps to one new serial take turns (class 6: serials) */
    [Q_RPR_SERIAL_LOCK] = {"rpr_serial_lock", 1, "SELECT pg_advisory_xact_lock(6, hashtext($1))"},
    /* may the depot hand out this serial: held by an open line, in the install base, a spare */
    [Q_RPR_SERIAL_USE] =
        {"rpr_serial_use", 1,
         "SELECT EXISTS (SELECT 1 FROM rma_line l WHERE l.open AND ($1 IN (l.serial_number,"
         " l.received_serial, l.outbound_serial))),"
         " EXISTS (SELECT 1 FROM install_base ib WHERE ib.serial_number = $1),"
         " (SELECT su.product_model FROM spare_unit su WHERE su.serial_number = $1),"
         " (SELECT su.status FROM spare_unit su WHERE su.serial_number = $1)"},
    [Q_RPR_SPARE_CONSUME] = {"rpr_spare_consume", 2,
                             "UPDATE spare_unit SET status = 'consumed', consumed_line_id = $2,"
                             " updated_at = now() WHERE serial_number = $1"
                             " AND status = 'available' RETURNING serial_number"},
    /* rule 2: a line whose unit is home (and whose core is back, if any) frees its serial */
    [Q_RPR_LINE_DONE] = {"rpr_line_done", 1,
                         "UPDATE rma_line SET open = false WHERE id = $1 AND open RETURNING id"},
    [Q_RPR_PARCEL_TRACKING] = {"rpr_parcel_tracking", 1,
                               "SELECT tracking_number FROM parcel WHERE id = $1"},
    [Q_RPR_PARCEL_TRACKING_SET] = {"rpr_parcel_tracking_set", 2,
                                   "UPDATE parcel SET tracking_number = $2 WHERE id = $1"
                                   " AND tracking_number IS NULL"},
    /* pages (issue 7) */
    [Q_PAGES_USER_INSERT] =
        {"pages_user_insert", 4,
         "WITH t AS (INSERT INTO api_token (name, role, token_hash) VALUES ('user:' || $1, $2, $4)"
         " RETURNING id)"
         " INSERT INTO staff_user (name, role, password_hash, token_id) SELECT $1, $2, $3, t.id"
         " FROM t RETURNING id"},
    [Q_PAGES_USER_GET] = {"pages_user_get", 1,
                          "SELECT id, password_hash FROM staff_user"
                          " WHERE name = $1 AND disabled_at IS NULL"},
    [Q_PAGES_SESSION_INSERT] = {"pages_session_insert", 3,
                                "INSERT INTO staff_session (token_hash, user_id, csrf, expires_at)"
                                " VALUES ($1, $2, $3, now() + interval '12 hours')"},
    [Q_PAGES_SESSION_LOOKUP] =
        {"pages_session_lookup", 1,
         "SELECT u.token_id, u.name, u.role, s.csrf FROM staff_session s"
         " JOIN staff_user u ON u.id = s.user_id"
         " WHERE s.token_hash = $1 AND s.ended_at IS NULL AND s.expires_at > now()"
         " AND u.disabled_at IS NULL"},
    [Q_PAGES_SESSION_END] = {"pages_session_end", 1,
                             "UPDATE staff_session SET ended_at = now()"
                             " WHERE token_hash = $1 AND ended_at IS NULL"},
    [Q_PAGES_SCANS_RECENT] =
        {"pages_scans_recent", 2,
         "SELECT coalesce(json_agg(json_build_object('id', x.id, 'code', x.code, 'outcome',"
         " x.outcome, 'rma_number', x.rma_number, 'parcel_no', x.parcel_no, 'at', x.created_at)"
         " ORDER BY x.id DESC), '[]')::text FROM (SELECT s.id, s.code, s.outcome, s.created_at,"
         " r.rma_number, p.parcel_no FROM scan s LEFT JOIN rma r ON r.id = s.rma_id"
         " LEFT JOIN parcel p ON p.id = s.parcel_id WHERE s.station = $1"
         " ORDER BY s.id DESC LIMIT $2) x"},
    [Q_PAGES_PARCEL_PUBLIC] =
        {"pages_parcel_public", 3,
         "SELECT json_build_object('rma_number', r.rma_number, 'parcel_no', p.parcel_no,"
         " 'parcel_count', p.parcel_count, 'state', p.state, 'received_at', p.received_at,"
         " 'shipped_at', p.shipped_at, 'delivered_at', p.delivered_at,"
         " 'authorized', r.authorized, 'closed', r.closed_at IS NOT NULL)::text"
         " FROM parcel p JOIN rma r ON r.id = p.rma_id"
         " WHERE r.rma_number = $1 AND p.direction = $3 AND p.parcel_no = $2"},
    /* labels (issue 6) */
    [Q_LABEL_PARCEL] =
        {"label_parcel", 3,
         "SELECT r.rma_number, r.authorized, r.closed_at IS NOT NULL, r.type, p.id, p.parcel_no,"
         " p.parcel_count, c.addr_name, c.addr_street, c.addr_city, c.addr_postcode,"
         " c.addr_country, d.name, d.street, d.city, d.postcode, d.country,"
         " (SELECT string_agg(DISTINCT m, '|') FROM rma_line l"
         "   JOIN product_model pm ON pm.code = l.product_model"
         "   CROSS JOIN LATERAL unnest(pm.handling_marks) m"
         "   WHERE l.rma_id = r.id AND (p.line_id IS NULL OR l.id = p.line_id)),"
         " ca.name, p.tracking_number, p.sscc,"
         " (SELECT min(to_jsonb(l) ->> 'core_due_date') FROM rma_line l"
         "   WHERE l.rma_id = r.id AND (p.line_id IS NULL OR l.id = p.line_id)),"
         " l1.line_no, l1.serial_number, l1.product_model, p.label_flag"
         " FROM rma r JOIN service_case c ON c.id = r.case_id JOIN depot d ON d.id = r.depot_id"
         " LEFT JOIN parcel p ON p.rma_id = r.id AND p.direction = $2 AND p.parcel_no = $3"
         " LEFT JOIN carrier ca ON ca.id = p.carrier_id"
         " LEFT JOIN LATERAL (SELECT l.line_no, l.serial_number, l.product_model FROM rma_line l"
         "   WHERE l.rma_id = r.id AND (p.line_id IS NULL OR l.id = p.line_id)"
         "   ORDER BY l.line_no LIMIT 1) l1 ON true"
         " WHERE r.rma_number = $1"},
    [Q_LABEL_SSCC_NEXT] =
        {"label_sscc_next", 2,
         "INSERT INTO sscc_counter AS s (range_key, next_ref) VALUES ($1, $2::bigint + 1)"
         " ON CONFLICT (range_key) DO UPDATE"
         " SET next_ref = greatest(s.next_ref, $2::bigint) + 1, updated_at = now()"
         " RETURNING next_ref - 1"},
    [Q_LABEL_SET_SSCC] =
        {"label_set_sscc", 2,
         "UPDATE parcel SET sscc = $2 WHERE id = $1 AND sscc IS NULL RETURNING id"},
    [Q_LABEL_FLAG] =
        {"label_flag", 4,
         "WITH u AS (UPDATE parcel SET label_flag = $2, label_flagged_at = now()"
         "   WHERE id = $1 AND label_flag IS DISTINCT FROM $2 RETURNING id, rma_id)"
         " INSERT INTO event (rma_id, parcel_id, kind, actor, actor_token_id, channel, reason)"
         " SELECT rma_id, id, 'label_flagged', $3, $4::bigint, 'api', $2 FROM u"},
    [Q_LABEL_BATCH_DAY] =
        {"label_batch_day", 2,
         "SELECT r.rma_number, p.parcel_no FROM parcel p JOIN rma r ON r.id = p.rma_id"
         " JOIN carrier ca ON ca.id = p.carrier_id"
         " WHERE ca.code = $1 AND p.direction = 'outbound'"
         " AND p.created_at >= ($2::date)::timestamp AT TIME ZONE ca.time_zone"
         " AND p.created_at < ($2::date + 1)::timestamp AT TIME ZONE ca.time_zone"
         " AND p.state NOT IN ('shipped', 'delivered', 'delivery_exception', 'returned_to_sender')"
         " AND r.closed_at IS NULL"
         " ORDER BY r.rma_number, p.parcel_no LIMIT 501"},
    [Q_LABEL_LIST] =
        {"label_list", 1,
         "SELECT p.direction, p.parcel_no, p.parcel_count, p.state, ca.name, p.tracking_number,"
         " p.sscc, p.label_flag, r.type FROM rma r JOIN parcel p ON p.rma_id = r.id"
         " LEFT JOIN carrier ca ON ca.id = p.carrier_id WHERE r.rma_number = $1"
         " ORDER BY p.direction, p.parcel_no"},
    /* ---- cases: e-mail intake, follow-up, outbox (issue 3, db_followup.c) ---- */
    [Q_FU_INTAKE_GET] = {"fu_intake_get", 1,
                         "SELECT status, response::text FROM email_intake WHERE message_id = $1"},
    [Q_FU_INTAKE_CLAIM] =
        {"fu_intake_claim", 6,
         "INSERT INTO email_intake (message_id, status, response, actor, actor_token_id, fields)"
         " VALUES ($1, $2::integer, $3::jsonb, $4, $5::bigint, $6::jsonb)"
         " ON CONFLICT (message_id) DO NOTHING RETURNING id"},
    [Q_FU_INTAKE_SET] = {"fu_intake_set", 3,
                         "UPDATE email_intake SET case_id = $2::bigint, response = $3::jsonb"
                         " WHERE id = $1::bigint"},
    [Q_FU_OUTBOX_ADD] =
        {"fu_outbox_add", 9,
         "INSERT INTO outbox (case_id, kind, to_addr, subject, body, in_reply_to, actor,"
         " actor_token_id, intake_id) VALUES ($1::bigint, $2, $3, $4, $5, $6, $7, $8::bigint,"
         " $9::bigint)"
         " RETURNING id, message_id"},
    [Q_FU_CASE_LOCK] = {"fu_case_lock", 1,
                        "SELECT id, status, contact_email, contact_name, case_number"
                        " FROM service_case WHERE case_number = $1 FOR UPDATE"},
    [Q_FU_CASE_ID] = {"fu_case_id", 1, "SELECT id FROM service_case WHERE case_number = $1"},
    /* the case's RMAs that are neither closed nor complete (an open line, charge or quote) */
    /* what of the service work is still open: remote sessions neither ended nor cancelled,
     * on-site visits proposed or confirmed, and how many visits were completed */
    [Q_FU_SERVICE_OPEN] =
        {"fu_service_open", 1,
         "SELECT (SELECT min(session_no) FROM remote_session WHERE case_id = $1::bigint"
         "   AND ended_at IS NULL AND cancelled_at IS NULL),"
         " (SELECT min(visit_no) FROM onsite_visit WHERE case_id = $1::bigint"
         "   AND status IN ('proposed', 'confirmed')),"
         " (SELECT count(*) FROM onsite_visit WHERE case_id = $1::bigint"
         "   AND status = 'completed')"},
    [Q_FU_RMAS_OPEN] =
        {"fu_rmas_open", 1,
         "SELECT string_agg(r.rma_number, ', ' ORDER BY r.rma_number) FROM rma r"
         " WHERE r.case_id = $1::bigint AND r.closed_at IS NULL"
         " AND (EXISTS (SELECT 1 FROM rma_line l WHERE l.rma_id = r.id AND l.open)"
         "   OR EXISTS (SELECT 1 FROM charge c WHERE c.rma_id = r.id AND c.status = 'open')"
         "   OR EXISTS (SELECT 1 FROM quote q WHERE q.rma_id = r.id AND q.status = 'offered'))"},
    [Q_FU_INSERT] = {"fu_insert", 6,
                     "INSERT INTO follow_up (case_id, channel, summary, due_at, actor,"
                     " actor_token_id) VALUES ($1::bigint, $2, $3,"
                     " now() + make_interval(days => $4::integer), $5, $6::bigint) RETURNING id"},
    [Q_FU_SET_OUTBOX] = {"fu_set_outbox", 2,
                         "UPDATE follow_up SET outbox_id = $2::bigint WHERE id = $1::bigint"},
    /* the follow-up of a case; attempts count the calls and the follow-up e-mail once sent */
    [Q_FU_GET] =
        {"fu_get", 1,
         "SELECT f.id, f.channel, f.status, f.summary,"
         " to_char(f.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
         " f.due_at <= now(),"
         " to_char(f.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), f.actor,"
         " to_char(f.closed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
         " f.close_reason,"
         " (SELECT count(*) FROM follow_up_attempt a WHERE a.follow_up_id = f.id)"
         "   + CASE WHEN o.status = 'sent' THEN 1 ELSE 0 END,"
         " o.status, to_char(o.sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
         " o.message_id, o.attempts, o.cancel_reason"
         " FROM follow_up f LEFT JOIN outbox o ON o.id = f.outbox_id WHERE f.case_id = $1::bigint"},
    [Q_FU_ATTEMPT_INSERT] = {"fu_attempt_insert", 7,
                             "INSERT INTO follow_up_attempt (follow_up_id, case_id, channel,"
                             " outcome, note, actor, actor_token_id) VALUES ($1::bigint,"
                             " $2::bigint, $3, $4, $5, $6, $7::bigint) RETURNING id"},
    [Q_FU_ATTEMPTS] = {"fu_attempts", 1,
                       "SELECT channel, outcome, note, actor,"
                       " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
                       " FROM follow_up_attempt WHERE follow_up_id = $1::bigint ORDER BY id"},
    [Q_FU_FEEDBACK_INSERT] = {"fu_feedback_insert", 6,
                              "INSERT INTO feedback (case_id, follow_up_id, rating, comment,"
                              " actor, actor_token_id) VALUES ($1::bigint, $2::bigint,"
                              " $3::integer, $4, $5, $6::bigint) RETURNING id"},
    [Q_FU_FEEDBACK_GET] =
        {"fu_feedback_get", 1,
         "SELECT rating, comment, actor,"
         " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
         " FROM feedback WHERE case_id = $1::bigint"},
    [Q_FU_CLOSE] = {"fu_close", 5,
                    "UPDATE follow_up SET status = $2, closed_at = now(), close_reason = $3,"
                    " closed_by = $4, closed_by_token_id = $5::bigint"
                    " WHERE id = $1::bigint AND status = 'open'"},
    /* the sender's claim (src/http/outbox.c): the oldest due message, queued and past its
     * back-off or "sending" under an expired lease (its sender died); committed at once */
    [Q_FU_OUTBOX_CLAIM] =
        {"fu_outbox_claim", 2,
         "UPDATE outbox o SET status = 'sending', claimed_by = $1,"
         " claimed_until = clock_timestamp() + make_interval(secs => $2::integer),"
         " attempts = o.attempts + 1"
         " WHERE o.id = (SELECT id FROM outbox"
         "   WHERE (status = 'queued' AND next_attempt_at <= clock_timestamp())"
         "      OR (status = 'sending' AND claimed_until < clock_timestamp())"
         "   ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)"
         " RETURNING o.id, o.to_addr, o.subject, o.body, o.message_id, o.in_reply_to, o.attempts"},
    /* accepted by the SMTP server: whoever holds the claim, nobody may send it again */
    [Q_FU_OUTBOX_SENT] = {"fu_outbox_sent", 1,
                          "UPDATE outbox SET status = 'sent', sent_at = clock_timestamp(),"
                          " claimed_until = NULL, last_error = NULL"
                          " WHERE id = $1::bigint AND status <> 'sent'"},
    [Q_FU_OUTBOX_RETRY] =
        {"fu_outbox_retry", 5,
         "UPDATE outbox SET status = CASE WHEN $4::boolean THEN 'failed' ELSE 'queued' END,"
         " claimed_by = NULL, claimed_until = NULL, last_error = $5,"
         " next_attempt_at = clock_timestamp() + make_interval(secs => $3::integer)"
         " WHERE id = $1::bigint AND claimed_by = $2 AND status = 'sending'"},
    /* right before the send: the claim is still ours and its lease has not run out (else
     * another sender may have it): renewed for the send */
    [Q_FU_OUTBOX_HOLD] =
        {"fu_outbox_hold", 3,
         "UPDATE outbox o SET"
         " status = CASE WHEN fu.closed THEN 'cancelled' ELSE 'sending' END,"
         " claimed_until = CASE WHEN fu.closed THEN NULL"
         "   ELSE clock_timestamp() + make_interval(secs => $3::integer) END,"
         " cancelled_at = CASE WHEN fu.closed THEN clock_timestamp() END,"
         " cancel_reason = CASE WHEN fu.closed THEN 'the follow-up was closed (' || fu.status"
         "   || ') before the e-mail was sent' END"
         " FROM (SELECT f.status, f.status <> 'open' AS closed FROM (SELECT 1) one"
         "   LEFT JOIN follow_up f ON f.outbox_id = $1::bigint) fu"
         " WHERE o.id = $1::bigint AND o.claimed_by = $2 AND o.status = 'sending'"
         " AND o.claimed_until > clock_timestamp() RETURNING o.status"},
    /* closing a follow-up: its e-mail, while still queued, is never sent */
    [Q_FU_OUTBOX_CANCEL] = {"fu_outbox_cancel", 2,
                            "UPDATE outbox o SET status = 'cancelled', cancelled_at = now(),"
                            " cancel_reason = $2 FROM follow_up f WHERE f.id = $1::bigint"
                            " AND o.id = f.outbox_id AND o.status = 'queued'"},
    /* the fields of the latest incomplete intake whose missing-fields reply is one of the
     * Message-IDs ($1, a JSON list of "<id>"), sent to the same address ($2) */
    [Q_FU_INTAKE_THREAD] =
        {"fu_intake_thread", 2,
         "SELECT i.fields::text FROM outbox o JOIN email_intake i ON i.id = o.intake_id"
         " WHERE o.kind = 'intake_missing' AND i.fields IS NOT NULL"
         " AND o.message_id IN (SELECT jsonb_array_elements_text($1::jsonb))"
         " AND lower(o.to_addr) = lower($2) ORDER BY i.id DESC LIMIT 1"},

    /* ---- xml: pickup manifests and outbound documents (issue 5, db_manifest.c) ---- */
    [Q_MFST_CARRIER] =
        {"mfst_carrier", 2,
         "SELECT c.id, c.code, coalesce($2::text, c.account), $2::text IS NULL OR c.account = $2"
         " OR EXISTS (SELECT 1 FROM carrier_account a WHERE a.carrier_id = c.id"
         "   AND a.account_number = $2) FROM carrier c WHERE c.code = $1"},
    /* closes of one carrier take turns until COMMIT ('mfst' as the key's first half) */
    [Q_MFST_TURN] = {"mfst_turn", 1, "SELECT pg_advisory_xact_lock(1835427444, $1::integer)"},
    [Q_MFST_CANDIDATES] =
        {"mfst_candidates", 1,
         "SELECT p.id, r.rma_number, l.line_no, p.sscc IS NOT NULL FROM parcel p"
         " JOIN rma r ON r.id = p.rma_id JOIN rma_line l ON l.id = p.line_id"
         " WHERE p.carrier_id = $1 AND p.direction = 'outbound' AND p.state = 'packed'"
         " AND r.closed_at IS NULL AND NOT EXISTS (SELECT 1 FROM manifest_parcel mp"
         "   WHERE mp.parcel_id = p.id AND mp.active) ORDER BY p.id"},
    /* a candidate again, under its line's lock, with what the manifest says about it */
    [Q_MFST_PARCEL] =
        {"mfst_parcel", 2,
         "SELECT p.sscc, p.tracking_number, p.parcel_no, p.parcel_count, r.type, c.addr_name,"
         " c.addr_street, c.addr_city, c.addr_postcode, c.addr_country,"
         " array_to_json(pm.handling_marks)::text FROM parcel p JOIN rma r ON r.id = p.rma_id"
         " JOIN service_case c ON c.id = r.case_id JOIN rma_line l ON l.id = p.line_id"
         " JOIN product_model pm ON pm.code = l.product_model"
         " WHERE p.id = $1 AND p.state = $2 FOR UPDATE OF p"},
    [Q_MFST_PARCEL_STATE] = {"mfst_parcel_state", 3,
                             "UPDATE parcel SET state = $3 WHERE id = $1 AND state = $2"
                             " RETURNING id"},
    [Q_MFST_NEXT] =
        {"mfst_next", 0,
         "SELECT 'M' || lpad(nextval('manifest_no_seq')::text, 8, '0'),"
         " to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), d.name, d.street,"
         " d.city, d.postcode, d.country FROM depot d WHERE d.is_default"},
    [Q_MFST_INSERT] =
        {"mfst_insert", 9,
         "INSERT INTO manifest (manifest_no, carrier_id, account, pickup_date, format_version,"
         " parcel_count, xml, sha256, created_by)"
         " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"},
    [Q_MFST_LINK] = {"mfst_link", 2,
                     "INSERT INTO manifest_parcel (manifest_id, parcel_id, position)"
                     " SELECT $1, t.p, t.o FROM unnest($2::bigint[]) WITH ORDINALITY AS t(p, o)"},
    [Q_MFST_VIEW] =
        {"mfst_view", 1,
         "SELECT json_build_object('id', m.id, 'manifest_no', m.manifest_no, 'carrier', c.code,"
         " 'account', m.account, 'pickup_date', m.pickup_date, 'status', m.status,"
         " 'format_version', m.format_version, 'parcel_count', m.parcel_count,"
         " 'sha256', encode(m.sha256, 'hex'), 'bytes', length(m.xml), 'created_at', m.created_at,"
         " 'voided_at', m.voided_at, 'void_reason', m.void_reason,"
         " 'parcels', (SELECT coalesce(json_agg(json_build_object('rma_number', r.rma_number,"
         "   'parcel_no', p.parcel_no, 'sscc', p.sscc, 'state', p.state) ORDER BY mp.position),"
         "   '[]') FROM manifest_parcel mp JOIN parcel p ON p.id = mp.parcel_id"
         "   JOIN rma r ON r.id = p.rma_id WHERE mp.manifest_id = m.id),"
         " 'links', json_build_object('xml', '/api/v1/manifests/' || m.id || '.xml'))::text"
         " FROM manifest m JOIN carrier c ON c.id = m.carrier_id WHERE m.id = $1"},
    [Q_MFST_XML] = {"mfst_xml", 1,
                    "SELECT convert_from(xml, 'UTF8'), encode(sha256, 'hex'), carrier_id"
                    " FROM manifest WHERE id = $1"},
    [Q_MFST_LIST] =
        {"mfst_list", 3,
         "SELECT coalesce(json_agg(json_build_object('id', m.id, 'manifest_no', m.manifest_no,"
         " 'carrier', c.code, 'account', m.account, 'pickup_date', m.pickup_date,"
         " 'status', m.status, 'parcel_count', m.parcel_count,"
         " 'sha256', encode(m.sha256, 'hex'), 'created_at', m.created_at,"
         " 'voided_at', m.voided_at, 'links', json_build_object('xml',"
         "   '/api/v1/manifests/' || m.id || '.xml')) ORDER BY m.id DESC), '[]')::text"
         " FROM (SELECT * FROM manifest m WHERE ($1::text IS NULL OR m.carrier_id ="
         "   (SELECT id FROM carrier WHERE code = $1)) AND ($2::date IS NULL OR"
         "   m.pickup_date = $2::date) AND ($3::bigint IS NULL OR m.carrier_id = $3::bigint)"
         "   ORDER BY m.id DESC LIMIT 500) m JOIN carrier c ON c.id = m.carrier_id"},
    [Q_MFST_LOCK] = {"mfst_lock", 1,
                     "SELECT status, manifest_no FROM manifest WHERE id = $1 FOR UPDATE"},
    [Q_MFST_PARCELS] =
        {"mfst_parcels", 1,
         "SELECT p.id, r.rma_number, l.line_no, p.parcel_no FROM manifest_parcel mp"
         " JOIN parcel p ON p.id = mp.parcel_id JOIN rma r ON r.id = p.rma_id"
         " JOIN rma_line l ON l.id = p.line_id WHERE mp.manifest_id = $1 AND mp.active"
         " ORDER BY p.id"},
    [Q_MFST_VOID] =
        {"mfst_void", 3,
         "WITH v AS (UPDATE manifest SET status = 'voided', voided_at = now(), voided_by = $2,"
         "   void_reason = $3 WHERE id = $1 AND status = 'open' RETURNING id)"
         " UPDATE manifest_parcel SET active = false"
         " WHERE manifest_id = (SELECT id FROM v) AND active RETURNING parcel_id"},
    [Q_MFST_DESPATCH] =
        {"mfst_despatch", 2,
         "SELECT r.rma_number, p.parcel_no, p.sscc, p.tracking_number,"
         " to_char(coalesce(p.shipped_at, p.packed_at, p.created_at) AT TIME ZONE 'UTC',"
         "   'YYYY-MM-DD'),"
         " to_char(coalesce(p.shipped_at, p.packed_at, p.created_at) AT TIME ZONE 'UTC',"
         "   'HH24:MI:SS'),"
         " d.name, d.street, d.city, d.postcode, d.country, c.addr_name, c.addr_street,"
         " c.addr_city, c.addr_postcode, c.addr_country, l.line_no,"
         " coalesce(p.packed_quantity, l.quantity), l.product_model, pm.name,"
         " CASE WHEN l.serial_number IS NOT NULL OR p.packed_serial IS NOT NULL"
         "   THEN coalesce(p.packed_serial, l.outbound_serial, l.serial_number) END,"
         " array_to_json(pm.handling_marks)::text, p.carrier_id"
         " FROM parcel p JOIN rma r ON r.id = p.rma_id JOIN depot d ON d.id = r.depot_id"
         " JOIN service_case c ON c.id = r.case_id JOIN rma_line l ON l.id = p.line_id"
         " JOIN product_model pm ON pm.code = l.product_model"
         " WHERE r.rma_number = $1 AND p.direction = 'outbound' AND p.parcel_no = $2"},
    /* the latest inspection of each inspected line, with what the dock receipt says */
    [Q_MFST_INSPECTED] =
        {"mfst_inspected", 1,
         "SELECT l.line_no, coalesce(l.received_serial, l.serial_number), l.product_model,"
         " pm.name, l.received_quantity, greatest(l.quantity - l.received_quantity, 0),"
         " (SELECT p.sscc FROM parcel p WHERE p.line_id = l.id AND p.direction = 'inbound'"
         "   AND p.sscc IS NOT NULL LIMIT 1),"
         " i.grade, array_to_json(i.findings)::text, to_char(i.created_at AT TIME ZONE 'UTC',"
         "   'YYYY-MM-DD'), to_char(i.created_at AT TIME ZONE 'UTC', 'HH24:MI:SS'),"
         " (SELECT count(*) FROM inspection i2 JOIN rma_line l2 ON l2.id = i2.line_id"
         "   WHERE l2.rma_id = r.id)"
         " FROM rma r JOIN rma_line l ON l.rma_id = r.id"
         " JOIN product_model pm ON pm.code = l.product_model"
         " JOIN LATERAL (SELECT * FROM inspection i WHERE i.line_id = l.id"
         "   ORDER BY i.id DESC LIMIT 1) i ON true"
         " WHERE r.rma_number = $1 ORDER BY l.line_no"},
/* ---- tracking import (issue 5, db_tracking.c) ---- */
/* The parcels the events of staged document $1 name: by tracking number, or by SSCC (UBL) */
#define TRK_MATCH                                                                                  \
    "SELECT s.seq, p.id AS parcel_id, p.carrier_id FROM tracking_stage s"                          \
    " JOIN parcel p ON upper(p.tracking_number) = s.tracking_number"                               \
    " WHERE s.document_id = $1 AND p.tracking_number IS NOT NULL"                                  \
    " UNION ALL SELECT s.seq, p.id, p.carrier_id FROM tracking_stage s"                            \
    " JOIN parcel p ON p.sscc = s.tracking_number WHERE s.document_id = $1"                        \
    " AND (p.tracking_number IS NULL OR upper(p.tracking_number) <> s.tracking_number)"
    [Q_TRK_CARRIER] = {"trk_carrier", 2,
                       "SELECT id, code, coalesce(zone, '') FROM carrier"
                       " WHERE ($1::text IS NOT NULL AND code = $1)"
                       " OR ($1::text IS NULL AND id = $2::bigint)"},
    [Q_TRK_COPY_STAGE] = {"trk_copy_stage", 0,
                          "COPY tracking_stage (document_id, seq, line, tracking_number, canon,"
                          " code, text, location, at, offset_known, ambiguous) FROM STDIN"},
    /* the prepared statements run in the import's transaction after ANALYZE of the stage */
    [Q_TRK_ANALYZE_STAGE] = {"trk_analyze_stage", 0, "ANALYZE tracking_stage"},
    [Q_TRK_ANALYZE_DECISION] = {"trk_analyze_decision", 0, "ANALYZE tracking_stage_decision"},
    /* a large batch: its sorts and hashes in memory (not spilled to temporary files), and the
     * staged rows analyzed from a small sample (row counts are what the plans need) */
    [Q_TRK_LARGE] = {"trk_large", 0,
                     "SELECT set_config('work_mem', '64MB', true),"
                     " set_config('default_statistics_target', '10', true)"},
    [Q_TRK_CURSOR_ALL] = {"trk_cursor_all", 0,
                          "SELECT set_config('cursor_tuple_fraction', '1', true)"},
    [Q_TRK_UNMATCHED] =
        {"trk_unmatched", 2,
         "WITH m AS (SELECT DISTINCT m.seq FROM (" TRK_MATCH ") m WHERE m.carrier_id = $2),"
         " u AS (SELECT s.* FROM tracking_stage s LEFT JOIN m ON m.seq = s.seq"
         "   WHERE s.document_id = $1 AND m.seq IS NULL),"
         " i AS (INSERT INTO tracking_unmatched (carrier_id, document_id, tracking_number, canon,"
         "   code, text, location, at, line)"
         "   SELECT $2, $1, u.tracking_number, u.canon, u.code, u.text, u.location,"
         "   to_timestamp(u.at), u.line FROM u ON CONFLICT DO NOTHING RETURNING 1)"
         " SELECT (SELECT count(*) FROM u), (SELECT count(*) FROM i)"},
    /* the new events of the carrier's parcels, one per (parcel, at, code), grouped by leg
     * (line and direction), then per parcel in time order */
    [Q_TRK_CURSOR] =
        {"trk_cursor", 2,
         "DECLARE rmad_tracking NO SCROLL CURSOR FOR"
         " SELECT e.seq, e.parcel_id, p.line_id, p.direction, g.state, p.state,"
         " extract(epoch FROM p.last_event_at)::bigint, p.carrier_delivered_at IS NOT NULL,"
         " e.canon, e.at, cr.case_id IS NOT NULL"
         " FROM (SELECT DISTINCT ON (m.parcel_id, s.at, s.code) s.seq, m.parcel_id, s.canon, s.at,"
         "   s.code FROM tracking_stage s JOIN (" TRK_MATCH ") m ON m.seq = s.seq"
         "   WHERE s.document_id = $1 AND m.carrier_id = $2::bigint"
         "   AND NOT EXISTS (SELECT 1 FROM tracking_event t WHERE t.parcel_id = m.parcel_id"
         "     AND t.at = to_timestamp(s.at) AND t.code = s.code)"
         "   ORDER BY m.parcel_id, s.at, s.code, s.seq) e"
         " JOIN parcel p ON p.id = e.parcel_id"
         " LEFT JOIN leg g ON g.line_id = p.line_id AND g.kind = p.direction"
         " LEFT JOIN rma ra ON ra.id = p.rma_id LEFT JOIN case_record cr ON cr.case_id = ra.case_id"
         " ORDER BY p.line_id, p.direction, e.parcel_id, e.at, e.code, e.seq"},
    [Q_TRK_FETCH] = {"trk_fetch", 0, "FETCH FORWARD 4096 FROM rmad_tracking"},
    [Q_TRK_CLOSE] = {"trk_close", 0, "CLOSE rmad_tracking"},
    [Q_TRK_COPY_DECISION] =
        {"trk_copy_decision", 0,
         "COPY tracking_stage_decision (document_id, kind, ord, seq, parcel_id,"
         " line_id, outcome, leg, leg_event, leg_from, leg_to, state,"
         " last_event_epoch, last_event, prev_event_epoch,"
         " carrier_delivered_epoch, shipped_epoch, delivered_epoch) FROM STDIN"},
    [Q_TRK_LEGS] = {"trk_legs", 1,
                    "UPDATE leg g SET state = d.leg_to, updated_at = now()"
                    " FROM tracking_stage_decision d WHERE d.document_id = $1 AND d.kind = 'l'"
                    " AND g.line_id = d.line_id AND g.kind = d.leg AND g.state = d.leg_from"},
    [Q_TRK_LEG_EVENTS] =
        {"trk_leg_events", 3,
         "INSERT INTO event (" EVENT_COLUMNS ")"
         " SELECT r.case_id, p.rma_id, d.line_id, d.parcel_id, d.leg, d.leg_event, d.leg_from,"
         " d.leg_to, $2, $3::bigint, 'carrier', NULL,"
         " jsonb_build_object('document', $1::bigint, 'tracking_number', s.tracking_number,"
         "   'code', s.code, 'at', to_timestamp(s.at))"
         " FROM tracking_stage_decision d"
         " JOIN tracking_stage s ON s.document_id = d.document_id AND s.seq = d.seq"
         " JOIN parcel p ON p.id = d.parcel_id JOIN rma r ON r.id = p.rma_id"
         " WHERE d.document_id = $1 AND d.kind = 'm' ORDER BY d.ord"},
    [Q_TRK_PARCELS] =
        {"trk_parcels", 1,
         "UPDATE parcel p SET state = coalesce(d.state, p.state),"
         " last_event_at = coalesce(to_timestamp(d.last_event_epoch), p.last_event_at),"
         " last_event = coalesce(d.last_event, p.last_event),"
         " carrier_delivered_at = coalesce(p.carrier_delivered_at,"
         "   to_timestamp(d.carrier_delivered_epoch)),"
         " shipped_at = coalesce(to_timestamp(d.shipped_epoch), p.shipped_at),"
         " delivered_at = coalesce(to_timestamp(d.delivered_epoch), p.delivered_at)"
         " FROM tracking_stage_decision d WHERE d.document_id = $1 AND d.kind = 'p'"
         " AND p.id = d.parcel_id"
         " AND p.last_event_at IS NOT DISTINCT FROM to_timestamp(d.prev_event_epoch)"},
    [Q_TRK_EVENTS_STORE] =
        {"trk_events_store", 2,
         "INSERT INTO tracking_event (parcel_id, carrier_id, document_id, tracking_number, canon,"
         " code, text, location, at, offset_known, ambiguous, line, outcome, leg, leg_from,"
         " leg_to)"
         " SELECT d.parcel_id, $2, $1, s.tracking_number, s.canon, s.code, s.text, s.location,"
         " to_timestamp(s.at), s.offset_known, s.ambiguous, s.line, d.outcome, d.leg, d.leg_from,"
         " d.leg_to FROM tracking_stage_decision d"
         " JOIN tracking_stage s ON s.document_id = d.document_id AND s.seq = d.seq"
         " WHERE d.document_id = $1 AND d.kind = 'e'"
         " ON CONFLICT (parcel_id, at, code) DO NOTHING"},
    [Q_TRK_SPARES] = {"trk_spares", 1,
                      "UPDATE spare_unit u SET status = 'shipped', updated_at = now()"
                      " FROM tracking_stage_decision d JOIN rma_line l ON l.id = d.line_id"
                      " JOIN rma r ON r.id = l.rma_id"
                      " WHERE d.document_id = $1 AND d.kind = 'm' AND d.leg_event = 'ship'"
                      " AND r.type IN ('advance_replacement', 'exchange', 'replacement_no_return')"
                      " AND u.line_id = d.line_id AND u.status = 'reserved'"},
    [Q_TRK_BINS] = {"trk_bins", 1,
                    "UPDATE spare_bin b SET on_hand = b.on_hand - q.n, reserved = b.reserved - q.n"
                    " FROM (SELECT l.product_model, sum(l.quantity)::int AS n"
                    "   FROM tracking_stage_decision d JOIN rma_line l ON l.id = d.line_id"
                    "   JOIN rma r ON r.id = l.rma_id"
                    "   WHERE d.document_id = $1 AND d.kind = 'm' AND d.leg_event = 'ship'"
                    "   AND l.serial_number IS NULL"
                    "   AND r.type IN ('advance_replacement', 'exchange', 'replacement_no_return')"
                    "   GROUP BY l.product_model) q"
                    " WHERE b.product_model = q.product_model AND b.reserved >= q.n"},
    [Q_TRK_LINES_DONE] =
        {"trk_lines_done", 1,
         "UPDATE rma_line l SET open = false FROM tracking_stage_decision d"
         " WHERE d.document_id = $1 AND d.kind = 'm' AND d.leg_to = 'delivered'"
         " AND l.id = d.line_id AND l.open AND NOT EXISTS (SELECT 1 FROM leg g"
         "   WHERE g.line_id = l.id AND g.kind = 'inbound' AND g.state <> 'dispositioned')"},
    [Q_TRK_STAGE_CLEAR] = {"trk_stage_clear", 1,
                           "WITH a AS (DELETE FROM tracking_stage WHERE document_id = $1)"
                           " DELETE FROM tracking_stage_decision WHERE document_id = $1"},
    [Q_TRK_DOC_GET] =
        {"trk_doc_get", 2,
         "SELECT json_build_object('id', d.id, 'sender', d.sender, 'type', d.doc_type,"
         " 'doc_id', d.doc_id, 'status', d.status, 'created_at', d.created_at,"
         " 'sha256', encode(d.body_sha256, 'hex'), 'response', d.response)::text"
         " FROM document d WHERE d.id = $1 AND ($2::text IS NULL OR d.sender = $2)"},
    [Q_TRK_DOC_LIST] =
        {"trk_doc_list", 3,
         "SELECT coalesce(json_agg(x ORDER BY x.id DESC), '[]')::text FROM"
         " (SELECT d.id, d.sender, d.doc_type AS type, d.doc_id, d.status, d.created_at"
         "  FROM document d WHERE ($1::text IS NULL OR d.doc_type = $1)"
         "  AND ($2::text IS NULL OR d.sender = $2) ORDER BY d.id DESC LIMIT $3::int) x"},
    [Q_TRK_STATUS_PARCEL] = {"trk_status_parcel", 3,
                             "SELECT p.id, p.tracking_number, p.sscc, p.carrier_id"
                             " FROM parcel p JOIN rma r ON r.id = p.rma_id"
                             " WHERE r.rma_number = $1 AND p.direction = $2"
                             " AND p.parcel_no = $3::int"},
    [Q_TRK_STATUS_EVENTS] = {"trk_status_events", 1,
                             "SELECT canon, code, text, location, extract(epoch FROM at)::bigint,"
                             " extract(epoch FROM created_at)::bigint FROM tracking_event"
                             " WHERE parcel_id = $1 ORDER BY at, id LIMIT 1000"},
/* ---- cases: lifecycle (issue 3, db_lifecycle.c) ---- */
#define LC_OPEN                                                                                    \
    "('assigned', 'troubleshooting', 'on_hold', 'resolved_remotely', 'onsite_planned', "           \
    "'rma_requested', 'factory_escalated')"
    [Q_LC_CASE_LOCK] = {"lc_case_lock", 1,
                        "SELECT status, held_from FROM service_case WHERE id = $1 FOR UPDATE"},
    [Q_LC_CASE_SET] = {"lc_case_set", 4,
                       "UPDATE service_case SET status = $3, held_from = $4,"
                       " status_changed_at = now() WHERE id = $1 AND status = $2 RETURNING id"},
    [Q_LC_CASE_REF] =
        {"lc_case_ref", 1,
         "SELECT c.id, c.status, c.held_from, m.product_line, c.priority FROM service_case c"
         " JOIN product_model m ON m.code = c.product_model WHERE c.case_number = $1"
         " FOR UPDATE OF c"},
    [Q_LC_CASE_PRIORITY] = {"lc_case_priority", 2,
                            "UPDATE service_case SET priority = $2 WHERE id = $1"},
    [Q_LC_VIEW] =
        {"lc_view", 1,
         "SELECT jsonb_build_object('case_number', c.case_number, 'status', c.status,"
         " 'held_from', c.held_from, 'priority', c.priority, 'channel', c.channel,"
         " 'product_model', c.product_model, 'product_line', m.product_line,"
         " 'serial_number', c.serial_number, 'configuration', c.configuration,"
         " 'error_messages', c.error_messages, 'fault_description', c.fault_description,"
         " 'contact', jsonb_build_object('name', c.contact_name, 'phone', c.contact_phone,"
         "   'email', c.contact_email),"
         " 'service_address', jsonb_build_object('name', c.addr_name, 'street', c.addr_street,"
         "   'city', c.addr_city, 'postcode', c.addr_postcode, 'country', c.addr_country,"
         "   'zone', c.addr_zone, 'region', c.addr_region),"
         " 'created_at', c.created_at, 'status_changed_at', c.status_changed_at,"
         " 'engineer', (SELECT e.name FROM case_assignment a JOIN engineer e"
         "   ON e.id = a.engineer_id WHERE a.case_id = c.id AND a.unassigned_at IS NULL),"
         " 'assignments', COALESCE((SELECT jsonb_agg(jsonb_build_object('engineer', e.name,"
         "   'assigned_at', a.assigned_at, 'unassigned_at', a.unassigned_at, 'by', t.name,"
         "   'reason', a.reason) ORDER BY a.id) FROM case_assignment a"
         "   JOIN engineer e ON e.id = a.engineer_id JOIN api_token t ON t.id = a.assigned_by"
         "   WHERE a.case_id = c.id), '[]'),"
         " 'contacts', COALESCE((SELECT jsonb_agg(jsonb_build_object('method', k.method,"
         "   'summary', k.summary, 'reached', k.reached, 'engineer', e.name, 'by', t.name,"
         "   'at', k.recorded_at) ORDER BY k.id) FROM case_contact k"
         "   LEFT JOIN engineer e ON e.id = k.engineer_id JOIN api_token t ON t.id = k.recorded_by"
         "   WHERE k.case_id = c.id), '[]'),"
         " 'fault_isolations', COALESCE((SELECT jsonb_agg(jsonb_build_object('method', f.method,"
         "   'findings', f.findings, 'suspected_part', f.suspected_part,"
         "   'conclusion', f.conclusion, 'engineer', e.name, 'by', t.name,"
         "   'at', f.recorded_at) ORDER BY f.id) FROM fault_isolation f"
         "   LEFT JOIN engineer e ON e.id = f.engineer_id JOIN api_token t ON t.id = f.recorded_by"
         "   WHERE f.case_id = c.id), '[]'),"
         " 'rmas', COALESCE((SELECT jsonb_agg(r.rma_number ORDER BY r.id) FROM rma r"
         "   WHERE r.case_id = c.id), '[]'),"
         " 'events', COALESCE((SELECT jsonb_agg(jsonb_build_object('kind', v.kind,"
         "   'from', v.from_state, 'to', v.to_state, 'actor', v.actor, 'channel', v.channel,"
         "   'reason', v.reason, 'evidence', v.evidence, 'at', v.created_at) ORDER BY v.id)"
         "   FROM (SELECT * FROM event WHERE case_id = c.id ORDER BY id LIMIT 1000) v), '[]'))"
         " FROM service_case c JOIN product_model m ON m.code = c.product_model"
         " WHERE c.case_number = $1"},
    [Q_LC_LIST] =
        {"lc_list", 4,
         "SELECT COALESCE(jsonb_agg(x.o ORDER BY x.case_number), '[]'), count(*),"
         " max(x.case_number) FROM (SELECT c.case_number, jsonb_build_object('case_number',"
         " c.case_number, 'status', c.status, 'held_from', c.held_from, 'priority', c.priority,"
         " 'channel', c.channel, 'product_model', c.product_model,"
         " 'serial_number', c.serial_number, 'engineer', e.name, 'created_at', c.created_at,"
         " 'status_changed_at', c.status_changed_at) AS o FROM service_case c"
         " LEFT JOIN case_assignment a ON a.case_id = c.id AND a.unassigned_at IS NULL"
         " LEFT JOIN engineer e ON e.id = a.engineer_id"
         " WHERE ($1::text IS NULL OR c.status = $1) AND ($2::text IS NULL OR e.name = $2)"
         " AND ($3::text IS NULL OR c.case_number > $3)"
         " ORDER BY c.case_number LIMIT $4::int) x"},
    [Q_LC_TOKEN_BY_HASH] = {"lc_token_by_hash", 1,
                            "SELECT id, role FROM api_token WHERE token_hash = $1"
                            " AND revoked_at IS NULL"},
    /* the first name of $1 (a JSON list) that is the product line of no product model */
    [Q_LC_LINES_UNKNOWN] = {"lc_lines_unknown", 1,
                            "SELECT e.ord - 1, e.v FROM jsonb_array_elements_text($1::jsonb)"
                            " WITH ORDINALITY AS e(v, ord) WHERE NOT EXISTS (SELECT 1 FROM"
                            " product_model m WHERE m.product_line = e.v) ORDER BY e.ord LIMIT 1"},
    [Q_LC_ENGINEER_SAVE] =
        {"lc_engineer_save", 6,
         "INSERT INTO engineer AS e (name, email, token_id, product_lines, max_open_cases, active)"
         " VALUES ($1, $2, $3::bigint, ARRAY(SELECT jsonb_array_elements_text($4::jsonb)),"
         " COALESCE($5::int, 10), COALESCE($6::boolean, true))"
         " ON CONFLICT (name) DO UPDATE SET email = COALESCE($2, e.email),"
         " token_id = COALESCE($3::bigint, e.token_id),"
         " product_lines = CASE WHEN $4::jsonb IS NULL THEN e.product_lines"
         "   ELSE ARRAY(SELECT jsonb_array_elements_text($4::jsonb)) END,"
         " max_open_cases = COALESCE($5::int, e.max_open_cases),"
         " active = COALESCE($6::boolean, e.active)"
         " RETURNING id, (xmax = 0)"},
    [Q_LC_ENGINEER_LIST] =
        {"lc_engineer_list", 1,
         "SELECT COALESCE(jsonb_agg(jsonb_build_object('name', e.name, 'email', e.email,"
         " 'product_lines', to_jsonb(e.product_lines), 'max_open_cases', e.max_open_cases,"
         " 'active', e.active, 'has_token', e.token_id IS NOT NULL, 'open_cases',"
         " (SELECT count(*) FROM case_assignment a JOIN service_case c ON c.id = a.case_id"
         "   WHERE a.engineer_id = e.id AND a.unassigned_at IS NULL AND c.status IN " LC_OPEN
         ")) ORDER BY e.name), '[]') FROM engineer e WHERE $1::text IS NULL OR e.name = $1"},
    [Q_LC_ENGINEER_SUGGEST] =
        {"lc_engineer_suggest", 1,
         "SELECT e.name, e.max_open_cases, w.n, e.max_open_cases - w.n FROM engineer e"
         " CROSS JOIN LATERAL (SELECT count(*) AS n FROM case_assignment a"
         "   JOIN service_case c ON c.id = a.case_id WHERE a.engineer_id = e.id"
         "   AND a.unassigned_at IS NULL AND c.status IN " LC_OPEN ") w"
         " WHERE e.active AND $1 = ANY (e.product_lines)"
         " ORDER BY w.n::float8 / e.max_open_cases, e.name LIMIT 20"},
    [Q_LC_ENGINEER_LOCK] = {"lc_engineer_lock", 1,
                            "SELECT id FROM engineer WHERE name = $1 FOR UPDATE"},
    [Q_LC_ENGINEER_GET] =
        {"lc_engineer_get", 1,
         "SELECT e.id, e.active, to_jsonb(e.product_lines)::text, e.max_open_cases,"
         " (SELECT count(*) FROM case_assignment a JOIN service_case c ON c.id = a.case_id"
         "   WHERE a.engineer_id = e.id AND a.unassigned_at IS NULL AND c.status IN " LC_OPEN
         "), e.token_id FROM engineer e WHERE e.name = $1"},
    [Q_LC_ASSIGN_CURRENT] = {"lc_assign_current", 1,
                             "SELECT a.id, e.id, e.name, e.token_id FROM case_assignment a"
                             " JOIN engineer e ON e.id = a.engineer_id"
                             " WHERE a.case_id = $1 AND a.unassigned_at IS NULL"},
    [Q_LC_ASSIGN_CLOSE] = {"lc_assign_close", 1,
                           "UPDATE case_assignment SET unassigned_at = now()"
                           " WHERE id = $1 AND unassigned_at IS NULL RETURNING id"},
    [Q_LC_ASSIGN_INSERT] = {"lc_assign_insert", 4,
                            "INSERT INTO case_assignment (case_id, engineer_id, assigned_by,"
                            " reason) VALUES ($1, $2, $3, $4) RETURNING id"},
    [Q_LC_CONTACT_INSERT] = {"lc_contact_insert", 6,
                             "INSERT INTO case_contact (case_id, engineer_id, method, summary,"
                             " reached, recorded_by) VALUES ($1, $2, $3, $4, $5, $6)"
                             " RETURNING id"},
    [Q_LC_FI_INSERT] = {"lc_fi_insert", 7,
                        "INSERT INTO fault_isolation (case_id, engineer_id, method, findings,"
                        " suspected_part, conclusion, recorded_by)"
                        " VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"},
    [Q_LC_FI_LAST] = {"lc_fi_last", 1,
                      "SELECT id, conclusion, method FROM fault_isolation WHERE case_id = $1"
                      " ORDER BY id DESC LIMIT 1"},
    [Q_LC_CASE_RMAS] = {"lc_case_rmas", 1,
                        "SELECT rma_number, closed_at IS NOT NULL FROM rma WHERE case_id = $1"
                        " ORDER BY id"},
    /* the first engineer assigned while on hold from registered: resume goes to assigned */
    [Q_LC_CASE_HELD_ASSIGNED] = {"lc_case_held_assigned", 1,
                                 "UPDATE service_case SET held_from = 'assigned' WHERE id = $1"
                                 " AND status = 'on_hold' AND held_from = 'registered'"
                                 " RETURNING id"},
    /* a case cancelled: its open remote sessions and on-site visits are cancelled with it, each
     * with the event its own cancel writes (remote_session_cancelled, visit_cancelled) */
    [Q_LC_CANCEL_SERVICE] =
        {"lc_cancel_service", 4,
         "WITH s AS (UPDATE remote_session SET cancelled_at = clock_timestamp(),"
         "   cancel_reason = $2, cancelled_by = $3, cancelled_by_token_id = $4::bigint"
         "   WHERE case_id = $1::bigint AND ended_at IS NULL AND cancelled_at IS NULL"
         "   RETURNING session_no),"
         " v AS (UPDATE onsite_visit v SET status = 'cancelled', closed_reason = $2,"
         "   updated_by = $3, updated_by_token_id = $4::bigint, updated_at = clock_timestamp()"
         "   FROM onsite_visit o WHERE o.id = v.id AND v.case_id = $1::bigint"
         "   AND v.status IN ('proposed', 'confirmed') RETURNING v.visit_no, o.status AS was),"
         " es AS (INSERT INTO event (case_id, kind, actor, actor_token_id, channel, evidence)"
         "   SELECT $1::bigint, 'remote_session_cancelled', $3, $4::bigint, 'api',"
         "   jsonb_build_object('session_no', session_no, 'reason', $2::text, 'with_case', true)"
         "   FROM s ORDER BY session_no),"
         " ev AS (INSERT INTO event (case_id, kind, from_state, to_state, actor, actor_token_id,"
         "   channel, evidence) SELECT $1::bigint, 'visit_cancelled', was, 'cancelled', $3,"
         "   $4::bigint, 'api', jsonb_build_object('visit_no', visit_no, 'reason', $2::text,"
         "   'with_case', true) FROM v ORDER BY visit_no)"
         " SELECT (SELECT coalesce(json_agg(session_no ORDER BY session_no), '[]') FROM s)::text,"
         " (SELECT coalesce(json_agg(visit_no ORDER BY visit_no), '[]') FROM v)::text"},
    [Q_LC_CASE_EVENT] = {"lc_case_event", 7,
                         "INSERT INTO event (case_id, kind, actor, actor_token_id, channel,"
                         " reason, evidence) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)"},
    /* ---- cases: archive and SLA (issue 3, db_archive.c, db_sla.c) ---- */
    [Q_ARCH_CASE_LOCK] = {"arch_case_lock", 1,
                          "SELECT id, status FROM service_case WHERE case_number = $1 FOR UPDATE"},
    [Q_ARCH_HEAD] = {"arch_head", 2,
                     "SELECT json_build_object('record_version', 1, 'case_number', c.case_number,"
                     " 'status', c.status, 'archived_at', now(), 'archived_by', $2::text,"
                     " 'archived_from', (SELECT e.from_state FROM event e WHERE e.case_id = c.id"
                     "   AND e.kind = 'case_archive' ORDER BY e.id DESC LIMIT 1),"
                     " 'cancelled', (SELECT json_build_object('at', e.created_at,"
                     "   'reason', e.reason, 'by', e.actor,"
                     "   'from', coalesce(e.evidence->>'held_from', e.from_state),"
                     "   'on_hold', e.from_state = 'on_hold',"
                     "   'rmas_cancelled', e.evidence->'rmas_cancelled') FROM event e"
                     "   WHERE e.case_id = c.id AND e.kind = 'case_cancel'"
                     "   ORDER BY e.id LIMIT 1))"
                     " FROM service_case c WHERE c.id = $1"},
    [Q_ARCH_INTAKE] =
        {"arch_intake", 1,
         "SELECT json_build_object('channel', c.channel, 'received_at', c.created_at,"
         " 'received_by', t.name, 'product_model', c.product_model, 'product_name', m.name,"
         " 'product_line', m.product_line, 'serial_number', c.serial_number,"
         " 'configuration', c.configuration, 'error_messages', c.error_messages,"
         " 'fault_description', c.fault_description, 'priority', c.priority,"
         " 'contact', json_build_object('name', c.contact_name, 'phone', c.contact_phone,"
         "   'email', c.contact_email),"
         " 'service_address', json_build_object('name', c.addr_name, 'street', c.addr_street,"
         "   'city', c.addr_city, 'postcode', c.addr_postcode, 'country', c.addr_country,"
         "   'zone', c.addr_zone, 'region', c.addr_region))"
         " FROM service_case c JOIN product_model m ON m.code = c.product_model"
         " JOIN api_token t ON t.id = c.created_by WHERE c.id = $1"},
    [Q_ARCH_RMAS] =
        {"arch_rmas", 1,
         "SELECT coalesce(json_agg(json_build_object("
         " 'rma_number', r.rma_number, 'status', NULL, 'type', r.type,"
         " 'authorized', r.authorized,"
         " 'chargeable', r.chargeable, 'depot', d.code, 'created_at', r.created_at,"
         " 'created_by', rt.name, 'closed_at', r.closed_at, 'close_reason', r.close_reason,"
         " 'screening', (SELECT coalesce(json_agg(json_build_object('outcome', s.outcome,"
         "   'reason', s.reason, 'evidence', s.evidence, 'entitlement', s.entitlement,"
         "   'decided_by', st.name, 'decided_at', s.decided_at) ORDER BY s.id), '[]')"
         "   FROM screening s JOIN api_token st ON st.id = s.decided_by WHERE s.rma_id = r.id),"
         " 'lines', (SELECT coalesce(json_agg(json_build_object('line_no', l.line_no,"
         "   'product_model', l.product_model, 'serial_number', l.serial_number,"
         "   'quantity', l.quantity, 'received_quantity', l.received_quantity,"
         "   'received_serial', l.received_serial, 'outbound_serial', l.outbound_serial,"
         "   'grade', l.grade, 'misuse', l.misuse, 'disposition', l.disposition, 'open', l.open,"
         "   'legs', (SELECT coalesce(json_agg(json_build_object('kind', g.kind, 'state', g.state,"
         "     'updated_at', g.updated_at) ORDER BY g.id), '[]') FROM leg g"
         "     WHERE g.line_id = l.id),"
         "   'inspections', (SELECT coalesce(json_agg(json_build_object('grade', i.grade,"
         "     'findings', i.findings, 'misuse', i.misuse, 'evidence', i.evidence,"
         "     'notes', i.notes, 'actor', i.actor, 'at', i.created_at) ORDER BY i.id), '[]')"
         "     FROM inspection i WHERE i.line_id = l.id))"
         "   ORDER BY l.line_no), '[]') FROM rma_line l WHERE l.rma_id = r.id),"
         " 'parcels', (SELECT coalesce(json_agg(json_build_object('direction', p.direction,"
         "   'parcel_no', p.parcel_no, 'parcel_count', p.parcel_count, 'line_no', pl.line_no,"
         "   'state', p.state, 'sscc', p.sscc, 'carrier', ca.code,"
         "   'tracking_number', p.tracking_number, 'received_at', p.received_at,"
         "   'received_station', p.received_station) ORDER BY p.direction, p.parcel_no), '[]')"
         "   FROM parcel p LEFT JOIN rma_line pl ON pl.id = p.line_id"
         "   LEFT JOIN carrier ca ON ca.id = p.carrier_id WHERE p.rma_id = r.id),"
         " 'quotes', (SELECT coalesce(json_agg(json_build_object('status', q.status,"
         "   'reason', q.reason, 'currency', q.currency, 'total_cents', q.total_cents,"
         "   'offered_at', q.offered_at, 'decided_at', q.decided_at,"
         "   'decision_note', q.decision_note) ORDER BY q.id), '[]')"
         "   FROM quote q WHERE q.rma_id = r.id),"
         " 'charges', (SELECT coalesce(json_agg(json_build_object('kind', ch.kind,"
         "   'amount_cents', ch.amount_cents, 'currency', ch.currency, 'status', ch.status,"
         "   'reason', ch.reason, 'created_at', ch.created_at, 'closed_at', ch.closed_at,"
         "   'close_reason', ch.close_reason) ORDER BY ch.id), '[]')"
         "   FROM charge ch WHERE ch.rma_id = r.id),"
         " 'events', (SELECT coalesce(json_agg(json_build_object('at', e.created_at,"
         "   'kind', e.kind, 'leg', e.leg, 'line_no', el.line_no, 'from', e.from_state,"
         "   'to', e.to_state, 'actor', e.actor, 'channel', e.channel, 'reason', e.reason,"
         "   'evidence', e.evidence) ORDER BY e.id), '[]')"
         "   FROM event e LEFT JOIN rma_line el ON el.id = e.line_id WHERE e.rma_id = r.id))"
         " ORDER BY r.id), '[]') FROM rma r JOIN depot d ON d.id = r.depot_id"
         " JOIN api_token rt ON rt.id = r.created_by WHERE r.case_id = $1"},
    [Q_ARCH_EVENTS] =
        {"arch_events", 1,
         "SELECT coalesce(json_agg(json_build_object('at', e.created_at, 'kind', e.kind,"
         " 'from', e.from_state, 'to', e.to_state, 'actor', e.actor, 'channel', e.channel,"
         " 'reason', e.reason, 'evidence', e.evidence) ORDER BY e.id), '[]')"
         " FROM event e WHERE e.case_id = $1 AND e.rma_id IS NULL"},
    [Q_ARCH_ASSIGNMENTS] = {"arch_assignments", 1,
                            "SELECT coalesce(json_agg(json_build_object('engineer', en.name,"
                            " 'assigned_at', a.assigned_at, 'unassigned_at', a.unassigned_at,"
                            " 'assigned_by', t.name, 'reason', a.reason) ORDER BY a.id), '[]')"
                            " FROM case_assignment a JOIN engineer en ON en.id = a.engineer_id"
                            " JOIN api_token t ON t.id = a.assigned_by WHERE a.case_id = $1"},
    [Q_ARCH_CONTACTS] = {"arch_contacts", 1,
                         "SELECT coalesce(json_agg(json_build_object('recorded_at', cc.recorded_at,"
                         " 'method', cc.method, 'reached', cc.reached, 'summary', cc.summary,"
                         " 'engineer', en.name, 'recorded_by', t.name) ORDER BY cc.id), '[]')"
                         " FROM case_contact cc LEFT JOIN engineer en ON en.id = cc.engineer_id"
                         " JOIN api_token t ON t.id = cc.recorded_by WHERE cc.case_id = $1"},
    [Q_ARCH_FAULT_ISOLATION] =
        {"arch_fault_isolation", 1,
         "SELECT coalesce(json_agg(json_build_object('recorded_at', f.recorded_at,"
         " 'method', f.method, 'findings', f.findings, 'suspected_part', f.suspected_part,"
         " 'conclusion', f.conclusion, 'engineer', en.name, 'recorded_by', t.name)"
         " ORDER BY f.id), '[]')"
         " FROM fault_isolation f LEFT JOIN engineer en ON en.id = f.engineer_id"
         " JOIN api_token t ON t.id = f.recorded_by WHERE f.case_id = $1"},
    [Q_ARCH_AUTHORIZATIONS] =
        {"arch_authorizations", 1,
         "SELECT coalesce(json_agg(json_build_object('id', a.id, 'scope', a.scope,"
         " 'given_by', a.given_by, 'method', a.method, 'given_at', a.given_at,"
         " 'given_at_offset', a.given_at_offset, 'valid_until', a.valid_until,"
         " 'note', a.note, 'recorded_by', a.actor, 'recorded_at', a.recorded_at)"
         " ORDER BY a.id), '[]') FROM case_authorization a WHERE a.case_id = $1"},
    [Q_ARCH_REMOTE_SESSIONS] =
        {"arch_remote_sessions", 1,
         "SELECT coalesce(json_agg(json_build_object('session_no', s.session_no,"
         " 'authorization_id', s.authorization_id, 'starts_at', s.starts_at,"
         " 'starts_at_offset', s.starts_at_offset, 'zone', s.zone, 'tool', s.tool,"
         " 'purpose', s.purpose, 'engineer', coalesce(s.engineer, s.actor),"
         " 'started_by', s.actor, 'status', CASE WHEN s.cancelled_at IS NOT NULL THEN"
         " 'cancelled' WHEN s.ended_at IS NOT NULL THEN 'ended' ELSE 'open' END,"
         " 'ended_at', s.ended_at,"
         " 'outcome', s.outcome, 'end_notes', s.end_notes, 'overran', s.overran,"
         " 'ended_by', s.ended_by, 'cancelled_at', s.cancelled_at,"
         " 'cancel_reason', s.cancel_reason, 'cancelled_by', s.cancelled_by)"
         " ORDER BY s.session_no), '[]')"
         " FROM remote_session s WHERE s.case_id = $1"},
    [Q_ARCH_ONSITE_VISITS] =
        {"arch_onsite_visits", 1,
         "SELECT coalesce(json_agg(json_build_object('visit_no', v.visit_no, 'status', v.status,"
         " 'starts_at', v.starts_at, 'starts_at_offset', v.starts_at_offset,"
         " 'ends_at', v.ends_at, 'duration_minutes', v.duration_minutes, 'zone', v.zone,"
         " 'preparation', v.preparation, 'engineer', v.engineer, 'proposed_by', v.actor,"
         " 'proposed_at', v.created_at, 'confirmed_by', v.confirmed_by,"
         " 'confirm_method', v.confirm_method, 'confirmed_at', v.confirmed_at,"
         " 'reschedules', v.reschedules, 'closed_reason', v.closed_reason,"
         " 'closed_at', CASE WHEN v.status IN ('cancelled', 'completed') THEN v.updated_at END,"
         " 'closed_by', CASE WHEN v.status IN ('cancelled', 'completed') THEN v.updated_by END)"
         " ORDER BY v.visit_no), '[]') FROM onsite_visit v WHERE v.case_id = $1"},
    [Q_ARCH_SERVICE_LOG] =
        {"arch_service_log", 1,
         "SELECT coalesce(json_agg(json_build_object('entry_no', l.entry_no, 'kind', l.kind,"
         " 'text', l.text, 'action', l.action, 'performed_at', l.performed_at,"
         " 'performed_at_offset', l.performed_at_offset, 'high_risk', l.high_risk,"
         " 'authorization_id', l.authorization_id, 'actor', l.actor,"
         " 'recorded_at', l.recorded_at) ORDER BY l.entry_no), '[]')"
         " FROM service_log l WHERE l.case_id = $1"},
    [Q_ARCH_FOLLOW_UP] =
        {"arch_follow_up", 1,
         "SELECT coalesce((SELECT json_build_object('channel', f.channel, 'summary', f.summary,"
         " 'due_at', f.due_at, 'status', f.status, 'opened_at', f.created_at,"
         " 'opened_by', f.actor, 'closed_at', f.closed_at, 'close_reason', f.close_reason,"
         " 'closed_by', f.closed_by,"
         " 'attempts', (SELECT coalesce(json_agg(json_build_object('at', a.created_at,"
         "   'channel', a.channel, 'outcome', a.outcome, 'note', a.note, 'actor', a.actor)"
         "   ORDER BY a.id), '[]') FROM follow_up_attempt a WHERE a.follow_up_id = f.id))"
         " FROM follow_up f WHERE f.case_id = $1), 'null'::json)"},
    [Q_ARCH_FEEDBACK] =
        {"arch_feedback", 1,
         "SELECT coalesce((SELECT json_build_object('rating', fb.rating, 'comment', fb.comment,"
         " 'recorded_by', fb.actor, 'recorded_at', fb.created_at)"
         " FROM feedback fb WHERE fb.case_id = $1), 'null'::json)"},
    [Q_ARCH_EMAILS] =
        {"arch_emails", 1,
         "SELECT json_build_object("
         " 'received', (SELECT coalesce(json_agg(json_build_object('message_id', m.message_id,"
         "   'received_at', m.received_at, 'status', m.status, 'answer', m.response,"
         "   'actor', m.actor) ORDER BY m.id), '[]') FROM email_intake m WHERE m.case_id = $1),"
         " 'sent', (SELECT coalesce(json_agg(json_build_object('kind', o.kind, 'to', o.to_addr,"
         "   'subject', o.subject, 'status', o.status, 'queued_at', o.created_at,"
         "   'sent_at', o.sent_at, 'cancelled_at', o.cancelled_at, 'cancel_reason',"
         "   o.cancel_reason, 'body', o.body) ORDER BY o.id), '[]')"
         "   FROM outbox o WHERE o.case_id = $1))"},
    [Q_ARCH_RECORD_INSERT] =
        {"arch_record_insert", 6,
         "INSERT INTO case_record (case_id, record, record_sha256, pdf, pdf_sha256, archived_by)"
         " VALUES ($1, $2, $3, $4, $5, $6) RETURNING archived_at"},
    [Q_ARCH_RECORD_GET] =
        {"arch_record_get", 2,
         "SELECT c.status, CASE WHEN $2::boolean THEN cr.pdf"
         " ELSE convert_to(cr.record, 'UTF8') END,"
         " encode(CASE WHEN $2::boolean THEN cr.pdf_sha256 ELSE cr.record_sha256 END, 'hex'),"
         " cr.case_id IS NOT NULL"
         " FROM service_case c LEFT JOIN case_record cr ON cr.case_id = c.id"
         " WHERE c.case_number = $1"},
    [Q_SLA_CASE] = {"sla_case", 1,
                    "SELECT " SLA_COLUMNS " FROM service_case c"
                    " JOIN product_model m ON m.code = c.product_model WHERE c.case_number = $1"},
    [Q_SLA_CASES] = {"sla_cases", 2,
                     "SELECT " SLA_COLUMNS " FROM service_case c"
                     " JOIN product_model m ON m.code = c.product_model"
                     " WHERE c.id IN (SELECT r.case_id FROM event r WHERE r.kind = 'case_register'"
                     "   AND r.created_at >= $1::date AND r.created_at < $2::date + 1)"
                     " ORDER BY c.case_number LIMIT 50001"},
    /* ---- cases: remote support, on-site visits, service log (issue 3, db_service.c) ----
     * the JSON of each row is a function of migrations/0010_service_work.sql */
    [Q_SVC_CASE_LOCK] = {"svc_case_lock", 1,
                         "SELECT id FROM service_case WHERE case_number = $1 FOR UPDATE"},
    [Q_SVC_CASE_INFO] =
        {"svc_case_info", 1,
         "SELECT c.status, e.token_id, e.name, ceil(extract(epoch FROM now()))::bigint,"
         " floor(extract(epoch FROM now()))::bigint, floor(extract(epoch FROM "
         "c.created_at))::bigint"
         " FROM service_case c"
         " LEFT JOIN case_assignment ca ON ca.case_id = c.id AND ca.unassigned_at IS NULL"
         " LEFT JOIN engineer e ON e.id = ca.engineer_id WHERE c.id = $1"},
    [Q_SVC_CASE_ID] = {"svc_case_id", 1, "SELECT id FROM service_case WHERE case_number = $1"},
    [Q_SVC_EVENT] = {"svc_event", 7,
                     "INSERT INTO event (case_id, kind, from_state, to_state, actor,"
                     " actor_token_id, channel, evidence)"
                     " VALUES ($1, $2, $3, $4, $5, $6, 'api', $7::jsonb)"},
    [Q_SVC_AUTH_INSERT] =
        {"svc_auth_insert", 11,
         "INSERT INTO case_authorization AS a (case_id, scope, given_by, method, given_at,"
         " given_at_offset, valid_until, valid_until_offset, note, actor, actor_token_id)"
         " VALUES ($1, $2, $3, $4, to_timestamp($5::bigint), $6::integer,"
         " to_timestamp($7::bigint), $11::integer, $8, $9, $10::bigint)"
         " RETURNING a.id, service_authorization_json(a)::text"},
    [Q_SVC_AUTH_LIST] = {"svc_auth_list", 1,
                         "SELECT coalesce(json_agg(service_authorization_json(a) ORDER BY a.id),"
                         " '[]')::text FROM case_authorization a WHERE a.case_id = $1"},
    [Q_SVC_AUTH_FIND] = {"svc_auth_find", 2,
                         "SELECT id, floor(extract(epoch FROM given_at))::bigint,"
                         " ceil(extract(epoch FROM recorded_at))::bigint,"
                         " coalesce(floor(extract(epoch FROM valid_until))::bigint, 0)"
                         " FROM case_authorization WHERE case_id = $1 AND scope = $2"
                         " ORDER BY id DESC"},
    [Q_SVC_SESSION_INSERT] =
        {"svc_session_insert", 10,
         "INSERT INTO remote_session AS s (case_id, session_no, authorization_id, starts_at,"
         " starts_at_offset, zone, tool, purpose, actor, actor_token_id, engineer)"
         " SELECT $1::bigint, coalesce(max(session_no), 0) + 1, $2::bigint,"
         " to_timestamp($3::bigint), $4::integer, $5, $6, $7, $8, $9::bigint, $10"
         " FROM remote_session WHERE case_id = $1::bigint"
         " RETURNING s.session_no, service_session_json(s)::text"},
    [Q_SVC_SESSION_LOCK] = {"svc_session_lock", 2,
                            "SELECT id, floor(extract(epoch FROM starts_at))::bigint, zone,"
                            " actor_token_id, ended_at IS NOT NULL, cancelled_at IS NOT NULL"
                            " FROM remote_session"
                            " WHERE case_id = $1 AND session_no = $2 FOR UPDATE"},
    [Q_SVC_SESSION_CANCEL] =
        {"svc_session_cancel", 4,
         "UPDATE remote_session AS s SET cancelled_at = clock_timestamp(), cancel_reason = $2,"
         " cancelled_by = $3, cancelled_by_token_id = $4::bigint"
         " WHERE s.id = $1 AND s.ended_at IS NULL AND s.cancelled_at IS NULL"
         " RETURNING service_session_json(s)::text"},
    [Q_SVC_SESSION_END] =
        {"svc_session_end", 8,
         "UPDATE remote_session AS s SET ended_at = to_timestamp($2::bigint),"
         " ended_at_offset = $8::integer, outcome = $3,"
         " end_notes = $4, overran = $5::boolean, ended_by = $6, ended_by_token_id = $7::bigint,"
         " end_recorded_at = clock_timestamp() WHERE s.id = $1 AND s.ended_at IS NULL"
         " RETURNING service_session_json(s)::text"},
    [Q_SVC_SESSION_LIST] = {"svc_session_list", 1,
                            "SELECT coalesce(json_agg(service_session_json(s) ORDER BY"
                            " s.session_no), '[]')::text FROM remote_session s"
                            " WHERE s.case_id = $1"},
    /* an active engineer, and whether they have the skill for case $2's product line */
    [Q_SVC_ENGINEER] = {"svc_engineer", 2,
                        "SELECT e.name, EXISTS (SELECT 1 FROM service_case sc JOIN product_model m"
                        " ON m.code = sc.product_model WHERE sc.case_number = $2"
                        " AND m.product_line = ANY (e.product_lines))"
                        " FROM engineer e WHERE e.name = $1 AND e.active"},
    [Q_SVC_VISIT_INSERT] =
        {"svc_visit_insert", 10,
         "INSERT INTO onsite_visit AS v (case_id, visit_no, starts_at, starts_at_offset, ends_at,"
         " duration_minutes, zone, preparation, engineer, actor, actor_token_id, updated_by,"
         " updated_by_token_id)"
         " SELECT $1::bigint, coalesce(max(visit_no), 0) + 1, to_timestamp($2::bigint),"
         " $3::integer, to_timestamp($4::bigint), $5::integer, $6, $7::jsonb, $8, $9,"
         " $10::bigint, $9, $10::bigint FROM onsite_visit WHERE case_id = $1::bigint"
         " RETURNING v.visit_no, service_visit_json(v)::text"},
    [Q_SVC_VISIT_LOCK] = {"svc_visit_lock", 2,
                          "SELECT id, status, floor(extract(epoch FROM starts_at))::bigint,"
                          " duration_minutes, engineer FROM onsite_visit"
                          " WHERE case_id = $1 AND visit_no = $2 FOR UPDATE"},
    [Q_SVC_VISIT_UPDATE] =
        {"svc_visit_update", 14,
         "UPDATE onsite_visit AS v SET status = $3::text,"
         " starts_at = coalesce(to_timestamp($4::bigint), v.starts_at),"
         " starts_at_offset = coalesce($5::integer, v.starts_at_offset),"
         " ends_at = coalesce(to_timestamp($6::bigint), v.ends_at),"
         " duration_minutes = coalesce($7::integer, v.duration_minutes),"
         " preparation = coalesce($8::jsonb, v.preparation),"
         " confirmed_by = CASE WHEN $3::text = 'confirmed' THEN $9 WHEN $12::boolean THEN NULL"
         "   ELSE v.confirmed_by END,"
         " confirm_method = CASE WHEN $3::text = 'confirmed' THEN $10 WHEN $12::boolean THEN NULL"
         "   ELSE v.confirm_method END,"
         " confirmed_at = CASE WHEN $3::text = 'confirmed' THEN clock_timestamp()"
         "   WHEN $12::boolean THEN NULL ELSE v.confirmed_at END,"
         " reschedules = v.reschedules + CASE WHEN $12::boolean THEN 1 ELSE 0 END,"
         " closed_reason = CASE WHEN $3::text IN ('cancelled', 'completed') THEN $11"
         "   ELSE v.closed_reason END,"
         " updated_by = $13, updated_by_token_id = $14::bigint, updated_at = clock_timestamp()"
         " WHERE v.id = $1 AND v.status = $2 RETURNING service_visit_json(v)::text"},
    [Q_SVC_VISIT_LIST] = {"svc_visit_list", 1,
                          "SELECT coalesce(json_agg(service_visit_json(v) ORDER BY v.visit_no),"
                          " '[]')::text FROM onsite_visit v WHERE v.case_id = $1"},
    [Q_SVC_LOG_INSERT] =
        {"svc_log_insert", 10,
         "INSERT INTO service_log AS l (case_id, entry_no, kind, text, action, performed_at,"
         " performed_at_offset, high_risk, authorization_id, actor, actor_token_id)"
         " SELECT $1::bigint, coalesce(max(entry_no), 0) + 1, $2, $3, $4,"
         " to_timestamp($5::bigint), $6::integer, $7::boolean, $8::bigint, $9, $10::bigint"
         " FROM service_log WHERE case_id = $1::bigint"
         " RETURNING l.entry_no, service_log_json(l)::text"},
    [Q_SVC_LOG_LIST] = {"svc_log_list", 1,
                        "SELECT coalesce(json_agg(service_log_json(l) ORDER BY l.entry_no),"
                        " '[]')::text FROM service_log l WHERE l.case_id = $1"},
    /* the engineer assigned to the case now (token, name; NULLs when none) and the token of the
     * engineer who ran remote session $2 (NULL when $2 is none): no lock, before the body */
    [Q_SVC_ENGINEER_GATE] =
        {"svc_engineer_gate", 2,
         "SELECT e.token_id, e.name, (SELECT s.actor_token_id FROM remote_session s"
         "   WHERE s.case_id = c.id AND s.session_no = $2::integer)"
         " FROM service_case c"
         " LEFT JOIN case_assignment ca ON ca.case_id = c.id AND ca.unassigned_at IS NULL"
         " LEFT JOIN engineer e ON e.id = ca.engineer_id WHERE c.case_number = $1"},
    /* one engineer's visits are planned one after the other: the engineer row is the lock */
    [Q_SVC_ENGINEER_LOCK] = {"svc_engineer_lock", 1,
                             "SELECT id FROM engineer WHERE name = $1 FOR UPDATE"},
    /* the first open visit (proposed or confirmed, of a case still open) of engineer $1 that
     * overlaps [$2, $3), other than visit id $4 */
    [Q_SVC_VISIT_CLASH] =
        {"svc_visit_clash", 4,
         "SELECT c.case_number, v.visit_no, floor(extract(epoch FROM v.starts_at))::bigint,"
         " floor(extract(epoch FROM v.ends_at))::bigint"
         " FROM onsite_visit v JOIN service_case c ON c.id = v.case_id"
         " WHERE v.engineer = $1 AND v.status IN ('proposed', 'confirmed')"
         " AND c.status NOT IN ('closed', 'archived', 'cancelled')"
         " AND v.starts_at < to_timestamp($3::bigint) AND v.ends_at > to_timestamp($2::bigint)"
         " AND ($4::bigint IS NULL OR v.id <> $4::bigint) ORDER BY v.starts_at LIMIT 1"},
};
