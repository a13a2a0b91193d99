// @mentions in message text. Pure: strings in, plain data out (the DOM is built elsewhere).
//
// The server decides who a message mentions (docs/protocol.md, Mentions) and sends it as the
// message's `mentions`; the client only finds the `@name` runs in the text again to draw the ones
// the server counted, and finds the `@prefix` being typed for autocomplete.

const NAME_CHAR = /[A-Za-z0-9_.-]/;
const RUN = /@([A-Za-z0-9_.-]+)/g;

// Whether the message mentions `me`: by name, or `@here` (which reaches whoever was online; a
// client that gets it live was). One's own messages never do.
export function mentionsUser(msg, me) {
  if (!msg || msg.deleted || !Array.isArray(msg.mentions) || !me) return false;
  if (msg.user && msg.user.toLowerCase() === me.toLowerCase()) return false;
  const lower = me.toLowerCase();
  return msg.mentions.some((m) => m === 'here' || String(m).toLowerCase() === lower);
}

// The text cut into plain parts and mention parts: [{ text }, { text: '@bob', mention: 'bob' }].
// Only names in `mentions` (regardless of case) become mention parts; `@bob.` at the end of a
// sentence is the mention `@bob` followed by '.'.
export function textSegments(text, mentions = []) {
  const wanted = new Set((mentions ?? []).map((m) => String(m).toLowerCase()));
  const parts = [];
  let plain = 0;
  if (wanted.size > 0) {
    for (const match of text.matchAll(RUN)) {
      const at = match.index;
      if (at > 0 && NAME_CHAR.test(text[at - 1])) continue; // "mail@bob" is not a mention
      let name = match[1];
      while (name && !wanted.has(name.toLowerCase()) && /[.-]$/.test(name)) name = name.slice(0, -1);
      if (!name || !wanted.has(name.toLowerCase())) continue;
      if (at > plain) parts.push({ text: text.slice(plain, at) });
      parts.push({ text: `@${name}`, mention: name.toLowerCase() });
      plain = at + 1 + name.length;
    }
  }
  if (plain < text.length || parts.length === 0) parts.push({ text: text.slice(plain) });
  return parts;
}

// The `@prefix` being typed just before the caret, or null: { start, prefix } where start is the
// index of the '@'. An '@' inside a word (an e-mail address) starts nothing.
export function mentionQuery(text, caret) {
  let i = caret;
  while (i > 0 && NAME_CHAR.test(text[i - 1])) i -= 1;
  if (i === 0 || text[i - 1] !== '@') return null;
  const at = i - 1;
  if (at > 0 && NAME_CHAR.test(text[at - 1])) return null;
  const prefix = text.slice(i, caret);
  if (prefix.length > 32) return null;
  return { start: at, prefix };
}

// Replaces the `@prefix` at `start` (up to the caret) with `@name ` and gives the new caret.
export function completeMention(text, start, caret, name) {
  const insert = `@${name} `;
  const rest = text.slice(caret).replace(/^[A-Za-z0-9_.-]*/, '');
  const next = text.slice(0, start) + insert + rest.replace(/^ /, '');
  return { text: next, caret: start + insert.length };
}
