-- The transactional outbox: side effects outside the database (mail first) are written here in
-- the request's own transaction and delivered after it commits, by a worker in each app process
-- (database/outbox/). A rolled-back request leaves no row, so it sends nothing.
--
-- Least privilege: the application role may INSERT rows, nothing else. Claiming due rows,
-- completing and failing them go through the SECURITY DEFINER functions below, so a request
-- cannot list or rewrite other people's pending mail with plain SQL. A claim leases the rows
-- (locked_until) in a short transaction of its own, taken with FOR UPDATE SKIP LOCKED, so workers
-- in several processes never claim one row twice and nobody holds a connection while talking
-- to a mail server; a worker that dies mid-delivery lets its lease run out and the row is
-- claimed again. Each claim counts an attempt, and (id, attempts) names the claim, so a worker
-- whose lease ran out cannot complete a row someone else has claimed since.
-- depends: 0005_org_keeps_an_owner

CREATE TYPE outbox_status AS ENUM ('pending', 'delivered', 'failed');

CREATE TABLE outbox (
    id text PRIMARY KEY DEFAULT app_new_id('obx') CHECK (id ~ '^obx_[0-9a-hjkmnp-tv-z]{26}$'),
    kind text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]*$'),
    payload jsonb NOT NULL,
    status outbox_status NOT NULL DEFAULT 'pending',
    attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    available_at timestamptz NOT NULL,
    locked_until timestamptz,
    last_error text,
    created_at timestamptz NOT NULL,
    delivered_at timestamptz
);
-- What the claim scans: pending rows by due time.
CREATE INDEX outbox_due_idx ON outbox (available_at, id) WHERE status = 'pending';

REVOKE ALL ON outbox FROM blossom_app;
GRANT INSERT ON outbox TO blossom_app;

-- Lease up to p_limit due rows until p_locked_until; counts an attempt on each.
CREATE FUNCTION app_outbox_claim(p_now timestamptz, p_locked_until timestamptz, p_limit integer)
RETURNS TABLE (id text, kind text, payload jsonb, attempts integer)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    UPDATE outbox o
    SET attempts = o.attempts + 1, locked_until = p_locked_until
    FROM (
        SELECT d.id FROM outbox d
        WHERE d.status = 'pending' AND d.available_at <= p_now
          AND (d.locked_until IS NULL OR d.locked_until <= p_now)
        ORDER BY d.available_at, d.id
        LIMIT p_limit
        FOR UPDATE SKIP LOCKED
    ) due
    WHERE o.id = due.id
    RETURNING o.id, o.kind, o.payload, o.attempts
$$;

-- Delivered: the body (one-time codes) is cleared; whether this claim still held the row.
CREATE FUNCTION app_outbox_complete(p_id text, p_attempts integer, p_now timestamptz)
RETURNS boolean
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH done AS (
        UPDATE outbox
        SET status = 'delivered', delivered_at = p_now, locked_until = NULL, payload = payload - 'body'
        WHERE id = p_id AND attempts = p_attempts AND status = 'pending'
        RETURNING 1
    )
    SELECT EXISTS (SELECT 1 FROM done)
$$;

-- Not delivered: try again from p_retry_at, or (p_retry_at NULL) give up, clearing the body.
-- The error is kept (the newest one), shortened.
CREATE FUNCTION app_outbox_fail(p_id text, p_attempts integer, p_error text, p_retry_at timestamptz)
RETURNS boolean
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH done AS (
        UPDATE outbox
        SET status = CASE WHEN p_retry_at IS NULL THEN 'failed' ELSE 'pending' END::outbox_status,
            available_at = coalesce(p_retry_at, available_at),
            locked_until = NULL,
            last_error = left(p_error, 2000),
            payload = CASE WHEN p_retry_at IS NULL THEN payload - 'body' ELSE payload END
        WHERE id = p_id AND attempts = p_attempts AND status = 'pending'
        RETURNING 1
    )
    SELECT EXISTS (SELECT 1 FROM done)
$$;

REVOKE EXECUTE ON FUNCTION app_outbox_claim(timestamptz, timestamptz, integer),
    app_outbox_complete(text, integer, timestamptz),
    app_outbox_fail(text, integer, text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_outbox_claim(timestamptz, timestamptz, integer),
    app_outbox_complete(text, integer, timestamptz),
    app_outbox_fail(text, integer, text, timestamptz) TO blossom_app;
