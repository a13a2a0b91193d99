// Wiring: the login screen, then one Session per logged-in user (session.js joins the socket,
// the model and the pieces of the screen). No protocol or rendering details live here.

import * as api from './api.js';
import { EmojiPanel } from './emoji.js';
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

// ---------------------------------------------------------------- login screen

function showLogin({ error = '', notice = '' } = {}) {
  ui.loading.hidden = true;
  ui.chatView.hidden = true;
  ui.loginView.hidden = false;
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
  const result = await api.login(username, password);
  ui.loginSubmit.disabled = false;
  ui.loginSubmit.textContent = 'Log in';
  if (!result.ok) {
    setLoginError(api.errorMessage(result));
    ui.loginPassword.select();
    return;
  }
  ui.loginPassword.value = '';
  const created = result.status === 201 || result.data?.created === true;
  startChat(result.data.username, created ? `Account created. Welcome to Chatterbox, ${result.data.username}!` : '');
});

// ---------------------------------------------------------------- chat view

function startChat(username, notice = '') {
  session?.stop();
  ui.loading.hidden = true;
  ui.loginView.hidden = true;
  ui.chatView.hidden = false;
  ui.banner.hidden = true;
  session = new Session(username, ui, { notice: showNotice, loggedOut: () => endChat({ notice: 'You were logged out.' }) });
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
  emoji.close(false);
  showLogin(options);
}

// ---------------------------------------------------------------- page-level handlers

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

// The session cookie is HttpOnly: ask the server who we are.
async function boot() {
  const result = await api.me();
  if (result.ok) startChat(result.data.username);
  else showLogin({ error: result.status === 0 || result.status >= 500 ? api.errorMessage(result) : '' });
}

boot();
