// Inline Markdown of one paragraph: `code`, bare links, @mentions, *emphasis* and **strong**.
// Pure: a string in, inline nodes out —
//   { type: 'text', text }   { type: 'code', text }   { type: 'link', href, text }
//   { type: 'mention', text, name }   { type: 'em' | 'strong', children }
//
// Precedence, as in CommonMark: code spans first (nothing inside them means anything), then
// links and mentions, which are atoms too; emphasis delimiters are matched around the atoms.
// Every step is a single pass or close to linear (no backtracking regexes), so no input makes
// the client stall.

import { textSegments } from './mentions.js';

const BACKTICK_RUN = /`+/g;
const LINK_START = /(?:https?:\/\/|mailto:)/gi;
const LINK_BODY = /[^\s<>`]*/y;
// Not part of a link when they end it: "see https://example.com." links without the dot.
const TRAILING_PUNCTUATION = new Set(['.', ',', ';', ':', '!', '?', "'", '"', '*', '_', '~']);
const WORD_CHAR = /[A-Za-z0-9]/;
const DELIMITER_RUN = /\*+|_+/g;
const WHITESPACE = /\s/u;
const PUNCTUATION = /[\p{P}\p{S}]/u;

export function parseInline(source, mentions = []) {
  const pieces = [];
  let plain = 0;
  for (const span of codeSpans(source)) {
    if (span.start > plain) addLinksAndMentions(pieces, source, plain, span.start, mentions);
    pieces.push({ start: span.start, end: span.end, node: { type: 'code', text: span.text } });
    plain = span.end;
  }
  if (plain < source.length) addLinksAndMentions(pieces, source, plain, source.length, mentions);
  return buildTree(source, matchEmphasis(source, pieces));
}

// ------------------------------------------------------------------ code spans

// A run of n backticks opens a code span closed by the next run of exactly n; without one it is
// literal. Runs are looked up by length with a cursor per length, so this is linear.
function codeSpans(source) {
  const runs = [...source.matchAll(BACKTICK_RUN)].map((m) => ({ start: m.index, length: m[0].length }));
  const byLength = new Map();
  runs.forEach((run, index) => {
    if (!byLength.has(run.length)) byLength.set(run.length, { indices: [], next: 0 });
    byLength.get(run.length).indices.push(index);
  });
  const spans = [];
  let k = 0;
  while (k < runs.length) {
    const open = runs[k];
    const same = byLength.get(open.length);
    while (same.next < same.indices.length && same.indices[same.next] <= k) same.next += 1;
    if (same.next === same.indices.length) {
      k += 1;
      continue;
    }
    const close = runs[same.indices[same.next]];
    spans.push({ start: open.start, end: close.start + close.length, text: codeText(source.slice(open.start + open.length, close.start)) });
    k = same.indices[same.next] + 1;
  }
  return spans;
}

// CommonMark: line breaks become spaces, and one space on each side is padding (so `` `x` ``
// can show a backtick) unless the span is nothing but spaces.
function codeText(raw) {
  const text = raw.replace(/\n/g, ' ');
  return text.length >= 2 && text.startsWith(' ') && text.endsWith(' ') && text.trim() !== '' ? text.slice(1, -1) : text;
}

// ------------------------------------------------------------------ links and mentions

// Adds the pieces of source[from, to): links and mentions as atoms, the rest as text. Only the
// range is searched, so a message of many short code spans stays linear.
function addLinksAndMentions(pieces, source, from, to, mentions) {
  const range = source.slice(from, to);
  let plain = from;
  const starts = new RegExp(LINK_START.source, 'gi');
  for (let m = starts.exec(range); m; m = starts.exec(range)) {
    const start = from + m.index;
    const bodyStart = start + m[0].length;
    if (start > 0 && WORD_CHAR.test(source[start - 1])) continue; // "xhttps://" is a word
    LINK_BODY.lastIndex = bodyStart - from;
    const end = trimLinkEnd(source, bodyStart, bodyStart + LINK_BODY.exec(range)[0].length);
    if (end === bodyStart) continue; // a scheme with nothing after it
    if (start > plain) addMentions(pieces, source, plain, start, mentions);
    const url = source.slice(start, end);
    pieces.push({ start, end, node: { type: 'link', href: url, text: url } });
    plain = end;
    starts.lastIndex = end - from;
  }
  if (to > plain) addMentions(pieces, source, plain, to, mentions);
}

// Where the link really ends: without trailing punctuation, and without a ')' that closes a
// parenthesis opened before the link ("(see https://example.com/x)"), but keeping one the link
// opened itself ("https://en.wikipedia.org/wiki/Rust_(language)").
function trimLinkEnd(source, bodyStart, end) {
  let open = 0;
  let close = 0;
  for (let i = bodyStart; i < end; i += 1) {
    if (source[i] === '(') open += 1;
    else if (source[i] === ')') close += 1;
  }
  while (end > bodyStart) {
    const last = source[end - 1];
    if (TRAILING_PUNCTUATION.has(last)) end -= 1;
    else if (last === ')' && close > open) {
      end -= 1;
      close -= 1;
    } else break;
  }
  return end;
}

function addMentions(pieces, source, from, to, mentions) {
  let at = from;
  for (const part of textSegments(source.slice(from, to), mentions)) {
    const end = at + part.text.length;
    if (part.mention) pieces.push({ start: at, end, node: { type: 'mention', text: part.text, name: part.mention } });
    else if (end > at) pieces.push({ start: at, end, text: true });
    at = end;
  }
}

