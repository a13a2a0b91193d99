// What is new to the reader of the open room. The "New messages" divider sits above the first
// message of others after the read marker the room had when it was entered, and stays there while
// the room is open: reading on moves the marker, but the reader still wants to see where the new
// ones began. The jump button counts others' messages that arrived below while the view was
// scrolled up, until the view is back at the bottom.

export class NewMessages {
  #jump;
  #entryMarker = 0;
  #dividerId = null;
  #count = 0;

  // jump: the "N new messages ↓" button (its clicks are the room view's).
  constructor(jump) {
    this.#jump = jump;
  }

  get dividerId() {
    return this.#dividerId;
  }

  // A room is entered with this read marker.
  enter(marker) {
    this.#entryMarker = marker;
    this.#dividerId = null;
  }

  // Marks the divider's message in `list` (message_list.js) once one is drawn; it never moves after.
  placeDivider(list, me) {
    if (this.#dividerId !== null) return;
    this.#dividerId = list.firstFromOthersAfter(this.#entryMarker);
    const li = this.#dividerId !== null ? list.get(this.#dividerId) : null;
    if (li && me) li.classList.add('first-unread');
  }

  arrived(n) {
    this.#count += n;
    this.#jump.textContent = `${this.#count} new message${this.#count === 1 ? '' : 's'} ↓`;
    this.#jump.hidden = false;
  }

  // The view shows older messages than the latest, which are not drawn below: offer to go there.
  offerLatest() {
    this.#jump.textContent = 'Jump to latest ↓';
    this.#jump.hidden = false;
  }

  // The view reached the bottom: nothing below is new any more.
  resetCount() {
    this.#count = 0;
    this.#jump.hidden = true;
  }
}
