"""What the clinic lead's alert and programme figures read over a long period, kept by PostgreSQL
itself (outcomes/reports.py): one row per clinician alert and one per programme, each holding
what its figures need, so that a report over three years reads 200,000 narrow rows of one index
instead of grouping every alert, probing every case's claims and escalations, and reading every
check-in of every programme.

Each row is a function of the raw rows it is made from, recomputed whole (never adjusted by a
delta) by triggers in the same transaction as any change to those rows, as it commits, whoever
makes it: the services, the admin, a data migration or a benchmark's INSERT ... SELECT. So a figure read from
them is the figure a query over the raw rows gives, at every moment, by construction; the tests
compare the two. The migration fills them from the rows already there (an existing database).

- `outcomes_alert_figures`, per clinician alert (outbox_message of kind clinician_alert with a
  case): when it was queued and its status; when its case's previous alert was queued (ordered
  by time then id: the alert is its case's first in a period that starts after that); whether
  the case was claimed at or after it (claims are append-only); and its case's first escalation
  email queued at or after it.
- `outcomes_programme_figures`, per programme: what the programme row says (template, when
  prescribed, status, unsubscribed) and what its check-ins say: the starting pain (the lower of
  the intake's and the starting questionnaire's), the latest answered week's pain, the starting
  and latest NDI, sessions done and planned over answered check-ins that give both, check-ins
  answered and sent back to triage, and `quiet_from`: the due time of the earliest check-in left
  unanswered after the latest answered one (the programme has gone quiet once that is
  `DROP_OUT_DAYS` old).

- `outcomes_override_rules`, per override and rule that had fired on the assessment it
  overrode (once per rule however often it fired; a NULL rule: none fired), with whether it
  raised the urgency and when: overrides and assessments are never changed, so each override's
  rows are written once, as it is recorded (`triage.overrides` reads them, for the overrides
  report and the dashboard alike).

SQLite (the embedded demo) goes without: its reports count in Python over the raw rows.
"""

from django.db import migrations

TABLES = """
CREATE TABLE outcomes_alert_figures (
    message_id bigint PRIMARY KEY,
    case_id bigint NOT NULL,
    created_at timestamptz NOT NULL,
    status varchar(16) NOT NULL,
    previous_at timestamptz,
    claimed_after boolean NOT NULL,
    escalated_at timestamptz
);
CREATE INDEX outcomes_alert_figures_at_idx ON outcomes_alert_figures (created_at)
    INCLUDE (status, previous_at, claimed_after, escalated_at);
CREATE INDEX outcomes_alert_figures_case_idx ON outcomes_alert_figures (case_id);

CREATE TABLE outcomes_programme_figures (
    programme_id bigint PRIMARY KEY,
    template_id bigint NOT NULL,
    prescribed_at timestamptz NOT NULL,
    status varchar(16) NOT NULL,
    unsubscribed boolean NOT NULL,
    start_pain integer NOT NULL,
    last_pain integer,
    start_ndi numeric(4, 1),
    last_ndi numeric(4, 1),
    sessions_done integer NOT NULL,
    sessions_planned integer NOT NULL,
    answered integer NOT NULL,
    to_triage integer NOT NULL,
    quiet_from timestamptz
);
CREATE INDEX outcomes_programme_figures_at_idx ON outcomes_programme_figures (prescribed_at)
    INCLUDE (template_id, status, unsubscribed, start_pain, last_pain, start_ndi, last_ndi,
             sessions_done, sessions_planned, answered, to_triage, quiet_from);

CREATE TABLE outcomes_override_rules (
    override_id bigint NOT NULL,
    rule_id text,
    raised boolean NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX outcomes_override_rules_at_idx ON outcomes_override_rules (created_at)
    INCLUDE (rule_id, raised, override_id);

-- What is to be refreshed as the transaction that wrote it commits (empty between transactions).
CREATE TABLE outcomes_figures_pending (figures text NOT NULL, ids bigint[] NOT NULL);

-- What the refreshes look up: a case's claims and escalations from a moment on.
CREATE INDEX IF NOT EXISTS outcomes_activity_case_claimed_idx
    ON triage_caseactivity (case_id, at) WHERE kind = 'claimed';
CREATE INDEX IF NOT EXISTS outcomes_message_case_escalation_idx
    ON outbox_message (case_id, created_at) WHERE kind = 'escalation';
"""

