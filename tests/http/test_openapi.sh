#!/usr/bin/env bash
# The OpenAPI document and the route table stay in step.
#
# src/http/openapi.json is compiled into rmad and served at GET /api/v1/openapi.json.  Every route
# of src/http/router.c (as printed by `rmad routes --roles`) must be documented with the same
# method, path template and roles, and every operation of the document must be a route, so that
# a route added without documentation, or documentation of a route that is gone, fails here.
# The document must also hold together: 2xx answers, security on routes with roles, path
# parameters, and every $ref resolving.  A structural OpenAPI 3.0 validation runs when npm can
# install a validator (into a temporary directory); without it that one check is skipped.
source "$(dirname "$0")/../lib.sh"

DOC=$RMAD_SRC/src/http/openapi.json
METHODS='["get","put","post","delete","options","head","patch","trace"]'

# -- the document in the repository is JSON ----------------------------------------------------
if jq -e 'type == "object"' "$DOC" >/dev/null 2>&1; then
    pass "src/http/openapi.json is valid JSON"
else
    fail "src/http/openapi.json is not valid JSON" "$(jq . "$DOC" 2>&1 | head -3)"
    finish
fi
jq_ok() { jq -e "$@" >/dev/null 2>&1; }
check "the document is OpenAPI 3.0.3" jq_ok '.openapi == "3.0.3"' "$DOC"

# -- rmad routes: the route table, without a database ------------------------------------------
if env -u PGHOST -u PGHOSTADDR -u PGPORT -u PGDATABASE -u PGUSER -u PGSERVICE -u RMAD_DATABASE_URL \
    RMAD_VAR_DIR="$T_TMP/no-such-var" "$RMAD_BIN" routes --roles >"$T_TMP/routes" 2>"$T_TMP/routes.err" &&
    [ -s "$T_TMP/routes" ] && [ ! -e "$T_TMP/no-such-var" ]; then
    pass "rmad routes --roles prints the route table without a database"
else
    fail "rmad routes --roles failed" "$(head -c 400 "$T_TMP/routes.err")"
    finish
fi
"$RMAD_BIN" routes >"$T_TMP/routes.plain" 2>/dev/null
if [ "$(cut -d' ' -f1,2 "$T_TMP/routes")" = "$(cat "$T_TMP/routes.plain")" ] &&
    ! grep -qvE '^[A-Z]+ /[^ ]* [a-z,]+$' "$T_TMP/routes"; then
    pass "rmad routes prints METHOD PATTERN lines"
else
    fail "rmad routes output is not METHOD PATTERN [ROLES]" "$(head -5 "$T_TMP/routes.plain")"
fi
# as JSON: [{"method": "get", "path": "/healthz", "roles": []}, ...]
jq -R -s 'split("\n") | map(select(length > 0) | split(" ") |
          {method: (.[0] | ascii_downcase), path: .[1],
           roles: (if .[2] == "public" then [] else (.[2] | split(",") | sort) end)})' \
    "$T_TMP/routes" >"$T_TMP/routes.json"
