#!/usr/bin/env bash
# The life of a service case (issue 3) through the HTTP API on a real PostgreSQL: hotline cases
# followed along each path (resolved remotely, escalated to the depot, to the factory), hold and
# resume, cancel before and refused after something moved, reassignment keeping the history,
# and every guard with its error: wrong role 403, wrong engineer 403, skill mismatch 422, an
# engineer inactive or at capacity 409, no fault isolation 409, misuse 422, a register race.
source "$(dirname "$0")/../lib.sh"
rmad_setup
NEW_CASE_KEEP_NEW=1

EVA=$("$RMAD_BIN" token create --role engineer --name "eva")
NILS=$("$RMAD_BIN" token create --role engineer --name "nils")

# case_status CASE: prints the status
case_status() {
    api GET "/api/v1/cases/$1" "$AGENT"
    jqb .status
}
# kinds CASE: the event kinds of the case, comma separated, in order
kinds() { psql_t -c "SELECT string_agg(e.kind, ',' ORDER BY e.id) FROM event e JOIN service_case c ON c.id = e.case_id WHERE c.case_number = '$1' AND e.rma_id IS NULL"; }

# -- engineers ---------------------------------------------------------------------------------
api POST /api/v1/engineers "$ENGINEER" '{"name":"eva"}'
expect_status 403 "an engineer cannot register engineers"
api POST /api/v1/engineers "$MANAGER" "$(jq -nc --arg t "$EVA" '{name: "eva", email: "eva@example.com", token: $t, product_lines: ["servers", "storage"], max_open_cases: 2}')"
expect_status 201 "manager registers engineer eva"
expect_jq '.name == "eva" and .product_lines == ["servers","storage"] and .max_open_cases == 2 and .active and .has_token and .open_cases == 0' "eva: skills, capacity, token"
api POST /api/v1/engineers "$MANAGER" "$(jq -nc --arg t "$NILS" '{name: "nils", token: $t, product_lines: ["notebooks"], max_open_cases: 5}')"
expect_status 201 "engineer nils"
api POST /api/v1/engineers "$ADMIN" '{"name":"ina","product_lines":["servers"],"active":false}'
expect_status 201 "engineer ina, inactive"
api POST /api/v1/engineers "$MANAGER" "$(jq -nc --arg t "$EVA" '{name: "otto", token: $t}')"
expect_error 409 token "a token belongs to one engineer"
api POST /api/v1/engineers "$MANAGER" "$(jq -nc --arg t "$AGENT" '{name: "otto", token: $t}')"
expect_error 422 token "only an engineer's token links"
api POST /api/v1/engineers "$MANAGER" '{"name":"Otto Smith"}'
expect_error 422 name "engineer names are lower case"
api POST /api/v1/engineers "$MANAGER" '{"name":"otto","max_open_cases":0}'
expect_error 422 max_open_cases "capacity at least 1"
api POST /api/v1/engineers "$MANAGER" '{"name":"otto","product_lines":["servers","nonsense"]}'
expect_error 422 "product_lines[1]" "a product line no model has"
check "...no engineer otto" test "$(psql_t -c "SELECT count(*) FROM engineer WHERE name = 'otto'")" = 0
api GET /api/v1/engineers "$AGENT"
expect_status 200 "engineers listed"
expect_jq '[.engineers[].name | select(. == "eva" or . == "ina" or . == "nils" or . == "test-engineer")] == ["eva","ina","nils","test-engineer"] and ([.engineers[].name] | . == sort)' "the engineers, by name"

# -- path 1: resolved remotely -----------------------------------------------------------------
new_case SRV7400001 SRV-R740
C1=$CASE
expect_status 201 "hotline case"
api GET "/api/v1/cases/$C1" "$AGENT"
expect_jq '.status == "new" and .held_from == null and .engineer == null and .channel == "hotline" and .product_line == "servers" and .contact.name == "Anna Schmidt"' "the case view: new, intake fields"
api POST "/api/v1/cases/$C1/register" "$AGENT" '{}'
expect_status 403 "an agent cannot register (manager or admin)"
api POST "/api/v1/cases/$C1/register" "$ENGINEER" '{}'
expect_status 403 "an engineer cannot register"
api POST "/api/v1/cases/$C1/assign" "$MANAGER" '{"engineer":"eva"}'
expect_error 409 status "assign before register"
api POST "/api/v1/cases/$C1/register" "$MANAGER" '{"priority":"asap"}'
expect_error 422 priority "priority is one of low, normal, high, urgent"
check "a refused register changes nothing" test "$(case_status "$C1")" = new
api POST "/api/v1/cases/$C1/register" "$MANAGER" '{"priority":"high"}'
expect_status 200 "manager registers the case"
expect_jq '.status == "registered" and .priority == "high"' "registered, priority high"
api POST "/api/v1/cases/$C1/register" "$MANAGER" '{}'
expect_error 409 status "a second register"
expect_jq '.error.message | test("registered")' "the conflict names the state the case is in"
api POST /api/v1/cases/C99999999/register "$MANAGER" '{}'
expect_error 404 case_number "register an unknown case"