FUNCTIONS = """
CREATE FUNCTION outcomes_refresh_alerts(cases bigint[]) RETURNS void
LANGUAGE sql AS $$
    DELETE FROM outcomes_alert_figures AS f USING unnest(cases) AS u(id) WHERE f.case_id = u.id;
    INSERT INTO outcomes_alert_figures
    SELECT m.id, m.case_id, m.created_at, m.status,
           lag(m.created_at) OVER (PARTITION BY m.case_id ORDER BY m.created_at, m.id),
           EXISTS (SELECT 1 FROM triage_caseactivity AS a
                   WHERE a.case_id = m.case_id AND a.kind = 'claimed'
                     AND a.at >= m.created_at),
           (SELECT min(e.created_at) FROM outbox_message AS e
            WHERE e.case_id = m.case_id AND e.kind = 'escalation'
              AND e.created_at >= m.created_at)
    FROM outbox_message AS m JOIN (SELECT DISTINCT id FROM unnest(cases) AS u(id)) AS u
        ON m.case_id = u.id
    WHERE m.kind = 'clinician_alert';
$$;

CREATE FUNCTION outcomes_refresh_programmes(programmes bigint[]) RETURNS void
LANGUAGE sql AS $$
    DELETE FROM outcomes_programme_figures AS f USING unnest(programmes) AS u(id)
    WHERE f.programme_id = u.id;
    INSERT INTO outcomes_programme_figures
    SELECT p.id, p.template_id, p.prescribed_at, p.status, p.unsubscribed_at IS NOT NULL,
           LEAST(p.baseline_pain, coalesce(s.start_pain, p.baseline_pain)), s.last_pain,
           s.start_ndi, s.last_ndi, coalesce(s.done, 0), coalesce(s.planned, 0),
           coalesce(s.answered, 0), coalesce(s.to_triage, 0),
           (SELECT min(c.due_at) FROM programmes_checkin AS c
            WHERE c.programme_id = p.id AND c.completed_at IS NULL
              AND c.week > coalesce(s.last_answered_week, -1))
    FROM programmes_programme AS p
    JOIN (SELECT DISTINCT id FROM unnest(programmes) AS u(id)) AS u ON p.id = u.id
    CROSS JOIN LATERAL (
        SELECT max(c.pain) FILTER (WHERE c.week = 0 AND c.completed_at IS NOT NULL)
                   AS start_pain,
               (array_agg(c.pain ORDER BY c.week DESC) FILTER (
                   WHERE c.week > 0 AND c.completed_at IS NOT NULL AND c.pain IS NOT NULL))[1]
                   AS last_pain,
               max(c.ndi_points) FILTER (WHERE c.week = 0 AND c.completed_at IS NOT NULL)
                   AS start_ndi,
               (array_agg(c.ndi_points ORDER BY c.week DESC) FILTER (
                   WHERE c.week > 0 AND c.completed_at IS NOT NULL
                     AND c.ndi_points IS NOT NULL))[1] AS last_ndi,
               sum(c.sessions_done) FILTER (WHERE c.week > 0 AND c.completed_at IS NOT NULL
                   AND c.sessions_done IS NOT NULL AND c.sessions_planned IS NOT NULL) AS done,
               sum(c.sessions_planned) FILTER (WHERE c.week > 0 AND c.completed_at IS NOT NULL
                   AND c.sessions_done IS NOT NULL AND c.sessions_planned IS NOT NULL)
                   AS planned,
               count(*) FILTER (WHERE c.completed_at IS NOT NULL) AS answered,
               count(*) FILTER (WHERE c.outcome = 'triage') AS to_triage,
               max(c.week) FILTER (WHERE c.completed_at IS NOT NULL) AS last_answered_week
        FROM programmes_checkin AS c WHERE c.programme_id = p.id
    ) AS s;
$$;

-- The writes' triggers name what to refresh here; one deferred trigger refreshes it all as the
-- transaction commits, under a lock that lets one refresh of a kind run at a time. So two
-- transactions touching the same case (a claim while its alert is being sent) never refresh it
-- at once, and the later refresh starts from a snapshot that sees the earlier one's rows: a
-- figure never misses a committed change, and no write fails on the other's rows. Readers are
-- never blocked. A transaction that reads the figures after writing (a test, say) makes the
-- refresh immediate first (`SET CONSTRAINTS outcomes_figures_refresh IMMEDIATE`).
CREATE FUNCTION outcomes_refresh_pending() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE alerts bigint[]; programmes bigint[];
BEGIN
    WITH taken AS (DELETE FROM outcomes_figures_pending RETURNING figures, ids),
         named AS (SELECT figures, unnest(ids) AS id FROM taken)
    SELECT array_agg(DISTINCT id) FILTER (WHERE figures = 'alerts'),
           array_agg(DISTINCT id) FILTER (WHERE figures = 'programmes')
    INTO alerts, programmes FROM named;
    IF alerts IS NOT NULL THEN
        LOCK TABLE outcomes_alert_figures IN SHARE ROW EXCLUSIVE MODE;
        PERFORM outcomes_refresh_alerts(alerts);
    END IF;
    IF programmes IS NOT NULL THEN
        LOCK TABLE outcomes_programme_figures IN SHARE ROW EXCLUSIVE MODE;
        PERFORM outcomes_refresh_programmes(programmes);
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER outcomes_figures_refresh AFTER INSERT ON outcomes_figures_pending
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION outcomes_refresh_pending();

-- Alerts: any alert or escalation email queued, changed or removed, any claim recorded.
-- Most emails and activities are of other kinds: nothing to refresh, no refresh run.
CREATE FUNCTION outcomes_alerts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE cases bigint[] := ARRAY(
    SELECT DISTINCT case_id FROM new_rows
    WHERE case_id IS NOT NULL AND kind IN ('clinician_alert', 'escalation'));
BEGIN
    IF cardinality(cases) > 0 THEN
        INSERT INTO outcomes_figures_pending VALUES ('alerts', cases);
    END IF;
    RETURN NULL;
END $$;
CREATE FUNCTION outcomes_alerts_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE cases bigint[] := ARRAY(
    SELECT DISTINCT case_id FROM old_rows
    WHERE case_id IS NOT NULL AND kind IN ('clinician_alert', 'escalation'));
BEGIN
    IF cardinality(cases) > 0 THEN
        INSERT INTO outcomes_figures_pending VALUES ('alerts', cases);
    END IF;
    RETURN NULL;
END $$;
CREATE FUNCTION outcomes_alert_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outcomes_figures_pending VALUES ('alerts', ARRAY(
        SELECT id FROM unnest(ARRAY[OLD.case_id, NEW.case_id]) AS u(id) WHERE id IS NOT NULL));
    RETURN NULL;
END $$;
CREATE FUNCTION outcomes_claims_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE cases bigint[] := ARRAY(SELECT DISTINCT case_id FROM new_rows WHERE kind = 'claimed');
BEGIN
    IF cardinality(cases) > 0 THEN
        INSERT INTO outcomes_figures_pending VALUES ('alerts', cases);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER outcomes_alerts_inserted AFTER INSERT ON outbox_message
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION outcomes_alerts_inserted();
CREATE TRIGGER outcomes_alerts_deleted AFTER DELETE ON outbox_message
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION outcomes_alerts_deleted();
-- Row by row: the outbox updates one message at a time, and most updates are of other kinds
-- or of other columns (attempts, leases), which this skips without a call.
CREATE TRIGGER outcomes_alert_changed AFTER UPDATE ON outbox_message FOR EACH ROW
    WHEN ((OLD.kind IN ('clinician_alert', 'escalation')
           OR NEW.kind IN ('clinician_alert', 'escalation'))
          AND (OLD.kind, OLD.case_id, OLD.status, OLD.created_at)
              IS DISTINCT FROM (NEW.kind, NEW.case_id, NEW.status, NEW.created_at))
    EXECUTE FUNCTION outcomes_alert_changed();
CREATE TRIGGER outcomes_claims_inserted AFTER INSERT ON triage_caseactivity
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION outcomes_claims_inserted();

-- Programmes: a programme prescribed or changed in what the figures read, any check-in
-- created, changed or removed.
CREATE FUNCTION outcomes_programmes_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outcomes_figures_pending VALUES ('programmes', ARRAY(SELECT id FROM new_rows));
    RETURN NULL;
END $$;
CREATE FUNCTION outcomes_programme_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outcomes_figures_pending VALUES ('programmes', ARRAY[OLD.id]);
    RETURN NULL;
END $$;
CREATE FUNCTION outcomes_check_ins_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO outcomes_figures_pending
        VALUES ('programmes', ARRAY(SELECT DISTINCT programme_id FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO outcomes_figures_pending
        VALUES ('programmes', ARRAY(SELECT DISTINCT programme_id FROM old_rows));
    ELSE
        INSERT INTO outcomes_figures_pending VALUES ('programmes', ARRAY(
            SELECT programme_id FROM new_rows UNION SELECT programme_id FROM old_rows));
    END IF;
    RETURN NULL;
END $$;

-- Overrides: the same rule ids as `triage.overrides` unnests (an assessment whose rules are not
-- a list fired none).
CREATE FUNCTION outcomes_overrides_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outcomes_override_rules
    SELECT o.id, r.id, o.to_urgency > o.from_urgency, o.created_at
    FROM new_rows AS o JOIN triage_assessment AS a ON a.id = o.assessment_id
    LEFT JOIN LATERAL (
        SELECT DISTINCT elem ->> 'id' AS id
        FROM jsonb_array_elements(
            CASE WHEN jsonb_typeof(a.rules) = 'array' THEN a.rules ELSE '[]'::jsonb END) AS elem
    ) AS r ON true;
    RETURN NULL;
END $$;
CREATE TRIGGER outcomes_overrides_inserted AFTER INSERT ON triage_urgencyoverride
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION outcomes_overrides_inserted();

CREATE TRIGGER outcomes_programmes_inserted AFTER INSERT ON programmes_programme
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION outcomes_programmes_inserted();
CREATE TRIGGER outcomes_programme_changed AFTER UPDATE ON programmes_programme FOR EACH ROW
    WHEN ((OLD.template_id, OLD.prescribed_at, OLD.status, OLD.unsubscribed_at,
           OLD.baseline_pain)
          IS DISTINCT FROM (NEW.template_id, NEW.prescribed_at, NEW.status,
                            NEW.unsubscribed_at, NEW.baseline_pain))
    EXECUTE FUNCTION outcomes_programme_changed();
CREATE TRIGGER outcomes_programme_deleted AFTER DELETE ON programmes_programme FOR EACH ROW
    EXECUTE FUNCTION outcomes_programme_changed();
CREATE TRIGGER outcomes_check_ins_inserted AFTER INSERT ON programmes_checkin
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION outcomes_check_ins_changed();
CREATE TRIGGER outcomes_check_ins_updated AFTER UPDATE ON programmes_checkin
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION outcomes_check_ins_changed();
CREATE TRIGGER outcomes_check_ins_deleted AFTER DELETE ON programmes_checkin
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION outcomes_check_ins_changed();
"""

