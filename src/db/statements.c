/*
 * statements: every SQL statement rmad runs, by name.  Prepared once per connection (again after
 * a reconnect) and always run with parameters; never SQL built from request text.
 */
#include "db_int.h"

#define EVENT_COLUMNS                                                                              \
    "case_id, rma_id, line_id, parcel_id, leg, kind, from_state, to_state, actor, "                \
    "actor_token_id, channel, reason, evidence"

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
    [Q_MIGRATION_VERSIONS] = {"migration_versions", 0, "SELECT version FROM schema_migrations"},
    [Q_MODEL_GET] =
        {"model_get", 1,
         "SELECT code, name, serialised, easy_install, sold_separately FROM product_model "
         "WHERE code = $1"},
    [Q_CASE_INSERT] =
        {"case_insert", 16,
         "INSERT INTO service_case (channel, product_model, serial_number, configuration, "
         "error_messages, fault_description, contact_name, contact_phone, contact_email, "
         "addr_name, addr_street, addr_city, addr_postcode, addr_postcode_norm, addr_country, "
         "created_by) VALUES ($1, $2, $3, $4::jsonb, coalesce($5::jsonb, '[]'), $6, $7, $8, $9, "
         "$10, $11, $12, $13, $14, $15, $16) RETURNING id, case_number"},
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
         "INSERT INTO parcel (rma_id, line_id, direction, parcel_no, parcel_count, state) "
         "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"},
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
         "   'received_station', p.received_station) ORDER BY p.direction, p.parcel_no)"
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
    [Q_LABEL_CONTENT] =
        {"label_content", 2,
         "SELECT r.rma_number, r.authorized, r.closed_at IS NOT NULL, p.parcel_no, p.parcel_count,"
         " c.addr_name, c.addr_street, c.addr_city, c.addr_postcode, c.addr_country,"
         " d.name, d.street, d.city, d.postcode, d.country,"
         " (SELECT array_to_string(pm.handling_marks, '|') FROM rma_line l"
         "   JOIN product_model pm ON pm.code = l.product_model WHERE l.id = p.line_id)"
         " FROM rma r JOIN service_case c ON c.id = r.case_id JOIN depot d ON d.id = r.depot_id"
         " LEFT JOIN parcel p ON p.rma_id = r.id AND p.direction = 'inbound'"
         " AND p.parcel_no = $2"
         " WHERE r.rma_number = $1"},
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
    [Q_RECEIVE_PARCEL] =
        {"receive_parcel", 7,
         "SELECT outcome, leg_from, received_at FROM rmad_receive_parcel($1, $2::text[], $3, $4,"
         " $5, $6, $7)"},
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
        {"notice_line", 2,
         "SELECT r.id, l.id, p.id, r.authorized, r.closed_at IS NOT NULL, l.serial_number,"
         " l.quantity, p.sscc, l.line_no, p.parcel_no, p.received_at IS NOT NULL"
         " FROM rma r JOIN rma_line l ON l.rma_id = r.id"
         " LEFT JOIN parcel p ON p.line_id = l.id AND p.direction = 'inbound'"
         " WHERE r.rma_number = $1 AND ($2::text IS NULL OR l.serial_number = $2)"
         " ORDER BY l.line_no"},
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

    /* leg moves shared by the depot modules (db_leg.c) */
    [Q_LINE_REF] =
        {"line_ref", 2,
         "SELECT r.id, l.id, r.case_id, r.rma_number, l.line_no, r.type, r.authorized,"
         " r.closed_at IS NOT NULL, r.chargeable, l.misuse, l.serial_number, l.product_model,"
         " l.quantity, l.received_quantity, coalesce(l.core_due_date::text, ''),"
         " coalesce((SELECT g.state FROM leg g WHERE g.line_id = l.id AND g.kind = 'inbound'), ''),"
         " coalesce((SELECT g.state FROM leg g WHERE g.line_id = l.id AND g.kind = 'repair'), ''),"
         " coalesce((SELECT g.state FROM leg g WHERE g.line_id = l.id AND g.kind = 'outbound'),"
         " '')"
         " FROM rma r JOIN rma_line l ON l.rma_id = r.id"
         " WHERE r.rma_number = $1 AND l.line_no = $2 FOR UPDATE OF l"},
    [Q_LEG_SET] = {"leg_set", 4,
                   "UPDATE leg SET state = $4, updated_at = now()"
                   " WHERE line_id = $1 AND kind = $2 AND state = $3 RETURNING id"},
    [Q_OUTBOUND_SERIAL] = {"outbound_serial", 2,
                           "UPDATE rma_line SET outbound_serial = $2 WHERE id = $1"},
    /* depot: authorization and money (issue 4, db_money.c) */
    /* depot: receiving and inspection (issue 4, db_receiving.c) */
    /* depot: repair and outbound (issue 4, db_repair.c) */
    /* labels (issue 6) */
};
