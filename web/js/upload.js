// One file on its way to the server: `POST /api/files` with the raw bytes, reporting progress
// (XMLHttpRequest: fetch cannot report an upload's progress) and cancellable. A cancelled or
// broken upload stores nothing on the server: it keeps a file only when every byte arrived.

import { uploadError, uploadUrl } from './files.js';

export class Upload {
  #xhr = null;
  #done = false;

  // callbacks: progress(fraction), done(file object from the server), failed(text), cancelled().
  constructor(file, room, callbacks) {
    this.file = file;
    this.room = room;
    this.#start(callbacks);
  }

  #start({ progress, done, failed, cancelled }) {
    const xhr = new XMLHttpRequest();
    this.#xhr = xhr;
    xhr.open('POST', uploadUrl(this.room, this.file.name || 'pasted'));
    xhr.setRequestHeader('Content-Type', this.file.type || 'application/octet-stream');
    xhr.responseType = 'json';
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable && e.total > 0) progress(e.loaded / e.total);
    });
    xhr.addEventListener('load', () => {
      this.#done = true;
      if (xhr.status === 201 && xhr.response?.id) done(xhr.response);
      else failed(uploadError(xhr.status, xhr.response?.error?.code));
    });
    xhr.addEventListener('error', () => {
      this.#done = true;
      failed(uploadError(0, 'network'));
    });
    xhr.addEventListener('abort', () => {
      this.#done = true;
      cancelled();
    });
    xhr.send(this.file);
  }

  cancel() {
    if (!this.#done) this.#xhr.abort();
  }
}