api GET "/api/v1/cases/$C1/engineer-suggestions" "$MANAGER"
expect_status 200 "engineer suggestions"
expect_jq '.product_line == "servers" and ([.suggestions[].engineer] | index("eva") != null and index("test-engineer") != null)' "suggested: the active engineers with the servers skill"
expect_jq '[.suggestions[] | [.load, .engineer]] | . == sort' "least loaded first, then by name"
expect_jq '[.suggestions[].engineer] | index("nils") == null and index("ina") == null' "no engineer without the skill, none inactive"
expect_jq 'all(.suggestions[]; .why | test("servers"))' "each suggestion says why"
api GET "/api/v1/cases/$C1/engineer-suggestions" "$ENGINEER"
expect_status 403 "suggestions are for the manager"

api POST "/api/v1/cases/$C1/assign" "$MANAGER" '{"engineer":"nils"}'
expect_error 422 engineer "skill mismatch"
expect_jq '.error.message | test("servers")' "the refusal names the product line"
api POST "/api/v1/cases/$C1/assign" "$MANAGER" '{"engineer":"ina"}'
expect_error 409 engineer "an inactive engineer"
api POST "/api/v1/cases/$C1/assign" "$MANAGER" '{"engineer":"nobody"}'
expect_error 422 engineer "an unknown engineer"
api POST "/api/v1/cases/$C1/assign" "$ENGINEER" '{"engineer":"eva"}'
expect_status 403 "an engineer cannot assign"
check "refused assignments change nothing" test "$(case_status "$C1")" = registered
api POST "/api/v1/cases/$C1/assign" "$MANAGER" '{"engineer":"eva","reason":"server specialist"}'
expect_status 200 "assigned to eva"
expect_jq '.status == "assigned" and .engineer == "eva" and (.assignments | length) == 1 and .assignments[0].by == "test manager" and .assignments[0].reason == "server specialist"' "assigned, with the assignment"

api POST "/api/v1/cases/$C1/contacts" "$ENGINEER" '{"method":"phone","summary":"hello","reached":true}'
expect_error 403 engineer "another engineer cannot record a contact"
api POST "/api/v1/cases/$C1/contacts" "$ENGINEER" '{"method":"fax"}'
expect_error 403 engineer "another engineer with a bad contact: 403 before the 422"
api POST "/api/v1/cases/$C1/fault-isolation" "$ENGINEER" '{}'
expect_error 403 engineer "another engineer with an empty fault isolation: 403 before the 422"
api POST "/api/v1/cases/$C1/contacts" "$EVA" '{"method":"fax","summary":"hello","reached":true}'
expect_error 422 method "contact method phone or email"
api POST "/api/v1/cases/$C1/contacts" "$EVA" '{"method":"phone","summary":"hello"}'
expect_error 422 reached "reached is required"
api POST "/api/v1/cases/$C1/contacts" "$EVA" '{"method":"phone","summary":"no answer, left a voicemail","reached":false}'
expect_status 200 "an unanswered call is recorded"
expect_jq '.status == "assigned" and (.contacts | length) == 1 and .contacts[0].reached == false' "an unanswered call: the case stays assigned"
check "the attempt is an event with its actor, not a start" test "$(kinds "$C1")/$(psql_t -c "SELECT e.actor FROM event e JOIN service_case c ON c.id = e.case_id WHERE c.case_number = '$C1' AND e.kind = 'case_contact_attempt'")" = "case_created,case_register,case_assign,case_contact_attempt/eva"
api GET "/api/v1/cases/$C1/sla" "$AGENT"
expect_jq '.clocks.first_contact.state == "running"' "the first-contact clock keeps running after an unanswered call"
api POST "/api/v1/cases/$C1/contacts" "$EVA" '{"method":"phone","summary":"customer reached, PSU LED amber","reached":true}'
expect_status 200 "eva's first contact"
expect_jq '.status == "troubleshooting" and (.contacts | length) == 2 and .contacts[1].engineer == "eva"' "first contact: troubleshooting"
api POST "/api/v1/cases/$C1/contacts" "$MANAGER" '{"method":"email","summary":"sent the log collector","reached":false}'
expect_status 200 "the manager records a contact too"
expect_jq '.status == "troubleshooting" and (.contacts | length) == 3' "a later contact does not move the case"

