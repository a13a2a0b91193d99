// A message's text on screen: the tree of markdown.js built into DOM nodes. Only createElement,
// textContent and attributes set one by one: text from the network is never parsed as HTML, so
// "<b>x</b>" shows its angle brackets.

import { parseMessage } from './markdown.js';

// Links open in a new tab that cannot reach back into this one, tell the site nothing about
// where they came from, and lend it no ranking.
export const LINK_REL = 'noopener noreferrer nofollow';

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// Fills `container` with the message: paragraphs, quotes and code blocks. Mentions of `me` (or
// @here) are marked, unless the message is one's `own`.
export function renderMessageBody(container, text, mentions, me, own = false) {
  const context = { me: String(me ?? '').toLowerCase(), own };
  container.replaceChildren(...parseMessage(text, { mentions }).map((block) => blockNode(block, context)));
}

function blockNode(block, context) {
  switch (block.type) {
    case 'code': {
      const pre = element('pre', 'md-pre');
      const code = element('code', block.language ? `language-${block.language}` : '', block.text);
      pre.append(code);
      return pre;
    }
    case 'quote': {
      const quote = element('blockquote', 'md-quote');
      quote.append(...block.blocks.map((b) => blockNode(b, context)));
      return quote;
    }
    default: {
      const p = element('p', 'md-p');
      p.append(...block.inlines.map((inline) => inlineNode(inline, context)));
      return p;
    }
  }
}

function inlineNode(inline, context) {
  switch (inline.type) {
    case 'text':
      return document.createTextNode(inline.text);
    case 'code':
      return element('code', 'md-code', inline.text);
    case 'link': {
      const a = element('a', 'md-link', inline.text);
      a.href = inline.href;
      a.target = '_blank';
      a.rel = LINK_REL;
      return a;
    }
    case 'mention': {
      const span = element('span', 'mention', inline.text);
      if (!context.own && (inline.name === 'here' || inline.name === context.me)) span.classList.add('mention-me');
      return span;
    }
    default: {
      const node = element(inline.type === 'strong' ? 'strong' : 'em');
      node.append(...inline.children.map((child) => inlineNode(child, context)));
      return node;
    }
  }
}
