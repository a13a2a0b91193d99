// The Markdown subset of message text (docs/protocol.md, The message object), as a small tree
// the renderer turns into DOM nodes (message_body.js). Pure: a string in, plain data out.
//
// Blocks, line by line:
//   { type: 'code', language, text }  a ``` fence up to the next closing fence (or the end);
//                                      nothing inside is interpreted, whitespace is kept
//   { type: 'quote', blocks }         consecutive lines starting with '>' (their contents are
//                                      blocks again: a quote may hold code or a nested quote)
//   { type: 'paragraph', inlines }    the other lines, line breaks kept (markdown_inline.js)
//
// The text is never changed: what the user typed is what is stored, and Edit shows it.

import { parseInline } from './markdown_inline.js';

// CommonMark: up to three spaces of indentation, at least three backticks, and an info string
// without backticks (so "```x```" on one line is inline code, not a fence).
const FENCE_OPEN = /^ {0,3}(`{3,})([^`]*)$/;
const FENCE_CLOSE = /^ {0,3}(`{3,})[ \t]*$/;
const QUOTE_MARK = /^ {0,3}> ?/;
const LANGUAGE = /^[A-Za-z0-9_+#.-]{1,32}$/;
const BLANK = /^\s*$/;

// Deeper '>' stay literal: a line of a thousand of them must not become a thousand nested boxes.
export const MAX_QUOTE_DEPTH = 5;

// The blocks of `text`; `mentions` are the names the server counted (mentions.js).
export function parseMessage(text, { mentions = [] } = {}) {
  return parseBlocks(String(text).split('\n'), mentions, 0);
}

function parseBlocks(lines, mentions, depth) {
  const blocks = [];
  let paragraph = [];
  const endParagraph = () => {
    const block = paragraphBlock(paragraph, mentions);
    if (block) blocks.push(block);
    paragraph = [];
  };
  let i = 0;
  while (i < lines.length) {
    const fence = FENCE_OPEN.exec(lines[i]);
    if (fence) {
      endParagraph();
      let end = i + 1;
      while (end < lines.length && !closesFence(lines[end], fence[1].length)) end += 1;
      blocks.push({ type: 'code', language: languageOf(fence[2]), text: lines.slice(i + 1, end).join('\n') });
      i = end + 1;
    } else if (depth < MAX_QUOTE_DEPTH && QUOTE_MARK.test(lines[i])) {
      endParagraph();
      const inner = [];
      for (; i < lines.length && QUOTE_MARK.test(lines[i]); i += 1) inner.push(lines[i].replace(QUOTE_MARK, ''));
      blocks.push({ type: 'quote', blocks: parseBlocks(inner, mentions, depth + 1) });
    } else {
      paragraph.push(lines[i]);
      i += 1;
    }
  }
  endParagraph();
  return blocks;
}

function closesFence(line, openLength) {
  const match = FENCE_CLOSE.exec(line);
  return match !== null && match[1].length >= openLength;
}

// The first word of the info string, when it looks like a language name (it only becomes a
// class, never anything that runs).
function languageOf(info) {
  const word = info.trim().split(/\s+/)[0];
  return LANGUAGE.test(word) ? word : null;
}

// Blank lines next to a code block or a quote are dropped (the blocks have their own spacing);
// blank lines inside a paragraph stay.
function paragraphBlock(lines, mentions) {
  let start = 0;
  let end = lines.length;
  while (start < end && BLANK.test(lines[start])) start += 1;
  while (end > start && BLANK.test(lines[end - 1])) end -= 1;
  if (start === end) return null;
  return { type: 'paragraph', inlines: parseInline(lines.slice(start, end).join('\n'), mentions) };
}
