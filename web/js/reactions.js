// Emoji reactions of a message (docs/protocol.md, "Reactions"): applying a `reaction` event to a
// message's list, and the words that say who reacted (a tooltip, and the label screen readers
// read). Pure: no DOM, no socket.

export const MAX_NAMES = 20; // the server lists at most this many names per emoji
const NAMES_SAID = 10; // a tooltip names at most this many, then counts the others
// Offered first when reacting; any emoji of the composer's panel works too.
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '🎉', '😮', '😢', '👀', '✅'];

// The message's reactions after a `reaction` event: { emoji, user, on, count }. Returns a new
// array (the message objects the model holds are replaced, not mutated in place).
export function applyReaction(reactions, { emoji, user, on, count }, me) {
  const list = (reactions ?? []).map((r) => ({ ...r, users: [...(r.users ?? [])] }));
  let entry = list.find((r) => r.emoji === emoji);
  if (!entry) {
    if (!on || count <= 0) return list;
    entry = { emoji, count: 0, users: [] };
    list.push(entry);
  }
  entry.count = Math.max(0, count);
  const at = entry.users.indexOf(user);
  if (on && at < 0 && entry.users.length < MAX_NAMES) entry.users.push(user);
  if (!on && at >= 0) entry.users.splice(at, 1);
  if (user === me) entry.me = on;
  return list.filter((r) => r.count > 0);
}

// Whether `me` reacted with this entry's emoji.
export function reacted(entry, me) {
  return Boolean(entry.me) || (entry.users ?? []).includes(me);
}

// "You, alice and 3 others reacted with 👍".
export function reactionLabel(entry, me) {
  const mine = reacted(entry, me);
  const others = (entry.users ?? []).filter((u) => u !== me);
  const names = (mine ? ['You', ...others] : others).slice(0, NAMES_SAID);
  const unnamed = Math.max(0, entry.count - names.length);
  let who;
  if (names.length === 0) who = `${entry.count} ${entry.count === 1 ? 'person' : 'people'}`;
  else if (unnamed > 0) who = `${names.join(', ')} and ${unnamed} ${unnamed === 1 ? 'other' : 'others'}`;
  else if (names.length === 1) who = names[0];
  else who = `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return `${who} reacted with ${entry.emoji}`;
}

// The `react` frame that toggles `emoji` on message `msg` for `me`.
export function toggleFrame(msg, emoji, me) {
  const entry = (msg.reactions ?? []).find((r) => r.emoji === emoji);
  return { type: 'react', id: msg.id, emoji, on: !(entry && reacted(entry, me)) };
}