# Emptied tables (Django's flush between transactional tests, say) fire no row triggers.
TRUNCATED = """
CREATE FUNCTION outcomes_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'outbox_message' THEN
        DELETE FROM outcomes_alert_figures;
    ELSIF TG_TABLE_NAME = 'triage_caseactivity' THEN
        INSERT INTO outcomes_figures_pending
        VALUES ('alerts', ARRAY(SELECT DISTINCT case_id FROM outcomes_alert_figures));
    ELSIF TG_TABLE_NAME = 'programmes_programme' THEN
        DELETE FROM outcomes_programme_figures;
    ELSIF TG_TABLE_NAME = 'programmes_checkin' THEN
        INSERT INTO outcomes_figures_pending
        VALUES ('programmes', ARRAY(SELECT programme_id FROM outcomes_programme_figures));
    ELSIF TG_TABLE_NAME = 'triage_urgencyoverride' THEN
        DELETE FROM outcomes_override_rules;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER outcomes_truncated AFTER TRUNCATE ON outbox_message
    FOR EACH STATEMENT EXECUTE FUNCTION outcomes_truncated();
CREATE TRIGGER outcomes_truncated AFTER TRUNCATE ON triage_caseactivity
    FOR EACH STATEMENT EXECUTE FUNCTION outcomes_truncated();
CREATE TRIGGER outcomes_truncated AFTER TRUNCATE ON programmes_programme
    FOR EACH STATEMENT EXECUTE FUNCTION outcomes_truncated();
CREATE TRIGGER outcomes_truncated AFTER TRUNCATE ON programmes_checkin
    FOR EACH STATEMENT EXECUTE FUNCTION outcomes_truncated();
CREATE TRIGGER outcomes_truncated AFTER TRUNCATE ON triage_urgencyoverride
    FOR EACH STATEMENT EXECUTE FUNCTION outcomes_truncated();
"""

