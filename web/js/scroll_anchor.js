// Changing what a scrolled list holds without moving what the reader looks at: the first message
// visible before the change stays where it was on screen.

// Runs `change` (which adds or removes items of `list`), then scrolls `scroller` by however far
// that moved the first visible message.
export function keepScroll(scroller, list, change) {
  const top = scroller.getBoundingClientRect().top;
  let anchor = null;
  for (const li of list.children) {
    if (li.classList.contains('msg') && li.getBoundingClientRect().bottom > top) {
      anchor = li;
      break;
    }
  }
  const before = anchor?.getBoundingClientRect().top;
  change();
  if (anchor?.isConnected) scroller.scrollTop += anchor.getBoundingClientRect().top - before;
}
