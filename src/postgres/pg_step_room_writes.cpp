#include "pg_steps.hpp"

namespace chatterbox::pg_steps {

// Reactions and room changes, the same way. A room change sets the room's seq; a removal also
// records the departure, so that sync tells the one removed.
const std::string_view room_and_reaction_writes = R"sql(
-- outcome: changed | unchanged (it already was so: no seq) | not_found | message_deleted |
-- archived | too_many (p_max_emoji different emoji already). people: how many have that emoji now.
CREATE FUNCTION chatterbox_react(p_user bigint, p_id bigint, p_emoji text, p_on boolean,
                                 p_max_emoji integer)
RETURNS TABLE (outcome text, room_id bigint, message_seq bigint, people integer)
LANGUAGE plpgsql AS $$
DECLARE
  v_message messages%ROWTYPE;
  v_seq     bigint;
  v_changed integer;
BEGIN
  SELECT value + 1 INTO v_seq FROM seq_counter FOR UPDATE;
  SELECT * INTO v_message FROM messages m WHERE m.id = p_id;
  IF NOT FOUND OR NOT EXISTS (SELECT 1 FROM room_members rm
                              WHERE rm.room_id = v_message.room_id AND rm.user_id = p_user) THEN
    RETURN QUERY SELECT 'not_found', NULL::bigint, NULL::bigint, NULL::integer;
    RETURN;
  END IF;
  IF v_message.deleted OR (SELECT r.archived FROM rooms r WHERE r.id = v_message.room_id) THEN
    RETURN QUERY SELECT CASE WHEN v_message.deleted THEN 'message_deleted' ELSE 'archived' END,
                        v_message.room_id, NULL::bigint, NULL::integer;
    RETURN;
  END IF;
  IF p_on AND NOT EXISTS (SELECT 1 FROM reactions re WHERE re.message_id = p_id AND re.emoji = p_emoji)
     AND (SELECT count(DISTINCT re.emoji) FROM reactions re WHERE re.message_id = p_id) >= p_max_emoji THEN
    RETURN QUERY SELECT 'too_many', v_message.room_id, NULL::bigint, NULL::integer;
    RETURN;
  END IF;
  IF p_on THEN
    INSERT INTO reactions (message_id, emoji, user_id, seq) VALUES (p_id, p_emoji, p_user, v_seq)
      ON CONFLICT DO NOTHING;
  ELSE
    DELETE FROM reactions re WHERE re.message_id = p_id AND re.emoji = p_emoji AND re.user_id = p_user;
  END IF;
  GET DIAGNOSTICS v_changed = ROW_COUNT;
  IF v_changed = 0 THEN
    RETURN QUERY SELECT 'unchanged', v_message.room_id, NULL::bigint, NULL::integer;
    RETURN;
  END IF;
  -- The message takes the seq too: sync brings it with its reactions.
  UPDATE seq_counter SET value = v_seq;
  UPDATE messages m SET seq = v_seq WHERE m.id = p_id;
  RETURN QUERY SELECT 'changed', v_message.room_id, v_seq,
                      (SELECT count(*)::integer FROM reactions re
                       WHERE re.message_id = p_id AND re.emoji = p_emoji);
END;
$$;

-- A room with a name (p_kind open or private) or a DM (p_dm_key: its sorted member ids).
-- An open room has every user as a member; the others have p_members.
-- outcome: created | name_taken (or, for a DM, exists: room_id is the DM already there).
CREATE FUNCTION chatterbox_create_room(p_creator bigint, p_kind text, p_name text, p_dm_key text,
                                       p_members bigint[], p_ts bigint)
RETURNS TABLE (outcome text, room_id bigint, room_seq bigint)
LANGUAGE plpgsql AS $$
DECLARE
  v_seq bigint;
  v_id  bigint;
BEGIN
  SELECT value + 1 INTO v_seq FROM seq_counter FOR UPDATE;
  INSERT INTO rooms (kind, name, dm_key, creator_id, created_at, seq)
    VALUES (p_kind, p_name, p_dm_key, p_creator, p_ts, v_seq)
    ON CONFLICT DO NOTHING RETURNING rooms.id INTO v_id;
  IF v_id IS NULL THEN
    RETURN QUERY SELECT CASE WHEN p_dm_key IS NULL THEN 'name_taken' ELSE 'exists' END,
                        (SELECT r.id FROM rooms r WHERE r.dm_key = p_dm_key), NULL::bigint;
    RETURN;
  END IF;
  UPDATE seq_counter SET value = v_seq;
  IF p_kind = 'open' THEN
    INSERT INTO room_members (room_id, user_id) SELECT v_id, u.id FROM users u;
  ELSE
    INSERT INTO room_members (room_id, user_id)
      SELECT DISTINCT v_id, m FROM unnest(p_members) AS m;
  END IF;
  RETURN QUERY SELECT 'created', v_id, v_seq;
END;
$$;

-- A change of a room's own row or members, with the room's new seq.
CREATE FUNCTION chatterbox_room_changed(p_room bigint) RETURNS bigint LANGUAGE sql AS $$
  UPDATE rooms r SET seq = chatterbox_take_seq() WHERE r.id = p_room RETURNING r.seq
$$;

-- outcome: renamed | name_taken.
CREATE FUNCTION chatterbox_rename_room(p_room bigint, p_name text)
RETURNS TABLE (outcome text, room_seq bigint)
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM seq_counter FOR UPDATE;
  IF EXISTS (SELECT 1 FROM rooms r WHERE lower(r.name) = lower(p_name) AND r.id <> p_room) THEN
    RETURN QUERY SELECT 'name_taken', NULL::bigint;
    RETURN;
  END IF;
  UPDATE rooms r SET name = p_name WHERE r.id = p_room;
  RETURN QUERY SELECT 'renamed', chatterbox_room_changed(p_room);
END;
$$;

-- Added people start with the history read (p_marker: the room's latest message id): it was
-- said before they were there. Someone who was removed before is told no more that they left.
CREATE FUNCTION chatterbox_add_members(p_room bigint, p_users bigint[], p_marker bigint)
RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM seq_counter FOR UPDATE;
  INSERT INTO room_members (room_id, user_id, marker)
    SELECT DISTINCT p_room, u, p_marker FROM unnest(p_users) AS u ON CONFLICT DO NOTHING;
  DELETE FROM room_departures d WHERE d.room_id = p_room AND d.user_id = ANY (p_users);
  RETURN chatterbox_room_changed(p_room);
END;
$$;

-- A private room nobody is in any more is archived (read-only), not deleted: nothing is lost.
-- outcome: removed | not_member.
CREATE FUNCTION chatterbox_remove_member(p_room bigint, p_user bigint)
RETURNS TABLE (outcome text, room_seq bigint, archived boolean)
LANGUAGE plpgsql AS $$
DECLARE
  v_seq  bigint;
  v_last boolean;
BEGIN
  PERFORM 1 FROM seq_counter FOR UPDATE;
  DELETE FROM room_members rm WHERE rm.room_id = p_room AND rm.user_id = p_user;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_member', NULL::bigint, NULL::boolean;
    RETURN;
  END IF;
  v_last := NOT EXISTS (SELECT 1 FROM room_members rm WHERE rm.room_id = p_room);
  IF v_last THEN
    UPDATE rooms r SET archived = true WHERE r.id = p_room;
  END IF;
  v_seq := chatterbox_room_changed(p_room);
  INSERT INTO room_departures (room_id, user_id, seq) VALUES (p_room, p_user, v_seq)
    ON CONFLICT (user_id, room_id) DO UPDATE SET seq = excluded.seq;
  RETURN QUERY SELECT 'removed', v_seq, v_last;
END;
$$;
)sql";

}  // namespace chatterbox::pg_steps