# Everything already there, in one statement each.
BACKFILL = """
SELECT outcomes_refresh_alerts(ARRAY(
    SELECT DISTINCT case_id FROM outbox_message
    WHERE kind = 'clinician_alert' AND case_id IS NOT NULL));
SELECT outcomes_refresh_programmes(ARRAY(SELECT id FROM programmes_programme));
INSERT INTO outcomes_override_rules
SELECT o.id, r.id, o.to_urgency > o.from_urgency, o.created_at
FROM triage_urgencyoverride AS o JOIN triage_assessment AS a ON a.id = o.assessment_id
LEFT JOIN LATERAL (
    SELECT DISTINCT elem ->> 'id' AS id
    FROM jsonb_array_elements(
        CASE WHEN jsonb_typeof(a.rules) = 'array' THEN a.rules ELSE '[]'::jsonb END) AS elem
) AS r ON true;
"""

DROP = """
DROP TRIGGER IF EXISTS outcomes_alerts_inserted ON outbox_message;
DROP TRIGGER IF EXISTS outcomes_alerts_deleted ON outbox_message;
DROP TRIGGER IF EXISTS outcomes_alert_changed ON outbox_message;
DROP TRIGGER IF EXISTS outcomes_claims_inserted ON triage_caseactivity;
DROP TRIGGER IF EXISTS outcomes_overrides_inserted ON triage_urgencyoverride;
DROP TRIGGER IF EXISTS outcomes_programmes_inserted ON programmes_programme;
DROP TRIGGER IF EXISTS outcomes_programme_changed ON programmes_programme;
DROP TRIGGER IF EXISTS outcomes_programme_deleted ON programmes_programme;
DROP TRIGGER IF EXISTS outcomes_check_ins_inserted ON programmes_checkin;
DROP TRIGGER IF EXISTS outcomes_check_ins_updated ON programmes_checkin;
DROP TRIGGER IF EXISTS outcomes_check_ins_deleted ON programmes_checkin;
DROP TRIGGER IF EXISTS outcomes_figures_refresh ON outcomes_figures_pending;
DROP TRIGGER IF EXISTS outcomes_truncated ON outbox_message;
DROP TRIGGER IF EXISTS outcomes_truncated ON triage_caseactivity;
DROP TRIGGER IF EXISTS outcomes_truncated ON programmes_programme;
DROP TRIGGER IF EXISTS outcomes_truncated ON programmes_checkin;
DROP TRIGGER IF EXISTS outcomes_truncated ON triage_urgencyoverride;
DROP FUNCTION IF EXISTS outcomes_alerts_inserted(), outcomes_alerts_deleted(),
    outcomes_alert_changed(), outcomes_claims_inserted(), outcomes_programmes_inserted(),
    outcomes_programme_changed(), outcomes_check_ins_changed(), outcomes_overrides_inserted(),
    outcomes_refresh_pending(), outcomes_truncated(), outcomes_refresh_alerts(bigint[]),
    outcomes_refresh_programmes(bigint[]);
DROP TABLE IF EXISTS outcomes_alert_figures, outcomes_programme_figures,
    outcomes_override_rules, outcomes_figures_pending;
DROP INDEX IF EXISTS outcomes_activity_case_claimed_idx, outcomes_message_case_escalation_idx;
"""


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in (TABLES, FUNCTIONS, TRUNCATED, BACKFILL):
        schema_editor.execute(sql)


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0002_report_indexes"),
        ("triage", "0012_question_activities"),
        ("outbox", "0006_question_reply_kind"),
        ("programmes", "0008_seed_exercise_german"),
    ]
    operations = [migrations.RunPython(create, drop)]
