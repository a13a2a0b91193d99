// The HTTP API (docs/protocol.md): login, logout, me, registration, your account, administration. The session is an HttpOnly cookie the
// browser keeps; this module never sees or stores the token.
//
// Every call resolves (never rejects) to { ok, status, data } or { ok: false, status, code, message }
// where status 0 / code "network" means the server could not be reached.

const USERNAME_RE = /^[A-Za-z0-9_.-]{1,32}$/;

// Client-side checks with the server's rules, so a bad name is explained before a round trip.
export function validateCredentials(username, password) {
  if (!USERNAME_RE.test(username)) {
    return 'Usernames are 1–32 characters: letters, digits, "_", "." or "-".';
  }
  const bytes = new TextEncoder().encode(password).length;
  if (bytes < 8) return 'Passwords need at least 8 characters.';
  if (bytes > 128) return 'Passwords can be at most 128 bytes long.';
  return null;
}

const MESSAGES = {
  network: 'Cannot reach the server. Check that it is running and try again.',
  invalid_credentials: 'Wrong password for this username.',
  invalid_username: 'Usernames are 1–32 characters: letters, digits, "_", "." or "-".',
  invalid_password: 'Passwords must be 8–128 bytes long.',
  busy: 'The server is busy. Please try again in a moment.',
  rate_limited: 'Too many attempts. Please wait a little and try again.',
  unauthorized: 'Your session has ended. Please log in again.',
  registration_closed: 'This server does not take new accounts. Ask an administrator.',
  invitation_required: 'New accounts need an invitation link. Ask an administrator for one.',
  invitation_invalid: 'This invitation link has expired, been used up or been revoked.',
  deactivated: 'This account is deactivated. Ask an administrator.',
  invalid_code: 'This link is invalid, has expired or has been used.',
  last_admin: 'The last administrator must stay one.',
  self: 'Another administrator must do this.',
};

// A human sentence for a failed call.
export function errorMessage(result) {
  return MESSAGES[result.code] ?? result.message ?? `Unexpected server error (${result.status}).`;
}

// POSTs always carry a JSON body: the server refuses other content types (415), which also keeps
// a cross-site form from posting to the API with our cookie.
async function call(method, path, body) {
  let response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      cache: 'no-store',
      headers: method === 'POST' ? { 'Content-Type': 'application/json' } : {},
      body: method === 'POST' ? JSON.stringify(body ?? {}) : undefined,
    });
  } catch {
    return { ok: false, status: 0, code: 'network', message: MESSAGES.network };
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    // A proxy's HTML error page, or an empty body: treated below by status alone.
  }
  if (response.ok) return { ok: true, status: response.status, data };
  const code = data?.error?.code ?? (response.status >= 500 ? 'network' : 'http_error');
  return { ok: false, status: response.status, code, message: data?.error?.message };
}

// 201 = the account was just created (data.created is true).
export function login(username, password) {
  return call('POST', '/api/login', { username, password });
}

export function logout() {
  return call('POST', '/api/logout');
}

// 200 { username } when the cookie is valid, 401 when not, status 0 when the server is down.
export function me() {
  return call('GET', '/api/me');
}

// 201 = the account was just created; `invite` (a code from an invitation link) lets a new
// account in when registration is by invitation.
export function signUp(username, password, invite) {
  return call('POST', '/api/login', { username, password, invite });
}

// { mode } and, with a code, { invitation: 'valid' | 'expired' | 'used_up' | 'revoked' | 'unknown' }.
export function registration(invite = null) {
  const query = invite ? `?invite=${encodeURIComponent(invite)}` : '';
  return call('GET', `/api/registration${query}`);
}

export function checkReset(code) {
  return call('POST', '/api/password-reset/check', { code });
}

// Logs in on success, like login().
export function resetPassword(code, password) {
  return call('POST', '/api/password-reset', { code, password });
}

export function changePassword(currentPassword, newPassword) {
  return call('POST', '/api/me/password', { current_password: currentPassword, new_password: newPassword });
}

export function sessions() {
  return call('GET', '/api/me/sessions');
}

export function endSession(id) {
  return call('POST', `/api/me/sessions/${encodeURIComponent(id)}/end`);
}

// /api/admin/… (administrators only): `path` after "/api/admin/".
export function adminGet(path) {
  return call('GET', `/api/admin/${path}`);
}

export function adminPost(path, body = {}) {
  return call('POST', `/api/admin/${path}`, body);
}
