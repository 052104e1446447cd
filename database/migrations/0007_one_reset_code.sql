-- A user has at most one outstanding (unused) password-reset code: issuing a new one deletes
-- the older ones first (product/accounts), and this index holds that rule when two resets are
-- issued at the same moment (the second waits for the first, then fails and is retried by the
-- outbox worker, which then deletes the first). Older duplicates are dropped, newest kept.
-- depends: 0006_outbox

DELETE FROM user_tokens t
WHERE t.purpose = 'password_reset' AND t.used_at IS NULL
  AND EXISTS (
      SELECT 1 FROM user_tokens newer
      WHERE newer.user_id = t.user_id AND newer.purpose = 'password_reset' AND newer.used_at IS NULL
        AND (newer.created_at, newer.id) > (t.created_at, t.id)
  );

CREATE UNIQUE INDEX user_tokens_one_open_reset_idx ON user_tokens (user_id)
    WHERE purpose = 'password_reset' AND used_at IS NULL;
