#include "pg_steps.hpp"

namespace chatterbox::pg_steps {

// The writes of messages, each one statement (docs/scale-out.md, "The storage seam"). Each takes
// seq_counter's row lock first, so what it reads is decided against every commit before it, and
// bumps the counter only once it is sure to store: a refusal or a resent client_id leaves no hole.
// A refusal is an `outcome`, not an exception, so the rest of its batch commits.
const std::string_view message_writes = R"sql(
CREATE FUNCTION chatterbox_take_seq() RETURNS bigint LANGUAGE sql AS $$
  UPDATE seq_counter SET value = value + 1 RETURNING value
$$;

-- outcome: stored | duplicate (the message first stored with this client_id) | no_room (not a
-- member, or no such room) | archived | no_original | original_deleted | no_file | file_attached.
-- A reply bumps its original's reply count under a second seq (original_seq).
CREATE FUNCTION chatterbox_send(p_user bigint, p_room bigint, p_client_id text, p_text text,
                                p_mention_names text, p_mentioned bigint[], p_reply_to bigint,
                                p_file bigint, p_ts bigint)
RETURNS TABLE (outcome text, message_id bigint, room_id bigint, message_seq bigint,
               message_ts bigint, original_seq bigint, original_replies integer)
LANGUAGE plpgsql AS $$
DECLARE
  v_existing messages%ROWTYPE;
  v_original messages%ROWTYPE;
  v_file     files%ROWTYPE;
  v_id       bigint;
  v_seq      bigint;
BEGIN
  PERFORM 1 FROM seq_counter FOR UPDATE;
  SELECT * INTO v_existing FROM messages m WHERE m.user_id = p_user AND m.client_id = p_client_id;
  IF FOUND THEN
    RETURN QUERY SELECT 'duplicate', v_existing.id, v_existing.room_id, v_existing.seq,
                        v_existing.ts, NULL::bigint, NULL::integer;
    RETURN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM room_members rm WHERE rm.room_id = p_room AND rm.user_id = p_user) THEN
    RETURN QUERY SELECT 'no_room', NULL::bigint, p_room, NULL::bigint, NULL::bigint, NULL::bigint,
                        NULL::integer;
    RETURN;
  END IF;
  IF (SELECT r.archived FROM rooms r WHERE r.id = p_room) THEN
    RETURN QUERY SELECT 'archived', NULL::bigint, p_room, NULL::bigint, NULL::bigint,
                        NULL::bigint, NULL::integer;
    RETURN;
  END IF;
  IF p_reply_to IS NOT NULL THEN
    SELECT * INTO v_original FROM messages m WHERE m.id = p_reply_to;
    IF NOT FOUND OR v_original.room_id <> p_room OR v_original.deleted THEN
      RETURN QUERY SELECT CASE WHEN FOUND AND v_original.room_id = p_room
                               THEN 'original_deleted' ELSE 'no_original' END,
                          NULL::bigint, p_room, NULL::bigint, NULL::bigint, NULL::bigint,
                          NULL::integer;
      RETURN;
    END IF;
  END IF;
  IF p_file IS NOT NULL THEN
    -- Another user's upload, another room's, an unknown one: the same answer.
    SELECT * INTO v_file FROM files f WHERE f.id = p_file;
    IF NOT FOUND OR v_file.user_id <> p_user OR v_file.room_id <> p_room
       OR v_file.message_id IS NOT NULL THEN
      RETURN QUERY SELECT CASE WHEN FOUND AND v_file.user_id = p_user AND v_file.room_id = p_room
                               THEN 'file_attached' ELSE 'no_file' END,
                          NULL::bigint, p_room, NULL::bigint, NULL::bigint, NULL::bigint,
                          NULL::integer;
      RETURN;
    END IF;
  END IF;
  v_seq := chatterbox_take_seq();
  INSERT INTO messages (seq, room_id, user_id, client_id, text, mention_names, ts, reply_to)
    VALUES (v_seq, p_room, p_user, p_client_id, p_text, p_mention_names, p_ts, p_reply_to)
    RETURNING messages.id INTO v_id;
  IF p_file IS NOT NULL THEN
    UPDATE files f SET message_id = v_id WHERE f.id = p_file;
  END IF;
  INSERT INTO mentions (user_id, room_id, message_id)
    SELECT DISTINCT u, p_room, v_id FROM unnest(coalesce(p_mentioned, '{}'::bigint[])) AS u;
  IF p_reply_to IS NULL THEN
    RETURN QUERY SELECT 'stored', v_id, p_room, v_seq, p_ts, NULL::bigint, NULL::integer;
    RETURN;
  END IF;
  RETURN QUERY
    UPDATE messages m SET reply_count = m.reply_count + 1, seq = chatterbox_take_seq()
      WHERE m.id = p_reply_to
      RETURNING 'stored'::text, v_id, p_room, v_seq, p_ts, m.seq, m.reply_count;
END;
$$;

