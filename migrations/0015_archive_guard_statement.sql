-- The archive guard of 0012, per statement (issue 5): the rows of an archived case still cannot
-- be inserted, updated or deleted, but the check is one set-based query per statement over the
-- rows the statement changed (transition tables), not a plpgsql call per row.  A 100,000-event
-- tracking import spent about 17 s in the per-row guard of event, leg and parcel.
--
-- Same rules as 0012: the child tables and their (column, kind) pairs are those of 0012's list;
-- an UPDATE that changes nothing but the '~' columns (parcel: the carrier's last tracking event
-- and its delivered mark) is let through; event is append-only (0001), only INSERT is guarded;
-- SQLSTATE RM409, 'case <case_number> is archived: <table> rows of it cannot change'.
--
-- What changes: INSERT and UPDATE are checked AFTER the statement (a statement refused is still
-- refused as a whole and nothing of it stays; a row that also breaks a constraint or a foreign
-- key now fails on that first).  PostgreSQL allows transition tables on single-event triggers
-- only, so a table has up to three triggers:
--   <table>_archived           INSERT, per statement (the name 0012 gave the one per-row trigger)
--   <table>_archived_update    UPDATE, per statement
--   <table>_archived_delete    DELETE, still 0012's per-row BEFORE trigger: nothing deletes
--                              these rows in bulk, and before the row goes the row it points at
--                              is still there to find its case (and RM409 comes before a
--                              foreign key's error, as it did)
-- The TRUNCATE guards of 0012 (<table>_archived_truncate) stay as they are.
--
-- While no case is archived (case_record empty), a statement's guard is one probe of that
-- empty table.  Otherwise it is one query per statement joining the changed rows to their case
-- (hash joins for a bulk statement).
BEGIN;

-- A query of the case ids (and, with p_rows, each row as jsonb minus the '~' columns) of the rows
-- of transition table p_rel that belong to an archived case.  p_args: the trigger's arguments
-- (as for 0012's rmad_archived_child: column, kind, column, kind, ..., then '~column's).
CREATE FUNCTION rmad_archived_rows_sql(p_rel text, p_args text[], p_rows boolean) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    v_free text[] := '{}';
    v_parts text[] := '{}';
    v_col text;
    v_join text;
BEGIN
    p_args := ARRAY(SELECT unnest(p_args)); -- subscripts from 1 (TG_ARGV's start at 0)
    FOREACH v_col IN ARRAY p_args LOOP
        IF left(v_col, 1) = '~' THEN
            v_free := v_free || substr(v_col, 2);
        END IF;
    END LOOP;
    FOR i IN 0 .. (cardinality(p_args) - cardinality(v_free)) / 2 - 1 LOOP
        v_col := format('x.%I', p_args[2 * i + 1]);
        v_join := CASE p_args[2 * i + 2]
            WHEN 'case' THEN format('JOIN case_record c ON c.case_id = %s', v_col)
            WHEN 'rma' THEN format('JOIN rma r ON r.id = %s'
                                   ' JOIN case_record c ON c.case_id = r.case_id', v_col)
            WHEN 'line' THEN format('JOIN rma_line l ON l.id = %s JOIN rma r ON r.id = l.rma_id'
                                    ' JOIN case_record c ON c.case_id = r.case_id', v_col)
            WHEN 'parcel' THEN format('JOIN parcel p ON p.id = %s JOIN rma r ON r.id = p.rma_id'
                                      ' JOIN case_record c ON c.case_id = r.case_id', v_col)
            WHEN 'quote' THEN format('JOIN quote q ON q.id = %s JOIN rma r ON r.id = q.rma_id'
                                     ' JOIN case_record c ON c.case_id = r.case_id', v_col)
        END;
        IF v_join IS NULL THEN
            RAISE EXCEPTION 'archive guard: unknown kind %', p_args[2 * i + 2];
        END IF;
        v_parts := v_parts || format('SELECT c.case_id%s FROM %I x %s',
                                     CASE WHEN p_rows THEN format(', to_jsonb(x) - %L::text[] AS j',
                                                                  v_free) ELSE '' END,
                                     p_rel, v_join);
    END LOOP;
    IF cardinality(v_parts) = 0 THEN
        RAISE EXCEPTION 'archive guard: no column to follow';
    END IF;
    RETURN array_to_string(v_parts, ' UNION ALL ');
END
$$;

-- AFTER INSERT or UPDATE ... FOR EACH STATEMENT, REFERENCING NEW TABLE AS rmad_new (and OLD TABLE
-- AS rmad_old for UPDATE).
-- INSERT: any new row of an archived case is refused.  UPDATE: the rows of
-- archived cases as they were and as they are, minus the '~' columns, must be the same multiset
-- (a row that changed only in '~' columns, or not at all, passes; a row that changed otherwise,
-- or moved into or out of an archived case, is refused).
CREATE FUNCTION rmad_archived_stmt() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_case bigint;
    v_args text[] := TG_ARGV;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM case_record) THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        EXECUTE format('SELECT a.case_id FROM (%s) a LIMIT 1',
                       rmad_archived_rows_sql('rmad_new', v_args, false)) INTO v_case;
    ELSIF TG_OP = 'UPDATE' THEN
        EXECUTE format('WITH o AS (%s), n AS (%s)'
                       ' SELECT d.case_id FROM ((SELECT * FROM o EXCEPT ALL SELECT * FROM n)'
                       '   UNION ALL (SELECT * FROM n EXCEPT ALL SELECT * FROM o)) d LIMIT 1',
                       rmad_archived_rows_sql('rmad_old', v_args, true),
                       rmad_archived_rows_sql('rmad_new', v_args, true)) INTO v_case;
    ELSE
        RAISE EXCEPTION 'archive guard: % is not guarded per statement', TG_OP;
    END IF;
    IF v_case IS NOT NULL THEN
        RAISE EXCEPTION 'case % is archived: % rows of it cannot change',
            (SELECT case_number FROM service_case WHERE id = v_case), TG_TABLE_NAME
            USING ERRCODE = 'RM409';
    END IF;
    RETURN NULL;
END
$$;

-- Every table that carries 0012's per-row guard gets the statement guards instead, with the
-- same arguments (read back from pg_trigger) and for the same operations.
DO $$
DECLARE
    t record;
    v_args text;
BEGIN
    FOR t IN
        SELECT c.relname AS tbl, g.tgname, g.tgtype, g.tgnargs, g.tgargs
        FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid
        JOIN pg_proc f ON f.oid = g.tgfoid
        WHERE f.proname = 'rmad_archived_child' AND NOT g.tgisinternal
        ORDER BY c.relname
    LOOP
        IF t.tgname <> t.tbl || '_archived' THEN
            RAISE EXCEPTION 'archive guard: unexpected trigger % on %', t.tgname, t.tbl;
        END IF;
        -- tgargs: the arguments, each ended by a NUL byte
        SELECT string_agg(quote_literal(a), ', ' ORDER BY n) INTO v_args
        FROM unnest((string_to_array(rtrim(encode(t.tgargs, 'escape'), '\000'), '\000')))
            WITH ORDINALITY AS u (a, n);
        EXECUTE format('DROP TRIGGER %I ON %I', t.tgname, t.tbl);
        -- tgtype bits: 4 INSERT, 8 DELETE, 16 UPDATE
        IF t.tgtype & 4 <> 0 THEN
            EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS rmad_new'
                           ' FOR EACH STATEMENT EXECUTE FUNCTION rmad_archived_stmt(%s)',
                           t.tbl || '_archived', t.tbl, v_args);
        END IF;
        IF t.tgtype & 16 <> 0 THEN
            EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I'
                           ' REFERENCING OLD TABLE AS rmad_old NEW TABLE AS rmad_new'
                           ' FOR EACH STATEMENT EXECUTE FUNCTION rmad_archived_stmt(%s)',
                           t.tbl || '_archived_update', t.tbl, v_args);
        END IF;
        IF t.tgtype & 8 <> 0 THEN
            EXECUTE format('CREATE TRIGGER %I BEFORE DELETE ON %I FOR EACH ROW'
                           ' EXECUTE FUNCTION rmad_archived_child(%s)',
                           t.tbl || '_archived_delete', t.tbl, v_args);
        END IF;
    END LOOP;
END
$$;

-- The tracking import's working columns of seconds since the epoch (0014) are named so: rule 9
-- keeps every *_at column a timestamptz (tests/http/test_rules.sh checks every table).
ALTER TABLE tracking_stage_decision RENAME COLUMN last_event_at TO last_event_epoch;
ALTER TABLE tracking_stage_decision RENAME COLUMN prev_event_at TO prev_event_epoch;
ALTER TABLE tracking_stage_decision RENAME COLUMN carrier_delivered_at TO carrier_delivered_epoch;
ALTER TABLE tracking_stage_decision RENAME COLUMN shipped_at TO shipped_epoch;
ALTER TABLE tracking_stage_decision RENAME COLUMN delivered_at TO delivered_epoch;

INSERT INTO schema_migrations (version) VALUES (15);
COMMIT;
