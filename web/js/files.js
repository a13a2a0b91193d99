// Files attached to messages (docs/protocol.md, "Files"): where they are uploaded and
// downloaded, how they are shown (an image inline at its final size, anything else as a card),
// and what an upload's failure means to a person. Pure: no DOM, no network.

// Shown inline: the types the server serves inline (it sniffs them from the bytes).
const INLINE_IMAGES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
export const MAX_IMAGE_BOX = { width: 360, height: 280 }; // CSS pixels an inline image may take

export function uploadUrl(room, name) {
  return `/api/files?room=${encodeURIComponent(room)}&name=${encodeURIComponent(name)}`;
}

export function fileUrl(file) {
  return `/api/files/${encodeURIComponent(file.id)}/${encodeURIComponent(file.name)}`;
}

export function isInlineImage(file) {
  return INLINE_IMAGES.has(file?.type) && file.width > 0 && file.height > 0;
}

// The size an image is drawn at: its own, shrunk to fit the box, never enlarged. Known before it
// loads, so the list does not jump when it arrives.
export function displaySize({ width, height }, box = MAX_IMAGE_BOX) {
  const scale = Math.min(1, box.width / width, box.height / height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

export function humanSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value >= 10 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

// "PDF document", "PNG image", "file".
export function typeLabel(type) {
  if (type === 'application/pdf') return 'PDF document';
  const image = /^image\/(\w+)$/.exec(type ?? '');
  if (image) return `${image[1].toUpperCase()} image`;
  return 'file';
}

// What to tell the user when an upload was refused: (HTTP status, the error body's code).
export function uploadError(status, code, maxBytes = null) {
  if (code === 'quota_exceeded') return 'You have used up your storage for files.';
  if (status === 413 || code === 'too_large') return maxBytes ? `Files can be at most ${humanSize(maxBytes)}.` : 'That file is too large.';
  if (status === 401) return 'Your session has ended. Please log in again.';
  if (status === 404) return 'You can no longer post in this room.';
  if (code === 'invalid_name') return 'That file name cannot be used.';
  if (status === 0) return 'The upload was interrupted. Check the connection and try again.';
  return `The upload failed (${status}).`;
}