-- outcome: edited | not_found (no such message, or not in a room of the user's) | not_author |
-- message_deleted | archived.
CREATE FUNCTION chatterbox_edit(p_user bigint, p_id bigint, p_text text, p_mention_names text,
                                p_mentioned bigint[])
RETURNS TABLE (outcome text, room_id bigint, message_seq bigint)
LANGUAGE plpgsql AS $$
DECLARE
  v_message messages%ROWTYPE;
  v_seq     bigint;
BEGIN
  PERFORM 1 FROM seq_counter FOR UPDATE;
  SELECT * INTO v_message FROM messages m WHERE m.id = p_id;
  IF NOT FOUND OR NOT EXISTS (SELECT 1 FROM room_members rm
                              WHERE rm.room_id = v_message.room_id AND rm.user_id = p_user) THEN
    RETURN QUERY SELECT 'not_found', NULL::bigint, NULL::bigint;
    RETURN;
  END IF;
  IF v_message.user_id <> p_user OR v_message.deleted
     OR (SELECT r.archived FROM rooms r WHERE r.id = v_message.room_id) THEN
    RETURN QUERY SELECT CASE WHEN v_message.user_id <> p_user THEN 'not_author'
                             WHEN v_message.deleted THEN 'message_deleted' ELSE 'archived' END,
                        v_message.room_id, NULL::bigint;
    RETURN;
  END IF;
  v_seq := chatterbox_take_seq();
  UPDATE messages m SET text = p_text, edited = true, seq = v_seq, mention_names = p_mention_names
    WHERE m.id = p_id;
  DELETE FROM mentions mn WHERE mn.message_id = p_id;
  INSERT INTO mentions (user_id, room_id, message_id)
    SELECT DISTINCT u, v_message.room_id, p_id FROM unnest(coalesce(p_mentioned, '{}'::bigint[])) AS u;
  RETURN QUERY SELECT 'edited', v_message.room_id, v_seq;
END;
$$;

-- p_anywhere: an administrator's removal from the admin page (any room, no author check).
-- Otherwise the author deletes, or an administrator moderates a message of a room they are in.
-- outcome: deleted | not_found | not_author | message_deleted | already_deleted (p_anywhere) |
-- archived. released_sha256: the file's bytes no upload names any more (the node removes them
-- after the commit).
CREATE FUNCTION chatterbox_delete(p_actor bigint, p_id bigint, p_anywhere boolean, p_ts bigint)
RETURNS TABLE (outcome text, room_id bigint, message_seq bigint, author_id bigint,
               released_sha256 text, original_id bigint, original_seq bigint,
               original_replies integer)
LANGUAGE plpgsql AS $$
DECLARE
  v_message    messages%ROWTYPE;
  v_room       rooms%ROWTYPE;
  v_moderating boolean;
  v_seq        bigint;
  v_sha256     text;
BEGIN
  PERFORM 1 FROM seq_counter FOR UPDATE;
  SELECT * INTO v_message FROM messages m WHERE m.id = p_id;
  IF NOT FOUND OR (NOT p_anywhere AND NOT EXISTS (
        SELECT 1 FROM room_members rm WHERE rm.room_id = v_message.room_id AND rm.user_id = p_actor)) THEN
    RETURN QUERY SELECT 'not_found', NULL::bigint, NULL::bigint, NULL::bigint, NULL::text,
                        NULL::bigint, NULL::bigint, NULL::integer;
    RETURN;
  END IF;
  SELECT * INTO v_room FROM rooms r WHERE r.id = v_message.room_id;
  v_moderating := v_message.user_id <> p_actor;
  IF NOT p_anywhere AND v_moderating
     AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = p_actor AND u.role = 'admin') THEN
    RETURN QUERY SELECT 'not_author', v_message.room_id, NULL::bigint, v_message.user_id,
                        NULL::text, NULL::bigint, NULL::bigint, NULL::integer;
    RETURN;
  END IF;
  IF v_message.deleted OR (NOT p_anywhere AND v_room.archived) THEN
    RETURN QUERY SELECT CASE WHEN NOT v_message.deleted THEN 'archived'
                             WHEN p_anywhere THEN 'already_deleted' ELSE 'message_deleted' END,
                        v_message.room_id, NULL::bigint, v_message.user_id, NULL::text,
                        NULL::bigint, NULL::bigint, NULL::integer;
    RETURN;
  END IF;
  v_seq := chatterbox_take_seq();
  UPDATE messages m SET text = '', deleted = true, seq = v_seq, mention_names = ''
    WHERE m.id = p_id;
  DELETE FROM mentions mn WHERE mn.message_id = p_id;
  DELETE FROM reactions re WHERE re.message_id = p_id;
  DELETE FROM files f WHERE f.message_id = p_id RETURNING f.sha256 INTO v_sha256;
  IF v_sha256 IS NOT NULL AND EXISTS (SELECT 1 FROM files f WHERE f.sha256 = v_sha256) THEN
    v_sha256 := NULL;
  END IF;
  IF v_moderating THEN
    INSERT INTO admin_audit (at, admin_id, action, user_id, detail)
      VALUES (p_ts, p_actor, 'delete_message', v_message.user_id,
              'message ' || p_id || CASE WHEN v_room.kind = 'dm' THEN ' in a direct message'
                                         ELSE ' in #' || v_room.name END);
  END IF;
  IF v_message.reply_to IS NULL OR NOT EXISTS (SELECT 1 FROM messages m
                                               WHERE m.id = v_message.reply_to) THEN
    RETURN QUERY SELECT 'deleted', v_message.room_id, v_seq, v_message.user_id, v_sha256,
                        NULL::bigint, NULL::bigint, NULL::integer;
    RETURN;
  END IF;
  RETURN QUERY
    UPDATE messages m SET reply_count = greatest(m.reply_count - 1, 0), seq = chatterbox_take_seq()
      WHERE m.id = v_message.reply_to
      RETURNING 'deleted'::text, v_message.room_id, v_seq, v_message.user_id, v_sha256, m.id, m.seq,
                m.reply_count;
END;
$$;
)sql";

}  // namespace chatterbox::pg_steps
