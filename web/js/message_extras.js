// What a message shows besides its text: the quote of the message it replies to (a button that
// jumps there), its file (an image inline at its final size, or a card to download), its
// reactions (a toggle button per emoji, saying who reacted) and how many replies it has. Text
// from the network only goes through textContent.

import { displaySize, fileUrl, humanSize, isInlineImage, typeLabel } from './files.js';
import { el } from './message_item.js';
import { reacted, reactionLabel } from './reactions.js';
import { repliesLabel } from './replies.js';

// The parts, in an item built by createItem: .msg-quote before the text, .msg-file and
// .msg-reactions after it, .msg-replies in the foot.
export function extraParts() {
  const quote = el('button', 'msg-quote');
  quote.type = 'button';
  quote.hidden = true;
  quote.append(el('span', 'quote-user'), el('span', 'quote-text'));
  const reactions = el('div', 'msg-reactions');
  reactions.setAttribute('role', 'group');
  reactions.setAttribute('aria-label', 'Reactions');
  reactions.hidden = true;
  const replies = el('span', 'msg-replies');
  replies.hidden = true;
  const file = el('div', 'msg-file');
  file.hidden = true;
  return { quote, file, reactions, replies };
}

export function fillExtras(li, msg, me) {
  fillQuote(li.querySelector('.msg-quote'), msg.deleted ? null : msg.reply_to);
  fillFile(li.querySelector('.msg-file'), msg.deleted ? null : msg.file);
  fillReactions(li.querySelector('.msg-reactions'), msg.deleted ? [] : (msg.reactions ?? []), me);
  const replies = li.querySelector('.msg-replies');
  const count = msg.replies ?? 0;
  replies.hidden = count === 0;
  replies.textContent = count ? repliesLabel(count) : '';
}

function fillQuote(button, quote) {
  button.hidden = !quote;
  if (!quote) return;
  button.dataset.target = String(quote.id);
  button.querySelector('.quote-user').textContent = quote.user;
  button.querySelector('.quote-text').textContent = quote.deleted ? 'This message was deleted' : quote.text;
  button.classList.toggle('quote-deleted', Boolean(quote.deleted));
  const what = quote.deleted ? 'a deleted message' : `${quote.user}: ${quote.text}`;
  button.setAttribute('aria-label', `Reply to ${what}. Show it.`);
}

// An image opens full size in a new tab; any other file is a card that downloads it.
function fillFile(box, file) {
  box.hidden = !file;
  const key = file ? String(file.id) : '';
  if (box.dataset.key === key) return;
  box.dataset.key = key;
  if (!file) {
    box.replaceChildren();
    return;
  }
  const link = el('a');
  link.href = fileUrl(file);
  if (isInlineImage(file)) {
    link.className = 'file-image';
    link.target = '_blank';
    link.rel = 'noopener noreferrer';
    link.setAttribute('aria-label', `${file.name}, ${file.width} by ${file.height}: open full size`);
    const img = el('img');
    const shown = displaySize(file);
    img.width = shown.width; // known before it loads: no jump when it arrives
    img.height = shown.height;
    img.alt = file.name;
    img.decoding = 'async';
    img.src = link.href;
    link.append(img);
  } else {
    link.className = 'file-card';
    link.download = file.name;
    link.append(el('span', 'file-name', file.name), el('span', 'file-meta', `${humanSize(file.size)} · ${typeLabel(file.type)}`));
    link.setAttribute('aria-label', `Download ${file.name}, ${humanSize(file.size)}, ${typeLabel(file.type)}`);
  }
  box.replaceChildren(link);
}

// One button per emoji, kept in the server's order; rebuilt only when something changed.
function fillReactions(box, reactions, me) {
  box.hidden = reactions.length === 0;
  const key = JSON.stringify(reactions.map((r) => [r.emoji, r.count, reacted(r, me), r.users]));
  if (box.dataset.key === key) return;
  box.dataset.key = key;
  box.replaceChildren(...reactions.map((r) => {
    const b = el('button', 'reaction');
    b.type = 'button';
    b.dataset.emoji = r.emoji;
    b.setAttribute('aria-pressed', String(reacted(r, me)));
    const label = reactionLabel(r, me);
    b.title = label;
    b.setAttribute('aria-label', label);
    b.append(el('span', 'reaction-emoji', r.emoji), el('span', 'reaction-count', String(r.count)));
    return b;
  }));
}
