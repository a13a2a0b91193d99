// The room in the URL: `#/room/7`. A fragment, so it needs nothing from the server, survives a
// reload, and back/forward move between rooms (hashchange). Pure functions, plus one listener.

const ROUTE = /^#\/room\/([1-9][0-9]{0,15})$/;

// The room id in a location hash, or null.
export function parseRoute(hash) {
  const match = ROUTE.exec(hash ?? '');
  return match ? Number(match[1]) : null;
}

export function routeHash(roomId) {
  return `#/room/${roomId}`;
}

// Which room to show: the URL's if the user is a member of it, else the last one shown, else
// `general` (1), else the first one there is.
export function chooseRoom(wanted, rooms, last = null) {
  for (const id of [wanted, last, 1]) if (id !== null && id !== undefined && rooms.has(id)) return id;
  const first = rooms.keys().next();
  return first.done ? null : first.value;
}

// Calls onRoute(id) whenever the hash names a room (back, forward, a typed URL, a link).
export function watchRoute(onRoute, win = globalThis) {
  const handler = () => onRoute(parseRoute(win.location.hash));
  win.addEventListener('hashchange', handler);
  return () => win.removeEventListener('hashchange', handler);
}

// Puts the room in the URL: a new history entry when the user chose it, or a replacement when
// the app picked it (so back does not bounce through rooms nobody chose).
export function showRoute(roomId, { replace = false } = {}, win = globalThis) {
  const hash = routeHash(roomId);
  if (win.location.hash === hash) return;
  if (replace) win.history.replaceState(null, '', hash);
  else win.location.hash = hash;
}