api POST "/api/v1/cases/$C1/resolve" "$EVA" '{"resolution":"reseated the PSU"}'
expect_error 409 fault_isolation "resolve needs a fault isolation"
api POST "/api/v1/cases/$C1/fault-isolation" "$ENGINEER" '{"method":"phone","findings":"x","conclusion":"fixed"}'
expect_error 403 engineer "fault isolation by another engineer"
api POST "/api/v1/cases/$C1/fault-isolation" "$EVA" '{"method":"phone","findings":"x","conclusion":"maybe"}'
expect_error 422 conclusion "conclusion is one of four"
api POST "/api/v1/cases/$C1/fault-isolation" "$EVA" '{"method":"pigeon","findings":"x","conclusion":"fixed"}'
expect_error 422 method "fault isolation method"
api POST "/api/v1/cases/$C1/fault-isolation" "$EVA" '{"method":"phone","findings":"PSU not seated","suspected_part":"PSU-750","conclusion":"fixed"}'
expect_status 200 "fault isolation recorded"
expect_jq '.fault_isolations | length == 1 and .[0].conclusion == "fixed" and .[0].engineer == "eva" and .[0].suspected_part == "PSU-750"' "the record is in the case view"
api POST "/api/v1/cases/$C1/resolve" "$EVA" '{}'
expect_error 422 resolution "resolution is required"
api POST "/api/v1/cases/$C1/resolve" "$EVA" '{"resolution":"reseated the PSU"}'
expect_status 200 "resolved remotely"
expect_jq '.status == "resolved_remotely"' "status resolved_remotely"
check "one event per move, in order" test "$(kinds "$C1")" = "case_created,case_register,case_assign,case_contact_attempt,case_start,case_fault_isolated,case_resolve_remote"
check "every move names its actor and states" test "$(psql_t -c "SELECT count(*) FROM event e JOIN service_case c ON c.id = e.case_id WHERE c.case_number = '$C1' AND e.kind IN ('case_register','case_assign','case_start','case_resolve_remote') AND e.actor_token_id IS NOT NULL AND e.actor <> '' AND e.from_state IS NOT NULL AND e.to_state IS NOT NULL")" = 4
check "the start was eva's" test "$(psql_t -c "SELECT e.actor FROM event e JOIN service_case c ON c.id = e.case_id WHERE c.case_number = '$C1' AND e.kind = 'case_start'")" = eva
api POST "/api/v1/cases/$C1/cancel" "$MANAGER" '{"reason":"too late"}'
expect_error 409 status "a case resolved remotely is not cancelled"
api POST "/api/v1/cases/$C1/escalations" "$EVA" '{"to":"factory","reason":"x"}'
expect_error 409 status "no escalation once resolved"