// ------------------------------------------------------------------ emphasis

// CommonMark's delimiter algorithm ("process emphasis"), on the '*' and '_' runs of the text
// pieces. Whether a run can open or close depends on the characters around it, which is what
// keeps "2 * 3 * 4" and snake_case_names literal. Returns the pieces with each run split out as
// { run } so the tree builder knows what each run closed, kept literal and opened.
function matchEmphasis(source, pieces) {
  const items = [];
  const runs = [];
  for (const piece of pieces) {
    if (!piece.text) {
      items.push(piece);
      continue;
    }
    let plain = piece.start;
    for (const m of source.slice(piece.start, piece.end).matchAll(DELIMITER_RUN)) {
      const start = piece.start + m.index;
      if (start > plain) items.push({ text: source.slice(plain, start) });
      const run = delimiterRun(source, start, m[0]);
      run.index = runs.length;
      runs.push(run);
      items.push({ run });
      plain = start + m[0].length;
    }
    if (piece.end > plain) items.push({ text: source.slice(plain, piece.end) });
  }
  pairDelimiters(runs);
  return items;
}

function delimiterRun(source, start, chars) {
  const before = start > 0 ? source[start - 1] : ' ';
  const after = start + chars.length < source.length ? source[start + chars.length] : ' ';
  const spaceBefore = WHITESPACE.test(before);
  const spaceAfter = WHITESPACE.test(after);
  const punctBefore = PUNCTUATION.test(before);
  const punctAfter = PUNCTUATION.test(after);
  const leftFlanking = !spaceAfter && (!punctAfter || spaceBefore || punctBefore);
  const rightFlanking = !spaceBefore && (!punctBefore || spaceAfter || punctAfter);
  const char = chars[0];
  // '_' inside a word (snake_case) neither opens nor closes.
  const canOpen = char === '*' ? leftFlanking : leftFlanking && (!rightFlanking || punctBefore);
  const canClose = char === '*' ? rightFlanking : rightFlanking && (!leftFlanking || punctAfter);
  return { char, length: chars.length, left: chars.length, canOpen, canClose, closes: [], opens: [] };
}

// Pairs closers with the nearest eligible opener, innermost first. The runs still in play form
// a doubly linked list (prev/next) so removed ones are never walked again, and `bottom` records,
// per kind of closer, below which no opener will ever match (CommonMark's openers_bottom).
function pairDelimiters(runs) {
  const prev = runs.map((_, i) => i - 1);
  const next = runs.map((_, i) => (i + 1 < runs.length ? i + 1 : -1));
  const removed = runs.map(() => false);
  const unlink = (i) => {
    removed[i] = true;
    if (prev[i] >= 0) next[prev[i]] = next[i];
    if (next[i] >= 0) prev[next[i]] = prev[i];
  };
  const bottom = new Map();
  for (let c = 0; c < runs.length; c += 1) {
    const closer = runs[c];
    if (removed[c] || !closer.canClose) continue;
    const key = `${closer.char}${closer.canOpen ? 'o' : ''}${closer.length % 3}`;
    while (closer.left > 0) {
      const floor = bottom.get(key) ?? -1;
      let o = prev[c];
      while (o > floor && !opens(runs[o], closer)) o = prev[o];
      if (o <= floor) {
        bottom.set(key, prev[c]);
        if (!closer.canOpen) unlink(c);
        break;
      }
      const opener = runs[o];
      const use = opener.left >= 2 && closer.left >= 2 ? 2 : 1;
      const type = use === 2 ? 'strong' : 'em';
      opener.opens.push(type);
      closer.closes.push(type);
      opener.left -= use;
      closer.left -= use;
      // Runs between the pair can no longer match anything: they stay literal.
      for (let between = next[o]; between !== c; between = next[between]) removed[between] = true;
      next[o] = c;
      prev[c] = o;
      if (opener.left === 0) unlink(o);
      if (closer.left === 0) unlink(c);
    }
  }
}

function opens(opener, closer) {
  if (opener.char !== closer.char || !opener.canOpen || opener.left === 0) return false;
  // CommonMark's "rule of 3": keeps "*foo**bar**baz*" from pairing the wrong runs.
  const eitherBoth = opener.canClose || closer.canOpen;
  return !(eitherBoth && (opener.length + closer.length) % 3 === 0 && !(opener.length % 3 === 0 && closer.length % 3 === 0));
}

// ------------------------------------------------------------------ the tree

// A run closes what it closed (innermost first), keeps its unused characters as text, then
// opens what it opened (outermost first: its later matches were the outer ones).
function buildTree(source, items) {
  const root = { children: [] };
  const stack = [root];
  const addText = (text) => {
    const children = stack.at(-1).children;
    const last = children.at(-1);
    if (last && last.type === 'text') last.text += text;
    else if (text) children.push({ type: 'text', text });
  };
  for (const item of items) {
    if (item.node) stack.at(-1).children.push(item.node);
    else if (item.text !== undefined) addText(item.text);
    else {
      const { run } = item;
      for (let n = run.closes.length; n > 0; n -= 1) stack.pop();
      addText(run.char.repeat(run.left));
      for (const type of [...run.opens].reverse()) {
        const node = { type, children: [] };
        stack.at(-1).children.push(node);
        stack.push(node);
      }
    }
  }
  return root.children;
}
