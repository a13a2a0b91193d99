// What the user does to messages in the list: the Reply/React/Edit/Delete/Retry/Remove buttons,
// a reaction (toggling it) and a reply's quote (showing the original), all through one delegated
// listener; pointing at a ● mark or focusing its message (to ask who has seen it); and a long
// press on touch screens, which shows a message's buttons (a tap elsewhere hides them).

const LONG_PRESS_MS = 500;
const MOVE_TOLERANCE_PX = 10;
const KINDS = ['reply', 'react', 'edit', 'delete', 'retry', 'remove'];

// onAction(kind, ref, button): ref is the message id, or the client_id for retry/remove.
// onReaction(id, emoji): a reaction of message `id` was clicked.
// onQuote(id): a reply's quote of message `id` was clicked.
// onSeenBy(id): a seen mark was pointed at for the first time.
export function attachMessageActions(list, { onAction, onReaction, onQuote, onSeenBy }, signal) {
  const options = { signal };
  list.addEventListener('click', (e) => {
    const b = e.target.closest('button');
    const li = e.target.closest('.msg');
    if (!b || !li) return;
    if (b.classList.contains('reaction')) {
      if (li.dataset.id) onReaction(Number(li.dataset.id), b.dataset.emoji);
      return;
    }
    if (b.classList.contains('msg-quote')) {
      onQuote(Number(b.dataset.target));
      return;
    }
    const kind = KINDS.find((k) => b.classList.contains(`msg-${k}`));
    if (!kind) return;
    if (kind !== 'react') li.classList.remove('show-actions');
    const ref = kind === 'retry' || kind === 'remove' ? li.dataset.clientId : Number(li.dataset.id);
    if (ref) onAction(kind, ref, b);
  }, options);

  // Pointing at the mark, or moving the keyboard focus onto the message's buttons.
  const askSeenBy = (r) => {
    if (!r || r.dataset.asked) return;
    r.dataset.asked = '1';
    onSeenBy(Number(r.closest('.msg').dataset.id));
  };
  list.addEventListener('pointerover', (e) => askSeenBy(e.target.closest?.('.msg-receipt[data-state="seen"]')), options);
  list.addEventListener('focusin', (e) => askSeenBy(e.target.closest('.msg')?.querySelector('.msg-receipt[data-state="seen"]')), options);

  let press = null;
  const cancel = () => {
    if (press) clearTimeout(press.timer);
    press = null;
  };
  list.addEventListener('pointerdown', (e) => {
    for (const open of list.querySelectorAll('.msg.show-actions')) if (open !== e.target.closest('.msg')) open.classList.remove('show-actions');
    const li = e.target.closest('.msg:not(.deleted):not(.pending)');
    cancel();
    if (!li || e.pointerType === 'mouse') return;
    press = { timer: setTimeout(() => li.classList.add('show-actions'), LONG_PRESS_MS), x: e.clientX, y: e.clientY };
  }, options);
  list.addEventListener('pointerup', cancel, options);
  list.addEventListener('pointercancel', cancel, options);
  list.addEventListener('pointermove', (e) => {
    if (press && Math.hypot(e.clientX - press.x, e.clientY - press.y) > MOVE_TOLERANCE_PX) cancel();
  }, options);
  list.addEventListener('contextmenu', (e) => {
    const li = e.target.closest('.msg:not(.deleted):not(.pending)');
    if (li && (press || li.classList.contains('show-actions'))) e.preventDefault();
  }, options);
}
