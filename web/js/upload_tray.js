// Attaching files: the paperclip button (a file picker), dropping files on the room, and
// pasting them (a screenshot from the clipboard) into the composer. Each file is uploaded at
// once, shown in the tray above the composer with a progress bar and a Cancel button, and sent
// as a message of the room it was attached in when the upload completes.

import { humanSize } from './files.js';
import { Upload } from './upload.js';

export class UploadTray {
  #ui;
  #cb;
  #room = null;
  #uploads = new Set();
  #listeners = new AbortController();

  // ui: { tray, attach, input, composerInput, dropZone }; callbacks: send(room, file) when an
  // upload completed, notice(text).
  constructor(ui, callbacks) {
    this.#ui = ui;
    this.#cb = callbacks;
    const opts = { signal: this.#listeners.signal };
    ui.attach.addEventListener('click', () => ui.input.click(), opts);
    ui.input.addEventListener('change', () => {
      this.add([...ui.input.files]);
      ui.input.value = '';
    }, opts);
    ui.composerInput.addEventListener('paste', (e) => {
      const files = [...(e.clipboardData?.files ?? [])];
      if (files.length === 0) return; // text: the textarea takes it
      e.preventDefault();
      this.add(files);
    }, opts);
    const carriesFiles = (e) => [...(e.dataTransfer?.types ?? [])].includes('Files');
    ui.dropZone.addEventListener('dragover', (e) => {
      if (!carriesFiles(e)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
      ui.dropZone.classList.add('dropping');
    }, opts);
    ui.dropZone.addEventListener('dragleave', (e) => {
      if (!ui.dropZone.contains(e.relatedTarget)) ui.dropZone.classList.remove('dropping');
    }, opts);
    ui.dropZone.addEventListener('drop', (e) => {
      ui.dropZone.classList.remove('dropping');
      if (!carriesFiles(e)) return;
      e.preventDefault();
      this.add([...e.dataTransfer.files]);
    }, opts);
  }

  switchRoom(roomId) {
    this.#room = roomId; // uploads under way go on, to the room they were attached in
  }

  add(files) {
    if (this.#room === null) return;
    for (const file of files) this.#start(file, this.#room);
  }

  #start(file, room) {
    const row = document.createElement('li');
    row.className = 'upload';
    const name = document.createElement('span');
    name.className = 'upload-name';
    name.textContent = `${file.name || 'pasted image'} (${humanSize(file.size)})`;
    const bar = document.createElement('progress');
    bar.max = 1;
    bar.value = 0;
    bar.setAttribute('aria-label', `Uploading ${file.name || 'pasted image'}`);
    const cancel = document.createElement('button');
    cancel.type = 'button';
    cancel.className = 'upload-cancel';
    cancel.textContent = 'Cancel';
    cancel.setAttribute('aria-label', `Cancel uploading ${file.name || 'pasted image'}`);
    row.append(name, bar, cancel);
    this.#ui.tray.append(row);
    this.#ui.tray.hidden = false;
    const finish = () => {
      this.#uploads.delete(upload);
      row.remove();
      this.#ui.tray.hidden = this.#uploads.size === 0;
    };
    const upload = new Upload(file, room, {
      progress: (fraction) => {
        bar.value = fraction;
      },
      done: (stored) => {
        finish();
        this.#cb.send(room, stored);
      },
      failed: (text) => {
        finish();
        this.#cb.notice(`${file.name || 'The file'}: ${text}`);
      },
      cancelled: finish,
    });
    this.#uploads.add(upload);
    cancel.addEventListener('click', () => upload.cancel());
  }

  destroy() {
    this.#listeners.abort();
    for (const upload of [...this.#uploads]) upload.cancel();
  }
}