# -- path 2: escalated to the depot (an RMA from the case) --------------------------------------
new_case SRV7400002 SRV-R740
C2=$CASE
case_to_troubleshooting "$C2"
check "case_to_troubleshooting: troubleshooting with test-engineer" test "$(case_status "$C2")/$(jqb .engineer)" = troubleshooting/test-engineer
DEPOT_BODY='{"to":"depot","type":"repair","lines":[{"serial_number":"SRV7400002","product_model":"SRV-R740"}],"screening":{"outcome":"eligible","reason":"in warranty","evidence":{"notes":"ok"}}}'
api POST "/api/v1/cases/$C2/escalations" "$ENGINEER" "$DEPOT_BODY"
expect_error 409 fault_isolation "no depot without a fault isolation"
api POST /api/v1/rmas "$AGENT" "$(jq -nc --arg c "$C2" '{case_number: $c, type: "repair", lines: [{serial_number: "SRV7400002", product_model: "SRV-R740"}], screening: {outcome: "eligible", reason: "in warranty"}}')"
expect_error 409 fault_isolation "POST /rmas refuses the same way (one guard)"
api POST "/api/v1/cases/$C2/fault-isolation" "$ENGINEER" '{"method":"remote","findings":"mainboard fault code 0x3f","suspected_part":"mainboard","conclusion":"needs_depot"}'
expect_status 200 "fault isolation: needs the depot"
api POST "/api/v1/cases/$C2/escalations" "$ENGINEER" "$(jq -c '.screening = {outcome: "misuse_suspected", reason: "liquid damage", evidence: {photos: ["p1.jpg"]}}' <<<"$DEPOT_BODY")"
expect_error 422 screening.outcome "misuse: no return to depot"
expect_jq '.error.message == "misuse: no return to depot"' "the misuse message"
check "the refused screening is a case event with its evidence" test "$(psql_t -c "SELECT e.reason || '/' || (e.evidence->'evidence'->'photos'->>0) || '/' || e.actor FROM event e JOIN service_case c ON c.id = e.case_id WHERE c.case_number = '$C2' AND e.kind = 'case_screening_refused'")" = "liquid damage/p1.jpg/test engineer"
check "no rma for the misuse" test "$(psql_t -c "SELECT count(*) FROM rma r JOIN service_case c ON c.id = r.case_id WHERE c.case_number = '$C2'")" = 0
check "the case is still troubleshooting" test "$(case_status "$C2")" = troubleshooting
api POST "/api/v1/cases/$C2/escalations" "$EVA" "$DEPOT_BODY"
expect_error 403 engineer "another engineer cannot escalate"
api POST "/api/v1/cases/$C2/escalations" "$ENGINEER" '{"to":"moon"}'
expect_error 422 to "escalation to depot or factory"
api POST "/api/v1/cases/$C2/escalations" "$ENGINEER" "$DEPOT_BODY"
expect_status 201 "escalated to the depot"
RMA2=$(jqb .rma_number)
expect_jq '.authorized == true and .case.case_number == "'"$C2"'"' "the rma is made from the case"
api GET "/api/v1/cases/$C2" "$AGENT"
expect_jq '.status == "rma_requested" and .rmas == ["'"$RMA2"'"]' "the case is rma_requested and lists its rma"
check "one case_request_rma event naming the rma" test "$(psql_t -c "SELECT count(*) FROM event e JOIN service_case c ON c.id = e.case_id WHERE c.case_number = '$C2' AND e.kind = 'case_request_rma' AND e.evidence->>'rma_number' = '$RMA2' AND e.to_state = 'rma_requested'")" = 1
api POST /api/v1/rmas "$AGENT" "$(jq -nc --arg c "$C2" '{case_number: $c, type: "advance_replacement", lines: [{serial_number: "PSU7500001", product_model: "PSU-750"}], screening: {outcome: "eligible", reason: "psu as well"}}')"
expect_status 201 "a second rma while rma_requested"
check "no second move" test "$(psql_t -c "SELECT count(*) FROM event e JOIN service_case c ON c.id = e.case_id WHERE c.case_number = '$C2' AND e.kind = 'case_request_rma'")" = 1
api POST /api/v1/rmas "$MANAGER" "$(jq -nc --arg c "$C2" '{case_number: $c, type: "repair", lines: [{serial_number: "SRV7400002", product_model: "SRV-R740"}], screening: {outcome: "eligible", reason: "x"}}')"
expect_status 403 "a manager does not post rmas (wrong role)"
api POST /api/v1/cases/C99999998/escalations "$ADMIN" "$DEPOT_BODY"
expect_error 404 case_number "escalation of an unknown case"

# -- path 3: escalated to the factory ----------------------------------------------------------
new_case NBX130001 NB-X13
C3=$CASE
api POST "/api/v1/cases/$C3/register" "$MANAGER" '{}'
api POST "/api/v1/cases/$C3/assign" "$MANAGER" '{}'
expect_status 200 "assign without a name: the best suggestion"
expect_jq '.engineer == "nils" or .engineer == "test-engineer"' "a notebooks engineer was chosen"
api POST "/api/v1/cases/$C3/assign" "$MANAGER" '{"engineer":"test-engineer","reason":"back to the test engineer"}'
api POST "/api/v1/cases/$C3/contacts" "$ENGINEER" '{"method":"email","summary":"asked for photos","reached":true}'
expect_jq '.status == "troubleshooting"' "notebook case troubleshooting"
api POST "/api/v1/cases/$C3/escalations" "$ENGINEER" '{"to":"factory"}'
expect_error 422 reason "factory escalation needs a reason"
api POST "/api/v1/cases/$C3/escalations" "$ENGINEER" '{"to":"factory","reason":"firmware defect, engineering analysis needed"}'
expect_error 409 fault_isolation "no factory escalation without a fault isolation (as for the depot)"
check "the refused escalation changed nothing" test "$(case_status "$C3")" = troubleshooting
api POST "/api/v1/cases/$C3/fault-isolation" "$ENGINEER" '{"method":"remote","findings":"firmware hangs in POST","conclusion":"needs_factory"}'
expect_status 200 "fault isolation: needs the factory"
api POST "/api/v1/cases/$C3/escalations" "$ENGINEER" '{"to":"factory","reason":"firmware defect, engineering analysis needed"}'
expect_status 200 "escalated to the factory"
check "the factory escalation names its fault isolation" test "$(psql_t -c "SELECT count(*) FROM event e JOIN service_case c ON c.id = e.case_id WHERE c.case_number = '$C3' AND e.kind = 'case_escalate_factory' AND e.evidence->>'fault_isolation_id' IS NOT NULL")" = 1
expect_jq '.status == "factory_escalated"' "status factory_escalated"
api POST "/api/v1/cases/$C3/cancel" "$MANAGER" '{"reason":"x"}'
expect_error 409 status "a case at the factory is not cancelled"
# a hold is no way around it: on hold, a case does only what the state it was held from may do
api POST "/api/v1/cases/$C3/hold" "$ENGINEER" '{"reason":"waiting for the factory report"}'
expect_jq '.status == "on_hold" and .held_from == "factory_escalated"' "a case at the factory held"
api POST "/api/v1/cases/$C3/cancel" "$MANAGER" '{"reason":"x"}'
expect_error 409 status "a case held at the factory is not cancelled either"
expect_jq '.error.message | test("on_hold from factory_escalated")' "the refusal names the state it was held from"
check "the refused cancel changed nothing" test "$(case_status "$C3")" = on_hold
check "no cancel event" test "$(psql_t -c "SELECT count(*) FROM event e JOIN service_case c ON c.id = e.case_id WHERE c.case_number = '$C3' AND e.kind = 'case_cancel'")" = 0
api POST "/api/v1/cases/$C3/resume" "$ENGINEER" '{}'
expect_jq '.status == "factory_escalated"' "resumed at the factory"

