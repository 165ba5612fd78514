// Loaded as a module with the page's CSP nonce.
import { initAll } from "/static/govuk/govuk-frontend.min.js";
import { startAutosave } from "/static/autosave.js";

initAll();

const form = document.querySelector("form[data-autosave]");
if (form) {
  startAutosave(form);
}

// Pages kept for offline recording are cleared when someone signs out on this device.
for (const signOut of document.querySelectorAll("form[action$='/sign-out']")) {
  signOut.addEventListener("submit", () => {
    if (window.caches) caches.delete("qa-recording-pages");
  });
}

if ("serviceWorker" in navigator && document.body.dataset.offline === "yes") {
  navigator.serviceWorker.register("/service-worker.js", { scope: "/" }).catch(() => {});
}
