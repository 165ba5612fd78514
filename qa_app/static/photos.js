// Photos and files as evidence on an answer (the recording page).
//
// A photo taken with the camera or a file chosen is kept on this device at once, in IndexedDB
// (localStorage cannot hold pictures): a photo is first made smaller (its longest side at most
// 1,600 pixels) and drawn again as a JPEG, which also leaves behind what the camera wrote into it
// (the location, among others). It shows on the page straight away, from the device, and counts
// as waiting. It is then sent to the API (POST …/answers/{ref}/photos) with a name this device
// made for it (client_id), so that sending it again after a lost reply gives the photo already
// kept, never a second one. It leaves the device only when the server has it, or when the
// officer removes it. Offline, it is sent when the connection returns, after any reload.
//
// The number waiting is also kept in localStorage (qa-photos-<assessment>), so that the page's
// other scripts can count it synchronously ("not saved yet"), and a "qa-photos-changed" event
// tells them it changed.

const DB_NAME = "qa-photos";
const STORE = "photos";
const MAX_SIDE = 1600;
const QUALITY = 0.85;
const COUNT_PREFIX = "qa-photos-";

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

let opened = null;
function database() {
  if (!opened) {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => {
      const store = req.result.createObjectStore(STORE, { keyPath: "client_id" });
      store.createIndex("assessment", "assessment");
    };
    opened = request(req);
  }
  return opened;
}

async function store(mode) {
  return (await database()).transaction(STORE, mode).objectStore(STORE);
}

export async function waitingPhotos(assessment) {
  const index = (await store("readonly")).index("assessment");
  return request(index.getAll(String(assessment)));
}

async function keep(entry) {
  await request((await store("readwrite")).put(entry));
}

async function drop(clientId) {
  await request((await store("readwrite")).delete(clientId));
}

// How many photos wait on this device for an assessment (kept beside the answers' queue).
export function photosWaiting(assessment) {
  return Number(localStorage.getItem(`${COUNT_PREFIX}${assessment}`) || 0);
}

async function recount(assessment) {
  const n = (await waitingPhotos(assessment)).length;
  try {
    if (n) localStorage.setItem(`${COUNT_PREFIX}${assessment}`, String(n));
    else localStorage.removeItem(`${COUNT_PREFIX}${assessment}`);
  } catch {
    // the count is a convenience; the photos themselves are in IndexedDB
  }
  document.dispatchEvent(new CustomEvent("qa-photos-changed", { detail: { assessment, waiting: n } }));
  return n;
}

// A photo made smaller and drawn again as a JPEG (no metadata survives a canvas). Anything that
// is not a picture the browser can draw (a PDF, a Word file, a HEIC photo in some browsers) is
// kept as it is: the server checks it, and re-encodes any image it keeps.
export async function shrink(file) {
  if (!file.type.startsWith("image/") || !window.createImageBitmap) return file;
  let bitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  } catch {
    return file;
  }
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  const context = canvas.getContext("2d");
  context.fillStyle = "#fff"; // a transparent PNG on white, as the server keeps it
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close?.();
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", QUALITY));
  return blob || file;
}

function jpegName(name) {
  const stem = name.includes(".") ? name.slice(0, name.lastIndexOf(".")) : name;
  return `${stem || "photo"}.jpg`;
}

function dataUrl(blob) {
  return new Promise((resolve) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => resolve(null);
    reader.readAsDataURL(blob);
  });
}

function newId() {
  if (window.crypto?.randomUUID) return crypto.randomUUID();
  return `p${Date.now().toString(36)}${Math.random().toString(36).slice(2, 12)}`;
}

// Sends the photos waiting on this device for one assessment, one at a time. What the page
// shows is up to `hooks`: saved(entry, body), refused(entry), done(waiting).
export class PhotoSender {
  constructor({ assessment, api, csrf, hooks = {} }) {
    this.assessment = String(assessment);
    this.api = api;
    this.csrf = csrf;
    this.hooks = hooks;
    this.sending = false;
    this.again = false;
    this.stopped = false;
  }

