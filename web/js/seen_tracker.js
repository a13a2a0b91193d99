// Which messages of others are on screen: an IntersectionObserver over their <li>s. A message
// counts as seen when at least half of it (or half of the view, for a tall one) is visible while
// the page is visible; report(id) gets the highest such id (the SeenThrottle decides when to send).

export class SeenTracker {
  #observer;
  #visible = new Set();
  #report;

  constructor(root, report) {
    this.#report = report;
    this.#observer = new IntersectionObserver((entries) => this.#onIntersect(entries), { root, threshold: [0, 0.5, 1] });
  }

  observe(li) {
    this.#observer.observe(li);
  }

  forget(li) {
    this.#observer.unobserve(li);
    this.#visible.delete(Number(li.dataset.id));
  }

  clear() {
    this.#observer.disconnect();
    this.#visible.clear();
  }

  #onIntersect(entries) {
    for (const entry of entries) {
      const id = Number(entry.target.dataset.id);
      const shown =
        entry.isIntersecting &&
        (entry.intersectionRatio >= 0.5 || (entry.rootBounds && entry.intersectionRect.height >= entry.rootBounds.height / 2));
      if (shown) this.#visible.add(id);
      else this.#visible.delete(id);
    }
    this.reportVisible();
  }

  reportVisible() {
    if (document.visibilityState !== 'visible' || this.#visible.size === 0) return;
    this.#report(Math.max(...this.#visible));
  }
}
