// A room as the client holds it (the state the sidebar, the title and the badges are drawn
// from), built from the server's room objects, and how it is named on screen. Pure.

import { RoomMessages } from './room_messages.js';
import { TypingBoard } from './typing.js';

export const CAP = 100; // the server's counts stop at 100: "99+"

export function badgeText(count) {
  return count > 99 ? '99+' : String(count);
}

// How a room is called on screen: its name, or for a DM the other members ("notes" alone).
export function roomTitle(room, me) {
  if (room.kind !== 'dm') return room.name ?? `room ${room.id}`;
  const others = (room.members ?? []).filter((m) => m !== me);
  return others.length ? others.join(', ') : `${me} (notes)`;
}

// A room from a room object (hello, room, sync); what the object leaves out stays as it was.
export function roomFrom(obj, previous = null) {
  return {
    id: obj.id,
    kind: obj.kind,
    name: obj.name ?? null,
    archived: Boolean(obj.archived),
    seq: obj.seq ?? 0,
    creator: obj.creator ?? null,
    memberCount: obj.member_count ?? previous?.memberCount ?? 0,
    members: Array.isArray(obj.members) ? [...obj.members] : obj.kind === 'open' ? null : (previous?.members ?? null),
    lastId: obj.last_id ?? previous?.lastId ?? 0,
    marker: obj.marker ?? previous?.marker ?? 0,
    unread: obj.unread ?? previous?.unread ?? 0,
    mentions: obj.mentions ?? previous?.mentions ?? 0,
    othersRead: obj.others_read ?? previous?.othersRead ?? 0,
    notify: obj.notify ?? previous?.notify ?? (obj.kind === 'dm' ? 'all' : 'mentions'),
    messages: previous?.messages ?? new RoomMessages(),
    typing: previous?.typing ?? new TypingBoard(),
  };
}