  async send(entry) {
    const body = new FormData();
    body.append("client_id", entry.client_id);
    body.append("file", entry.blob, entry.name);
    let response;
    try {
      response = await fetch(`${this.api}/answers/${encodeURIComponent(entry.ref)}/photos`, {
        method: "POST",
        headers: { "X-CSRFToken": this.csrf(), Accept: "application/json" },
        credentials: "same-origin",
        body,
      });
    } catch {
      return "offline";
    }
    const reply = await response.json().catch(() => ({}));
    if (response.ok) {
      await drop(entry.client_id);
      this.hooks.saved?.(entry, reply);
      return "saved";
    }
    if (response.status === 401) {
      this.stopped = true; // the session ended: kept until someone signs in again
      return "ended";
    }
    if (response.status === 403 || response.status >= 500) return "offline"; // tried again later
    const details = reply.details && typeof reply.details === "object" ? Object.values(reply.details) : [];
    const reason = details.find((d) => typeof d === "string") || reply.error || "the server refused it";
    const refused = { ...entry, problem: response.status === 409 ? "moved_on" : "invalid", message: reason };
    await keep(refused);
    this.hooks.refused?.(refused);
    return "refused";
  }

  async flush() {
    if (this.stopped) return;
    if (this.sending) {
      this.again = true;
      return;
    }
    this.sending = true;
    this.again = false;
    try {
      for (const entry of await waitingPhotos(this.assessment)) {
        if (entry.problem) continue; // waits for the officer to remove it
        if ((await this.send(entry)) === "offline" || this.stopped) break;
      }
    } catch {
      // IndexedDB unavailable (a private window, say): nothing was kept, so nothing to send
    } finally {
      this.sending = false;
      const waiting = await recount(this.assessment).catch(() => 0);
      this.hooks.done?.(waiting);
      if (this.again) queueMicrotask(() => this.flush());
    }
  }

  // Sends now, again whenever the connection returns, and now and then while any wait.
  start(every = 15000) {
    window.addEventListener("online", () => this.flush());
    setInterval(() => {
      if (photosWaiting(this.assessment)) this.flush();
    }, every);
    this.flush();
  }
}

