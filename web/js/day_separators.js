// Day separators in a message list ("Today", "Yesterday", a weekday, a date). Each message <li>
// carries data-day (its local day) and data-ts; a separator <li class="day"> stands right before
// the first message of each day. Every function looks at one item and its neighbours only, so
// adding or removing a message never walks the whole list.

import { dayLabel } from './dates.js';

export function createSeparator(label, day) {
  const sep = document.createElement('li');
  sep.className = 'day';
  sep.textContent = label;
  sep.dataset.day = day;
  sep.setAttribute('role', 'separator');
  return sep;
}

// The separator right before `li`, or null.
export function separatorOf(li) {
  const prev = li?.previousElementSibling;
  return prev?.classList.contains('day') ? prev : null;
}

function previousMessage(li) {
  let prev = li.previousElementSibling;
  while (prev && !prev.classList.contains('msg')) prev = prev.previousElementSibling;
  return prev;
}

// Puts a separator before `li` exactly when it starts a day, with the right label.
export function syncSeparator(li, now = Date.now()) {
  if (!li?.classList.contains('msg')) return;
  const sep = separatorOf(li);
  const prev = previousMessage(li);
  if (prev && prev.dataset.day === li.dataset.day) {
    sep?.remove();
    return;
  }
  const label = dayLabel(Number(li.dataset.ts), now);
  if (sep && sep.dataset.day === li.dataset.day) {
    if (sep.textContent !== label) sep.textContent = label;
    return;
  }
  sep?.remove();
  li.before(createSeparator(label, li.dataset.day));
}

// Removes a message and its separator; the message after it gets one if it now starts a day.
export function removeMessage(li) {
  let next = li.nextElementSibling;
  if (next?.classList.contains('day')) next = next.nextElementSibling;
  separatorOf(li)?.remove();
  li.remove();
  if (next) syncSeparator(next);
}

// Relabels the separators ("Today" becomes "Yesterday" at midnight): one pass over separators.
export function refreshDayLabels(list, now = Date.now()) {
  for (const sep of list.querySelectorAll(':scope > .day')) {
    const li = sep.nextElementSibling;
    if (!li) continue;
    const label = dayLabel(Number(li.dataset.ts), now);
    if (sep.textContent !== label) sep.textContent = label;
  }
}
