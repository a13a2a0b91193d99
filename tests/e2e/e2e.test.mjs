// End-to-end: the real chatterbox binary (path in CHATTERBOX_BINARY) and the web client in
// headless Chromium, protocol v2. Browser contexts for alice, bob and carol (and second tabs);
// the steps run in order and share the conversations they build: `general` first, then rooms,
// a private room carol cannot see, a group DM, mentions that notify and unread badges.
//
// Run through tests/e2e/run.sh <path-to-chatterbox>.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { REPO, Server, WAIT_MS, eventually, launchBrowser, saveArtifacts, sqlite } from './harness.mjs';

const BINARY = process.env.CHATTERBOX_BINARY;
const TIME_ZONE = 'Asia/Tokyo'; // not UTC, so local-time rendering is really exercised; no DST
const LOCALE = 'en-US';
const DAY_MS = 24 * 60 * 60 * 1000;
const RECONNECT_MS = 30_000; // backoff tops out at 15 s; a restart takes a few seconds
const PASSWORDS = { alice: 'alice-password', bob: 'bob-password', carol: 'carol-password', dave: 'dave-password' };

const tmp = mkdtempSync(path.join(os.tmpdir(), 'chatterbox-e2e-'));
const db = path.join(tmp, 'e2e.db');
const server = new Server(BINARY, db);
const pages = {}; // label -> Page, for artifacts
const problems = []; // page errors, dialogs, CSP violations: must stay empty
const seeded = {}; // label -> { text, ts }
const framesSent = {}; // label -> client frames the page's WebSockets sent, parsed
const framesReceived = {}; // label -> server events the page's WebSockets received, parsed and unbatched
let browser;
let contexts = {};
const rooms = {}; // name -> id

// ------------------------------------------------------------------ helpers

function step(name, fn) {
  test(name, async () => {
    try {
      await fn();
    } catch (error) {
      await saveArtifacts(name, pages, server);
      throw error;
    }
  });
}

async function newContext(name) {
  const context = await browser.newContext({
    timezoneId: TIME_ZONE,
    locale: LOCALE,
    viewport: { width: 1100, height: 800 },
    colorScheme: 'light',
  });
  contexts[name] = context;
  return context;
}

async function openPage(context, label) {
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  pages[label] = page;
  page.on('pageerror', (error) => problems.push(`${label}: page error: ${error.message}`));
  page.on('dialog', async (dialog) => {
    problems.push(`${label}: a ${dialog.type()} dialog opened: ${dialog.message()}`);
    await dialog.dismiss().catch(() => {});
  });
  framesSent[label] = [];
  framesReceived[label] = [];
  page.on('websocket', (ws) => {
    ws.on('framesent', ({ payload }) => {
      try {
        framesSent[label].push(JSON.parse(payload));
      } catch {
        framesSent[label].push({ unparsable: String(payload) });
      }
    });
    ws.on('framereceived', ({ payload }) => {
      try {
        const parsed = JSON.parse(payload);
        framesReceived[label].push(...(Array.isArray(parsed) ? parsed : [parsed]));
      } catch {
        framesReceived[label].push({ unparsable: String(payload) });
      }
    });
  });
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(`${label}: ${message.text()}`);
  });
  await page.goto(server.url);
  return page;
}

async function login(page, username, password = PASSWORDS[username]) {
  await page.locator('#login-view').waitFor();
  await page.fill('#login-username', username);
  await page.fill('#login-password', password);
  await page.click('#login-submit');
}

async function loginAndWait(page, username, password) {
  await login(page, username, password);
  await page.locator('#chat-view').waitFor();
  await page.locator('#me-name', { hasText: username }).waitFor();
}

async function send(page, text) {
  await page.fill('#composer-input', text);
  await page.press('#composer-input', 'Enter');
}

// The confirmed (acked, not pending) message elements whose text is exactly `text`.
function countMessages(page, text, { pending = false } = {}) {
  return page.evaluate(
    ({ text, pending }) =>
      [...document.querySelectorAll('#messages .msg')].filter(
        (li) => li.querySelector('.msg-text').textContent === text && li.classList.contains('pending') === pending,
      ).length,
    { text, pending },
  );
}

async function waitForMessage(page, text, { timeout = WAIT_MS } = {}) {
  await page.waitForFunction(
    (text) => [...document.querySelectorAll('#messages .msg:not(.pending) .msg-text')].some((p) => p.textContent === text),
    text,
    { timeout, polling: 100 },
  );
}

// The <li> of the message with exactly this text (confirmed ones by default).
function messageItem(page, text) {
  return page
    .locator('#messages .msg')
    .filter({ has: page.locator('.msg-text').getByText(text, { exact: true }) })
    .last();
}

async function receiptOf(page, text) {
  const receipt = messageItem(page, text).locator('.msg-receipt');
  return { state: await receipt.getAttribute('data-state'), symbol: await receipt.textContent(), title: await receipt.getAttribute('title') };
}

async function waitForReceipt(page, text, state, timeout = WAIT_MS) {
  return eventually(
    async () => {
      const r = await receiptOf(page, text);
      assert.equal(r.state, state, `receipt of "${text}" is ${JSON.stringify(r)}`);
      return r;
    },
    { timeout },
  );
}

// The members panel of the open room: who is shown online. Opening the panel asks the server
// for the member list again (new accounts are announced to nobody).
async function onlineUsers(page) {
  return page.evaluate(() => [...document.querySelectorAll('#member-list .member.online')].map((li) => li.dataset.user).sort());
}

async function openMembers(page) {
  if (!(await page.locator('#members-panel').isVisible())) await page.click('#members-toggle');
  await page.locator('#members-panel').waitFor();
}

async function waitForOnline(page, users) {
  await openMembers(page);
  const expected = [...users].sort();
  let refreshed = 0;
  return eventually(async () => {
    const online = await onlineUsers(page);
    const known = await page.evaluate(() => [...document.querySelectorAll('#member-list .member')].map((li) => li.dataset.user));
    if (expected.some((u) => !known.includes(u)) && Date.now() - refreshed > 1000) {
      refreshed = Date.now(); // someone new: ask for the list again (close and open the panel)
      await page.click('#members-toggle');
      await page.click('#members-toggle');
    }
    assert.deepEqual(online, expected);
  });
}

// The room id the page shows (from its URL).
async function currentRoom(page) {
  const match = /#\/room\/(\d+)$/.exec(page.url());
  return match ? Number(match[1]) : null;
}

// The sidebar entry of the room called `title` (rooms) or with these people (DMs).
function sidebarEntry(page, title) {
  return page.locator('#sidebar .room-entry').filter({ has: page.locator('.room-name', { hasText: new RegExp(`^(# |🔒 )?${title}$`) }) });
}

async function openRoom(page, title) {
  await sidebarEntry(page, title).locator('a').click();
  await page.locator('#room-title', { hasText: title }).waitFor();
}

async function badges(page, title) {
  const entry = sidebarEntry(page, title);
  const read = async (cls) => {
    const b = entry.locator(cls);
    return (await b.isVisible()) ? (await b.textContent()).trim() : '';
  };
  return { unread: await read('.unread-badge'), mentions: await read('.mention-badge'), bold: await entry.evaluate((li) => li.classList.contains('unread')) };
}

async function waitForBadges(page, title, expected) {
  await eventually(async () => assert.deepEqual(await badges(page, title), expected, `badges of ${title}`));
}

// Replaces window.Notification with a recorder (permission granted), before the page's scripts run.
async function stubNotifications(context) {
  await context.addInitScript(() => {
    window.notifications = [];
    window.Notification = class {
      static permission = 'granted';
      static requestPermission() {
        return Promise.resolve('granted');
      }
      constructor(title, options = {}) {
        window.notifications.push({ title, body: options.body });
      }
      close() {}
    };
  });
}

async function typingText(page) {
  return (await page.locator('#typing').textContent()).trim();
}

async function waitForTyping(page, expected, timeout = WAIT_MS) {
  await eventually(async () => assert.equal(await typingText(page), expected), { timeout });
}

function expectedLabel(ts, days) {
  if (days === 1) return 'Yesterday';
  const options = days < 7 ? { weekday: 'long' } : { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' };
  return new Intl.DateTimeFormat(LOCALE, { ...options, timeZone: TIME_ZONE }).format(new Date(ts));
}

// Whether the message is inside the visible part of the message list.
function inView(page, text) {
  return messageItem(page, text).evaluate((li) => {
    const box = li.getBoundingClientRect();
    const view = document.getElementById('scroller').getBoundingClientRect();
    return box.top >= view.top && box.bottom <= view.bottom;
  });
}

// Checks that `condition` stays false for `ms`: for the few things that must NOT happen.
async function holdsFalse(condition, ms, message) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    assert.equal(await condition(), false, message);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// Chromium gives headless pages no way to be hidden, so the Page Visibility API is overridden.
function setHidden(page, hidden) {
  return page.evaluate((hidden) => {
    if (!('testHidden' in window)) {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (window.testHidden ? 'hidden' : 'visible') });
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => window.testHidden });
    }
    window.testHidden = hidden;
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

async function separators(page) {
  return page.locator('#messages .day').allTextContents();
}

// ------------------------------------------------------------------ the suite

