// Wiring: the login screen, then one Session per logged-in user (session.js joins the socket,
// the model and the pieces of the screen). No protocol or rendering details live here.

import * as api from './api.js';
import { AccountDialog } from './account_dialog.js';
import { AdminPage } from './admin_page.js';
import { confirmDialog } from './dialogs.js';
import { EmojiPanel } from './emoji.js';
import { loginIntro, parseEntryLink } from './entry_links.js';
import { TITLE } from './notifications.js';
import { Session } from './session.js';

const $ = (id) => document.getElementById(id);

const ui = {
  loading: $('loading'),
  loginView: $('login-view'),
  loginForm: $('login-form'),
  loginUsername: $('login-username'),
  loginPassword: $('login-password'),
  loginError: $('login-error'),
  loginNotice: $('login-notice'),
  loginSubmit: $('login-submit'),
  loginIntro: $('login-intro'),
  resetForm: $('reset-form'),
  resetIntro: $('reset-intro'),
  resetPassword: $('reset-password'),
  resetRepeat: $('reset-repeat'),
  resetError: $('reset-error'),
  resetSubmit: $('reset-submit'),
  adminOpen: $('admin-open'),
  adminView: $('admin-view'),
  adminClose: $('admin-close'),
  accountOpen: $('account-open'),
  accountDialog: $('account-dialog'),
  chatBody: document.querySelector('.chat-body'),
  chatView: $('chat-view'),
  meName: $('me-name'),
  logout: $('logout'),
  notice: $('notice'),
  banner: $('banner'),
  sidebarToggle: $('sidebar-toggle'),
  roomList: $('room-list'),
  dmList: $('dm-list'),
  newRoom: $('new-room'),
  newDm: $('new-dm'),
  notifyPermission: $('notify-permission'),
  soundToggle: $('sound-toggle'),
  roomTitle: $('room-title'),
  roomMeta: $('room-meta'),
  roomNotify: $('room-notify'),
  archivedNote: $('archived-note'),
  membersToggle: $('members-toggle'),
  membersPanel: $('members-panel'),
  membersClose: $('members-close'),
  memberList: $('member-list'),
  memberMore: $('member-more'),
  roomAdmin: $('room-admin'),
  addMembers: $('add-members'),
  renameRoom: $('rename-room'),
  archiveRoom: $('archive-room'),
  exportRoom: $('export-room'),
  leaveRoom: $('leave-room'),
  scroller: $('scroller'),
  historyStatus: $('history-status'),
  messages: $('messages'),
  newMessages: $('new-messages'),
  composer: $('composer'),
  input: $('composer-input'),
  send: $('send'),
  typing: $('typing'),
  editBanner: $('edit-banner'),
  replyBanner: $('reply-banner'),
  uploads: $('uploads'),
  attach: $('attach'),
  fileInput: $('file-input'),
  mentionList: $('mention-list'),
  emojiToggle: $('emoji-toggle'),
  emojiPanel: $('emoji-panel'),
  createDialog: $('create-room-dialog'),
  dmDialog: $('dm-dialog'),
  confirmDialog: $('confirm-dialog'),
  announcer: $('announcer'),
  searchForm: $('search-form'),
  searchInput: $('search-input'),
  searchClose: $('search-close'),
  searchStatus: $('search-status'),
  searchResults: $('search-results'),
  searchMore: $('search-more'),
};

const emoji = new EmojiPanel(ui.emojiToggle, ui.emojiPanel, ui.input);
let session = null; // the Session of the logged-in user, or null on the login screen
let admin = null; // the AdminPage, for administrators
let invite = null; // the code of the invitation link the page was opened with
let resetCode = null; // the code of the password reset link the page was opened with

// The link's code has done its job (or the user went on without it): out of the address bar,
// so it is neither bookmarked nor shared by accident.
function forgetEntryLink() {
  invite = null;
  resetCode = null;
  if (parseEntryLink(location.hash)) history.replaceState(null, '', location.pathname + location.search);
}

const account = new AccountDialog(ui.accountDialog, {
  notice: (text) => showNotice(text),
  loggedOut: () => endChat({ notice: 'You have logged out.' }),
});

// ---------------------------------------------------------------- login screen

function showLogin({ error = '', notice = '' } = {}) {
  ui.loading.hidden = true;
  ui.chatView.hidden = true;
  ui.loginView.hidden = false;
  ui.loginForm.hidden = false;
  ui.resetForm.hidden = true;
  document.title = TITLE;
  setLoginError(error);
  ui.loginNotice.textContent = notice;
  ui.loginNotice.hidden = notice === '';
  ui.loginSubmit.disabled = false;
  ui.loginPassword.value = '';
  (ui.loginUsername.value ? ui.loginPassword : ui.loginUsername).focus();
}

function setLoginError(message) {
  ui.loginError.textContent = message;
  ui.loginError.hidden = message === '';
  ui.loginUsername.setAttribute('aria-invalid', String(message !== ''));
}

ui.loginForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  const username = ui.loginUsername.value.trim();
  const password = ui.loginPassword.value;
  const invalid = api.validateCredentials(username, password);
  if (invalid) {
    setLoginError(invalid);
    return;
  }
  setLoginError('');
  ui.loginNotice.hidden = true;
  ui.loginSubmit.disabled = true;
  ui.loginSubmit.textContent = 'Logging in…';
  const result = invite ? await api.signUp(username, password, invite) : await api.login(username, password);
  ui.loginSubmit.disabled = false;
  ui.loginSubmit.textContent = 'Log in';
  if (!result.ok) {
    setLoginError(api.errorMessage(result));
    ui.loginPassword.select();
    return;
  }
  ui.loginPassword.value = '';
  const created = result.status === 201 || result.data?.created === true;
  forgetEntryLink();
  startChat(result.data.username, created ? `Account created. Welcome to Chatterbox, ${result.data.username}!` : '', result.data.admin === true);
});

