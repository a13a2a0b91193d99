// "Your account" (docs/protocol.md, "Your account"): change the password (which ends every
// other session) and see the sessions that are logged in — which browser, from where, last
// seen — ending any of them.

import * as api from './api.js';
import { el } from './message_item.js';

// "Firefox on Linux" from a User-Agent: enough to recognise a device, not a full parse.
export function describeBrowser(agent) {
  if (!agent) return 'Unknown browser';
  const browser = [['Edg/', 'Edge'], ['OPR/', 'Opera'], ['Firefox/', 'Firefox'], ['Chrome/', 'Chrome'], ['Safari/', 'Safari']]
    .find(([token]) => agent.includes(token))?.[1];
  const system = [['iPhone', 'iPhone'], ['iPad', 'iPad'], ['Android', 'Android'], ['Windows', 'Windows'], ['Mac OS X', 'macOS'], ['CrOS', 'ChromeOS'], ['Linux', 'Linux']]
    .find(([token]) => agent.includes(token))?.[1];
  if (!browser) return agent.slice(0, 60);
  return system ? `${browser} on ${system}` : browser;
}

function lastSeen(session, now = Date.now()) {
  if (session.connected > 0) return 'active now';
  const minutes = Math.round((now - session.last_seen_at) / 60000);
  if (minutes < 1) return 'seen just now';
  if (minutes < 60) return `seen ${minutes} min ago`;
  return `seen ${new Date(session.last_seen_at).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })}`;
}

export class AccountDialog {
  #dialog;
  #notice;
  #loggedOut;

  // dialog: the <dialog>; notice(text); loggedOut(): the current session was ended here
  constructor(dialog, { notice, loggedOut }) {
    this.#dialog = dialog;
    this.#notice = notice;
    this.#loggedOut = loggedOut;
    const form = dialog.querySelector('.password-form');
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.#changePassword(form);
    });
    dialog.querySelector('.dialog-cancel').addEventListener('click', () => dialog.close());
  }

  async open() {
    const form = this.#dialog.querySelector('.password-form');
    form.reset();
    this.#error('');
    this.#dialog.showModal();
    await this.#loadSessions();
  }

  #error(text) {
    const error = this.#dialog.querySelector('.dialog-error');
    error.textContent = text;
    error.hidden = text === '';
  }

  async #changePassword(form) {
    const current = form.elements.current.value;
    const replacement = form.elements.replacement.value;
    const invalid = api.validateCredentials('x', replacement);
    if (invalid) return this.#error(invalid);
    if (replacement !== form.elements.repeat.value) return this.#error('The two new passwords differ.');
    const result = await api.changePassword(current, replacement);
    if (!result.ok) {
      return this.#error(result.code === 'invalid_credentials' ? 'The current password is wrong.' : api.errorMessage(result));
    }
    form.reset();
    this.#error('');
    this.#notice('Password changed. Every other session has been logged out.');
    await this.#loadSessions();
  }

  async #loadSessions() {
    const list = this.#dialog.querySelector('.session-list');
    const result = await api.sessions();
    if (!result.ok) {
      list.replaceChildren(el('li', 'hint', `Could not load the sessions: ${api.errorMessage(result)}`));
      return;
    }
    list.replaceChildren(...result.data.sessions.map((s) => {
      const li = el('li', 'session-item');
      const where = [describeBrowser(s.browser), s.address, s.current ? 'this browser' : lastSeen(s)].filter(Boolean).join(' · ');
      li.append(el('span', 'session-where', where));
      li.title = s.browser;
      const end = el('button', '', s.current ? 'Log out' : 'End');
      end.type = 'button';
      end.setAttribute('aria-label', s.current ? 'Log out this browser' : `End the session of ${describeBrowser(s.browser)}`);
      end.addEventListener('click', () => this.#end(s));
      li.append(end);
      return li;
    }));
  }

  async #end(session) {
    const result = await api.endSession(session.id);
    if (!result.ok) return this.#error(api.errorMessage(result));
    if (session.current) {
      this.#dialog.close();
      this.#loggedOut();
      return;
    }
    await this.#loadSessions();
  }
}