# the operations of the document, the same way
jq --argjson m "$METHODS" '[.paths | to_entries[] | .key as $p | .value | to_entries[] |
          select(.key as $k | $m | index($k)) |
          {method: .key, path: $p, roles: ((.value["x-roles"] // null) | if . == null then null else sort end)}]' \
    "$DOC" >"$T_TMP/ops.json"

# -- every route is documented, every documented operation is a route --------------------------
missing=$(jq -r --slurpfile ops "$T_TMP/ops.json" \
    '.[] | . as $r | select([$ops[0][] | select(.method == $r.method and .path == $r.path)] | length == 0) |
     "\(.method | ascii_upcase) \(.path)"' "$T_TMP/routes.json")
if [ -z "$missing" ]; then
    pass "every route of the route table is in the document ($(jq length "$T_TMP/routes.json") routes)"
else
    fail "routes missing from src/http/openapi.json" "$(echo $missing)"
fi
extra=$(jq -r --slurpfile routes "$T_TMP/routes.json" \
    '.[] | . as $o | select([$routes[0][] | select(.method == $o.method and .path == $o.path)] | length == 0) |
     "\(.method | ascii_upcase) \(.path)"' "$T_TMP/ops.json")
if [ -z "$extra" ]; then
    pass "every operation of the document is a route ($(jq length "$T_TMP/ops.json") operations)"
else
    fail "operations in src/http/openapi.json that are no route" "$(echo $extra)"
fi

# -- roles and security agree with the route table ---------------------------------------------
bad=$(jq -r --slurpfile ops "$T_TMP/ops.json" \
    '.[] | . as $r | ($ops[0][] | select(.method == $r.method and .path == $r.path)) as $o |
     select($o.roles != $r.roles) |
     "\(.method | ascii_upcase) \(.path): x-roles \($o.roles | tojson), route table \($r.roles | tojson)"' \
    "$T_TMP/routes.json")
if [ -z "$bad" ]; then pass "x-roles of each operation are the roles of its route"; else fail "x-roles differ from the route table" "$bad"; fi

# The operation of each route, with $refs of parameters and responses resolved, for the checks below.
jq --slurpfile routes "$T_TMP/routes.json" '
    . as $doc |
    def deref: if type == "object" and has("$ref") and (.["$ref"] | startswith("#/"))
               then . as $x | ($doc | getpath($x["$ref"] | ltrimstr("#/") | split("/") |
                                                map(gsub("~1"; "/") | gsub("~0"; "~"))))
               else . end;
    [$routes[0][] | . as $r | ($doc.paths[$r.path][$r.method] // null) as $op | select($op != null) |
     {method: $r.method, path: $r.path, roles: $r.roles, op: $op,
      params: ([($doc.paths[$r.path].parameters // [])[], ($op.parameters // [])[]] | map(deref)),
      responses: ($op.responses // {} | map_values(deref)),
      global_security: ($doc.security // null),
      schemes: ($doc.components.securitySchemes // {})}]' "$DOC" >"$T_TMP/resolved.json"

# each_op FILTER DESCRIPTION: FILTER, run on each resolved operation, prints its problems.
each_op() {
    local out
    out=$(jq -r ".[] | . as \$o | ($1) | select(. != null and . != \"\") | \"\(\$o.method | ascii_upcase) \(\$o.path): \(.)\"" \
        "$T_TMP/resolved.json" 2>&1)
    if [ -z "$out" ]; then pass "$2"; else fail "$2" "$(printf '%s' "$out" | head -20)"; fi
}

each_op 'if (.roles | length) > 0 and
            ((.op.security // .global_security // []) | map(select(length > 0 and
              (keys | all(. as $k | $o.schemes[$k].type == "http" and $o.schemes[$k].scheme == "bearer"))))
             | length) == 0
         then "has roles but no bearer security requirement" else empty end' \
    "every operation of a route with roles has a bearer security requirement"
each_op 'if (.roles | length) == 0 and ((.op.security // .global_security // []) | length) > 0 and
            ((.op.security // .global_security) | any(length == 0) | not)
         then "is public but the document asks for a token" else empty end' \
    "public routes need no token in the document"
each_op '.roles[] | . as $role | select(($o.op.description // "") | contains($role) | not) |
         "description does not name the role \($role)"' \
    "the description of each operation names its roles"
each_op 'if (.roles | length) > 0 and ((.responses | has("401") and has("403")) | not)
         then "has roles but no 401 and 403 answers" else empty end' \
    "operations with roles document 401 and 403"
each_op 'if (.responses | keys | any(test("^2[0-9][0-9]$"))) then empty else "has no 2xx response" end' \
    "every operation has a 2xx response"
each_op '.responses | to_entries[] | select(.value | type != "object" or (has("description") | not)) |
         "response \(.key) has no description"' \
    "every response has a description"
each_op '.responses | to_entries[] | .key as $s | (.value.content // {}) | to_entries[] |
         select(.value.schema == null) | "response \($s) \(.key) has no schema"' \
    "every response body has a schema"
each_op '[.op.summary, .op.description, .op.operationId] | if all(type == "string" and length > 0)
         then empty else "needs a summary, a description and an operationId" end' \
    "every operation has a summary, a description and an operationId"
each_op '(.path | [scan("\\{([^}]+)\\}")[0]]) as $tpl |
         ([.params[] | select(.in == "path") | .name]) as $decl |
         (($tpl - $decl | map("path parameter {\(.)} is not declared")) +
          ($decl - $tpl | map("parameter \(.) is not in the path")) +
          [.params[] | select(.in == "path" and .required != true) | "path parameter \(.name) is not required"])[]' \
    "path parameters match the path templates"
each_op 'if .method == "post" and ([.params[] | select(.in == "header" and .name == "Idempotency-Key")] | length) == 0
         then "takes no Idempotency-Key header" else empty end' \
    "every POST documents the Idempotency-Key header"
each_op 'if .method == "post" and (.op.requestBody.content // {} | length) == 0
         then "has no request body" else empty end' \
    "every POST documents its request body"
if jq_ok '[.[].op.operationId] | length == (unique | length)' "$T_TMP/resolved.json"; then
    pass "operationIds are unique"
else
    fail "operationIds are not unique" "$(jq -c '[.[].op.operationId] | group_by(.) | map(select(length > 1))' "$T_TMP/resolved.json")"
fi

# -- every $ref resolves -----------------------------------------------------------------------
unresolved=$(jq -r '. as $doc | [.. | objects | select(has("$ref")) | .["$ref"]] | unique | .[] |
    select((startswith("#/") | not) or
           (ltrimstr("#/") | split("/") | map(gsub("~1"; "/") | gsub("~0"; "~")) as $p |
            ($doc | try getpath($p) catch null) == null))' "$DOC")
if [ -z "$unresolved" ]; then
    pass "every \$ref resolves ($(jq '[.. | objects | select(has("$ref"))] | length' "$DOC") refs)"
else
    fail "unresolved \$refs" "$(echo $unresolved)"
fi

# -- the service serves the same document ------------------------------------------------------
rmad_setup
api GET /api/v1/openapi.json ""
expect_status 200 "GET /api/v1/openapi.json, no token"
ctype=$(printf '%s' "$HEADERS" | tr -d '\r' | sed -n 's/^[Cc]ontent-[Tt]ype: *//p' | head -1)
if [ "${ctype%%;*}" = "application/json" ]; then pass "served as application/json"; else fail "served as '$ctype'"; fi
if cmp -s "$T_TMP/body" "$DOC"; then
    pass "the served document is src/http/openapi.json byte for byte"
elif [ "$(jq -S . "$T_TMP/body" 2>/dev/null)" = "$(jq -S . "$DOC")" ]; then
    pass "the served document is src/http/openapi.json (same JSON)"
else
    fail "the served document differs from src/http/openapi.json (rebuild rmad?)" \
        "$(diff <(jq -S . "$T_TMP/body" 2>&1) <(jq -S . "$DOC") | head -5)"
fi

# -- structural validation against the OpenAPI 3.0 schema, when a validator can be had ----------
VALIDATOR=@seriousme/openapi-schema-validator@2
if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
    echo "skip OpenAPI schema validation: npm or node is not installed"
elif ! (cd "$T_TMP" && mkdir -p npm && cd npm &&
        timeout 180 npm install --silent --no-audit --no-fund --no-save --prefix . "$VALIDATOR" \
            >"$T_TMP/npm.log" 2>&1); then
    echo "skip OpenAPI schema validation: npm could not install $VALIDATOR (offline?)"
    tail -n 3 "$T_TMP/npm.log" | sed 's/^/     /'
else
    out=$(cd "$T_TMP/npm" && node --input-type=module -e '
        import { Validator } from "@seriousme/openapi-schema-validator";
        const v = new Validator();
        const r = await v.validate(process.argv[1]);
        if (v.version !== "3.0") { console.log("validated as OpenAPI " + v.version); process.exit(1); }
        if (!r.valid) { console.log(JSON.stringify(r.errors, null, 1).slice(0, 2000)); process.exit(1); }
    ' "$T_TMP/body" 2>&1)
    if [ $? -eq 0 ]; then
        pass "the document is valid OpenAPI 3.0 ($VALIDATOR)"
    else
        fail "the document is not valid OpenAPI 3.0 ($VALIDATOR)" "$out"
    fi
fi
finish