export function startPhotos(form) {
  const assessment = form.dataset.assessment;
  const api = form.dataset.autosave;
  const sections = new Map(
    [...form.querySelectorAll(".app-photos[data-photos-for]")].map((el) => [el.dataset.photosFor, el]),
  );
  if (!sections.size || !window.indexedDB) return;
  function csrf() {
    return form.querySelector("input[name=csrf_token]")?.value || "";
  }

  // "Photos and files (n)" above each question's list, as the page now shows it.
  function recountShown() {
    for (const section of sections.values()) {
      const n = section.querySelectorAll("[data-photo-list] > li").length;
      const count = section.querySelector("[data-photo-count]");
      if (count) count.textContent = n ? `(${n})` : "";
    }
  }

  function item(entry) {
    return form.querySelector(`[data-photo-client="${CSS.escape(entry.client_id)}"]`);
  }

  async function show(entry) {
    const section = sections.get(entry.ref);
    if (!section) return; // a question on another domain's page
    let li = item(entry);
    if (!li) {
      li = document.createElement("li");
      li.className = "app-photo app-photo--waiting";
      li.dataset.photoClient = entry.client_id;
      if (entry.blob.type.startsWith("image/")) {
        const img = document.createElement("img");
        img.className = "app-photo__thumb";
        img.alt = `Photo for question ${entry.ref} (${entry.name}), kept on this device`;
        const url = await dataUrl(entry.blob);
        if (url) img.src = url;
        li.append(img);
      }
      const caption = document.createElement("p");
      caption.className = "govuk-body-s app-photo__caption";
      const name = document.createElement("span");
      name.textContent = entry.name;
      const state = document.createElement("span");
      state.className = "app-photo__state";
      state.setAttribute("aria-live", "polite");
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "app-link-button govuk-link";
      remove.textContent = "Remove";
      const hidden = document.createElement("span");
      hidden.className = "govuk-visually-hidden";
      hidden.textContent = ` ${entry.name} from question ${entry.ref}`;
      remove.append(hidden);
      remove.addEventListener("click", async () => {
        await drop(entry.client_id);
        li.remove();
        recountShown();
        await recount(assessment);
      });
      caption.append(name, document.createElement("br"), state, document.createElement("br"), remove);
      li.append(caption);
      section.querySelector("[data-photo-list]").append(li);
      recountShown();
    }
    const state = li.querySelector(".app-photo__state");
    li.classList.toggle("app-photo--problem", Boolean(entry.problem));
    state.textContent = entry.problem
      ? `Not saved: ${entry.message || "the server refused it"}`
      : "Not saved yet: kept on this device";
  }

  function saved(entry, body) {
    const li = item(entry);
    if (!li) return;
    li.classList.remove("app-photo--waiting", "app-photo--problem");
    li.dataset.photoId = body.id;
    delete li.dataset.photoClient;
    li.querySelector(".app-photo__state").textContent = "Saved";
    const img = li.querySelector("img");
    if (img) img.alt = `Photo for question ${entry.ref} (${body.filename})`;
    // once saved, it is removed from the server (as the saved photos the page was given are)
    const old = li.querySelector("button");
    const link = document.createElement("a");
    link.className = "govuk-link app-photo__remove";
    link.href = `${form.action || window.location.pathname}`.replace(/\/record\/[^/?#]+.*$/, `/photos/${body.id}/remove`);
    link.dataset.removePhoto = body.id;
    link.textContent = "Remove";
    const hidden = document.createElement("span");
    hidden.className = "govuk-visually-hidden";
    hidden.textContent = ` ${body.filename} from question ${entry.ref}`;
    link.append(hidden);
    old?.replaceWith(link);
  }

  async function add(ref, files) {
    for (const file of files) {
      const blob = await shrink(file);
      const entry = {
        client_id: newId(),
        assessment,
        ref,
        name: blob === file ? file.name : jpegName(file.name),
        blob,
        at: new Date().toISOString(),
        problem: null,
      };
      try {
        await keep(entry);
      } catch {
        const section = sections.get(ref);
        section?.querySelector("[data-photo-list]")?.insertAdjacentText(
          "afterend",
          `${file.name} could not be kept on this device (it may be full).`,
        );
        continue;
      }
      await show(entry);
    }
    await recount(assessment);
    sender.flush();
  }

  for (const input of form.querySelectorAll("input[type=file][data-photo-input]")) {
    input.addEventListener("change", () => {
      const files = [...input.files];
      input.value = ""; // kept on the device now: the form's Save must not send it again
      if (files.length) add(input.dataset.photoInput, files);
    });
  }

  // A saved photo is removed through the API when there is a connection; otherwise (or without
  // this script) the link asks on a page of its own.
  form.addEventListener("click", async (event) => {
    const link = event.target instanceof Element ? event.target.closest("a[data-remove-photo]") : null;
    if (!link || !navigator.onLine) return;
    event.preventDefault();
    const li = link.closest("li");
    try {
      const response = await fetch(`${api}/photos/${link.dataset.removePhoto}`, {
        method: "DELETE",
        headers: { "X-CSRFToken": csrf() },
        credentials: "same-origin",
      });
      if (response.ok || response.status === 404) {
        li?.remove();
        recountShown();
        return;
      }
    } catch {
      // fall through to the page that asks
    }
    window.location.href = link.href;
  });

  const sender = new PhotoSender({ assessment, api, csrf, hooks: { saved, refused: show } });
  (async () => {
    for (const entry of await waitingPhotos(assessment)) await show(entry);
    sender.start();
  })().catch(() => {});
}
