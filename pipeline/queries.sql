-- name: DeleteOrgDailyActivity :execrows
-- The partition's rows, replaced next in the same transaction.
DELETE FROM analytics.org_daily_activity WHERE day = sqlc.arg(day)::date;

-- name: InsertOrgDailyActivity :execrows
-- One row per organization that existed by the end of the day [starts_at, ends_at), zeros
-- included, set-based. signups: members who joined; logins: sessions created by its members;
-- active_members: members with a session created or last seen that day; invites_sent:
-- invitations created that day; invites_accepted: how many of those have been accepted since.
-- The bounds are parameters, not a CTE, so the planner filters each table before joining.
WITH joined AS (
    SELECT m.org_id, count(*) AS signups
    FROM memberships m
    WHERE m.created_at >= sqlc.arg(starts_at)::timestamptz AND m.created_at < sqlc.arg(ends_at)::timestamptz
    GROUP BY m.org_id
),
day_sessions AS (
    SELECT s.user_id, (s.created_at >= sqlc.arg(starts_at)::timestamptz) AS is_login
    FROM sessions s
    WHERE s.created_at < sqlc.arg(ends_at)::timestamptz
      AND (s.created_at >= sqlc.arg(starts_at)::timestamptz
           OR (s.last_seen_at >= sqlc.arg(starts_at)::timestamptz AND s.last_seen_at < sqlc.arg(ends_at)::timestamptz))
),
seen AS (
    SELECT m.org_id, count(*) FILTER (WHERE d.is_login) AS logins, count(DISTINCT d.user_id) AS active_members
    FROM day_sessions d
    JOIN memberships m ON m.user_id = d.user_id
    WHERE m.created_at < sqlc.arg(ends_at)::timestamptz
    GROUP BY m.org_id
),
invited AS (
    SELECT i.org_id, count(*) AS invites_sent, count(*) FILTER (WHERE i.status = 'accepted') AS invites_accepted
    FROM invites i
    WHERE i.created_at >= sqlc.arg(starts_at)::timestamptz AND i.created_at < sqlc.arg(ends_at)::timestamptz
    GROUP BY i.org_id
)
INSERT INTO analytics.org_daily_activity
    (org_id, day, signups, logins, active_members, invites_sent, invites_accepted, materialized_at)
SELECT o.id, sqlc.arg(day)::date, coalesce(j.signups, 0), coalesce(s.logins, 0), coalesce(s.active_members, 0),
       coalesce(i.invites_sent, 0), coalesce(i.invites_accepted, 0), sqlc.arg(now)::timestamptz
FROM orgs o
LEFT JOIN joined j ON j.org_id = o.id
LEFT JOIN seen s ON s.org_id = o.id
LEFT JOIN invited i ON i.org_id = o.id
WHERE o.created_at < sqlc.arg(ends_at)::timestamptz;

-- name: OrgDailyActivityTotals :one
-- What a partition holds, for its checks.
-- not-null: org_rows, signups, logins, invites_sent, invites_accepted, negative_rows
SELECT count(*)::int AS org_rows,
       coalesce(sum(signups), 0)::int AS signups,
       coalesce(sum(logins), 0)::int AS logins,
       coalesce(sum(invites_sent), 0)::int AS invites_sent,
       coalesce(sum(invites_accepted), 0)::int AS invites_accepted,
       count(*) FILTER (WHERE least(signups, logins, active_members, invites_sent, invites_accepted) < 0)::int
           AS negative_rows
FROM analytics.org_daily_activity
WHERE day = sqlc.arg(day)::date;

-- name: SourceDailyTotals :one
-- The same day counted straight from the product's tables.
-- not-null: orgs, signups, invites_sent, invites_accepted
SELECT (SELECT count(*) FROM orgs o WHERE o.created_at < sqlc.arg(ends_at)::timestamptz)::int AS orgs,
       (SELECT count(*) FROM memberships m
        WHERE m.created_at >= sqlc.arg(starts_at)::timestamptz AND m.created_at < sqlc.arg(ends_at)::timestamptz)::int
           AS signups,
       (SELECT count(*) FROM invites i
        WHERE i.created_at >= sqlc.arg(starts_at)::timestamptz AND i.created_at < sqlc.arg(ends_at)::timestamptz)::int
           AS invites_sent,
       (SELECT count(*) FROM invites i
        WHERE i.created_at >= sqlc.arg(starts_at)::timestamptz AND i.created_at < sqlc.arg(ends_at)::timestamptz
          AND i.status = 'accepted')::int AS invites_accepted;

