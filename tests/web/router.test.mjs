// The room in the URL.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { chooseRoom, parseRoute, routeHash, showRoute, watchRoute } from '../../web/js/router.js';

test('#/room/<id> names a room; anything else names none', () => {
  assert.equal(parseRoute('#/room/7'), 7);
  assert.equal(parseRoute(routeHash(123)), 123);
  for (const hash of ['', '#', '#/room/', '#/room/0', '#/room/07', '#/room/7x', '#/rooms/7', '#/room/-1', null, undefined]) {
    assert.equal(parseRoute(hash), null, String(hash));
  }
});

test("the URL's room if we are a member, else the last one, else general, else any", () => {
  const rooms = new Map([[1, {}], [7, {}], [9, {}]]);
  assert.equal(chooseRoom(7, rooms, 9), 7);
  assert.equal(chooseRoom(8, rooms, 9), 9, 'not a member of 8');
  assert.equal(chooseRoom(null, rooms, null), 1);
  assert.equal(chooseRoom(null, new Map([[5, {}]])), 5);
  assert.equal(chooseRoom(3, new Map()), null);
});

test('the chosen room goes into the URL; back and forward come back through hashchange', () => {
  const listeners = new Map();
  const replaced = [];
  const win = {
    location: { hash: '' },
    history: { replaceState: (_s, _t, hash) => { replaced.push(hash); win.location.hash = hash; } },
    addEventListener: (type, fn) => listeners.set(type, fn),
    removeEventListener: (type) => listeners.delete(type),
  };
  const routes = [];
  const stop = watchRoute((id) => routes.push(id), win);
  showRoute(1, { replace: true }, win);
  assert.deepEqual(replaced, ['#/room/1']);
  showRoute(7, {}, win);
  assert.equal(win.location.hash, '#/room/7');
  listeners.get('hashchange')();
  win.location.hash = '#/room/1'; // back
  listeners.get('hashchange')();
  assert.deepEqual(routes, [7, 1]);
  stop();
  assert.equal(listeners.size, 0);
});
