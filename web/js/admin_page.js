// The administrators' page (docs/protocol.md, "Administration"): who may sign up, invitation
// links, people (roles, deactivation, password reset links), rooms (archive) and the audit log.
// It asks /api/admin/… when it opens and after every change; the server decides and checks
// everything, this page only shows what it says.

import * as api from './api.js';
import { el } from './message_item.js';

export function invitationLink(code, origin = globalThis.location?.origin ?? '') {
  return `${origin}/#invite=${code}`;
}

export function resetLink(code, origin = globalThis.location?.origin ?? '') {
  return `${origin}/#reset=${code}`;
}

// What an invitation is now, in words.
export function invitationState(inv, now = Date.now()) {
  if (inv.revoked) return 'revoked';
  if (inv.expires_at <= now) return 'expired';
  if (inv.max_uses !== null && inv.uses >= inv.max_uses) return 'used up';
  return 'active';
}

function when(ms) {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

// A row of cells (text) and, last, a cell of buttons.
function row(cells, buttons = []) {
  const tr = el('tr');
  for (const text of cells) tr.append(el('td', '', String(text)));
  const actions = el('td', 'admin-actions');
  actions.append(...buttons);
  tr.append(actions);
  return tr;
}

function button(text, onClick, label = text) {
  const b = el('button', '', text);
  b.type = 'button';
  b.setAttribute('aria-label', label);
  b.addEventListener('click', onClick);
  return b;
}

// A read-only field with a link to copy, and a Copy button.
function linkField(link, label) {
  const wrap = el('span', 'admin-link');
  const input = el('input');
  input.readOnly = true;
  input.value = link;
  input.setAttribute('aria-label', label);
  input.addEventListener('focus', () => input.select());
  const copy = button('Copy', async () => {
    input.select();
    try {
      await navigator.clipboard.writeText(link);
      copy.textContent = 'Copied';
    } catch {
      copy.textContent = 'Press Ctrl+C'; // no clipboard access (plain HTTP from elsewhere)
    }
  }, `Copy ${label}`);
  wrap.append(input, copy);
  return wrap;
}

export class AdminPage {
  #root;
  #me;
  #confirm;
  #parts;

  // root: the page's element; me: the administrator's name; confirm(options) -> Promise<bool>
  constructor(root, { me, confirm }) {
    this.#root = root;
    this.#me = me;
    this.#confirm = confirm;
    const $ = (selector) => root.querySelector(selector);
    this.#parts = {
      status: $('.admin-status'),
      registration: $('.admin-registration'),
      inviteForm: $('.admin-invite'),
      invitations: $('.admin-invitations tbody'),
      users: $('.admin-users tbody'),
      resetLink: $('.admin-reset-link'),
      rooms: $('.admin-rooms tbody'),
      audit: $('.admin-audit'),
    };
    this.#parts.registration.addEventListener('change', (e) => {
      if (e.target.name === 'mode') this.#change('registration', { mode: e.target.value }, `Sign-up is now: ${e.target.value}.`);
    });
    this.#parts.inviteForm.addEventListener('submit', (e) => {
      e.preventDefault();
      const form = this.#parts.inviteForm;
      const uses = form.elements.uses.value.trim();
      this.#change('invitations', { expires_in_hours: Number(form.elements.hours.value), max_uses: uses === '' ? null : Number(uses) },
        'Invitation link created: copy it from the list and send it.');
    });
  }

  get hidden() {
    return this.#root.hidden;
  }

  async open() {
    this.#root.hidden = false;
    this.#parts.resetLink.hidden = true;
    await this.refresh();
    this.#root.querySelector('h2')?.focus();
  }

  close() {
    this.#root.hidden = true;
  }

  async refresh() {
    const [registration, invitations, users, rooms, audit] = await Promise.all([
      api.registration(), api.adminGet('invitations'), api.adminGet('users'), api.adminGet('rooms'), api.adminGet('audit'),
    ]);
    const failed = [registration, invitations, users, rooms, audit].find((r) => !r.ok);
    if (failed) {
      this.#say(`Could not load: ${api.errorMessage(failed)}`);
      return;
    }
    this.#renderRegistration(registration.data.mode);
    this.#renderInvitations(invitations.data.invitations);
    this.#renderUsers(users.data.users);
    this.#renderRooms(rooms.data.rooms);
    this.#renderAudit(audit.data.entries);
  }

  #say(text) {
    this.#parts.status.textContent = text;
  }

  // One change; then everything is asked again, so the page shows what the server has.
  async #change(path, body, done) {
    const result = await api.adminPost(path, body);
    this.#say(result.ok ? done : `Not done: ${api.errorMessage(result)}`);
    await this.refresh();
    return result;
  }

  #renderRegistration(mode) {
    for (const input of this.#parts.registration.querySelectorAll('input[name="mode"]')) input.checked = input.value === mode;
  }

  #renderInvitations(list) {
    const rows = list.map((inv) => {
      const state = invitationState(inv);
      const uses = inv.max_uses === null ? `${inv.uses}` : `${inv.uses} of ${inv.max_uses}`;
      const tr = row([inv.created_by ?? '—', when(inv.expires_at), uses, state],
        state === 'active'
          ? [button('Revoke', () => this.#change(`invitations/${inv.code}/revoke`, {}, 'Invitation revoked.'), 'Revoke invitation')]
          : []);
      const cell = el('td');
      if (state === 'active') cell.append(linkField(invitationLink(inv.code), 'invitation link'));
      else cell.textContent = `${inv.code.slice(0, 8)}…`;
      tr.prepend(cell);
      return tr;
    });
    this.#parts.invitations.replaceChildren(...rows);
    if (rows.length === 0) this.#parts.invitations.append(row(['No invitations yet.', '', '', '', '']));
  }

  #renderUsers(users) {
    this.#parts.users.replaceChildren(...users.map((u) => {
      const buttons = [];
      if (u.username !== this.#me) {
        buttons.push(button(u.admin ? 'Demote' : 'Make admin', () =>
          this.#change(`users/${u.username}/${u.admin ? 'demote' : 'promote'}`, {}, `${u.username} is now ${u.admin ? 'a member' : 'an administrator'}.`),
        `${u.admin ? 'Demote' : 'Make admin'} ${u.username}`));
        buttons.push(button(u.deactivated ? 'Reactivate' : 'Deactivate', () => this.#toggleActive(u), `${u.deactivated ? 'Reactivate' : 'Deactivate'} ${u.username}`));
      }
      buttons.push(button('Reset link', () => this.#resetLink(u.username), `Password reset link for ${u.username}`));
      const tr = row([u.username, u.admin ? 'administrator' : 'member', u.deactivated ? 'deactivated' : 'active', u.sessions, when(u.created_at)], buttons);
      tr.dataset.user = u.username;
      return tr;
    }));
  }

  async #toggleActive(user) {
    if (!user.deactivated) {
      const ok = await this.#confirm({
        message: `Deactivate ${user.username}? They are logged out everywhere at once and cannot log in; their messages stay.`,
        ok: 'Deactivate',
      });
      if (!ok) return;
    }
    const action = user.deactivated ? 'reactivate' : 'deactivate';
    await this.#change(`users/${user.username}/${action}`, {}, `${user.username} is ${action}d.`);
  }

  async #resetLink(username) {
    const result = await api.adminPost(`users/${username}/reset-link`);
    const out = this.#parts.resetLink;
    if (!result.ok) {
      this.#say(`Not done: ${api.errorMessage(result)}`);
      return;
    }
    out.replaceChildren(
      el('span', '', `Password reset link for ${username} — works once, for 24 hours; it is shown only now: `),
      linkField(resetLink(result.data.code), `reset link for ${username}`),
    );
    out.hidden = false;
    this.#say(`Reset link made for ${username}.`);
    const audit = await api.adminGet('audit');
    if (audit.ok) this.#renderAudit(audit.data.entries);
  }

  #renderRooms(rooms) {
    this.#parts.rooms.replaceChildren(...rooms.map((r) => row(
      [`${r.kind === 'private' ? '🔒' : '#'} ${r.name}`, r.kind, r.members, r.creator || '—', r.archived ? 'archived' : 'active'],
      [button(r.archived ? 'Unarchive' : 'Archive', () =>
        this.#change(`rooms/${r.id}/${r.archived ? 'unarchive' : 'archive'}`, {}, `${r.name} is ${r.archived ? 'unarchived' : 'archived'}.`),
      `${r.archived ? 'Unarchive' : 'Archive'} ${r.name}`)],
    )));
  }

  #renderAudit(entries) {
    const items = entries.map((e) => {
      const who = e.admin ?? 'command line';
      const what = [e.action.replaceAll('_', ' '), e.user, e.detail].filter(Boolean).join(' ');
      return el('li', '', `${when(e.at)} — ${who}: ${what}`);
    });
    this.#parts.audit.replaceChildren(...items);
    if (items.length === 0) this.#parts.audit.append(el('li', 'hint', 'Nothing yet.'));
  }
}

