// The line above the open room's messages: what the view is waiting for, or that the reader has
// reached the start of the conversation. A pure function of the room's messages (room_messages.js)
// and of the first message on screen, so it can be tested without a DOM.

// messages: the room's RoomMessages or null (not known yet); firstShownIndex: the index in
// messages.ids of the first message on screen, -1 when none is; shown: how many are.
export function roomStatusText(messages, firstShownIndex, shown) {
  if (!messages || (!messages.latest && shown === 0)) return 'Loading…';
  if (messages.loadingOlder) return 'Loading older messages…';
  if (messages.loadingNewer) return 'Loading newer messages…';
  const atStart = !messages.hasOlder && firstShownIndex <= 0;
  if (atStart && messages.latest) return 'This is the beginning of the conversation.';
  return '';
}
