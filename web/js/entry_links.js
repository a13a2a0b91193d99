// Links that bring someone to the login screen with something to do (docs/protocol.md,
// "Registration"): `#invite=<code>` (create an account with an invitation) and `#reset=<code>`
// (set a new password). In the fragment, so the code never reaches a server log.

const CODE = '([A-Za-z0-9_-]{43})';
const INVITE = new RegExp(`^#invite=${CODE}$`);
const RESET = new RegExp(`^#reset=${CODE}$`);

// { invite: code } | { reset: code } | null
export function parseEntryLink(hash) {
  const invite = INVITE.exec(hash ?? '');
  if (invite) return { invite: invite[1] };
  const reset = RESET.exec(hash ?? '');
  if (reset) return { reset: reset[1] };
  return null;
}

// The login screen's first sentence, from who may register and what an invitation link said.
export function loginIntro(mode, invitation = null) {
  if (invitation === 'valid') return 'You have been invited. Choose a username and a password to create your account.';
  if (invitation) {
    const why = { expired: 'has expired', used_up: 'has been used up', revoked: 'has been revoked' }[invitation] ?? 'is not valid';
    return `This invitation link ${why}. Ask for a new one; existing accounts can still log in.`;
  }
  if (mode === 'open') return 'Log in, or choose a new username and password to create an account.';
  if (mode === 'closed') return 'Log in with your account. This server does not take new accounts.';
  return 'Log in with your account. New accounts need an invitation link from an administrator.';
}
