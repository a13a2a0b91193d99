#include "pg_steps.hpp"

namespace chatterbox::pg_steps {

// Administration (docs/protocol.md, "Administration"), decided as SQLite's server decides it
// (account_admin, password_reset_repository), each in the transaction that makes the change.
const std::string_view admin_writes = R"sql(
-- The account's summary as GET /api/admin/users lists it.
CREATE FUNCTION chatterbox_account_summary(p_id bigint, p_now bigint)
RETURNS TABLE (id bigint, username text, admin boolean, deactivated boolean, created_at bigint,
               sessions bigint)
LANGUAGE sql STABLE AS $$
  SELECT u.id, u.username, u.role = 'admin', u.deactivated_at IS NOT NULL, u.created_at,
         (SELECT count(*) FROM tokens t WHERE t.user_id = u.id AND t.expires_at > p_now)
  FROM users u WHERE u.id = p_id
$$;

-- p_action: promote | demote | deactivate | reactivate. outcome: done | unchanged |
-- no_such_user | last_admin | self, then the account as it is after.
CREATE FUNCTION chatterbox_change_account(p_name text, p_action text, p_by bigint, p_now bigint)
RETURNS TABLE (outcome text, id bigint, username text, admin boolean, deactivated boolean,
               created_at bigint, sessions bigint)
LANGUAGE plpgsql AS $$
DECLARE
  v_user     users%ROWTYPE;
  v_removal  boolean;
  v_outcome  text := 'done';
BEGIN
  -- One change of roles at a time across the nodes: two administrators demoting each other
  -- at once must not leave none.
  PERFORM pg_advisory_xact_lock(hashtext('chatterbox_change_account'));
  SELECT * INTO v_user FROM users u WHERE lower(u.username) = lower(p_name);
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'no_such_user', NULL::bigint, NULL::text, NULL::boolean, NULL::boolean,
                        NULL::bigint, NULL::bigint;
    RETURN;
  END IF;
  IF (p_action = 'promote' AND v_user.role = 'admin')
     OR (p_action = 'demote' AND v_user.role <> 'admin')
     OR (p_action = 'deactivate' AND v_user.deactivated_at IS NOT NULL)
     OR (p_action = 'reactivate' AND v_user.deactivated_at IS NULL) THEN
    v_outcome := 'unchanged';
  ELSE
    v_removal := p_action IN ('demote', 'deactivate');
    IF v_removal AND p_by = v_user.id THEN
      v_outcome := 'self';
    ELSIF v_removal AND v_user.role = 'admin' AND v_user.deactivated_at IS NULL
          AND (SELECT count(*) FROM users u
               WHERE u.role = 'admin' AND u.deactivated_at IS NULL) <= 1 THEN
      v_outcome := 'last_admin';
    ELSE
      IF p_action IN ('promote', 'demote') THEN
        UPDATE users u SET role = CASE p_action WHEN 'promote' THEN 'admin' ELSE 'member' END
        WHERE u.id = v_user.id;
      ELSIF p_action = 'deactivate' THEN
        UPDATE users u SET deactivated_at = p_now WHERE u.id = v_user.id;
        DELETE FROM tokens t WHERE t.user_id = v_user.id;
      ELSE
        UPDATE users u SET deactivated_at = NULL WHERE u.id = v_user.id;
      END IF;
      INSERT INTO admin_audit (at, admin_id, action, user_id, detail)
      VALUES (p_now, p_by, p_action, v_user.id, '');
    END IF;
  END IF;
  RETURN QUERY SELECT v_outcome, s.* FROM chatterbox_account_summary(v_user.id, p_now) s;
END;
$$;

-- A reset link used: outcome invalid | deactivated | done, then the account with its new
-- password; every session of it ends and p_token is its first.
CREATE FUNCTION chatterbox_use_reset(p_code text, p_hash text, p_token text, p_created bigint,
                                     p_expires bigint, p_agent text, p_address text)
RETURNS TABLE (outcome text, id bigint, username text, role text)
LANGUAGE plpgsql AS $$
DECLARE
  v_user users%ROWTYPE;
BEGIN
  SELECT u.* INTO v_user FROM password_resets r JOIN users u ON u.id = r.user_id
  WHERE r.code_hash = p_code AND r.expires_at > p_created FOR UPDATE OF r, u;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'invalid', NULL::bigint, NULL::text, NULL::text;
    RETURN;
  END IF;
  IF v_user.deactivated_at IS NOT NULL THEN
    RETURN QUERY SELECT 'deactivated', NULL::bigint, NULL::text, NULL::text;
    RETURN;
  END IF;
  UPDATE users u SET password_hash = p_hash WHERE u.id = v_user.id;
  DELETE FROM tokens t WHERE t.user_id = v_user.id;
  DELETE FROM password_resets r WHERE r.code_hash = p_code;
  INSERT INTO tokens (token_hash, user_id, created_at, expires_at, user_agent, address,
                      last_seen_at)
  VALUES (p_token, v_user.id, p_created, p_expires, p_agent, p_address, p_created);
  RETURN QUERY SELECT 'done', v_user.id, v_user.username, v_user.role;
END;
$$;
)sql";

}  // namespace chatterbox::pg_steps
