// Files in the client: the URLs, how an image is sized before it loads, sizes and types in words,
// and what a refused upload tells the user.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { displaySize, fileUrl, humanSize, isInlineImage, typeLabel, uploadError, uploadUrl } from '../../web/js/files.js';

test('upload and download URLs encode the name', () => {
  assert.equal(uploadUrl(7, 'my report #1.pdf'), '/api/files?room=7&name=my%20report%20%231.pdf');
  assert.equal(fileUrl({ id: 12, name: 'a/b?.png' }), '/api/files/12/a%2Fb%3F.png');
});

test('only the image types served inline, with a known size, are drawn inline', () => {
  assert.equal(isInlineImage({ type: 'image/png', width: 10, height: 10 }), true);
  assert.equal(isInlineImage({ type: 'image/webp', width: 10, height: 10 }), true);
  assert.equal(isInlineImage({ type: 'image/png' }), false); // size unknown: it would jump
  assert.equal(isInlineImage({ type: 'image/svg+xml', width: 10, height: 10 }), false);
  assert.equal(isInlineImage({ type: 'application/pdf' }), false);
});

test('an image is shrunk to the box keeping its shape, never enlarged', () => {
  assert.deepEqual(displaySize({ width: 100, height: 50 }), { width: 100, height: 50 });
  assert.deepEqual(displaySize({ width: 1440, height: 900 }), { width: 360, height: 225 });
  assert.deepEqual(displaySize({ width: 300, height: 2800 }), { width: 30, height: 280 });
  assert.deepEqual(displaySize({ width: 10000, height: 1 }), { width: 360, height: 1 });
});

test('sizes and types in words', () => {
  assert.equal(humanSize(512), '512 B');
  assert.equal(humanSize(1536), '1.5 KB');
  assert.equal(humanSize(25 * 1024 * 1024), '25 MB');
  assert.equal(humanSize(3 * 1024 ** 3), '3.0 GB');
  assert.equal(typeLabel('application/pdf'), 'PDF document');
  assert.equal(typeLabel('image/jpeg'), 'JPEG image');
  assert.equal(typeLabel('application/octet-stream'), 'file');
});

test('a refused upload is explained', () => {
  assert.equal(uploadError(413, 'too_large', 25 * 1024 * 1024), 'Files can be at most 25 MB.');
  assert.equal(uploadError(413, 'quota_exceeded'), 'You have used up your storage for files.');
  assert.equal(uploadError(404, 'not_found'), 'You can no longer post in this room.');
  assert.match(uploadError(0, 'network'), /interrupted/);
  assert.equal(uploadError(500, 'internal'), 'The upload failed (500).');
});
