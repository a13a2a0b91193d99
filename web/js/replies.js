// Replies (docs/protocol.md, "Replies"): the compact quote a reply shows of its original, kept
// current when the original is edited or deleted. Pure: no DOM, no socket.

export const QUOTE_CHARS = 100; // code points of the original's first line, as the server cuts it

// The quote of `text` as the server would make it: its first line, cut with "…".
export function quoteText(text) {
  const line = String(text ?? '').split('\n', 1)[0];
  const chars = [...line];
  return chars.length > QUOTE_CHARS ? `${chars.slice(0, QUOTE_CHARS).join('').trimEnd()}…` : line;
}

// The replies among `messages` (a RoomMessages) that quote message `id`, with their quotes
// changed to show `original` ({ text, deleted }). Returns the messages it changed.
export function refreshQuotes(messages, id, original) {
  const changed = [];
  for (const replyId of messages.ids) {
    const msg = messages.get(replyId);
    if (msg?.reply_to?.id !== id) continue;
    msg.reply_to = { ...msg.reply_to, text: original.deleted ? '' : quoteText(original.text), deleted: Boolean(original.deleted) };
    changed.push(msg);
  }
  return changed;
}

// "1 reply", "3 replies".
export function repliesLabel(count) {
  return count === 1 ? '1 reply' : `${count} replies`;
}
