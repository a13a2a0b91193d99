#include "pg_steps.hpp"

namespace chatterbox::pg_steps {

// Registration (docs/protocol.md, "Registration"), decided as SQLite's server decides it
// (login_handler, registration_repository), in the transaction that creates the account.
const std::string_view account_writes = R"sql(
-- The seq that told the nodes of a new account: a node that missed it on the bus reads it here.
ALTER TABLE users ADD COLUMN created_seq bigint;
CREATE INDEX users_by_created_seq ON users (created_seq) WHERE created_seq IS NOT NULL;

-- Why an account may not be created now with p_invite: closed | invitation_required |
-- invitation_invalid, or NULL when it may. p_lock: the invitation's row is locked (to be used).
CREATE FUNCTION chatterbox_registration_refusal(p_invite text, p_now bigint, p_lock boolean)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  v_mode   text;
  v_invite invitations%ROWTYPE;
BEGIN
  SELECT s.value INTO v_mode FROM settings s WHERE s.key = 'registration';
  IF v_mode IS NULL OR v_mode = 'open' THEN
    RETURN NULL;
  ELSIF v_mode = 'closed' THEN
    RETURN 'closed';
  ELSIF p_invite IS NULL THEN
    RETURN 'invitation_required';
  END IF;
  IF p_lock THEN
    SELECT * INTO v_invite FROM invitations i WHERE i.code = p_invite FOR UPDATE;
  ELSE
    SELECT * INTO v_invite FROM invitations i WHERE i.code = p_invite;
  END IF;
  IF NOT FOUND OR v_invite.revoked_at IS NOT NULL OR v_invite.expires_at <= p_now
     OR (v_invite.max_uses IS NOT NULL AND v_invite.uses >= v_invite.max_uses) THEN
    RETURN 'invitation_invalid';
  END IF;
  RETURN NULL;
END;
$$;

-- An account with its first token. outcome: created (with the account, and the seq that tells
-- the other nodes of it) | taken (the name is registered: a login after all) | one of
-- chatterbox_registration_refusal's words.
-- The first account is the administrator; every account joins the open rooms, having read
-- what was there before it. seq_counter's lock first, as every write: an open room created
-- meanwhile on another node is then either seen here or adds this account itself.
CREATE FUNCTION chatterbox_create_account(p_username text, p_hash text, p_invite text,
                                          p_token text, p_created bigint, p_expires bigint,
                                          p_agent text, p_address text)
RETURNS TABLE (outcome text, account_id bigint, account_name text, account_role text,
               account_seq bigint)
LANGUAGE plpgsql AS $$
DECLARE
  v_refusal text;
  v_user    users%ROWTYPE;
BEGIN
  PERFORM 1 FROM seq_counter FOR UPDATE;
  IF EXISTS (SELECT 1 FROM users u WHERE lower(u.username) = lower(p_username)) THEN
    RETURN QUERY SELECT 'taken', NULL::bigint, NULL::text, NULL::text, NULL::bigint;
    RETURN;
  END IF;
  v_refusal := chatterbox_registration_refusal(p_invite, p_created, true);
  IF v_refusal IS NOT NULL THEN
    RETURN QUERY SELECT v_refusal, NULL::bigint, NULL::text, NULL::text, NULL::bigint;
    RETURN;
  END IF;
  IF p_invite IS NOT NULL AND EXISTS (SELECT 1 FROM settings s WHERE s.key = 'registration'
                                      AND s.value = 'invitation') THEN
    UPDATE invitations i SET uses = i.uses + 1 WHERE i.code = p_invite;
  END IF;
  INSERT INTO users (username, password_hash, created_at, role, created_seq)
    VALUES (p_username, p_hash, p_created,
            CASE WHEN EXISTS (SELECT 1 FROM users) THEN 'member' ELSE 'admin' END,
            chatterbox_take_seq())
    RETURNING * INTO v_user;
  INSERT INTO room_members (room_id, user_id, marker)
    SELECT r.id, v_user.id, coalesce((SELECT max(m.id) FROM messages m WHERE m.room_id = r.id), 0)
    FROM rooms r WHERE r.kind = 'open';
  INSERT INTO tokens (token_hash, user_id, created_at, expires_at, user_agent, address,
                      last_seen_at)
    VALUES (p_token, v_user.id, p_created, p_expires, p_agent, p_address, p_created);
  RETURN QUERY SELECT 'created', v_user.id, v_user.username, v_user.role, v_user.created_seq;
END;
$$;
)sql";

}  // namespace chatterbox::pg_steps