-- name: NewestActivityDay :one
-- The latest day org_daily_activity holds (null when empty), for the freshness check.
SELECT max(day)::date AS day FROM analytics.org_daily_activity;

-- name: OrgDailyActivityForDay :many
-- A partition's rows, for tests and exports.
SELECT org_id, day, signups, logins, active_members, invites_sent, invites_accepted, materialized_at
FROM analytics.org_daily_activity
WHERE day = sqlc.arg(day)::date
ORDER BY org_id;

-- name: DeleteSignupFunnel :execrows
DELETE FROM analytics.signup_funnel;

-- name: InsertSignupFunnel :execrows
-- Every user, through four steps; each step counts those who also reached every step before it.
WITH reached AS (
    SELECT u.email_verified_at IS NOT NULL AS verified,
           EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id) AS joined,
           EXISTS (SELECT 1 FROM invites i WHERE i.invited_by = u.id) AS invited
    FROM users u
),
totals AS (
    SELECT count(*) AS signed_up,
           count(*) FILTER (WHERE verified) AS verified_email,
           count(*) FILTER (WHERE verified AND joined) AS joined_an_org,
           count(*) FILTER (WHERE verified AND joined AND invited) AS invited_someone
    FROM reached
)
INSERT INTO analytics.signup_funnel (step_order, step, users, materialized_at)
SELECT 1, 'signed_up', signed_up, sqlc.arg(now)::timestamptz FROM totals
UNION ALL SELECT 2, 'verified_email', verified_email, sqlc.arg(now)::timestamptz FROM totals
UNION ALL SELECT 3, 'joined_an_org', joined_an_org, sqlc.arg(now)::timestamptz FROM totals
UNION ALL SELECT 4, 'invited_someone', invited_someone, sqlc.arg(now)::timestamptz FROM totals;

-- name: SignupFunnel :many
SELECT step_order, step, users, materialized_at FROM analytics.signup_funnel ORDER BY step_order;

-- name: CountUsers :one
-- not-null: users
SELECT count(*)::int AS users FROM users;

-- name: WeekActivity :many
-- Each organization's week [starts_at, ends_at) from org_daily_activity, those with any activity.
-- not-null: signups, logins, peak_active_members, invites_sent, invites_accepted, days
SELECT a.org_id, o.name,
       sum(a.signups)::int AS signups, sum(a.logins)::int AS logins,
       max(a.active_members)::int AS peak_active_members,
       sum(a.invites_sent)::int AS invites_sent, sum(a.invites_accepted)::int AS invites_accepted,
       count(*)::int AS days
FROM analytics.org_daily_activity a
JOIN orgs o ON o.id = a.org_id
WHERE a.day >= sqlc.arg(starts_on)::date AND a.day < sqlc.arg(ends_on)::date
GROUP BY a.org_id, o.name
HAVING sum(a.signups + a.logins + a.active_members + a.invites_sent + a.invites_accepted) > 0
ORDER BY a.org_id;

-- name: DeleteOrgSummaries :execrows
DELETE FROM analytics.org_summaries WHERE week_start = sqlc.arg(week_start)::date;

-- name: InsertOrgSummaries :execrows
-- The week's summaries in one statement (parallel arrays, one element per organization).
-- (Two set-returning functions in one select list advance together.)
INSERT INTO analytics.org_summaries (org_id, week_start, summary, model, materialized_at)
SELECT unnest(sqlc.arg(org_ids)::text[]), sqlc.arg(week_start)::date, unnest(sqlc.arg(summaries)::text[]),
       sqlc.arg(model), sqlc.arg(now)::timestamptz;

-- name: OrgSummariesForWeek :many
SELECT org_id, week_start, summary, model, materialized_at FROM analytics.org_summaries
WHERE week_start = sqlc.arg(week_start)::date ORDER BY org_id;

-- name: DailyTotals :many
-- Every organization's numbers added up, per day held in [first_day, last_day].
-- not-null: orgs, active_orgs, signups, logins, active_members, invites_sent, invites_accepted
SELECT day, count(*)::int AS orgs,
       count(*) FILTER (WHERE signups + logins + active_members + invites_sent + invites_accepted > 0)::int
           AS active_orgs,
       sum(signups)::int AS signups, sum(logins)::int AS logins, sum(active_members)::int AS active_members,
       sum(invites_sent)::int AS invites_sent, sum(invites_accepted)::int AS invites_accepted
FROM analytics.org_daily_activity
WHERE day >= sqlc.arg(first_day)::date AND day <= sqlc.arg(last_day)::date
GROUP BY day
ORDER BY day;