// The password reset link's form.
async function showReset(code, isCurrent) {
  const check = await api.checkReset(code);
  if (!isCurrent()) return;
  if (!check.ok) {
    forgetEntryLink();
    showLogin({ error: api.errorMessage(check) });
    return;
  }
  resetCode = code;
  ui.loading.hidden = true;
  ui.loginView.hidden = false;
  ui.loginForm.hidden = true;
  ui.resetForm.hidden = false;
  ui.resetIntro.textContent = `Choose a new password for ${check.data.username}. Every browser logged in as ${check.data.username} will be logged out.`;
  ui.loginUsername.value = check.data.username;
  ui.resetPassword.focus();
}

function setResetError(message) {
  ui.resetError.textContent = message;
  ui.resetError.hidden = message === '';
}

ui.resetForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  const password = ui.resetPassword.value;
  const invalid = api.validateCredentials('x', password);
  if (invalid) return setResetError(invalid);
  if (password !== ui.resetRepeat.value) return setResetError('The two passwords differ.');
  ui.resetSubmit.disabled = true;
  const result = await api.resetPassword(resetCode, password);
  ui.resetSubmit.disabled = false;
  if (!result.ok) return setResetError(api.errorMessage(result));
  ui.resetForm.reset();
  forgetEntryLink();
  startChat(result.data.username, 'Your password has been changed.', result.data.admin === true);
});


// ---------------------------------------------------------------- chat view

function startChat(username, notice = '', isAdmin = false) {
  session?.stop();
  ui.loading.hidden = true;
  ui.loginView.hidden = true;
  ui.chatView.hidden = false;
  ui.banner.hidden = true;
  session = new Session(username, ui, { notice: showNotice, loggedOut: () => endChat({ notice: 'You were logged out.' }), admin: isAdmin });
  admin = isAdmin ? new AdminPage(ui.adminView, { me: username, confirm: (options) => confirmDialog(ui.confirmDialog, options) }) : null;
  ui.adminOpen.hidden = !isAdmin;
  showAdmin(false);
  ui.soundToggle.checked = session.notifier.soundOn;
  ui.notifyPermission.hidden = session.notifier.permission !== 'default';
  showNotice(notice);
  ui.input.focus();
}

let noticeTimer = null;
function showNotice(text, ms = 8000) {
  clearTimeout(noticeTimer);
  ui.notice.textContent = text;
  ui.notice.hidden = text === '';
  if (text) noticeTimer = setTimeout(() => (ui.notice.hidden = true), ms);
}

function endChat(options) {
  session?.stop();
  session = null;
  admin = null;
  showAdmin(false);
  emoji.close(false);
  showLogin(options);
}

// ---------------------------------------------------------------- page-level handlers

// The admin page takes the place of the rooms and the conversation while it is open.
function showAdmin(open) {
  ui.chatBody.hidden = open;
  if (open) admin?.open();
  else ui.adminView.hidden = true;
}

ui.adminOpen.addEventListener('click', () => showAdmin(ui.adminView.hidden));
ui.adminClose.addEventListener('click', () => showAdmin(false));
ui.accountOpen.addEventListener('click', () => account.open());
ui.newRoom.addEventListener('click', () => session?.dialogs.openCreate());
ui.newDm.addEventListener('click', () => session?.dialogs.openDm());
ui.soundToggle.addEventListener('change', () => session?.notifier.setSound(ui.soundToggle.checked));
ui.notifyPermission.addEventListener('click', async () => {
  const result = await session?.notifier.requestPermission();
  ui.notifyPermission.hidden = result !== 'default';
});
ui.logout.addEventListener('click', async () => {
  ui.logout.disabled = true;
  const result = await api.logout();
  ui.logout.disabled = false;
  // 401: the session was already gone, which is what the user wanted.
  if (!result.ok && result.status !== 401) {
    showNotice(`Could not log out: ${api.errorMessage(result)}`, 6000);
    return;
  }
  session?.outboxStore.clear(); // logging out on purpose also means giving up unsent messages
  endChat({ notice: 'You have logged out.' });
});

// A link pasted while the page is still asking the server starts another boot; only the latest
// may draw the screen, or the first one's login screen would wipe the link's answer.
let bootGeneration = 0;

// The session cookie is HttpOnly: ask the server who we are.
async function boot() {
  const generation = ++bootGeneration;
  const isCurrent = () => generation === bootGeneration;
  invite = null;
  const link = parseEntryLink(location.hash);
  if (link?.reset) return showReset(link.reset, isCurrent);
  const result = await api.me();
  if (!isCurrent()) return;
  if (result.ok) {
    if (link) forgetEntryLink(); // already logged in: the link has nothing to do
    startChat(result.data.username, '', result.data.admin === true);
    return;
  }
  const registration = await api.registration(link?.invite);
  if (!isCurrent()) return;
  if (registration.ok) {
    if (registration.data.invitation === 'valid') invite = link.invite;
    ui.loginIntro.textContent = loginIntro(registration.data.mode, registration.data.invitation ?? null);
  }
  showLogin({ error: result.status === 0 || result.status >= 500 ? api.errorMessage(result) : '' });
}

// A link pasted into a tab already on the login screen changes only the fragment: no reload.
window.addEventListener('hashchange', () => {
  if (!session && parseEntryLink(location.hash)) boot();
});

boot();