# -- hold and resume ---------------------------------------------------------------------------
new_case SRV7400003 SRV-R740
C4=$CASE
case_to_troubleshooting "$C4"
api POST "/api/v1/cases/$C4/hold" "$ENGINEER" '{}'
expect_error 422 reason "hold needs a reason"
api POST "/api/v1/cases/$C4/hold" "$EVA" '{"reason":"x"}'
expect_error 403 engineer "hold by another engineer"
api POST "/api/v1/cases/$C4/hold" "$EVA" '{}'
expect_error 403 engineer "hold by another engineer without a reason: 403 before the 422"
api POST "/api/v1/cases/$C4/resolve" "$EVA" '{}'
expect_error 403 engineer "resolve by another engineer without a resolution: 403 before the 422"
api POST "/api/v1/cases/$C4/hold" "$ENGINEER" '{"reason":"customer on holiday","waiting_for":"customer back on Monday"}'
expect_status 200 "on hold"
expect_jq '.status == "on_hold" and .held_from == "troubleshooting"' "on_hold, held from troubleshooting"
api POST "/api/v1/cases/$C4/hold" "$ENGINEER" '{"reason":"again"}'
expect_error 409 status "hold twice"
api POST "/api/v1/cases/$C4/fault-isolation" "$ENGINEER" '{"method":"phone","findings":"x","conclusion":"fixed"}'
expect_error 409 status "no fault isolation while on hold"
api POST "/api/v1/cases/$C4/resolve" "$ENGINEER" '{"resolution":"x"}'
expect_error 409 status "no resolve while on hold"
api POST "/api/v1/cases/$C4/escalations" "$ENGINEER" '{"to":"factory","reason":"x"}'
expect_error 409 status "no factory escalation while on hold"
api POST "/api/v1/cases/$C4/contacts" "$ENGINEER" '{"method":"phone","summary":"customer still away","reached":false}'
expect_status 200 "a contact while on hold from troubleshooting"
expect_jq '.status == "on_hold"' "... the case stays on hold"
api POST "/api/v1/cases/$C4/resume" "$AGENT" '{"reason":"customer called back"}'
expect_status 200 "resumed"
expect_jq '.status == "troubleshooting" and .held_from == null' "back to troubleshooting"
api POST "/api/v1/cases/$C4/resume" "$AGENT" ''
expect_error 409 status "resume a case not on hold"
check "hold and resume events (the SLA clocks read them)" test "$(psql_t -c "SELECT string_agg(e.kind || ':' || e.from_state || '>' || e.to_state || ':' || coalesce(e.evidence->>'waiting_for', '-'), ',' ORDER BY e.id) FROM event e JOIN service_case c ON c.id = e.case_id WHERE c.case_number = '$C4' AND e.kind IN ('case_hold','case_resume')")" = "case_hold:troubleshooting>on_hold:customer back on Monday,case_resume:on_hold>troubleshooting:-"

