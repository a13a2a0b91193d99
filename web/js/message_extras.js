// What a message shows besides its text: the quote of the message it replies to (a button that
// jumps there), its reactions (a toggle button per emoji, saying who reacted) and how many
// replies it has. Text from the network only goes through textContent.

import { el } from './message_item.js';
import { reacted, reactionLabel } from './reactions.js';
import { repliesLabel } from './replies.js';

// The parts, in an item built by createItem: .msg-quote before the text, .msg-reactions after
// it, .msg-replies in the foot.
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
  return { quote, reactions, replies };
}

export function fillExtras(li, msg, me) {
  fillQuote(li.querySelector('.msg-quote'), msg.deleted ? null : msg.reply_to);
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
