// Loaded as a module with the page's CSP nonce.
import { initAll } from "/static/govuk/govuk-frontend.min.js";
import { startAutosave } from "/static/autosave.js";
import { CACHE, Device } from "/static/device.js";
import { startDevicePages } from "/static/offline.js";
import { startPhotos } from "/static/photos.js";

initAll();

const form = document.querySelector("form[data-autosave]");
if (form) {
  startAutosave(form);
  startPhotos(form);
} else {
  startDevicePages(); // an assessment's overview, the assessment list
}

// Someone typing into a form is using their session, though no request is made: say so to the
// server now and then, so that writing a long answer does not outlast the idle period.
const IN_USE_EVERY_MS = 5 * 60 * 1000;
let lastInUse = Date.now();
document.addEventListener("input", (event) => {
  if (!(event.target instanceof Element) || !event.target.closest("form[method=post]")) return;
  if (Date.now() - lastInUse < IN_USE_EVERY_MS) return;
  lastInUse = Date.now();
  fetch("/account/session", { credentials: "same-origin", cache: "no-store" }).catch(() => {});
});

// The recording page: a field the officer moves to (with the Tab key, or by tapping it) is
// brought wholly into view once the browser has done its own scrolling (which, for a text box,
// shows only the line with the cursor), and clear of the save bar that stays at the foot of
// the screen on larger screens (app.css; WCAG 2.2, 2.4.11 Focus Not Obscured).
const recording = document.querySelector("form[data-autosave]");
if (recording) {
  const GAP = 10;
  const saveBar = recording.querySelector(".app-sticky-actions");
  recording.addEventListener("focusin", (event) => {
    const field = event.target;
    if (!(field instanceof Element) || (saveBar && saveBar.contains(field))) return;
    requestAnimationFrame(() => {
      const view = window.visualViewport;
      const top = view ? view.offsetTop : 0;
      let bottom = view ? view.offsetTop + view.height : window.innerHeight;
      if (saveBar && getComputedStyle(saveBar).position !== "static") {
        bottom = Math.min(bottom, saveBar.getBoundingClientRect().top);
      }
      const box = field.getBoundingClientRect();
      let by = 0;
      if (box.bottom > bottom - GAP) by = Math.min(box.bottom - bottom + GAP, box.top - top - GAP);
      else if (box.top < top + GAP) by = box.top - top - GAP;
      if (by) window.scrollBy({ top: by, behavior: "instant" });
    });
  });
}

// Pages kept for offline recording, and this device's copies of saved answers, are cleared when
// someone signs out on this device. Answers not yet saved stay, to be sent after signing in.
for (const signOut of document.querySelectorAll("form[action$='/sign-out']")) {
  signOut.addEventListener("submit", () => {
    if (window.caches) caches.delete(CACHE);
    Device.forgetCopies();
  });
}

if ("serviceWorker" in navigator && document.body.dataset.offline === "yes") {
  navigator.serviceWorker.register("/service-worker.js", { scope: "/" }).catch(() => {});
}

// CQC ratings import: the upload's progress, then the server's progress reading the file.
const uploadForm = document.querySelector("form[data-upload-progress]");
if (uploadForm && window.XMLHttpRequest && window.FormData) {
  uploadForm.addEventListener("submit", (event) => {
    const file = uploadForm.querySelector("input[type=file]");
    if (!file || !file.files.length) return; // let the server say what is missing
    event.preventDefault();
    const box = uploadForm.querySelector(".app-upload-progress");
    const bar = box.querySelector("progress");
    const status = box.querySelector("[data-upload-status]");
    box.hidden = false;
    uploadForm.querySelector("button").disabled = true;
    const request = new XMLHttpRequest();
    request.open("POST", uploadForm.action || window.location.href);
    request.upload.addEventListener("progress", (e) => {
      if (!e.lengthComputable) return;
      const percent = Math.round((e.loaded / e.total) * 100);
      bar.value = percent;
      status.textContent = `${percent}% uploaded`;
    });
    request.addEventListener("load", () => {
      if (request.responseURL && !request.responseURL.endsWith("/cqc-imports/new")) {
        window.location.assign(request.responseURL);
      } else {
        uploadForm.submit(); // the server refused it: show its page with the reasons
      }
    });
    request.addEventListener("error", () => {
      status.textContent = "The upload failed. Check your connection and try again.";
      uploadForm.querySelector("button").disabled = false;
    });
    request.send(new FormData(uploadForm));
  });
}

const importProgress = document.querySelector("[data-import-progress]");
if (importProgress) {
  const bar = importProgress.querySelector("progress");
  const percent = importProgress.querySelector("[data-percent]");
  const poll = async () => {
    try {
      const response = await fetch(importProgress.dataset.importProgress, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const state = await response.json();
      const noWorker = state.no_worker ? "yes" : "no";
      if (state.status !== "reading" || state.stalled || noWorker !== importProgress.dataset.noWorker) {
        window.location.reload();
        return;
      }
      bar.value = state.percent_read;
      percent.textContent = state.percent_read;
    } catch {
      // a dropped connection: try again at the next tick
    }
    window.setTimeout(poll, 1500);
  };
  window.setTimeout(poll, 1000);
}

// A picker over thousands of services (the QuAD meeting's record): loaded only where one is.
if (document.querySelector("select[data-autocomplete]")) {
  import("/static/service-picker.js")
    .then(({ startServicePickers }) => startServicePickers())
    .catch(() => {}); // the plain select still works
}
