-- UWS 1.1 jobs of the TAP service's /tap/async: one row per job, so that
-- any tap.fcgi worker on any host can answer for any job, and any
-- tap-runner can run it.
--
-- Who does what, and may do no more:
--   tap_jobs     tap.fcgi's role for jobs ([tap] jobs_role): creates jobs,
--                reads them and changes what a client may change (phase to
--                QUEUED or ABORTED, parameters, destruction, deleted).  It
--                never removes a row: a deleted job is marked, and the
--                runner removes it with its result file.
--   tap_runner   tap-runner's role ([tap] runner_role): claims queued jobs,
--                records how they ended, and removes deleted and expired
--                jobs.
--   tap_reader   the role ADQL runs as (40_tap_schema.sql): nothing here.
-- Like tap_reader, both are made without LOGIN; the programs log in as the
-- role of [database] conninfo and SET ROLE, so that role must be a member:
--     GRANT tap_jobs, tap_runner TO <the role the programs log in as>;
--
-- Every change of phase (and a deletion) is announced on the channel
-- uws_job as "<id> <PHASE>" (or "<id> DELETED"): runners wake up for
-- QUEUED and cancel the query of an ABORTED or deleted job.
--
-- Applying this file again changes nothing that exists.

BEGIN;

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles
                    WHERE rolname = 'tap_jobs') THEN
        CREATE ROLE tap_jobs NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles
                    WHERE rolname = 'tap_runner') THEN
        CREATE ROLE tap_runner NOLOGIN;
    END IF;
END
$$;

CREATE SCHEMA IF NOT EXISTS uws;
REVOKE ALL ON SCHEMA uws FROM PUBLIC;

CREATE TABLE IF NOT EXISTS uws.job (
    -- 122 random bits from the server's strong random source: a job's URL
    -- is all a client needs to see or change it, so it must not be guessed.
    id                 text PRIMARY KEY
                       DEFAULT pg_catalog.replace(
                           pg_catalog.gen_random_uuid()::text, '-', ''),
    owner              text,                -- NULL: anonymous
    run_id             text,
    phase              text NOT NULL DEFAULT 'PENDING'
                       CHECK (phase IN ('PENDING', 'QUEUED', 'EXECUTING',
                                        'COMPLETED', 'ERROR', 'ABORTED',
                                        'UNKNOWN', 'HELD', 'SUSPENDED',
                                        'ARCHIVED')),
    -- The TAP parameters as the client sent them: they are checked when
    -- the job runs (TAP 1.1 §2.3), not before.
    lang               text,
    query              text,
    maxrec             text,
    format             text,                -- RESPONSEFORMAT or FORMAT
    request            text,
    creation_time      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    queued_time        timestamptz,
    start_time         timestamptz,
    end_time           timestamptz,
    execution_duration integer NOT NULL CHECK (execution_duration > 0),
    destruction        timestamptz NOT NULL,
    quote              timestamptz,
    error_message      text,
    result_rows        bigint,
    result_overflow    boolean,
    result_type        text,                -- the result's Content-Type
    result_size        bigint,
    runner             text,                -- host:pid of the claiming runner
    heartbeat          timestamptz,         -- its last sign of life
    deleted            boolean NOT NULL DEFAULT false
);

-- TAP_UPLOAD: the job's UPLOAD values as sent (joined by ';'), and each
-- table it sent inline, kept until the job goes; a URL is fetched when the
-- job runs.
ALTER TABLE uws.job ADD COLUMN IF NOT EXISTS upload text;
CREATE TABLE IF NOT EXISTS uws.upload (
    job_id  text NOT NULL REFERENCES uws.job (id) ON DELETE CASCADE,
    part    text NOT NULL,      -- the multipart part's name
    content bytea NOT NULL,
    PRIMARY KEY (job_id, part)
);

CREATE INDEX IF NOT EXISTS job_queued ON uws.job (queued_time)
    WHERE phase = 'QUEUED';
CREATE INDEX IF NOT EXISTS job_executing ON uws.job (heartbeat)
    WHERE phase = 'EXECUTING';
CREATE INDEX IF NOT EXISTS job_destruction ON uws.job (destruction);
CREATE INDEX IF NOT EXISTS job_creation ON uws.job (creation_time);

CREATE OR REPLACE FUNCTION uws.job_notify() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.phase IS DISTINCT FROM OLD.phase THEN
        PERFORM pg_notify('uws_job', NEW.id || ' ' || NEW.phase);
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.deleted AND NOT OLD.deleted THEN
        PERFORM pg_notify('uws_job', NEW.id || ' DELETED');
    END IF;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION uws.job_notify() FROM PUBLIC;

DROP TRIGGER IF EXISTS job_notify ON uws.job;
CREATE TRIGGER job_notify AFTER INSERT OR UPDATE ON uws.job
    FOR EACH ROW EXECUTE FUNCTION uws.job_notify();

REVOKE ALL ON uws.job, uws.upload FROM PUBLIC;
GRANT USAGE ON SCHEMA uws TO tap_jobs, tap_runner;
GRANT SELECT, INSERT, UPDATE ON uws.job TO tap_jobs;
GRANT SELECT, UPDATE, DELETE ON uws.job TO tap_runner;
GRANT SELECT, INSERT, UPDATE ON uws.upload TO tap_jobs;
GRANT SELECT, DELETE ON uws.upload TO tap_runner;
GRANT EXECUTE ON FUNCTION uws.job_notify() TO tap_jobs, tap_runner;

COMMIT;
