// Telling the user about new messages: desktop notifications (Notification API) while the page is
// hidden or not focused, following each room's level (all / mentions / none; DMs default to all);
// the unread count in the title and as a favicon badge; an optional sound, off by default.
//
// The favicon badge is one of a few static files (/favicon-1.svg … /favicon-9plus.svg): the
// Content-Security-Policy (default-src 'self') allows no data: or blob: icon.

import { mentionsUser } from './mentions.js';
import { roomTitle } from './model.js';

export const TITLE = 'Chatterbox';
const SOUND_KEY = 'chatterbox.sound';

// Whether a new message should notify: not our own, not while we are looking, per the level.
export function shouldNotify(room, msg, me, pageActive) {
  if (!room || !msg || msg.deleted || msg.user === me || pageActive) return false;
  if (room.notify === 'all') return true;
  if (room.notify === 'mentions') return mentionsUser(msg, me);
  return false;
}

export function titleFor(count, base = TITLE) {
  return count > 0 ? `(${count > 99 ? '99+' : count}) ${base}` : base;
}

export function faviconFor(count) {
  if (count <= 0) return '/favicon.svg';
  return count > 9 ? '/favicon-9plus.svg' : `/favicon-${count}.svg`;
}

export function notificationText(room, msg, me) {
  const where = room.kind === 'dm' ? msg.user : `${msg.user} in ${room.kind === 'private' ? '' : '#'}${roomTitle(room, me)}`;
  // A file sent without text is announced by its name.
  const text = msg.text || (msg.file ? `📎 ${msg.file.name}` : '');
  const body = text.length > 200 ? `${text.slice(0, 200)}…` : text;
  return { title: where, body };
}

export class Notifier {
  #model;
  #win;
  #open; // open(roomId): show that room (a notification was clicked)
  #offs;
  #soundOn;
  #audio = null;
  #favicon;
  #lastCount = -1;

  constructor(model, { open, win = globalThis, favicon = document.querySelector('link[rel="icon"]') } = {}) {
    this.#model = model;
    this.#win = win;
    this.#open = open;
    this.#favicon = favicon;
    this.#soundOn = this.#readSound();
    const update = () => this.updateBadges();
    this.#offs = [
      model.on('messages', (d) => d.live && this.#onMessages(d)),
      model.on('room', update),
      model.on('rooms', update),
      model.on('removed', update),
    ];
  }

  destroy() {
    this.#offs.forEach((off) => off());
    document.title = TITLE;
    if (this.#favicon) this.#favicon.href = '/favicon.svg';
  }

  get soundOn() {
    return this.#soundOn;
  }

  setSound(on) {
    this.#soundOn = on;
    try {
      if (on) this.#win.localStorage?.setItem(SOUND_KEY, 'on');
      else this.#win.localStorage?.removeItem(SOUND_KEY);
    } catch {
      // the choice lasts this page only
    }
  }

  #readSound() {
    try {
      return this.#win.localStorage?.getItem(SOUND_KEY) === 'on';
    } catch {
      return false;
    }
  }

  // 'granted' | 'denied' | 'default' | 'unsupported'
  get permission() {
    return this.#win.Notification ? this.#win.Notification.permission : 'unsupported';
  }

  // Must run from a user's click (browsers ignore requests made otherwise).
  async requestPermission() {
    if (!this.#win.Notification?.requestPermission) return 'unsupported';
    try {
      return await this.#win.Notification.requestPermission();
    } catch {
      return this.permission;
    }
  }

  pageActive() {
    return document.visibilityState === 'visible' && document.hasFocus();
  }

  updateBadges() {
    const count = this.#model.totalUnread();
    if (count === this.#lastCount) return;
    this.#lastCount = count;
    document.title = titleFor(count);
    if (this.#favicon) this.#favicon.href = faviconFor(count);
  }

  #onMessages({ room: roomId, fresh }) {
    const room = this.#model.rooms.get(roomId);
    const active = this.pageActive();
    let ring = false;
    for (const msg of fresh) {
      if (!shouldNotify(room, msg, this.#model.me, active)) continue;
      ring = true;
      this.#show(room, msg);
    }
    if (ring && this.#soundOn) this.#beep();
  }

  #show(room, msg) {
    const N = this.#win.Notification;
    if (!N || N.permission !== 'granted') return;
    const { title, body } = notificationText(room, msg, this.#model.me);
    try {
      const n = new N(title, { body, tag: `chatterbox-room-${room.id}` });
      n.onclick = () => {
        this.#win.focus?.();
        this.#open(room.id);
        n.close?.();
      };
    } catch {
      // some browsers only allow notifications from a service worker: the badges still tell
    }
  }

  // A short, quiet tone made on the spot (no sound file to fetch).
  #beep() {
    try {
      const Ctx = this.#win.AudioContext ?? this.#win.webkitAudioContext;
      if (!Ctx) return;
      this.#audio ??= new Ctx();
      const ctx = this.#audio;
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.08, ctx.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + 0.25);
      osc.connect(gain).connect(ctx.destination);
      osc.start();
      osc.stop(ctx.currentTime + 0.25);
    } catch {
      // no audio: nothing lost
    }
  }
}
