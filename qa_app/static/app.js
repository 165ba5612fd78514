// Loaded as a module with the page's CSP nonce.
import { initAll } from "/static/govuk/govuk-frontend.min.js";
import { startAutosave } from "/static/autosave.js";

initAll();

const form = document.querySelector("form[data-autosave]");
if (form) {
  startAutosave(form);
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

// Pages kept for offline recording are cleared when someone signs out on this device.
for (const signOut of document.querySelectorAll("form[action$='/sign-out']")) {
  signOut.addEventListener("submit", () => {
    if (window.caches) caches.delete("qa-recording-pages");
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
      if (state.status !== "reading" || state.stalled) {
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
