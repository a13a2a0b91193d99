// The emoji panel: a toggle button opens a grid of common emoji in a few categories; picking one
// inserts it at the composer's cursor. Keyboard: arrows move in the grid (one Tab stop), Enter or
// Space inserts, Escape closes and returns to the composer. A click outside also closes it.

export const CATEGORIES = [
  {
    name: 'Smileys',
    emoji: [
      ['😀', 'grinning face'], ['😃', 'smiling face with big eyes'], ['😄', 'smiling face with smiling eyes'],
      ['😁', 'beaming face'], ['😂', 'face with tears of joy'], ['🤣', 'rolling on the floor laughing'],
      ['😊', 'smiling face'], ['😇', 'smiling face with halo'], ['🙂', 'slightly smiling face'],
      ['😉', 'winking face'], ['😍', 'heart eyes'], ['😘', 'face blowing a kiss'],
      ['😋', 'face savoring food'], ['😜', 'winking face with tongue'], ['🤔', 'thinking face'],
      ['🤨', 'raised eyebrow'], ['😐', 'neutral face'], ['🙄', 'rolling eyes'],
      ['😏', 'smirking face'], ['😴', 'sleeping face'], ['😎', 'smiling face with sunglasses'],
      ['🥳', 'partying face'], ['😢', 'crying face'], ['😭', 'loudly crying face'],
      ['😱', 'screaming in fear'], ['😡', 'pouting face'], ['🤯', 'exploding head'], ['🥺', 'pleading face'],
    ],
  },
  {
    name: 'Gestures',
    emoji: [
      ['👍', 'thumbs up'], ['👎', 'thumbs down'], ['👌', 'OK hand'], ['✌️', 'victory hand'],
      ['🤞', 'crossed fingers'], ['👏', 'clapping hands'], ['🙌', 'raising hands'], ['👋', 'waving hand'],
      ['🙏', 'folded hands'], ['🤝', 'handshake'], ['💪', 'flexed biceps'], ['👀', 'eyes'],
      ['🤷', 'person shrugging'], ['🤦', 'person facepalming'], ['🙋', 'person raising hand'], ['👉', 'pointing right'],
    ],
  },
  {
    name: 'Hearts & symbols',
    emoji: [
      ['❤️', 'red heart'], ['🧡', 'orange heart'], ['💛', 'yellow heart'], ['💚', 'green heart'],
      ['💙', 'blue heart'], ['💜', 'purple heart'], ['💔', 'broken heart'], ['✨', 'sparkles'],
      ['🔥', 'fire'], ['⭐', 'star'], ['💯', 'hundred points'], ['✅', 'check mark'],
      ['❌', 'cross mark'], ['❓', 'question mark'], ['❗', 'exclamation mark'], ['💤', 'zzz'],
    ],
  },
  {
    name: 'Animals & nature',
    emoji: [
      ['🐶', 'dog'], ['🐱', 'cat'], ['🦊', 'fox'], ['🐻', 'bear'], ['🐼', 'panda'], ['🐸', 'frog'],
      ['🐧', 'penguin'], ['🦄', 'unicorn'], ['🐝', 'honeybee'], ['🌸', 'cherry blossom'],
      ['🌻', 'sunflower'], ['🌲', 'evergreen tree'], ['☀️', 'sun'], ['🌧️', 'rain cloud'],
      ['❄️', 'snowflake'], ['🌈', 'rainbow'],
    ],
  },
  {
    name: 'Food & drink',
    emoji: [
      ['🍎', 'red apple'], ['🍌', 'banana'], ['🍓', 'strawberry'], ['🥑', 'avocado'], ['🍕', 'pizza'],
      ['🍔', 'hamburger'], ['🍟', 'french fries'], ['🌮', 'taco'], ['🍣', 'sushi'], ['🍜', 'noodles'],
      ['🍰', 'cake'], ['🍪', 'cookie'], ['☕', 'hot beverage'], ['🍵', 'tea'], ['🍺', 'beer'], ['🍷', 'wine'],
    ],
  },
  {
    name: 'Activities & objects',
    emoji: [
      ['🎉', 'party popper'], ['🎁', 'gift'], ['🎂', 'birthday cake'], ['⚽', 'soccer ball'],
      ['🏀', 'basketball'], ['🎮', 'video game'], ['🎵', 'musical note'], ['📷', 'camera'],
      ['💻', 'laptop'], ['📱', 'mobile phone'], ['💡', 'light bulb'], ['📌', 'pushpin'],
      ['📅', 'calendar'], ['⏰', 'alarm clock'], ['🚀', 'rocket'], ['🏠', 'house'],
    ],
  },
];

const COLUMNS = 8;