# -- assign and reassign while on hold ------------------------------------------------------------
# held from registered, assigned during the hold: resume goes to assigned, then the engineer works
new_case SRV7400004 SRV-R740
CH1=$CASE
api POST "/api/v1/cases/$CH1/register" "$MANAGER" '{}'
api POST "/api/v1/cases/$CH1/hold" "$MANAGER" '{"reason":"waiting for the serial number"}'
expect_jq '.status == "on_hold" and .held_from == "registered"' "held from registered"
api POST "/api/v1/cases/$CH1/contacts" "$ADMIN" '{"method":"phone","summary":"reached","reached":true}'
expect_error 409 status "no contact on a case on hold without an engineer"
expect_jq '.error.message | test("resume the case first")' "... resume first"
api POST "/api/v1/cases/$CH1/assign" "$MANAGER" '{"engineer":"test-engineer"}'
expect_status 200 "assigned while on hold"
expect_jq '.status == "on_hold" and .held_from == "assigned" and .engineer == "test-engineer"' "still on hold, now held from assigned"
api POST "/api/v1/cases/$CH1/contacts" "$ENGINEER" '{"method":"phone","summary":"reached","reached":true}'
expect_error 409 status "no contact while on hold from assigned: it would not start troubleshooting"
expect_jq '.error.message | test("on_hold from assigned: resume the case first")' "... naming the status"
check "the refused contacts wrote nothing" test "$(psql_t -c "SELECT count(*) FROM case_contact k JOIN service_case c ON c.id = k.case_id WHERE c.case_number = '$CH1'")" = 0
api POST "/api/v1/cases/$CH1/assign" "$MANAGER" '{"engineer":"test-engineer"}'
expect_error 409 engineer "the same engineer twice while on hold"
api POST "/api/v1/cases/$CH1/resume" "$MANAGER" '{}'
expect_status 200 "resumed"
expect_jq '.status == "assigned" and .held_from == null and .engineer == "test-engineer"' "resumed into assigned with the engineer"
api POST "/api/v1/cases/$CH1/contacts" "$ENGINEER" '{"method":"phone","summary":"reached","reached":true}'
expect_status 200 "the engineer's first contact after the resume"
expect_jq '.status == "troubleshooting"' "troubleshooting"
check "the assignment during the hold is an event with its actor" test "$(psql_t -c "SELECT e.actor || '/' || (e.evidence->>'resumes_to') FROM event e JOIN service_case c ON c.id = e.case_id WHERE c.case_number = '$CH1' AND e.kind = 'case_assign_on_hold'")" = "test manager/assigned"
# held from registered: assigned, then reassigned during the same hold
new_case SRV7400005 SRV-R740
CH2=$CASE
api POST "/api/v1/cases/$CH2/register" "$MANAGER" '{}'
api POST "/api/v1/cases/$CH2/hold" "$MANAGER" '{"reason":"waiting"}'
api POST "/api/v1/cases/$CH2/assign" "$MANAGER" '{"engineer":"test-engineer"}'
api POST "/api/v1/cases/$CH2/assign" "$MANAGER" '{"engineer":"eva","reason":"specialist"}'
expect_status 200 "reassigned during the hold"
expect_jq '.status == "on_hold" and .held_from == "assigned" and .engineer == "eva" and (.assignments | length) == 2' "on hold from assigned, eva"
api POST "/api/v1/cases/$CH2/resume" "$MANAGER" '{}'
expect_jq '.status == "assigned" and .engineer == "eva"' "resumed into assigned with eva"
api POST "/api/v1/cases/$CH2/assign" "$MANAGER" '{"engineer":"test-engineer"}'
expect_status 200 "reassigned after the resume"
api POST "/api/v1/cases/$CH2/contacts" "$ENGINEER" '{"method":"phone","summary":"x","reached":true}'
expect_jq '.status == "troubleshooting"' "and the case starts"
# held from assigned and from troubleshooting: reassign during the hold, resume where it was
new_case SRV7400006 SRV-R740
CH3=$CASE
api POST "/api/v1/cases/$CH3/register" "$MANAGER" '{}'
api POST "/api/v1/cases/$CH3/assign" "$MANAGER" '{"engineer":"test-engineer"}'
api POST "/api/v1/cases/$CH3/hold" "$MANAGER" '{"reason":"waiting"}'
api POST "/api/v1/cases/$CH3/assign" "$MANAGER" '{"engineer":"eva"}'
expect_jq '.status == "on_hold" and .held_from == "assigned" and .engineer == "eva"' "held from assigned, reassigned"
api POST "/api/v1/cases/$CH3/resume" "$MANAGER" '{}'
expect_jq '.status == "assigned" and .engineer == "eva"' "resumed into assigned"
api POST "/api/v1/cases/$CH3/assign" "$MANAGER" '{"engineer":"test-engineer"}'
api POST "/api/v1/cases/$CH3/contacts" "$ENGINEER" '{"method":"phone","summary":"x","reached":true}'
api POST "/api/v1/cases/$CH3/hold" "$ENGINEER" '{"reason":"waiting again"}'
api POST "/api/v1/cases/$CH3/assign" "$MANAGER" '{"engineer":"eva"}'
expect_jq '.status == "on_hold" and .held_from == "troubleshooting" and .engineer == "eva"' "held from troubleshooting, reassigned"
api POST "/api/v1/cases/$CH3/resume" "$MANAGER" '{}'
expect_jq '.status == "troubleshooting" and .engineer == "eva"' "resumed into troubleshooting"
api POST "/api/v1/cases/$CH3/cancel" "$MANAGER" '{"reason":"eva has enough to do"}'
api POST "/api/v1/cases/$CH2/cancel" "$MANAGER" '{"reason":"eva has enough to do"}'
expect_status 200 "eva's capacity back for the cases below"