describe('chatterbox web client', { concurrency: false, timeout: 10 * 60 * 1000 }, () => {
  before(async () => {
    assert.ok(BINARY, 'set CHATTERBOX_BINARY (use tests/e2e/run.sh <binary>)');
    // First start: the server creates the database; carol's account is made through the API.
    await server.start(0);
    const response = await fetch(`${server.url}/api/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'carol', password: PASSWORDS.carol }),
    });
    assert.equal(response.status, 201, 'carol is created');
    await server.stop();
    // Messages from the past, written straight into the database while the server is down.
    const now = Date.now();
    const rows = [
      ['month', 30, 'An old message from last month'],
      ['week', 3, 'A message from a few days ago'],
      ['yesterday', 1, 'A message from yesterday'],
    ];
    const values = rows.map(([label, days, text], i) => {
      const ts = now - days * DAY_MS;
      seeded[label] = { text, ts, days };
      return `(${i + 1}, (SELECT id FROM users WHERE username = 'carol'), 'seed-${i + 1}', '${text}', ${ts})`;
    });
    sqlite(db, `INSERT INTO messages (seq, user_id, client_id, text, ts) VALUES ${values.join(', ')};`);
    await server.start(0);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await server.stop().catch(() => server.kill());
    if (problems.length === 0) rmSync(tmp, { recursive: true, force: true });
  });

  step('the client is served with its content types, ETags and security headers', async () => {
    const assets = {
      '/': /^text\/html/,
      '/app.css': /^text\/css/,
      '/js/app.js': /^text\/javascript/,
      '/js/socket.js': /^text\/javascript/,
      '/js/model.js': /^text\/javascript/,
      '/favicon.svg': /^image\/svg\+xml/,
      '/favicon-3.svg': /^image\/svg\+xml/,
      '/favicon-9plus.svg': /^image\/svg\+xml/,
    };
    for (const [asset, type] of Object.entries(assets)) {
      const response = await fetch(server.url + asset);
      assert.equal(response.status, 200, asset);
      assert.match(response.headers.get('content-type'), type, asset);
      // The CSP allows no inline script or style; the console listener reports any violation.
      assert.equal(response.headers.get('content-security-policy'), "default-src 'self'", asset);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff', asset);
      assert.equal(response.headers.get('referrer-policy'), 'no-referrer', asset);
      assert.equal(response.headers.get('x-frame-options'), 'DENY', asset);
      const etag = response.headers.get('etag');
      assert.ok(etag, `${asset} has an ETag`);
      const again = await fetch(server.url + asset, { headers: { 'If-None-Match': etag } });
      assert.equal(again.status, 304, `${asset} revalidates`);
    }
  });

  step('login: invalid name and wrong password are explained; a new account is created', async () => {
    const alice = await openPage(await newContext('alice'), 'alice');
    await login(alice, 'not a name!', 'whatever-password');
    await alice.locator('#login-error', { hasText: 'Usernames are 1–32 characters' }).waitFor();
    await login(alice, 'alice', 'short');
    await alice.locator('#login-error', { hasText: 'at least 8' }).waitFor();
    // An existing account with the wrong password: carol was created before the browser came.
    await login(alice, 'carol', 'not-carols-password');
    await alice.locator('#login-error', { hasText: 'Wrong password' }).waitFor();
    assert.equal(await alice.locator('#chat-view').isVisible(), false);

    await loginAndWait(alice, 'alice');
    await alice.locator('#notice', { hasText: 'Account created' }).waitFor();
    await waitForOnline(alice, ['alice']);
  });

  step('login: bob joins; both are shown in general, its URL, and the members panel follows', async () => {
    const bob = await openPage(await newContext('bob'), 'bob');
    await loginAndWait(bob, 'bob');
    await bob.locator('#notice', { hasText: 'Account created' }).waitFor();
    await bob.locator('#room-title', { hasText: 'general' }).waitFor();
    assert.equal(await currentRoom(bob), 1, 'general is room 1, in the URL');
    await waitForOnline(bob, ['alice', 'bob']);
    await waitForOnline(pages.alice, ['alice', 'bob']);
    // v2: connecting sends only hello; the client asks for history and watches who it shows.
    const first = framesSent.bob.slice(0, 4).map((f) => f.type);
    assert.ok(first.includes('history') && first.includes('members'), `first frames ${first}`);
    await eventually(() => assert.ok(framesSent.bob.some((f) => f.type === 'watch' && f.users.includes('alice'))));
  });

  step("a second tab of alice's is logged in by its cookie and is not a second online user", async () => {
    const alice2 = await openPage(contexts.alice, 'alice2');
    await alice2.locator('#chat-view').waitFor();
    await alice2.locator('#me-name', { hasText: 'alice' }).waitFor();
    await waitForOnline(alice2, ['alice', 'bob']);
    await waitForOnline(pages.bob, ['alice', 'bob']);
    const presence = framesReceived.bob.filter((e) => e.type === 'presence');
    assert.ok(presence.every((e) => !e.offline.includes('alice')), 'alice never went offline for bob');
  });

  step('seeded history shows Yesterday, a weekday and a full date in the local time zone', async () => {
    const { bob } = pages;
    for (const { text } of Object.values(seeded)) await waitForMessage(bob, text);
    const expected = ['month', 'week', 'yesterday'].map((k) => expectedLabel(seeded[k].ts, seeded[k].days));
    assert.equal(expected[2], 'Yesterday');
    await eventually(async () => assert.deepEqual((await separators(bob)).slice(0, 3), expected));
    const time = new Intl.DateTimeFormat(LOCALE, { hour: '2-digit', minute: '2-digit', timeZone: TIME_ZONE }).format(
      new Date(seeded.week.ts),
    );
    assert.equal(await messageItem(bob, seeded.week.text).locator('.msg-time').textContent(), time);
  });

  step('send both ways: text with line breaks, own messages distinct, author and time shown', async () => {
    const { alice, alice2, bob } = pages;
    await send(alice, 'Hi bob, welcome to Chatterbox!');
    for (const page of [alice, alice2, bob]) await waitForMessage(page, 'Hi bob, welcome to Chatterbox!');
    await send(bob, 'Thanks alice!\nGlad to be here.');
    for (const page of [alice, alice2, bob]) await waitForMessage(page, 'Thanks alice!\nGlad to be here.');
    const item = messageItem(alice, 'Thanks alice!\nGlad to be here.');
    assert.equal(await item.locator('.msg-author').textContent(), 'bob');
    assert.equal(await item.evaluate((li) => li.classList.contains('own')), false);
    assert.equal(await messageItem(alice, 'Hi bob, welcome to Chatterbox!').evaluate((li) => li.classList.contains('own')), true);
    // innerText follows the CSS: the line break is a real one on screen, not collapsed.
    assert.equal(await item.locator('.msg-text').innerText(), 'Thanks alice!\nGlad to be here.');
    assert.match(await item.locator('.msg-time').textContent(), /^\d\d:\d\d\s[AP]M$/);
    assert.equal(await separators(alice).then((s) => s.at(-1)), 'Today');
  });

  step('receipts: ○ while bob is away, ● once he views it, with who saw it in the tooltip', async () => {
    const { alice, alice2, bob } = pages;
    await bob.goto('about:blank');
    await waitForOnline(alice, ['alice']);
    await send(alice, 'Are you there, bob?');
    await waitForMessage(alice, 'Are you there, bob?');
    const delivered = await waitForReceipt(alice, 'Are you there, bob?', 'delivered');
    assert.deepEqual(delivered, { state: 'delivered', symbol: '○', title: 'Delivered' });
    await waitForReceipt(alice2, 'Are you there, bob?', 'delivered');
    // alice's own other tab viewing it does not make it seen.
    assert.equal((await receiptOf(alice, 'Are you there, bob?')).state, 'delivered');

    await bob.goto(server.url);
    await waitForMessage(bob, 'Are you there, bob?');
    await waitForOnline(alice, ['alice', 'bob']);
    const seen = await waitForReceipt(alice, 'Are you there, bob?', 'seen');
    assert.deepEqual(seen, { state: 'seen', symbol: '●', title: 'Seen' });
    // Who saw it is asked for on demand (seen_by) when the mark is pointed at.
    await messageItem(alice, 'Are you there, bob?').locator('.msg-receipt').hover();
    await eventually(async () => assert.equal((await receiptOf(alice, 'Are you there, bob?')).title, 'Seen by bob'));
    // Also from the keyboard: focus on the message's buttons asks, and the mark's label says it.
    await messageItem(alice2, 'Are you there, bob?').locator('.msg-edit').focus();
    await eventually(async () =>
      assert.equal(await messageItem(alice2, 'Are you there, bob?').locator('.msg-receipt').getAttribute('aria-label'), 'Seen by bob'),
    );
    await waitForReceipt(alice2, 'Are you there, bob?', 'seen');
    // bob never gets receipts on alice's messages, and his own get theirs from alice.
    assert.equal(await messageItem(bob, 'Are you there, bob?').locator('.msg-receipt').isVisible(), false);
    await waitForReceipt(bob, 'Thanks alice!\nGlad to be here.', 'seen');
  });

  step('typing: "bob is typing…" appears for alice and clears on send and after idling', async () => {
    const { alice, alice2, bob } = pages;
    await bob.click('#composer-input');
    await bob.keyboard.type('I am wri', { delay: 20 });
    await waitForTyping(alice, 'bob is typing…');
    await waitForTyping(alice2, 'bob is typing…');
    assert.equal(await typingText(bob), '', 'nobody sees themselves typing');
    await bob.keyboard.type('ting back', { delay: 20 });
    await bob.keyboard.press('Enter');
    await waitForMessage(alice, 'I am writing back');
    await waitForTyping(alice, '', 3000);

    // Typing, then stopping without sending: typing false after 4 s idle (the indicator would
    // also time out by itself after 7 s).
    await bob.keyboard.type('hmm', { delay: 20 });
    await waitForTyping(alice, 'bob is typing…');
    await waitForTyping(alice, '', 9000);
    await bob.fill('#composer-input', '');
  });

  step('edit: from the message menu and with Up in an empty composer; Escape cancels', async () => {
    const { alice, alice2, bob } = pages;
    await send(alice, 'This has a typo: teh');
    await waitForMessage(bob, 'This has a typo: teh');
    const item = messageItem(alice, 'This has a typo: teh');
    await item.hover();
    await item.locator('.msg-edit').click();
    assert.equal(await alice.inputValue('#composer-input'), 'This has a typo: teh');
    await alice.locator('#edit-banner').waitFor();
    await alice.fill('#composer-input', 'This has no typo: the');
    await alice.press('#composer-input', 'Enter');
    for (const page of [alice, alice2, bob]) {
      await waitForMessage(page, 'This has no typo: the');
      await messageItem(page, 'This has no typo: the').locator('.msg-edited', { hasText: '(edited)' }).waitFor();
      assert.equal(await countMessages(page, 'This has a typo: teh'), 0);
    }
    assert.equal(await alice.locator('#edit-banner').isVisible(), false);

    // Up arrow in an empty composer edits the last own message; Escape restores the composer.
    await send(alice, 'Up arrow edits me');
    await waitForMessage(alice, 'Up arrow edits me');
    await alice.press('#composer-input', 'ArrowUp');
    assert.equal(await alice.inputValue('#composer-input'), 'Up arrow edits me');
    await alice.press('#composer-input', 'Escape');
    assert.equal(await alice.inputValue('#composer-input'), '');
    assert.equal(await alice.locator('#edit-banner').isVisible(), false);
    await alice.press('#composer-input', 'ArrowUp');
    await alice.fill('#composer-input', 'Up arrow edited me');
    await alice.press('#composer-input', 'Enter');
    for (const page of [alice, alice2, bob]) await waitForMessage(page, 'Up arrow edited me');
    // Only own messages have a menu.
    assert.equal(await messageItem(alice, 'I am writing back').locator('.msg-edit').count(), 0);
  });

  step('delete: "This message was deleted" in all three pages at once', async () => {
    const { alice, alice2, bob } = pages;
    await send(alice, 'Oops, wrong chat');
    await waitForMessage(bob, 'Oops, wrong chat');
    await waitForMessage(alice, 'Oops, wrong chat'); // acked: no longer the pending copy
    const item = messageItem(alice, 'Oops, wrong chat');
    // From the keyboard: the buttons are focusable, labelled and shown while focused.
    await item.locator('.msg-delete').focus();
    assert.equal(await item.locator('.msg-actions').evaluate((a) => getComputedStyle(a).opacity), '1');
    assert.equal(await item.locator('.msg-delete').getAttribute('aria-label'), 'Delete message: Oops, wrong chat');
    await alice.keyboard.press('Enter');
    // A confirmation first: Cancel keeps the message.
    await alice.locator('#confirm-dialog').waitFor();
    await alice.click('#confirm-dialog .confirm-cancel');
    await alice.locator('#confirm-dialog').waitFor({ state: 'hidden' });
    assert.equal(await countMessages(alice, 'Oops, wrong chat'), 1);
    await item.locator('.msg-delete').click();
    await alice.click('#confirm-dialog .confirm-ok');
    for (const page of [alice, alice2, bob]) {
      await waitForMessage(page, 'This message was deleted');
      assert.equal(await countMessages(page, 'Oops, wrong chat'), 0);
    }
  });

  step('emoji: the panel inserts at the cursor, works from the keyboard, and closes', async () => {
    const { alice, bob } = pages;
    await alice.fill('#composer-input', 'Nice !');
    await alice.locator('#composer-input').evaluate((t) => t.setSelectionRange(5, 5)); // before "!"
    await alice.click('#emoji-toggle');
    await alice.locator('#emoji-panel').waitFor();
    assert.equal(await alice.getAttribute('#emoji-toggle', 'aria-expanded'), 'true');
    await alice.locator('#emoji-panel [aria-label="party popper"]').click();
    assert.equal(await alice.inputValue('#composer-input'), 'Nice 🎉!');
    // Keyboard: open, the first emoji has focus, arrows move, Enter inserts, Escape closes.
    await alice.locator('#emoji-panel [aria-label="grinning face"]').focus();
    await alice.keyboard.press('ArrowRight');
    await alice.keyboard.press('Enter');
    assert.equal(await alice.inputValue('#composer-input'), 'Nice 🎉😃!');
    await alice.keyboard.press('Escape');
    await alice.locator('#emoji-panel').waitFor({ state: 'hidden' });
    assert.equal(await alice.evaluate(() => document.activeElement.id), 'composer-input');
    // An outside click closes it too.
    await alice.click('#emoji-toggle');
    await alice.locator('#emoji-panel').waitFor();
    await alice.click('#messages', { position: { x: 5, y: 5 } });
    await alice.locator('#emoji-panel').waitFor({ state: 'hidden' });
    await alice.press('#composer-input', 'Enter');
    await waitForMessage(bob, 'Nice 🎉😃!');
  });

  step('a message that looks like HTML is shown as text and runs nothing', async () => {
    const { alice, alice2, bob } = pages;
    const evil = '<img src=x onerror=alert(1)>';
    await send(bob, evil);
    for (const page of [alice, alice2, bob]) {
      await waitForMessage(page, evil);
      assert.equal(await page.locator('#messages img').count(), 0);
      assert.equal(await messageItem(page, evil).locator('.msg-text').innerText(), evil);
    }
    await send(bob, '<script>alert(2)</script>');
    await waitForMessage(alice, '<script>alert(2)</script>');
    assert.equal(await alice.locator('#messages script').count(), 0);
    assert.deepEqual(problems, []);
  });

  step('a reload keeps the session and the history', async () => {
    const { alice } = pages;
    await alice.reload();
    await alice.locator('#chat-view').waitFor();
    for (const text of ['Hi bob, welcome to Chatterbox!', 'This has no typo: the', seeded.yesterday.text]) {
      await waitForMessage(alice, text);
    }
    await waitForMessage(alice, 'This message was deleted');
    await messageItem(alice, 'This has no typo: the').locator('.msg-edited').waitFor();
    await waitForReceipt(alice, 'Are you there, bob?', 'seen');
    assert.ok((await separators(alice)).includes('Yesterday'));
  });

  step('closing one of alice\'s two tabs keeps her online: no second join, no leave', async () => {
    const { alice2, bob } = pages;
    await alice2.close();
    delete pages.alice2;
    // Longer than the presence grace (2 s): the server would have reported alice gone by then.
    const offline = () => framesReceived.bob.some((e) => e.type === 'presence' && e.offline.includes('alice'));
    await holdsFalse(offline, 3000, 'bob was told alice went offline');
    await send(bob, 'ping after alice closed a tab');
    await waitForMessage(pages.alice, 'ping after alice closed a tab');
    await waitForOnline(bob, ['alice', 'bob']);
  });

  step('server restart while bob keeps typing: banner, offline queue, every message exactly once', async () => {
    const { alice, bob } = pages;
    const visitor = await openPage(await newContext('visitor'), 'visitor');
    await visitor.locator('#login-view').waitFor();
    const port = server.port;

    await bob.click('#composer-input');
    await bob.keyboard.type('Still here', { delay: 20 });
    await waitForTyping(alice, 'bob is typing…');
    await server.stop();
    await alice.locator('#banner', { hasText: 'Reconnecting…' }).waitFor();
    await bob.locator('#banner', { hasText: 'Reconnecting…' }).waitFor();

    // Logging in while the server is down says so.
    await login(visitor, 'dave');
    await visitor.locator('#login-error', { hasText: 'Cannot reach the server' }).waitFor();

    // bob goes on typing and sending; alice too. They wait as pending (◌).
    await bob.keyboard.type(' while the server is down', { delay: 15 });
    await bob.keyboard.press('Enter');
    await bob.keyboard.type('Second offline message', { delay: 15 });
    await bob.keyboard.press('Enter');
    await send(alice, 'alice wrote this offline');
    assert.equal(await countMessages(bob, 'Still here while the server is down', { pending: true }), 1);
    assert.equal((await receiptOf(bob, 'Second offline message')).symbol, '◌');
    await bob.keyboard.type('Typing on through the restart', { delay: 15 });

    await server.start(port);
    assert.equal(server.port, port, 'restarted on the same port');
    await alice.locator('#banner').waitFor({ state: 'hidden', timeout: RECONNECT_MS });
    await bob.locator('#banner').waitFor({ state: 'hidden', timeout: RECONNECT_MS });
    await bob.keyboard.press('Enter');

    const texts = [
      'Still here while the server is down',
      'Second offline message',
      'alice wrote this offline',
      'Typing on through the restart',
    ];
    for (const page of [alice, bob]) {
      for (const text of texts) await waitForMessage(page, text, { timeout: RECONNECT_MS });
    }
    await waitForReceipt(bob, 'Second offline message', 'seen');
    for (const page of [alice, bob]) {
      for (const text of texts) {
        assert.equal(await countMessages(page, text), 1, `"${text}" once`);
        assert.equal(await countMessages(page, text, { pending: true }), 0, `"${text}" not left pending`);
      }
    }
    // And once in the database: a resent client_id stored nothing new.
    for (const text of texts) {
      assert.equal(sqlite(db, `SELECT count(*) FROM messages WHERE text = '${text}';`).trim(), '1', text);
    }
    // The visitor can log in now.
    await loginAndWait(visitor, 'dave');
    await waitForOnline(alice, ['alice', 'bob', 'dave']);
    await contexts.visitor.close();
    delete pages.visitor;
    await waitForOnline(alice, ['alice', 'bob']);
  });

  step('a message queued while the server is down survives closing the tab: the next tab sends it, once', async () => {
    const { alice, bob } = pages;
    const port = server.port;
    const text = 'queued, then the tab was closed';
    await server.stop();
    await alice.locator('#banner', { hasText: 'Reconnecting…' }).waitFor();
    await send(alice, text);
    assert.equal((await receiptOf(alice, text)).symbol, '◌');
    await alice.close(); // gone before the server is back: only the stored outbox remembers it
    delete pages.alice;

    await server.start(port);
    await bob.locator('#banner').waitFor({ state: 'hidden', timeout: RECONNECT_MS });
    const again = await openPage(contexts.alice, 'alice');
    await again.locator('#chat-view').waitFor();
    await waitForMessage(bob, text, { timeout: RECONNECT_MS });
    await waitForMessage(again, text);
    for (const page of [again, bob]) {
      assert.equal(await countMessages(page, text), 1, 'once');
      assert.equal(await countMessages(page, text, { pending: true }), 0, 'not left pending');
    }
    assert.equal(sqlite(db, `SELECT count(*) FROM messages WHERE text = '${text}';`).trim(), '1');
    // Acked, so gone from storage: a further reload sends nothing again.
    assert.equal(await again.evaluate(() => localStorage.getItem('chatterbox.outbox.v2.alice')), null);
  });

  step('logout closes every tab of that session (close 4001); logging in again is an existing account', async () => {
    const { alice, bob } = pages;
    const bob2 = await openPage(contexts.bob, 'bob2');
    await bob2.locator('#chat-view').waitFor();
    await bob.click('#logout');
    await bob.locator('#login-view').waitFor();
    await bob2.locator('#login-view').waitFor();
    await bob2.locator('#login-notice', { hasText: 'logged out' }).waitFor();
    await waitForOnline(alice, ['alice']);
    // A reload stays logged out: the cookie is gone.
    await bob2.reload();
    await bob2.locator('#login-view').waitFor();
    await bob2.close();
    delete pages.bob2;

    await loginAndWait(bob, 'bob');
    await waitForMessage(bob, 'Hi bob, welcome to Chatterbox!');
    // A second session in the same page: its controls act once, not once per session.
    await openMembers(bob);
    await bob.click('#members-toggle');
    await bob.locator('#members-panel').waitFor({ state: 'hidden' });
    assert.equal(await bob.locator('#notice').isVisible(), false, 'no "account created" for an existing account');
    await waitForOnline(alice, ['alice', 'bob']);
    assert.deepEqual(problems, []);
  });
  step('history: the latest 50 on load, older pages on scrolling up with the view kept still', async () => {
    const { alice, bob } = pages;
    // As fast as the keyboard goes: past the server's rate limit, which the client rides out.
    const bulk = Array.from({ length: 55 }, (_, i) => `Bulk message ${i + 1}`);
    for (const text of bulk) await send(bob, text);
    for (const page of [alice, bob]) {
      for (const text of bulk) await waitForMessage(page, text, { timeout: 30_000 });
    }
    assert.equal(await bob.locator('#messages .msg.failed').count(), 0, 'nothing given up');
    await alice.reload();
    await alice.locator('#chat-view').waitFor();
    await waitForMessage(alice, bulk.at(-1));
    assert.equal(await alice.locator('#messages .msg').count(), 50, 'one page of 50');
    assert.ok(
      await alice.evaluate(() => {
        const s = document.getElementById('scroller');
        return s.scrollHeight - s.scrollTop - s.clientHeight < 2;
      }),
      'starts at the bottom',
    );

    // Scroll to the top: the next page comes in above and what was on screen stays put.
    const anchor = alice.locator('#messages .msg').first();
    const anchorId = await anchor.getAttribute('data-id');
    const before = await anchor.evaluate((li) => {
      document.getElementById('scroller').scrollTop = 0;
      return li.getBoundingClientRect().top;
    });
    await alice.waitForFunction((n) => document.querySelectorAll('#messages .msg').length > n, 50, { polling: 100 });
    const afterTop = await alice.locator(`#messages .msg[data-id="${anchorId}"]`).evaluate((li) => li.getBoundingClientRect().top);
    assert.ok(Math.abs(afterTop - before) < 3, `the view did not jump (${before} -> ${afterTop})`);
    // Keep going up until the start of the conversation.
    await eventually(
      async () => {
        await alice.evaluate(() => (document.getElementById('scroller').scrollTop = 0));
        await alice.locator('#history-status', { hasText: 'beginning of the conversation' }).waitFor({ timeout: 500 });
      },
      { timeout: 20_000 },
    );
    await waitForMessage(alice, seeded.month.text);
    for (const text of bulk) assert.equal(await countMessages(alice, text), 1, `"${text}" once after paging`);
    const ids = await alice.evaluate(() => [...document.querySelectorAll('#messages .msg')].map((li) => Number(li.dataset.id)));
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b), 'in id order');
    assert.equal(new Set(ids).size, ids.length, 'no id twice');

    // Scrolled up, a new message does not yank the view: a button offers to jump down.
    await send(bob, 'Look down here');
    await waitForMessage(alice, 'Look down here');
    await alice.locator('#new-messages', { hasText: '1 new message ↓' }).waitFor();
    assert.ok(await alice.evaluate(() => document.getElementById('scroller').scrollTop < 200), 'still up');
    await alice.click('#new-messages');
    await alice.locator('#new-messages').waitFor({ state: 'hidden' });
    await eventually(async () => assert.ok(await inView(alice, 'Look down here')));
    await waitForReceipt(bob, 'Look down here', 'seen');
  });

  step('a hidden tab counts unread messages in its title and favicon and sends no seen for them', async () => {
    const { alice, bob } = pages;
    // general notifies only mentions by default; alice wants every message.
    await alice.selectOption('#room-notify', 'all');
    await eventually(() => assert.ok(framesSent.alice.some((f) => f.type === 'notify' && f.room === 1 && f.level === 'all')));
    await sidebarEntry(alice, 'general').locator('.room-level', { hasText: '🔔' }).waitFor();
    await setHidden(alice, true);
    await send(bob, 'Unread one');
    await send(bob, 'Unread two');
    await waitForMessage(alice, 'Unread two');
    await eventually(async () => assert.equal(await alice.title(), '(2) Chatterbox'));
    assert.equal(await alice.getAttribute('link[rel="icon"]', 'href'), '/favicon-2.svg');
    const unreadIds = await alice.evaluate(() =>
      [...document.querySelectorAll('#messages .msg')].filter((li) => li.textContent.includes('Unread')).map((li) => Number(li.dataset.id)),
    );
    assert.equal(unreadIds.length, 2);
    assert.ok(await inView(alice, 'Unread two'), 'on screen, so only the hidden tab keeps it unseen');
    const sawUnread = async () => framesSent.alice.some((f) => f.type === 'seen' && f.id >= Math.min(...unreadIds));
    await holdsFalse(sawUnread, 1000, 'alice sent seen for messages in a hidden tab');
    assert.equal((await receiptOf(bob, 'Unread two')).state, 'delivered');

    await setHidden(alice, false);
    await eventually(async () => assert.equal(await alice.title(), 'Chatterbox'));
    assert.equal(await alice.getAttribute('link[rel="icon"]', 'href'), '/favicon.svg');
    await waitForReceipt(bob, 'Unread two', 'seen');
    // Never a seen for one's own message: every seen alice sent was for someone else's message.
    const own = await alice.evaluate(() => [...document.querySelectorAll('#messages .msg.own')].map((li) => Number(li.dataset.id)));
    const seenIds = framesSent.alice.filter((f) => f.type === 'seen').map((f) => f.id);
    assert.ok(seenIds.length > 0);
    assert.deepEqual(seenIds.filter((id) => own.includes(id)), []);
  });

  step('rooms: alice creates an open room; everyone has it, the room is in the URL, back and forward work, drafts stay', async () => {
    const { alice, bob } = pages;
    await alice.click('#new-room');
    await alice.locator('#create-room-dialog').waitFor();
    await alice.fill('#create-room-name', 'projects');
    await alice.click('#create-room-dialog button[type="submit"]');
    await alice.locator('#create-room-dialog').waitFor({ state: 'hidden' });
    await alice.locator('#room-title', { hasText: 'projects' }).waitFor();
    rooms.projects = await currentRoom(alice);
    assert.ok(rooms.projects > 1, 'the new room is in the URL');
    await sidebarEntry(bob, 'projects').waitFor();
    await send(alice, 'Welcome to projects');

    // bob leaves a draft in general, switches rooms without a reload, and comes back to it.
    await openRoom(bob, 'general');
    await bob.fill('#composer-input', 'a draft for general');
    await openRoom(bob, 'projects');
    assert.equal(await currentRoom(bob), rooms.projects);
    await waitForMessage(bob, 'Welcome to projects');
    assert.equal(await bob.inputValue('#composer-input'), '', 'the draft stays with its room');
    await bob.goBack();
    await bob.locator('#room-title', { hasText: 'general' }).waitFor();
    assert.equal(await bob.inputValue('#composer-input'), 'a draft for general');
    await bob.fill('#composer-input', '');
    await bob.goForward();
    await bob.locator('#room-title', { hasText: 'projects' }).waitFor();
    await bob.reload();
    await bob.locator('#room-title', { hasText: 'projects' }).waitFor();
    await waitForMessage(bob, 'Welcome to projects');
    assert.equal(await countMessages(bob, 'Hi bob, welcome to Chatterbox!'), 0, "general's messages are not in projects");
  });

  step('carol joins the three-user scenario (desktop notifications recorded in every page from now on)', async () => {
    await stubNotifications(contexts.alice);
    await stubNotifications(contexts.bob);
    const carolContext = await newContext('carol');
    await stubNotifications(carolContext);
    const carol = await openPage(carolContext, 'carol');
    await loginAndWait(carol, 'carol');
    await sidebarEntry(carol, 'general').waitFor();
    await sidebarEntry(carol, 'projects').waitFor();
    await pages.bob.reload(); // with the recorder in place
    await pages.bob.locator('#chat-view').waitFor();
  });

  step('a private room: alice and bob only; nothing of it reaches carol, not even on her socket', async () => {
    const { alice, bob, carol } = pages;
    await alice.click('#new-room');
    await alice.fill('#create-room-name', 'secret');
    await alice.check('#create-room-dialog input[value="private"]');
    await alice.fill('#create-room-search', 'bo');
    await alice.locator('#create-room-dialog .pick-results input[value="bob"]').check();
    await alice.click('#create-room-dialog button[type="submit"]');
    await alice.locator('#room-title', { hasText: 'secret' }).waitFor();
    rooms.secret = await currentRoom(alice);
    await sidebarEntry(bob, 'secret').waitFor();
    await send(alice, 'top secret plan');
    await openRoom(bob, 'secret');
    await waitForMessage(bob, 'top secret plan');
    await bob.click('#composer-input');
    await bob.keyboard.type('shh', { delay: 20 });
    await waitForTyping(alice, 'bob is typing…');
    await bob.fill('#composer-input', '');
    await openMembers(alice);
    await eventually(async () => assert.deepEqual(await alice.locator('#member-list .member').evaluateAll((l) => l.map((li) => li.dataset.user)), ['alice', 'bob']));

    // carol: no entry, no way in by URL, and not one frame about it.
    assert.equal(await sidebarEntry(carol, 'secret').count(), 0);
    await carol.goto(`${server.url}/#/room/${rooms.secret}`);
    await carol.locator('#chat-view').waitFor();
    await carol.locator('#room-title', { hasText: 'general' }).waitFor();
    await send(carol, 'carol checks in');
    await waitForMessage(carol, 'carol checks in');
    const leaked = framesReceived.carol.filter(
      (e) => e.room === rooms.secret || e.room?.id === rooms.secret || JSON.stringify(e).includes('top secret') || (e.rooms ?? []).some((r) => r.id === rooms.secret),
    );
    assert.deepEqual(leaked, [], 'carol received nothing of the private room');
    assert.ok(framesReceived.carol.some((e) => e.type === 'message' && e.text === 'carol checks in'), 'her socket was recording');
  });

  step('a group DM: carol starts one with alice and bob; it is in their sidebars with an unread badge', async () => {
    const { alice, bob, carol } = pages;
    await openRoom(alice, 'general');
    await openRoom(bob, 'general');
    await carol.click('#new-dm');
    await carol.locator('#dm-dialog').waitFor();
    await carol.locator('#dm-dialog .pick-results input[value="alice"]').check();
    await carol.locator('#dm-dialog .pick-results input[value="bob"]').check();
    await carol.click('#dm-dialog button[type="submit"]');
    await carol.locator('#room-title', { hasText: 'alice, bob' }).waitFor();
    rooms.group = await currentRoom(carol);
    await send(carol, 'Hi both, a group DM');
    await waitForBadges(alice, 'bob, carol', { unread: '1', mentions: '', bold: true });
    await waitForBadges(bob, 'alice, carol', { unread: '1', mentions: '', bold: true });
    await openRoom(alice, 'bob, carol');
    await waitForMessage(alice, 'Hi both, a group DM');
    await waitForBadges(alice, 'bob, carol', { unread: '', mentions: '', bold: false });
    // Opening the same DM again finds the same room.
    await carol.click('#new-dm');
    await carol.locator('#dm-dialog .pick-results input[value="bob"]').check();
    await carol.locator('#dm-dialog .pick-results input[value="alice"]').check();
    await carol.click('#dm-dialog button[type="submit"]');
    await carol.locator('#dm-dialog').waitFor({ state: 'hidden' });
    assert.equal(await currentRoom(carol), rooms.group);
  });

  step('formatting: alice sends a code block, a link and emphasis; bob sees them drawn, and her Edit shows the source', async () => {
    const { alice, bob } = pages;
    await openRoom(bob, 'alice, carol');
    await waitForMessage(bob, 'Hi both, a group DM');
    const longLine = `const squares = [${Array.from({ length: 60 }, (_, i) => i * i).join(', ')}];`;
    const code = ['function add(a, b) {', '    return a + b; // *not* emphasis, @bob stays text', '}', longLine].join('\n');
    const source = ['Try **this** with `npm test`:', '```js', code, '```', 'Docs: https://example.com/a_(b). Not a link: javascript:alert(1)'].join('\n');
    await send(alice, source);
    const item = bob.locator('#messages .msg:not(.pending)').filter({ hasText: 'Not a link: javascript:alert(1)' });
    await item.waitFor();

    // The code block: every space and line as typed, monospace, nothing inside interpreted.
    const pre = item.locator('pre');
    assert.equal(await pre.locator('code').textContent(), code);
    assert.equal(await pre.innerText(), code, 'the indentation is kept on screen');
    assert.equal(await pre.locator('code').getAttribute('class'), 'language-js');
    assert.equal(await pre.locator('em, strong, a, .mention').count(), 0);
    const style = await pre.evaluate((p) => ({ font: getComputedStyle(p).fontFamily, whiteSpace: getComputedStyle(p).whiteSpace, overflowX: getComputedStyle(p).overflowX }));
    assert.match(style.font, /monospace/);
    assert.equal(style.whiteSpace, 'pre');
    assert.equal(style.overflowX, 'auto');
    // The long line scrolls inside the block; the page itself does not get wider.
    assert.ok(await pre.evaluate((p) => p.scrollWidth > p.clientWidth), 'the long line scrolls');
    assert.ok(await bob.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no sideways scroll');
    await bob.setViewportSize({ width: 360, height: 740 });
    assert.ok(await bob.evaluate(() => document.documentElement.scrollWidth <= 360), 'no sideways scroll on a phone either');
    assert.ok(await pre.evaluate((p) => p.getBoundingClientRect().right <= 360), 'the block fits the phone screen');
    await bob.setViewportSize({ width: 1100, height: 800 });

    // Inline formatting and the link.
    assert.deepEqual(await item.locator('.msg-text > p strong').allTextContents(), ['this']);
    assert.deepEqual(await item.locator('.msg-text > p code').allTextContents(), ['npm test']);
    const links = item.locator('a');
    assert.equal(await links.count(), 1, 'only the https URL is a link');
    assert.equal(await links.getAttribute('href'), 'https://example.com/a_(b)');
    assert.equal(await links.textContent(), 'https://example.com/a_(b)');
    assert.equal(await links.getAttribute('target'), '_blank');
    assert.equal(await links.getAttribute('rel'), 'noopener noreferrer nofollow');
    assert.match(await item.locator('.msg-text').innerText(), /\(b\)\. Not a link: javascript:alert\(1\)$/);
    assert.ok(framesReceived.bob.some((e) => e.type === 'message' && e.text === source), 'the text travels as typed');

    // alice edits it: the composer holds exactly what she typed, not what is drawn.
    const own = alice.locator('#messages .msg:not(.pending)').filter({ hasText: 'Not a link: javascript:alert(1)' });
    await own.hover();
    await own.locator('.msg-edit').click();
    assert.equal(await alice.inputValue('#composer-input'), source);
    await alice.press('#composer-input', 'Escape');
    assert.equal(await alice.inputValue('#composer-input'), '');
    await openRoom(bob, 'general');
    assert.deepEqual(problems, []);
  });

  step('a mention notifies bob while his page is hidden; chatter in a mentions-level room does not; a DM does', async () => {
    const { alice, bob, carol } = pages;
    await openRoom(alice, 'projects');
    await setHidden(bob, true);
    await send(alice, 'plain chatter');
    // Typed with @-autocomplete: the room's members whose names start with "bo".
    await alice.fill('#composer-input', '');
    await alice.click('#composer-input');
    await alice.keyboard.type('@bo', { delay: 20 });
    await alice.locator('#mention-list [role="option"]', { hasText: 'bob' }).waitFor();
    assert.deepEqual(await alice.locator('#mention-list [role="option"]').allTextContents(), ['bob']);
    assert.equal(await alice.getAttribute('#composer-input', 'aria-expanded'), 'true');
    await alice.keyboard.press('Tab');
    assert.equal(await alice.inputValue('#composer-input'), '@bob ');
    await alice.locator('#mention-list').waitFor({ state: 'hidden' });
    await alice.keyboard.type('please review, @here too', { delay: 5 });
    await alice.keyboard.press('Enter');
    assert.ok(framesSent.alice.some((f) => f.type === 'members' && f.room === rooms.projects && f.prefix === 'bo'));
    await eventually(async () => assert.equal(await bob.evaluate(() => window.notifications.length), 1));
    assert.deepEqual(await bob.evaluate(() => window.notifications[0]), { title: 'alice in #projects', body: '@bob please review, @here too' });
    await openRoom(carol, 'general');
    await send(carol, 'not for bob'); // general notifies bob of mentions only
    await waitForMessage(carol, 'not for bob');
    await openRoom(carol, 'alice, bob');
    await send(carol, 'DM ping');
    await eventually(async () => assert.equal(await bob.evaluate(() => window.notifications.length), 2));
    assert.deepEqual(await bob.evaluate(() => window.notifications[1]), { title: 'carol', body: 'DM ping' });
    await setHidden(bob, false);
    // The mention is drawn as one and the message is highlighted for bob, not for alice.
    await openRoom(bob, 'projects');
    const item = messageItem(bob, '@bob please review, @here too');
    await item.waitFor();
    assert.equal(await item.evaluate((li) => li.classList.contains('mentions-me')), true);
    assert.deepEqual(await item.locator('.mention').allTextContents(), ['@bob', '@here']);
    assert.equal(await messageItem(alice, '@bob please review, @here too').evaluate((li) => li.classList.contains('mentions-me')), false);
    assert.equal(await alice.evaluate(() => window.notifications?.length ?? 0), 0, 'alice was looking: nothing popped up');
  });

  step('unread badges follow reading in another tab of the same user', async () => {
    const { alice, bob } = pages;
    const bob2 = await openPage(contexts.bob, 'bob2');
    await bob2.locator('#chat-view').waitFor();
    await openRoom(bob2, 'general');
    await openRoom(bob, 'general');
    await send(alice, 'badge test');
    await send(alice, '@bob badge mention');
    for (const page of [bob, bob2]) await waitForBadges(page, 'projects', { unread: '2', mentions: '@1', bold: true });
    await openRoom(bob, 'projects');
    await waitForMessage(bob, '@bob badge mention');
    // bob read it in his first tab: the second one clears its badges too.
    await waitForBadges(bob2, 'projects', { unread: '', mentions: '', bold: false });
    await bob2.close();
    delete pages.bob2;
  });

  step('reactions and replies: bob reacts, alice sees who and adds hers; a reply quotes its original and jumps to it', async () => {
    const { alice, bob } = pages;
    await openRoom(alice, 'general');
    await openRoom(bob, 'general');
    const question = 'Who reviews the changelog?';
    await send(alice, question);
    await waitForMessage(bob, question);

    // bob reacts from the message's React button.
    const atBob = messageItem(bob, question);
    await atBob.hover();
    await atBob.locator('.msg-react').click();
    await bob.getByRole('button', { name: 'React with 👍' }).click();
    const atAlice = messageItem(alice, question);
    const thumbs = atAlice.locator('.reaction[data-emoji="👍"]');
    await thumbs.locator('.reaction-count', { hasText: '1' }).waitFor();
    assert.equal(await thumbs.getAttribute('aria-label'), 'bob reacted with 👍');
    assert.equal(await thumbs.getAttribute('aria-pressed'), 'false');
    // alice adds hers by clicking it; both see two, each their own way.
    await thumbs.click();
    await thumbs.locator('.reaction-count', { hasText: '2' }).waitFor();
    assert.equal(await thumbs.getAttribute('aria-pressed'), 'true');
    const atBobThumbs = atBob.locator('.reaction[data-emoji="👍"]');
    await atBobThumbs.locator('.reaction-count', { hasText: '2' }).waitFor();
    assert.equal(await atBobThumbs.getAttribute('aria-label'), 'You and alice reacted with 👍');
    // A click again takes it back.
    await atBobThumbs.click();
    await thumbs.locator('.reaction-count', { hasText: '1' }).waitFor();
    assert.equal(await thumbs.getAttribute('aria-label'), 'You reacted with 👍');
    // Beyond the quick ones: every emoji of the composer's panel, by name.
    await atBob.hover();
    await atBob.locator('.msg-react').click();
    await bob.getByRole('button', { name: 'More…' }).click();
    await bob.getByRole('button', { name: 'React with fire' }).click();
    await atAlice.locator('.reaction[data-emoji="🔥"] .reaction-count', { hasText: '1' }).waitFor();
    assert.equal(await bob.locator('.react-picker').count(), 0, 'the picker closed');

    // bob replies: the banner says to what; Escape would cancel, Enter sends.
    await atBob.hover();
    await atBob.locator('.msg-reply').click();
    assert.equal(await bob.locator('#reply-banner .reply-banner-text').textContent(), `Replying to alice: ${question}`);
    await bob.keyboard.type('I will, after lunch');
    await bob.keyboard.press('Enter');
    await bob.locator('#reply-banner').waitFor({ state: 'hidden' });
    await waitForMessage(alice, 'I will, after lunch');
    const reply = messageItem(alice, 'I will, after lunch');
    assert.equal(await reply.locator('.msg-quote .quote-user').textContent(), 'alice');
    assert.equal(await reply.locator('.msg-quote .quote-text').textContent(), question);
    await atAlice.locator('.msg-replies', { hasText: '1 reply' }).waitFor();
    assert.ok(framesSent.bob.some((f) => f.type === 'send' && f.text === 'I will, after lunch' && typeof f.reply_to === 'number'));

    // Enough chatter to scroll the question away; the quote brings it back, highlighted.
    const tall = (n) => Array.from({ length: 12 }, (_, i) => `filler ${n}.${i + 1}`).join('\n');
    for (let n = 1; n <= 4; n += 1) await send(bob, tall(n));
    await send(bob, 'Following up on the changelog');
    await waitForMessage(alice, 'Following up on the changelog');
    assert.equal(await atAlice.evaluate((li) => li.getBoundingClientRect().bottom > document.querySelector('#scroller').getBoundingClientRect().top), false, 'scrolled away');
    await reply.locator('.msg-quote').click();
    await alice.locator('#messages .msg.found').waitFor();
    assert.equal(await alice.locator('#messages .msg.found .msg-text').textContent(), question);
    await eventually(async () => {
      const visible = await atAlice.evaluate((li) => {
        const box = li.getBoundingClientRect();
        const view = document.querySelector('#scroller').getBoundingClientRect();
        return box.top >= view.top && box.bottom <= view.bottom;
      });
      assert.ok(visible, 'the original is in view');
    });
    assert.deepEqual(problems, []);
  });

  step('files: a pasted screenshot and a dropped PDF reach bob; an upload cancelled halfway leaves nothing behind', async () => {
    const { alice, bob } = pages;
    await openRoom(alice, 'general');
    await openRoom(bob, 'general');

    // A screenshot pasted into the composer (a PNG the page draws, 40×30).
    await alice.locator('#composer-input').focus();
    await alice.evaluate(async () => {
      const canvas = document.createElement('canvas');
      canvas.width = 40;
      canvas.height = 30;
      const g = canvas.getContext('2d');
      g.fillStyle = '#c33';
      g.fillRect(0, 0, 40, 30);
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
      const data = new DataTransfer();
      data.items.add(new File([blob], 'screenshot.png', { type: 'image/png' }));
      document.querySelector('#composer-input').dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    });
    const image = bob.locator('#messages .msg .msg-file img[alt="screenshot.png"]');
    await image.waitFor();
    assert.equal(await image.getAttribute('width'), '40'); // its final size before it loads
    assert.equal(await image.getAttribute('height'), '30');
    await eventually(async () => assert.equal(await image.evaluate((img) => img.complete && img.naturalWidth), 40));
    const imageLink = bob.locator('#messages .msg-file a.file-image').last();
    assert.equal(await imageLink.getAttribute('target'), '_blank'); // full size in a new tab
    const served = await bob.evaluate(async (href) => {
      const r = await fetch(href);
      return { status: r.status, type: r.headers.get('content-type'), disposition: r.headers.get('content-disposition') };
    }, await imageLink.getAttribute('href'));
    assert.equal(served.status, 200);
    assert.equal(served.type, 'image/png');
    assert.match(served.disposition ?? 'inline', /^inline/);
    assert.equal(await alice.locator('#composer-input').inputValue(), '', 'the paste put no text in the composer');

    // A PDF dropped on the room.
    const drop = await alice.evaluateHandle(() => {
      const data = new DataTransfer();
      data.items.add(new File(['%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n'], 'report.pdf', { type: 'application/pdf' }));
      return data;
    });
    await alice.dispatchEvent('#chat-view', 'dragover', { dataTransfer: drop });
    await alice.dispatchEvent('#chat-view', 'drop', { dataTransfer: drop });
    const card = bob.locator('#messages .msg-file a.file-card', { hasText: 'report.pdf' });
    await card.waitFor();
    assert.match(await card.locator('.file-meta').textContent(), /B · PDF document$/);
    assert.equal(await card.getAttribute('download'), 'report.pdf');
    const pdf = await bob.evaluate(async (href) => {
      const r = await fetch(href);
      return { status: r.status, type: r.headers.get('content-type'), disposition: r.headers.get('content-disposition'), body: await r.text() };
    }, await card.getAttribute('href'));
    assert.equal(pdf.status, 200);
    assert.equal(pdf.type, 'application/pdf');
    assert.match(pdf.disposition, /^attachment/);
    assert.match(pdf.body, /^%PDF-1\.4/);

    // A big file on a slow uplink, cancelled halfway: no message, no file, no temporary file.
    const cdp = await contexts.alice.newCDPSession(alice);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 512 * 1024 });
    await alice.setInputFiles('#file-input', { name: 'big.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(6 * 1024 * 1024, 7) });
    const progress = alice.locator('#uploads .upload progress');
    await eventually(async () => {
      const value = Number(await progress.evaluate((p) => p.value));
      assert.ok(value > 0.05 && value < 0.9, `progress ${value}`);
    }, { timeout: 20_000 });
    await alice.getByRole('button', { name: 'Cancel uploading big.bin' }).click();
    await alice.locator('#uploads').waitFor({ state: 'hidden' });
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    const tmpDir = path.join(`${db}.files`, 'tmp');
    await eventually(() => assert.deepEqual(existsSync(tmpDir) ? readdirSync(tmpDir) : [], []), { timeout: 20_000 });
    assert.equal(sqlite(db, "SELECT count(*) FROM files WHERE name = 'big.bin';").trim(), '0');
    await send(alice, 'after the cancelled upload');
    await waitForMessage(bob, 'after the cancelled upload');
    assert.equal(await bob.locator('#messages .file-card', { hasText: 'big.bin' }).count(), 0);
    assert.deepEqual(problems, []);
  });

  step('room management: the creator renames and archives; a member leaves, another is added with the history', async () => {
    const { alice, bob } = pages;
    await openRoom(alice, 'secret');
    await openMembers(alice);
    await alice.fill('#rename-input', 'secret-plans');
    await alice.click('#rename-room button[type="submit"]');
    await sidebarEntry(bob, 'secret-plans').waitFor();
    await alice.locator('#room-title', { hasText: 'secret-plans' }).waitFor();

    await openRoom(bob, 'secret-plans');
    await openMembers(bob);
    assert.equal(await bob.locator('#archive-room').isVisible(), false, 'only the creator archives');
    await bob.click('#leave-room');
    await bob.click('#confirm-dialog .confirm-ok');
    await eventually(async () => assert.equal(await sidebarEntry(bob, 'secret-plans').count(), 0));
    await eventually(async () => assert.notEqual(await currentRoom(bob), rooms.secret));
    await eventually(async () => assert.deepEqual(await alice.locator('#member-list .member').evaluateAll((l) => l.map((li) => li.dataset.user)), ['alice']));

    // Any member adds people to a private room: carol gets it, with its history.
    await alice.fill('#add-members-input', 'carol');
    await alice.click('#add-members button[type="submit"]');
    await sidebarEntry(pages.carol, 'secret-plans').waitFor();
    await openRoom(pages.carol, 'secret-plans');
    await waitForMessage(pages.carol, 'top secret plan');
    await eventually(async () => assert.deepEqual(await alice.locator('#member-list .member').evaluateAll((l) => l.map((li) => li.dataset.user)), ['alice', 'carol']));
    // The creator removes her again: it is gone from carol's sidebar.
    await alice.getByRole('button', { name: 'Remove carol from the room' }).click();
    await alice.click('#confirm-dialog .confirm-ok');
    await eventually(async () => assert.equal(await sidebarEntry(pages.carol, 'secret-plans').count(), 0));
    await eventually(async () => assert.deepEqual(await alice.locator('#member-list .member').evaluateAll((l) => l.map((li) => li.dataset.user)), ['alice']));

    await alice.click('#archive-room');
    await alice.locator('#archived-note').waitFor();
    assert.equal(await alice.locator('#composer-input').isDisabled(), true);
    await eventually(async () => assert.equal(await sidebarEntry(alice, 'secret-plans').evaluate((li) => li.classList.contains('archived')), true));
  });

  step('screenshot: the sidebar with rooms and DMs, a conversation with a mention, receipts and badges', async () => {
    const { alice, bob, carol } = pages;
    await alice.click('#new-dm');
    await alice.locator('#dm-dialog .pick-results input[value="bob"]').check();
    await alice.click('#dm-dialog button[type="submit"]');
    await alice.locator('#room-title', { hasText: /^bob$/ }).waitFor();
    await send(alice, 'Lunch at noon?');
    await waitForBadges(bob, 'alice', { unread: '1', mentions: '', bold: true });
    await openRoom(carol, 'general');
    await send(carol, 'Morning all!');
    await openRoom(alice, 'projects');
    await openRoom(bob, 'projects');
    await send(bob, 'Reviewed it @alice, looks good 👍');
    await waitForMessage(alice, 'Reviewed it @alice, looks good 👍');
    await waitForReceipt(alice, '@bob please review, @here too', 'seen');
    await openMembers(alice);
    await waitForOnline(alice, ['alice', 'bob', 'carol']);
    await alice.setViewportSize({ width: 1200, height: 760 });
    mkdirSync(path.join(REPO, 'docs'), { recursive: true });
    await alice.screenshot({ path: path.join(REPO, 'docs', 'screenshot.png') });
    await alice.setViewportSize({ width: 1100, height: 800 });
    await alice.click('#members-toggle');
    assert.deepEqual(problems, []);
  });

  step('a message the server refuses is marked failed and can be retried or removed', async () => {
    const page = await contexts.alice.newPage();
    page.setDefaultTimeout(WAIT_MS);
    pages.aliceR = page;
    page.on('pageerror', (error) => problems.push(`aliceR: page error: ${error.message}`));
    const refused = new Set();
    // Between the page and the server: the first `send` of a text starting "refuse" is answered
    // with an error as the server would for a message it will not store.
    await page.routeWebSocket(/\/ws$/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((message) => {
        const frame = JSON.parse(message);
        if (frame.type === 'send' && frame.text.startsWith('refuse') && !refused.has(frame.client_id)) {
          refused.add(frame.client_id);
          ws.send(JSON.stringify({ type: 'error', code: 'forbidden', message: 'not today', ref: frame.client_id }));
          return;
        }
        server.send(message);
      });
    });
    await page.goto(`${server.url}/#/room/${rooms.projects}`);
    await page.locator('#room-title', { hasText: 'projects' }).waitFor();
    await send(page, 'refuse me once');
    const failed = page.locator('#messages .msg.failed').filter({ hasText: 'refuse me once' });
    await failed.waitFor();
    assert.equal(await failed.locator('.msg-receipt').textContent(), '!');
    assert.equal(await failed.locator('.msg-receipt').getAttribute('title'), 'Not sent: not today');
    await failed.getByRole('button', { name: 'Retry sending message: refuse me once' }).click();
    await waitForMessage(page, 'refuse me once');
    await waitForMessage(pages.bob, 'refuse me once');
    assert.equal(await countMessages(page, 'refuse me once'), 1);
    assert.equal(await page.locator('#messages .msg.failed').count(), 0);

    await send(page, 'refuse me and go away');
    const doomed = page.locator('#messages .msg.failed').filter({ hasText: 'refuse me and go away' });
    await doomed.waitFor();
    await doomed.getByRole('button', { name: /^Remove unsent message/ }).click();
    await doomed.waitFor({ state: 'detached' });
    assert.equal(sqlite(db, "SELECT count(*) FROM messages WHERE text = 'refuse me and go away';").trim(), '0');
    assert.equal(await page.evaluate(() => localStorage.getItem('chatterbox.outbox.v2.alice')), null, 'not queued either');
    await page.close();
    delete pages.aliceR;
  });

  step('a connection lost while an older page was on its way: the history loads again after reconnecting', async () => {
    const page = await contexts.alice.newPage();
    page.setDefaultTimeout(WAIT_MS);
    pages.aliceH = page;
    page.on('pageerror', (error) => problems.push(`aliceH: page error: ${error.message}`));
    let dropped = 0;
    await page.routeWebSocket(/\/ws$/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((message) => {
        const frame = JSON.parse(message);
        if (frame.type === 'history' && frame.before !== null && frame.before !== undefined && dropped === 0) {
          dropped += 1; // the request is lost with the connection
          ws.close({ code: 4500, reason: 'network changed' });
          server.close();
          return;
        }
        server.send(message);
      });
    });
    await page.goto(`${server.url}/#/room/1`);
    await page.locator('#room-title', { hasText: 'general' }).waitFor();
    await waitForMessage(page, 'Morning all!');
    await eventually(
      async () => {
        await page.evaluate(() => (document.getElementById('scroller').scrollTop = 0));
        await page.locator('#history-status', { hasText: 'beginning of the conversation' }).waitFor({ timeout: 500 });
      },
      { timeout: RECONNECT_MS },
    );
    assert.equal(dropped, 1, 'one older page was lost on the way');
    await waitForMessage(page, seeded.month.text);
    await page.close();
    delete pages.aliceH;
  });

  step('a connection that falls silent (a laptop asleep, a network change) is probed, given up and replaced', async () => {
    const page = await contexts.alice.newPage();
    page.setDefaultTimeout(WAIT_MS);
    pages.aliceD = page;
    page.on('pageerror', (error) => problems.push(`aliceD: page error: ${error.message}`));
    let connections = 0;
    let silent = false;
    const probes = [];
    // The first connection stops carrying anything either way once `silent` is set, without
    // closing: what a dead network looks like to the page.
    await page.routeWebSocket(/\/ws$/, (ws) => {
      connections += 1;
      const first = connections === 1;
      const upstream = ws.connectToServer();
      ws.onMessage((message) => {
        if (first && silent) {
          if (JSON.parse(message).type === 'sync') probes.push(Date.now());
          return;
        }
        upstream.send(message);
      });
      upstream.onMessage((message) => {
        if (!(first && silent)) ws.send(message);
      });
    });
    await page.goto(`${server.url}/#/room/1`);
    await page.locator('#room-title', { hasText: 'general' }).waitFor();
    await waitForMessage(page, 'Morning all!');
    silent = true;
    const since = Date.now();
    await openRoom(pages.bob, 'general');
    await send(pages.bob, 'sent while alice slept');
    // A probe (a sync) after 25 s without a frame, then a new connection 10 s later at most.
    await eventually(() => assert.equal(probes.length, 1), { timeout: 35_000, interval: 250 });
    assert.ok(probes[0] - since >= 15_000, `probed after ${probes[0] - since} ms of silence`);
    await eventually(() => assert.equal(connections, 2), { timeout: 15_000, interval: 250 });
    await waitForMessage(page, 'sent while alice slept');
    assert.equal(await countMessages(page, 'sent while alice slept'), 1);
    await page.close();
    delete pages.aliceD;
  });

  step('phone-sized, dark theme, touch: no sideways scroll, sidebar drawer, long press menu, labels', async () => {
    const context = await browser.newContext({
      timezoneId: TIME_ZONE,
      locale: LOCALE,
      viewport: { width: 360, height: 740 },
      colorScheme: 'dark',
      hasTouch: true,
      isMobile: true,
    });
    contexts.phone = context;
    const phone = await openPage(context, 'phone');
    await loginAndWait(phone, 'alice');
    await waitForMessage(phone, 'Unread two');
    assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= 360), 'no horizontal overflow');
    const background = await phone.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(background, 'rgb(18, 20, 26)', 'dark theme');
    assert.equal(await phone.locator('#sidebar').isVisible(), false, 'the sidebar is a drawer');
    await phone.getByRole('button', { name: 'Rooms', exact: true }).click();
    await phone.locator('#sidebar').waitFor();
    assert.equal(await phone.getAttribute('#sidebar-toggle', 'aria-expanded'), 'true');
    await phone.getByRole('button', { name: 'Rooms', exact: true }).click();
    await phone.locator('#sidebar').waitFor({ state: 'hidden' });
    await openMembers(phone);
    await phone.getByRole('button', { name: 'Close the members panel' }).click();
    await phone.locator('#members-panel').waitFor({ state: 'hidden' });
    assert.equal(await phone.evaluate(() => document.activeElement.id), 'members-toggle');

    await openRoom(pages.bob, 'general');
    await send(phone, 'Sent from a phone');
    await waitForMessage(pages.bob, 'Sent from a phone');
    const item = messageItem(phone, 'Sent from a phone');
    await item.locator('.msg-bubble').dispatchEvent('pointerdown', { pointerType: 'touch', isPrimary: true, bubbles: true });
    await phone.locator('#messages .msg.show-actions').waitFor();
    assert.ok(await phone.evaluate(() => document.documentElement.scrollWidth <= 360), 'no overflow with the buttons shown');
    await item.locator('.msg-edit').click();
    assert.equal(await phone.inputValue('#composer-input'), 'Sent from a phone');
    await phone.press('#composer-input', 'Escape');
    assert.equal(await phone.inputValue('#composer-input'), '');

    // Keyboard and screen-reader users reach the buttons without a long press.
    const other = messageItem(phone, 'Sent from a phone');
    await phone.evaluate(() => document.querySelector('.msg.show-actions')?.classList.remove('show-actions'));
    await other.locator('.msg-delete').focus();
    assert.equal(await other.locator('.msg-actions').evaluate((a) => getComputedStyle(a).opacity), '1');
    await phone.locator('#composer-input').focus();

    // Every control is labelled.
    for (const [role, name] of [
      ['textbox', 'Message'],
      ['button', 'Send'],
      ['button', 'Emoji'],
      ['button', 'Log out'],
    ]) {
      assert.equal(await phone.getByRole(role, { name, exact: true }).count(), 1, `${role} "${name}"`);
    }
    assert.equal(await phone.locator('[aria-live]').count() >= 2, true);
    await context.close();
    delete pages.phone;
    assert.deepEqual(problems, []);
  });
  step('a long room keeps at most 300 messages in the DOM: far ones are dropped and drawn again on scrolling', async () => {
    const port = server.port;
    await server.stop();
    // 340 more messages in general, written while the server is down (seq continues the global one).
    const now = Date.now();
    sqlite(db, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 340),
      base(s) AS (SELECT max(coalesce((SELECT max(seq) FROM messages), 0), coalesce((SELECT max(seq) FROM rooms), 0),
                             coalesce((SELECT max(seq) FROM room_departures), 0)))
      INSERT INTO messages (seq, user_id, client_id, text, ts, room_id)
      SELECT (SELECT s FROM base) + i, (SELECT id FROM users WHERE username = 'dave'), 'window-' || i, 'Window message ' || i, ${now} + i, 1 FROM n;`);
    await server.start(port);
    for (const page of [pages.alice, pages.bob]) await page.locator('#banner').waitFor({ state: 'hidden', timeout: RECONNECT_MS });
    // bob had general open: the catch-up brought all 340, and his list still holds at most 300.
    await waitForMessage(pages.bob, 'Window message 340', { timeout: RECONNECT_MS });
    assert.ok((await pages.bob.locator('#messages .msg').count()) <= 300);

    const page = await openPage(contexts.alice, 'aliceW');
    await page.goto(`${server.url}/#/room/1`);
    await page.locator('#room-title', { hasText: 'general' }).waitFor();
    await waitForMessage(page, 'Window message 340');
    let most = 0;
    await eventually(
      async () => {
        await page.evaluate(() => (document.getElementById('scroller').scrollTop = 0));
        most = Math.max(most, await page.locator('#messages .msg').count());
        await page.locator('#history-status', { hasText: 'beginning of the conversation' }).waitFor({ timeout: 300 });
      },
      { timeout: 60_000, interval: 100 },
    );
    await waitForMessage(page, seeded.month.text);
    const count = await page.locator('#messages .msg').count();
    assert.ok(count <= 300 && most <= 300, `at most 300 in the DOM (${count}, at most ${most} on the way)`);
    assert.equal(await countMessages(page, 'Window message 340'), 0, 'the newest were dropped far up');
    // Back down: the newest are drawn again from what the page holds.
    await eventually(
      async () => {
        await page.evaluate(() => {
          const s = document.getElementById('scroller');
          s.scrollTop = s.scrollHeight;
        });
        assert.equal(await countMessages(page, 'Window message 340'), 1);
      },
      { timeout: 30_000, interval: 100 },
    );
    assert.ok((await page.locator('#messages .msg').count()) <= 300);
    const ids = await page.evaluate(() => [...document.querySelectorAll('#messages .msg')].map((li) => Number(li.dataset.id)));
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b), 'in id order');
    assert.equal(new Set(ids).size, ids.length, 'no id twice');
    const days = await page.locator('#messages .day').allTextContents();
    assert.equal(new Set(days).size, days.length, 'one separator per day');
    assert.deepEqual(problems, []);
  });

  step('search: quotes and operators find the message with the words marked; odd queries get an answer, never a broken page', async () => {
    const { alice, bob } = pages;
    await openRoom(alice, 'general');
    await openRoom(bob, 'general');
    await send(bob, 'Draft of the release notes, not final');
    await send(alice, 'Please read the release notes before the deploy near noon');
    await waitForMessage(bob, 'Please read the release notes before the deploy near noon');

    await bob.fill('#search-input', '"release notes" from:alice in:general');
    await bob.press('#search-input', 'Enter');
    await bob.locator('#search-panel').waitFor();
    await bob.locator('#search-status', { hasText: '1 result' }).waitFor();
    const result = bob.locator('#search-results .search-result');
    assert.equal(await result.count(), 1);
    assert.equal(await result.locator('.search-snippet').textContent(), 'Please read the release notes before the deploy near noon');
    assert.deepEqual(await result.locator('mark').allTextContents(), ['release notes']);
    assert.equal(await result.locator('.search-author').textContent(), 'alice');
    assert.equal(await result.locator('.search-room').textContent(), '# general');

    // Search syntax and stray punctuation are text: an answer or a plain explanation.
    for (const query of ['NEAR( "', 'deploy" OR NOT NEAR(', '(( ))', 'x in:nowhere', 'x on:2026-02-30']) {
      await bob.fill('#search-input', query);
      await bob.press('#search-input', 'Enter');
      await eventually(async () => {
        const status = await bob.locator('#search-status').textContent();
        assert.match(status, /^(\d+\+? results?|No messages match\.|Nothing to search for\.|No room called nowhere\.|Dates are YYYY-MM-DD\.)$/, `${query}: ${status}`);
      });
    }
    await bob.locator('#search-status', { hasText: 'Dates are YYYY-MM-DD' }).waitFor();
    await bob.fill('#search-input', 'deploy" NEAR(');
    await bob.press('#search-input', 'Enter');
    await bob.locator('#search-results .search-result mark', { hasText: 'deploy' }).first().waitFor();
    const notice = await bob.locator('#notice').textContent();
    assert.doesNotMatch(notice, /search|room called|YYYY/i, 'errors of a search are shown in its panel, not as notices');
    await bob.press('#search-input', 'Escape');
    await bob.locator('#search-panel').waitFor({ state: 'hidden' });
    assert.deepEqual(problems, []);
  });

  step('search: a result opens in its room at that message, highlighted, and scrolling down reaches the latest', async () => {
    const page = await openPage(contexts.alice, 'aliceS');
    await page.goto(`${server.url}/#/room/1`);
    await waitForMessage(page, 'Please read the release notes before the deploy near noon');
    // `/` goes to the search box.
    await page.locator('#scroller').focus();
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'search-input');
    await page.keyboard.type('"window message 150"');
    await page.keyboard.press('Enter');
    const result = page.locator('#search-results .search-result');
    await result.first().waitFor();
    assert.equal(await result.count(), 1);
    await result.first().click();

    const found = page.locator('#messages .msg.found');
    await found.waitFor();
    assert.equal(await found.locator('.msg-text').textContent(), 'Window message 150');
    assert.ok(framesSent.aliceS.some((f) => f.type === 'history' && f.around !== undefined), 'asked for the page around it');
    for (const text of ['Window message 149', 'Window message 151']) assert.equal(await countMessages(page, text), 1, text);
    await eventually(async () => assert.ok(await inView(page, 'Window message 150')));
    await page.locator('#new-messages', { hasText: 'Jump to latest' }).waitFor();

    // While the view is back in the past, a new message is not drawn out of order below it.
    await send(pages.bob, 'Said while alice reads old messages');
    await eventually(() => assert.ok(framesReceived.aliceS.some((f) => f.type === 'message' && f.text === 'Said while alice reads old messages')));
    assert.equal(await countMessages(page, 'Said while alice reads old messages'), 0);

    // Scrolling down reads newer pages until the latest, the new message included.
    await eventually(
      async () => {
        await page.evaluate(() => {
          const s = document.getElementById('scroller');
          s.scrollTop = s.scrollHeight;
        });
        assert.equal(await countMessages(page, 'Said while alice reads old messages'), 1);
      },
      { timeout: 30_000, interval: 100 },
    );
    assert.ok(framesSent.aliceS.some((f) => f.type === 'history' && f.after !== undefined), 'read forwards with after');
    const ids = await page.evaluate(() => [...document.querySelectorAll('#messages .msg')].map((li) => Number(li.dataset.id)));
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b), 'in id order');
    assert.equal(new Set(ids).size, ids.length, 'no id twice');
    // At the latest again: the jump control goes once the bottom is reached, live messages join.
    await eventually(async () => {
      await page.evaluate(() => {
        const s = document.getElementById('scroller');
        s.scrollTop = s.scrollHeight;
      });
      assert.ok(await page.locator('#new-messages').isHidden());
    });
    await send(pages.bob, 'And now alice is back at the bottom');
    await waitForMessage(page, 'And now alice is back at the bottom');
    assert.deepEqual(problems, []);
  });
  step('admin page: only the administrator has it; sign-up becomes by invitation and a one-use link is made', async () => {
    assert.ok(await pages.bob.locator('#admin-open').isHidden(), 'members have no admin page');
    const carol = await openPage(contexts.carol, 'carolAdmin');
    await carol.locator('#chat-view').waitFor();
    await carol.click('#admin-open');
    await carol.locator('#admin-view').waitFor();
    assert.ok(await carol.locator('.chat-body').isHidden(), 'the admin page takes the conversation\'s place');
    const users = carol.locator('.admin-users tbody tr');
    await eventually(async () => assert.deepEqual(
      (await users.evaluateAll((rows) => rows.map((r) => r.dataset.user))).sort(), ['alice', 'bob', 'carol', 'dave']));
    assert.match(await users.filter({ hasText: 'carol' }).textContent(), /administrator/);
    assert.ok(await carol.locator('.admin-rooms tbody tr').count() >= 1, 'rooms are listed');
    // The history downloads, with the browser's own session.
    const exported = await carol.evaluate(async () => {
      const r = await fetch('/api/admin/export?format=markdown');
      return { status: r.status, disposition: r.headers.get('content-disposition'), text: await r.text() };
    });
    assert.equal(exported.status, 200);
    assert.match(exported.disposition, /attachment; filename="chatterbox-all-rooms\.md"/);
    assert.match(exported.text, /^# #general$/m);

    await carol.check('.admin-registration input[value="invitation"]');
    await carol.locator('.admin-status', { hasText: 'Sign-up is now: invitation.' }).waitFor();
    const registration = await (await fetch(`${server.url}/api/registration`)).json();
    assert.equal(registration.mode, 'invitation');

    await carol.fill('.admin-invite input[name="uses"]', '1');
    await carol.click('.admin-invite button[type="submit"]');
    const link = carol.locator('.admin-invitations .admin-link input');
    await link.first().waitFor();
    seeded.invitation = await link.first().inputValue();
    assert.match(seeded.invitation, /\/#invite=[A-Za-z0-9_-]{43}$/);
    assert.match(await carol.locator('.admin-invitations tbody tr').first().textContent(), /0 of 1/);
    await carol.locator('.admin-audit li', { hasText: 'invite' }).first().waitFor();
    assert.deepEqual(problems, []);
  });

  step('a new user joins by the invitation link; the used-up link lets nobody else in', async () => {
    const erin = await openPage(await newContext('erin'), 'erin');
    await erin.goto(seeded.invitation);
    await erin.locator('#login-intro', { hasText: 'You have been invited' }).waitFor();
    await loginAndWait(erin, 'erin', 'erin-password');
    await erin.locator('#notice', { hasText: 'Account created' }).waitFor();
    assert.equal(await erin.evaluate(() => location.hash.includes('invite')), false, 'the code leaves the address bar');
    await send(erin, 'Hello, I came by invitation');
    await waitForMessage(erin, 'Hello, I came by invitation');

    const frank = await openPage(await newContext('frank'), 'frank');
    await frank.goto(seeded.invitation);
    await frank.locator('#login-intro', { hasText: 'used up' }).waitFor();
    await login(frank, 'frank', 'frank-password');
    await frank.locator('#login-error', { hasText: 'invitation' }).waitFor();
    assert.ok(await frank.locator('#chat-view').isHidden());
    assert.deepEqual(problems, []);
  });

  step('the administrator deactivates a user: their tab is logged out at once, and the audit log says so', async () => {
    const carol = pages.carolAdmin;
    await carol.click('#admin-close');
    await carol.click('#admin-open');
    const erinRow = carol.locator('.admin-users tbody tr[data-user="erin"]');
    await erinRow.waitFor();
    await erinRow.getByRole('button', { name: 'Deactivate erin' }).click();
    await carol.locator('#confirm-dialog').waitFor();
    await carol.click('#confirm-dialog .confirm-ok');
    await pages.erin.locator('#login-view').waitFor();
    await eventually(async () => assert.match(await erinRow.textContent(), /deactivated/));
    await carol.locator('.admin-audit li', { hasText: 'deactivate erin' }).waitFor();
    await login(pages.erin, 'erin', 'erin-password');
    await pages.erin.locator('#login-error', { hasText: 'deactivated' }).waitFor();
    assert.deepEqual(problems, []);
  });
  step('Account: the sessions are listed; a new password logs out the other browser, not this one', async () => {
    const here = await openPage(await newContext('daveHere'), 'daveHere');
    await loginAndWait(here, 'dave');
    const there = await openPage(await newContext('daveThere'), 'daveThere');
    await loginAndWait(there, 'dave');
    await here.click('#account-open');
    const sessions = here.locator('#account-dialog .session-item');
    await eventually(async () => assert.ok(await sessions.count() >= 2, 'both browsers are listed'));
    assert.match(await sessions.filter({ hasText: 'this browser' }).textContent(), /Chrome on Linux/);
    await here.fill('#account-current', PASSWORDS.dave);
    await here.fill('#account-new', 'dave-new-password');
    await here.fill('#account-repeat', 'dave-new-password');
    await here.click('#account-dialog .password-form button[type="submit"]');
    await here.locator('#notice', { hasText: 'Password changed' }).waitFor();
    await there.locator('#login-view').waitFor();
    await eventually(async () => assert.equal(await sessions.count(), 1, 'only this browser is left'));
    await here.click('#account-dialog .dialog-cancel');
    assert.ok(await here.locator('#chat-view').isVisible());
    PASSWORDS.dave = 'dave-new-password';
    assert.deepEqual(problems, []);
  });

  step('a password reset link from the administrator sets a new password once', async () => {
    const carol = pages.carolAdmin;
    const daveRow = carol.locator('.admin-users tbody tr[data-user="dave"]');
    await daveRow.getByRole('button', { name: 'Password reset link for dave' }).click();
    const link = await carol.locator('.admin-reset-link input').inputValue();
    assert.match(link, /\/#reset=[A-Za-z0-9_-]{43}$/);
    const dave = pages.daveThere;
    await dave.goto(link);
    await dave.locator('#reset-intro', { hasText: 'Choose a new password for dave' }).waitFor();
    await dave.fill('#reset-password', 'dave-reset-password');
    await dave.fill('#reset-repeat', 'dave-reset-password');
    await dave.click('#reset-submit');
    await dave.locator('#me-name', { hasText: 'dave' }).waitFor();
    await dave.locator('#notice', { hasText: 'Your password has been changed' }).waitFor();
    await pages.daveHere.locator('#login-view').waitFor(); // every other session ends
    // The link is used up. It is pasted while the page is still asking who is logged in, and that
    // older question is answered last: its login screen must not wipe the link's answer.
    const context = await newContext('daveAgain');
    let answerWhoAmI;
    const whoAmIHeld = new Promise((resolve) => { answerWhoAmI = resolve; });
    await context.route('**/api/me', async (route) => { await whoAmIHeld; await route.continue(); });
    const again = await openPage(context, 'daveAgain');
    const checked = again.waitForResponse('**/api/password-reset/check');
    await again.goto(link);
    await checked;
    const whoAmIAnswered = again.waitForResponse('**/api/me');
    answerWhoAmI();
    await whoAmIAnswered;
    await again.evaluate(() => fetch('/api/registration').then((r) => r.text())); // a round trip for the stale boot to act
    await again.locator('#login-error', { hasText: 'invalid' }).waitFor();
    assert.deepEqual(problems, []);
  });
});