// Inserts `text` into a textarea at its cursor (replacing any selection) and tells listeners.
export function insertAtCursor(textarea, text) {
  const start = textarea.selectionStart ?? textarea.value.length;
  const end = textarea.selectionEnd ?? start;
  textarea.setRangeText(text, start, end, 'end');
  textarea.dispatchEvent(new Event('input', { bubbles: true }));
}

export class EmojiPanel {
  #button;
  #panel;
  #target;
  #cells = [];
  #active = 0;

  // button: the toggle; panel: an empty container (hidden); target: the composer textarea.
  constructor(button, panel, target) {
    this.#button = button;
    this.#panel = panel;
    this.#target = target;
    this.#build();
    button.setAttribute('aria-expanded', 'false');
    button.setAttribute('aria-controls', panel.id);
    button.addEventListener('click', () => (this.isOpen ? this.close() : this.open()));
    panel.addEventListener('keydown', (e) => this.#onKey(e));
    // The roving Tab stop follows focus, however a cell got it (click, Tab, a jump button).
    panel.addEventListener('focusin', (e) => {
      const index = this.#cells.indexOf(e.target);
      if (index >= 0 && index !== this.#active) this.#moveTabStop(index);
    });
    document.addEventListener('pointerdown', (e) => {
      if (this.isOpen && !panel.contains(e.target) && !button.contains(e.target)) this.close(false);
    });
    target.addEventListener('keydown', (e) => {
      // Escape closes the panel first; only a second one reaches the composer (cancel an edit).
      if (e.key === 'Escape' && this.isOpen) {
        e.stopImmediatePropagation();
        this.close();
      }
    });
  }

  get isOpen() {
    return !this.#panel.hidden;
  }

  open() {
    this.#panel.hidden = false;
    this.#button.setAttribute('aria-expanded', 'true');
    this.#focusCell(this.#active);
  }

  // returnFocus: put the cursor back in the composer (not when the user clicked elsewhere).
  close(returnFocus = true) {
    if (!this.isOpen) return;
    this.#panel.hidden = true;
    this.#button.setAttribute('aria-expanded', 'false');
    if (returnFocus) this.#target.focus();
  }

  #build() {
    this.#panel.setAttribute('role', 'dialog');
    this.#panel.setAttribute('aria-label', 'Emoji');
    const nav = document.createElement('div');
    nav.className = 'emoji-nav';
    const body = document.createElement('div');
    body.className = 'emoji-body';
    CATEGORIES.forEach((category, c) => {
      const headingId = `${this.#panel.id}-cat-${c}`;
      const jump = document.createElement('button');
      jump.type = 'button';
      jump.className = 'emoji-jump';
      jump.textContent = category.emoji[0][0];
      jump.title = category.name;
      jump.setAttribute('aria-label', `Jump to ${category.name}`);
      const firstIndex = this.#cells.length;
      jump.addEventListener('click', () => this.#focusCell(firstIndex));
      nav.append(jump);

      const heading = document.createElement('h3');
      heading.className = 'emoji-heading';
      heading.id = headingId;
      heading.textContent = category.name;
      const grid = document.createElement('div');
      grid.className = 'emoji-grid';
      grid.setAttribute('role', 'group');
      grid.setAttribute('aria-labelledby', headingId);
      for (const [symbol, name] of category.emoji) {
        const cell = document.createElement('button');
        cell.type = 'button';
        cell.className = 'emoji-cell';
        cell.textContent = symbol;
        cell.title = name;
        cell.setAttribute('aria-label', name);
        cell.tabIndex = -1;
        const index = this.#cells.length;
        cell.addEventListener('click', (e) => {
          this.#moveTabStop(index);
          insertAtCursor(this.#target, symbol);
          // A mouse user goes on typing; a keyboard user stays in the grid to pick more.
          if (e.detail > 0) this.#target.focus();
          else this.#focusCell(index);
        });
        this.#cells.push(cell);
        grid.append(cell);
      }
      body.append(heading, grid);
    });
    this.#cells[0].tabIndex = 0;
    this.#panel.replaceChildren(nav, body);
  }

  #moveTabStop(index) {
    this.#cells[this.#active].tabIndex = -1;
    this.#active = Math.min(Math.max(index, 0), this.#cells.length - 1);
    this.#cells[this.#active].tabIndex = 0;
  }

  #focusCell(index) {
    this.#moveTabStop(index);
    this.#cells[this.#active].focus();
  }

  #onKey(e) {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      this.close();
      return;
    }
    if (!e.target.classList.contains('emoji-cell')) return;
    const moves = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -COLUMNS, ArrowDown: COLUMNS };
    if (e.key in moves) {
      e.preventDefault();
      this.#focusCell(this.#active + moves[e.key]);
    } else if (e.key === 'Home') {
      e.preventDefault();
      this.#focusCell(0);
    } else if (e.key === 'End') {
      e.preventDefault();
      this.#focusCell(this.#cells.length - 1);
    }
  }
}