# -- cancel --------------------------------------------------------------------------------------
new_case NBX130002 NB-X13
C5=$CASE
api POST "/api/v1/cases/$C5/cancel" "$ENGINEER" '{"reason":"x"}'
expect_status 403 "an engineer cannot cancel"
api POST "/api/v1/cases/$C5/cancel" "$AGENT" '{}'
expect_error 422 reason "cancel needs a reason"
api POST "/api/v1/cases/$C5/cancel" "$AGENT" '{"reason":"customer fixed it himself"}'
expect_status 200 "a new case cancelled"
expect_jq '.status == "cancelled"' "status cancelled"
api POST "/api/v1/cases/$C5/register" "$MANAGER" '{}'
expect_error 409 status "a cancelled case is not registered"

new_case SSD9600001 SSD-960
C6=$CASE
case_isolated "$C6"
new_rma "$C6" SSD9600001 SSD-960
R6=$RMA
api POST "/api/v1/cases/$C6/cancel" "$MANAGER" '{"reason":"the drive came back to life"}'
expect_status 200 "cancel with an rma whose label was only issued"
expect_jq '.status == "cancelled"' "cancelled"
api GET "/api/v1/rmas/$R6" "$AGENT"
expect_jq '.closed_at != null' "its rma is cancelled with it"
check "the rma's cancel event" test "$(psql_t -c "SELECT count(*) FROM event e JOIN rma r ON r.id = e.rma_id WHERE r.rma_number = '$R6' AND e.kind = 'rma_cancelled'")" = 1

new_case SSD9600002 SSD-960
C7=$CASE
case_isolated "$C7"
new_rma "$C7" SSD9600002 SSD-960
R7=$RMA
api POST /api/v1/scans "$DEPOT" "$(jq -nc --arg c "$R7" '{code: $c, station: "dock-1"}')"
expect_jq '.outcome == "received"' "the unit arrives at the depot"
api POST "/api/v1/cases/$C7/cancel" "$MANAGER" '{"reason":"too late"}'
expect_error 409 status "cancel refused once something physically moved"
expect_jq '.error.message | test("received")' "the refusal says what moved"
check "the refused cancel changed nothing" test "$(case_status "$C7")" = rma_requested
api GET "/api/v1/rmas/$R7" "$AGENT"
expect_jq '.closed_at == null' "the rma stays open"

# the unit is on its way (the carrier's pickup, stood in for by SQL: another area's step)
new_case SRV7400003 SRV-R740
C10=$CASE
case_isolated "$C10"
new_rma "$C10" SRV7400003 SRV-R740
R10=$RMA
psql_t -c "UPDATE leg g SET state = 'in_transit' FROM rma_line l JOIN rma r ON r.id = l.rma_id
    WHERE g.line_id = l.id AND r.rma_number = '$R10' AND g.kind = 'inbound'"
api POST "/api/v1/cases/$C10/hold" "$ENGINEER" '{"reason":"waiting for the parcel"}'
expect_jq '.status == "on_hold" and .held_from == "rma_requested"' "an rma_requested case held"
api POST "/api/v1/cases/$C10/cancel" "$AGENT" '{"reason":"changed my mind"}'
expect_error 409 status "cancel refused while the unit is in transit (also on hold)"
expect_jq '.error.message | test("on its way")' "the refusal says the unit is on its way"
api POST "/api/v1/cases/$C10/resume" "$ENGINEER" '{}'
expect_jq '.status == "rma_requested" and .held_from == null' "resumed to rma_requested"

