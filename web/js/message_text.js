// What the composer sends as message text. The server refuses control characters other than
// newline and tab (docs/protocol.md, `send`); text pasted from elsewhere can carry them, so the
// client drops them rather than have the message refused. Pure: string in, string out.

// Unicode category Cc — U+0000–U+001F, U+007F–U+009F — except tab (U+0009) and newline (U+000A).
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;

// Line breaks become \n (as the server would make them), the other controls go, and surrounding
// whitespace is trimmed.
export function cleanMessageText(raw) {
  return raw.replace(/\r\n?/g, '\n').replace(CONTROL_CHARACTERS, '').trim();
}
