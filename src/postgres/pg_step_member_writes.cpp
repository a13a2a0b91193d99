#include "pg_steps.hpp"

namespace chatterbox::pg_steps {

// The writes of members without a seq (read markers, notification levels) and archiving. Each
// takes seq_counter's lock first like every write, though only archiving bumps it: the batches
// of two nodes then take their row locks in one order (a marker row locked before the counter
// could deadlock with a removal from the room on another node: docs/scale-out.md).
const std::string_view member_writes = R"sql(
-- A read marker only moves forward. outcome: moved | unchanged | not_found (no such message in
-- that room).
CREATE FUNCTION chatterbox_mark_seen(p_room bigint, p_user bigint, p_message bigint)
RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM seq_counter FOR UPDATE;
  IF NOT EXISTS (SELECT 1 FROM messages m WHERE m.id = p_message AND m.room_id = p_room) THEN
    RETURN 'not_found';
  END IF;
  UPDATE room_members rm SET marker = p_message
    WHERE rm.room_id = p_room AND rm.user_id = p_user AND rm.marker < p_message;
  RETURN CASE WHEN FOUND THEN 'moved' ELSE 'unchanged' END;
END;
$$;

CREATE FUNCTION chatterbox_set_notify(p_room bigint, p_user bigint, p_level text)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM seq_counter FOR UPDATE;
  UPDATE room_members rm SET notify = p_level WHERE rm.room_id = p_room AND rm.user_id = p_user;
END;
$$;

-- By p_actor: its creator, or an active administrator (moderation, audited).
-- outcome: changed (room_seq: the room's new seq) | not_found | forbidden.
CREATE FUNCTION chatterbox_archive_room(p_room bigint, p_archived boolean, p_actor bigint,
                                        p_ts bigint)
RETURNS TABLE (outcome text, room_seq bigint) LANGUAGE plpgsql AS $$
DECLARE
  v_room       rooms%ROWTYPE;
  v_moderating boolean;
BEGIN
  PERFORM 1 FROM seq_counter FOR UPDATE;
  SELECT * INTO v_room FROM rooms r WHERE r.id = p_room;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found', NULL::bigint;
    RETURN;
  END IF;
  v_moderating := v_room.creator_id IS DISTINCT FROM p_actor;
  IF v_moderating AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = p_actor AND u.role = 'admin'
                                  AND u.deactivated_at IS NULL) THEN
    RETURN QUERY SELECT 'forbidden', NULL::bigint;
    RETURN;
  END IF;
  UPDATE rooms r SET archived = p_archived WHERE r.id = p_room;
  IF v_moderating THEN
    INSERT INTO admin_audit (at, admin_id, action, user_id, detail)
      VALUES (p_ts, p_actor, CASE WHEN p_archived THEN 'archive_room' ELSE 'unarchive_room' END,
              NULL, '#' || v_room.name);
  END IF;
  RETURN QUERY SELECT 'changed', chatterbox_room_changed(p_room);
END;
$$;
)sql";

}  // namespace chatterbox::pg_steps