# -- reassignment keeps the history, capacity ---------------------------------------------------
new_case PSU7500002 PSU-750
C8=$CASE
case_to_troubleshooting "$C8"
api POST "/api/v1/cases/$C8/assign" "$MANAGER" '{"engineer":"eva","reason":"needs a server specialist"}'
expect_status 200 "reassigned to eva"
expect_jq '.status == "troubleshooting" and .engineer == "eva" and (.assignments | length) == 2 and .assignments[0].engineer == "test-engineer" and .assignments[0].unassigned_at != null and .assignments[1].unassigned_at == null' "status unchanged, history kept"
check "one case_reassigned event, no move" test "$(psql_t -c "SELECT count(*) || '/' || min(e.evidence->>'from') || '>' || min(e.evidence->>'to') FROM event e JOIN service_case c ON c.id = e.case_id WHERE c.case_number = '$C8' AND e.kind = 'case_reassigned' AND e.from_state IS NULL")" = "1/test-engineer>eva"
check "one current assignment per case" test "$(psql_t -c "SELECT count(*) FROM case_assignment a JOIN service_case c ON c.id = a.case_id WHERE c.case_number = '$C8' AND a.unassigned_at IS NULL")" = 1
api POST "/api/v1/cases/$C8/assign" "$MANAGER" '{"engineer":"eva"}'
expect_error 409 engineer "reassign to the same engineer"
api POST "/api/v1/cases/$C8/contacts" "$ENGINEER" '{"method":"phone","summary":"x","reached":true}'
expect_error 403 engineer "the former engineer no longer acts on the case"
new_case MEM32G0001 MEM-32G
C9=$CASE
api POST "/api/v1/cases/$C9/register" "$ADMIN" '{}'
api POST "/api/v1/cases/$C9/assign" "$MANAGER" '{"engineer":"eva"}'
expect_error 409 engineer "eva is at capacity (2 open cases)"
expect_jq '.error.message | test("capacity")' "the refusal says capacity"
api GET "/api/v1/cases/$C9/engineer-suggestions" "$MANAGER"
expect_jq '([.suggestions[] | [.load, .engineer]] | . == sort) and (.suggestions[] | select(.engineer == "eva") | .has_capacity == false and .load == 1 and (.why | test("at capacity")))' "least loaded first; eva shown at capacity"

# -- race: two registers at once ----------------------------------------------------------------
new_case SRV7400001 SRV-R740
CR=$CASE
for i in 1 2; do
    curl -s -o "$T_TMP/race$i" -w '%{http_code}' -X POST -H "Authorization: Bearer $MANAGER" \
        -H 'Content-Type: application/json' --data '{}' "$BASE/api/v1/cases/$CR/register" >"$T_TMP/race$i.code" &
    PIDS[$i]=$!
done
wait "${PIDS[1]}" "${PIDS[2]}"
codes=$( (cat "$T_TMP/race1.code"; echo; cat "$T_TMP/race2.code"; echo) | sort | tr '\n' ' ')
check "two registers racing: one 200, one 409 ($codes)" test "$codes" = "200 409 "
check "one register event" test "$(psql_t -c "SELECT count(*) FROM event e JOIN service_case c ON c.id = e.case_id WHERE c.case_number = '$CR' AND e.kind = 'case_register'")" = 1

# -- the list ----------------------------------------------------------------------------------
api GET "/api/v1/cases?status=troubleshooting&engineer=eva" "$MANAGER"
expect_status 200 "cases by status and engineer"
expect_jq '[.cases[].case_number] == ["'"$C8"'"]' "eva's troubleshooting case"
api GET "/api/v1/cases?limit=2" "$ENGINEER"
expect_jq '(.cases | length) == 2 and .next == .cases[1].case_number' "a page of two with next"
NEXT=$(jqb .next)
api GET "/api/v1/cases?limit=2&after=$NEXT" "$ENGINEER"
expect_jq '(.cases | length) == 2 and .cases[0].case_number > "'"$NEXT"'"' "the next page"
api GET "/api/v1/cases?status=opened" "$MANAGER"
expect_error 422 status "an unknown status"
api GET "/api/v1/cases?after=hello" "$MANAGER"
expect_error 422 after "after must be a case number"
api GET "/api/v1/cases?limit=1000" "$MANAGER"
expect_error 422 limit "the page is bounded"
api GET "/api/v1/cases/X1" "$MANAGER"
expect_error 404 case_number "a malformed case number"
api GET "/api/v1/cases/$C1" "$CARRIER"
expect_status 403 "a carrier does not read cases"

check "every case event has an actor" test "$(psql_t -c "SELECT count(*) FROM event WHERE kind LIKE 'case_%' AND (actor IS NULL OR actor = '' OR actor_token_id IS NULL)")" = 0
finish
