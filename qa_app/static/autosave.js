// Autosave for the recording page.
//
// Every change to an answer is written at once to this device (device.js), then sent to the
// JSON API. What the server has confirmed leaves the queue, and the device remembers the version
// it returned, so that the next change here is the next version, after any number of reloads.
// What it has not confirmed stays, survives a reload or a closed tab, and is sent again when the
// connection returns. Nothing is dropped silently: every question says whether it is saved,
// waiting, or needs attention.
//
// A stored copy of this page (shown without a connection) may be older than what this device
// knows: what the device holds is put over it, so that answers, counts, statuses and banners
// never show less than the officer typed.
//
// A clash with someone else's change shows both side by side: keep mine (sent against their
// version) or keep theirs (mine leaves this device). When the assessment has moved on (submitted,
// published), what is left on this device is shown with a way to copy it out and clear it.
//
// When the server says the session has ended (a 401: signed out elsewhere, idle too long), the
// answers stay on this device, sending stops, and one message offers "Sign in again" with this
// page as `next`. Signing in brings the officer back here; the page finds the waiting answers on
// the device and sends them.

import { Device, Sender, bestKnown, pageState, plural, progressOf, sameAnswer, versionsOf } from "/static/device.js";
import { showLeftovers, storeForOffline } from "/static/offline.js";
import { photosWaiting } from "/static/photos.js";
import { isSummaryRef, readSummary, summaryTitle, thingsWaiting, waitingWords, writeSummary } from "/static/summaries.js";

export function startAutosave(form) {
  const state = pageState();
  const device = new Device(form.dataset.assessment);
  const banner = document.getElementById("connection-state");
  const endedNotice = document.getElementById("session-ended");
  const blocks = new Map(
    [...form.querySelectorAll(".app-answer[data-ref], .app-summary[data-ref]")].map((block) => [block.dataset.ref, block]),
  );
  const timers = new Map();
  let sessionEnded = false;

  function key(ref) {
    return ref.replaceAll(".", "-");
  }

  function versionInput(block) {
    return block.querySelector(`input[name="${key(block.dataset.ref)}-version"]`);
  }

  function read(block) {
    if (isSummaryRef(block.dataset.ref)) return readSummary(block);
    const k = key(block.dataset.ref);
    const choice = block.querySelector(`input[name="${k}-score"]:checked`);
    const payload = {
      na_reason: block.querySelector(`[name="${k}-na_reason"]`)?.value || null,
      evidence: block.querySelector(`[name="${k}-evidence"]`)?.value || "",
      sources: [...block.querySelectorAll(`input[name="${k}-sources"]:checked`)].map((box) => box.value),
    };
    if (choice) payload.score = choice.value === "na" ? null : Number(choice.value);
    const version = versionInput(block).value;
    payload.version = version ? Number(version) : null;
    return payload;
  }

  function write(block, payload) {
    if (isSummaryRef(block.dataset.ref)) return writeSummary(block, payload);
    const k = key(block.dataset.ref);
    const value = payload.score === null ? "na" : payload.score === undefined ? "" : String(payload.score);
    for (const radio of block.querySelectorAll(`input[name="${k}-score"]`)) {
      radio.checked = radio.value === value;
      radio.dispatchEvent(new Event("change", { bubbles: false }));
    }
    const reason = block.querySelector(`[name="${k}-na_reason"]`);
    if (reason) reason.value = payload.na_reason || "";
    block.querySelector(`[name="${k}-evidence"]`).value = payload.evidence || "";
    for (const box of block.querySelectorAll(`input[name="${k}-sources"]`)) {
      box.checked = (payload.sources || []).includes(box.value);
    }
  }

  function say(ref, text, kind) {
    const block = blocks.get(ref);
    const line = block && block.querySelector(".app-save-state");
    if (!line) return;
    line.textContent = text;
    line.classList.toggle("app-save-state--unsaved", kind === "unsaved");
    line.classList.toggle("app-save-state--saved", kind === "saved");
  }

  function clearErrors(ref) {
    // A Save the server refused put a message on this answer's boxes and a link to each in the
    // error summary, and one that met someone else's newer answer a box showing theirs. Once
    // autosave has saved the answer (or the officer kept theirs), they are out of date: take them
    // away, and the summary (and "Error: " in the title) with its last link. A refused photo's
    // message stays: saving the answer does not save the photo. A clash autosave is showing
    // (data-live) is not the server's: it goes when the officer decides.
    const block = blocks.get(ref);
    if (!block) return;
    block.querySelector(".app-conflict:not([data-live])")?.remove();
    for (const message of block.querySelectorAll(".govuk-error-message[id$='-error']")) {
      if (message.closest(".app-photos")) continue;
      const group = message.closest(".govuk-form-group");
      group.classList.remove("govuk-form-group--error");
      group.querySelector(".govuk-textarea--error")?.classList.remove("govuk-textarea--error");
      for (const box of group.querySelectorAll(`[aria-describedby~="${message.id}"]`)) {
        const rest = box.getAttribute("aria-describedby").split(" ").filter((id) => id && id !== message.id);
        if (rest.length) box.setAttribute("aria-describedby", rest.join(" "));
        else box.removeAttribute("aria-describedby");
      }
      document.querySelector(`.govuk-error-summary a[href="#${message.id.slice(0, -"-error".length)}"]`)?.closest("li").remove();
      message.remove();
    }
    const summary = document.querySelector(".govuk-error-summary");
    if (summary && !summary.querySelector(".govuk-error-summary__list a")) {
      summary.remove();
      document.title = document.title.replace(/^Error: /, "");
    }
  }

  function time(iso) {
    return new Date(iso).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
  }

  function summarise() {
    if (!banner) return;
    const queue = device.queue();
    const waiting = Object.keys(queue).length;
    const clashes = Object.values(queue).filter((entry) => entry.problem === "conflict").length;
    const photos = photosWaiting(device.id);
    const answers = waitingWords(Object.keys(queue));
    if (sender.movedOn || !state.editable) {
      banner.textContent = waiting ? `${plural(waiting, "answer was", "answers were")} not saved: see above.` : "";
    } else if (sessionEnded) {
      banner.textContent = `Your session has ended. ${answers} kept on this device and will be sent when you sign in again.`;
    } else if (!navigator.onLine) {
      banner.textContent = `Offline. ${answers} kept on this device and will be sent when the connection returns.`;
    } else if (clashes) {
      const deciding = Object.keys(queue).filter((ref) => queue[ref].problem === "conflict");
      banner.textContent = `${answers} not saved yet. ${thingsWaiting(deciding)} ${clashes === 1 ? "needs" : "need"} your decision.`;
    } else if (waiting) {
      banner.textContent = `${answers} not saved yet.`;
    } else {
      banner.textContent = photos ? "" : "All answers are saved.";
    }
    // photos and files waiting on this device (photos.js) are counted too
    if (photos && state.editable && !sender.movedOn) {
      banner.textContent = `${banner.textContent} ${plural(photos, "photo is", "photos are")} not saved yet.`.trim();
    }
    banner.classList.toggle("app-connection--offline", sessionEnded || !navigator.onLine || waiting > 0 || photos > 0);
  }

  function progress() {
    // "n of m answered" for every domain, as this device knows it: this page's form, and what
    // the device holds for the other domains over what the page was stored with.
    const known = state ? bestKnown(state, device) : {};
    for (const block of blocks.values()) {
      const payload = read(block);
      known[block.dataset.ref] = {
        ...known[block.dataset.ref],
        complete: Boolean(payload.score) || (payload.score === null && Boolean((payload.na_reason || "").trim())),
      };
    }
    const domains = state ? progressOf(state, known) : {};
    for (const [code, counts] of Object.entries(domains)) {
      const counter = document.querySelector(`[data-progress="${code}"]`);
      if (counter) counter.textContent = `${counts.answered} of ${counts.total} answered`;
    }
  }

  function changed(block, delay) {
    // Kept on this device at once, keystroke by keystroke; sent to the server a moment later.
    const ref = block.dataset.ref;
    const waiting = device.queue()[ref];
    // Leaving a box whose words wait for a decision (a clash shown beside it) is not a change:
    // the decision stays, and its buttons stay where the officer is about to press them.
    if (waiting?.problem && sameAnswer(waiting.payload, read(block))) return;
    block.querySelector(".app-conflict[data-live]")?.remove();
    if (device.remember(ref, read(block))) {
      say(ref, sessionEnded ? "Not saved yet: kept on this device until you sign in again" : "Not saved yet: kept on this device", "unsaved");
    } else {
      say(ref, "Not saved: this device has no room left to keep it. Keep this page open until the connection returns.", "unsaved");
    }
    summarise();
    progress();
    clearTimeout(timers.get(ref));
    timers.set(ref, setTimeout(() => sender.flush(), delay));
  }

  function describe(values) {
    // One answer in words, for the side-by-side view.
    const dl = document.createElement("dl");
    dl.className = "govuk-summary-list govuk-summary-list--no-border app-clash__answer";
    const rows = [];
    if (values.text !== undefined) rows.push(["Summary", values.text || "None"]);
    else rows.push(...answerRows(values));
    for (const [label, text] of rows) {
      const row = document.createElement("div");
      row.className = "govuk-summary-list__row";
      const dt = document.createElement("dt");
      dt.className = "govuk-summary-list__key";
      dt.textContent = label;
      const dd = document.createElement("dd");
      dd.className = "govuk-summary-list__value app-clash__text";
      dd.textContent = text;
      row.append(dt, dd);
      dl.append(row);
    }
    return dl;
  }

  function answerRows(values) {
    const score = values.na || values.score === null
      ? "N/A (not assessed)"
      : values.score
        ? `${values.score} ${state?.score_labels[String(values.score)] || ""}`.trim()
        : "None";
    const rows = [["Score", score]];
    if (values.na || values.score === null) rows.push(["Reason for N/A", values.na_reason || ""]);
    rows.push(["Evidence notes", values.evidence || "None"]);
    rows.push(["Evidence from", (values.sources || []).map((s) => state?.source_labels[s] || s).join(", ") || "None"]);
    return rows;
  }

  function showConflict(ref) {
    const block = blocks.get(ref);
    const entry = device.queue()[ref];
    if (!block || !entry || entry.problem !== "conflict") return;
    block.querySelector(".app-conflict[data-live]")?.remove();
    const theirs = entry.theirs;
    const who = theirs.updated_by || "someone else";
    const box = document.createElement("div");
    box.className = "govuk-inset-text app-conflict app-clash";
    box.dataset.live = "yes";
    const heading = document.createElement("h3");
    heading.className = "govuk-heading-s";
    heading.textContent = `Not saved: ${who} changed ${isSummaryRef(ref) ? `the ${summaryTitle(state, ref).toLowerCase()}` : "this answer"} since your copy of it. Choose which to keep.`;
    const row = document.createElement("div");
    row.className = "govuk-grid-row";
    const columns = [
      ["Yours, on this device", entry.payload],
      [`Theirs, saved by ${who}${theirs.updated_at ? ` at ${time(theirs.updated_at)}` : ""}`, theirs],
    ].map(([title, values]) => {
      const column = document.createElement("div");
      column.className = "govuk-grid-column-one-half app-clash__side";
      const h = document.createElement("h4");
      h.className = "govuk-heading-s govuk-!-margin-bottom-1";
      h.textContent = title;
      column.append(h, describe(values));
      return column;
    });
    row.append(...columns);
    const buttons = document.createElement("div");
    buttons.className = "govuk-button-group govuk-!-margin-bottom-0";
    const keepMine = document.createElement("button");
    keepMine.type = "button";
    keepMine.className = "govuk-button govuk-!-margin-bottom-0";
    keepMine.textContent = "Keep mine";
    keepMine.addEventListener("click", () => {
      const current = device.queue()[ref];
      if (!current) return;
      versionInput(block).value = current.theirVersion;
      box.remove();
      device.remember(ref, { ...current.payload, version: current.theirVersion });
      say(ref, "Not saved yet: kept on this device", "unsaved");
      summarise();
      sender.flush();
    });
    const keepTheirs = document.createElement("button");
    keepTheirs.type = "button";
    keepTheirs.className = "govuk-button govuk-button--secondary govuk-!-margin-bottom-0";
    keepTheirs.textContent = "Keep theirs";
    keepTheirs.addEventListener("click", () => {
      const current = device.queue()[ref];
      if (!current) return;
      const values = isSummaryRef(ref)
        ? { text: current.theirs.text }
        : {
          score: current.theirs.na ? null : current.theirs.score ?? undefined,
          na_reason: current.theirs.na_reason,
          evidence: current.theirs.evidence,
          sources: current.theirs.sources,
        };
      write(block, values);
      versionInput(block).value = current.theirVersion;
      device.forget(ref);
      device.confirm(ref, values, current.theirVersion, current.theirs.updated_at, current.theirs.updated_by);
      box.remove();
      clearErrors(ref); // mine is gone, and what the server said about it
      say(ref, `Saved${current.theirs.updated_at ? ` at ${time(current.theirs.updated_at)}` : ""} by ${who}. Yours was discarded.`, "saved");
      summarise();
      progress();
    });
    buttons.append(keepMine, keepTheirs);
    box.append(heading, row, buttons);
    block.querySelector(".app-save-state").before(box);
    say(ref, "Not saved: changed by someone else (see above)", "unsaved");
  }

  function endedSession() {
    // Once: keep everything, stop sending, and say what to do. Every waiting answer says so too.
    if (!sessionEnded) {
      sessionEnded = true;
      if (endedNotice) endedNotice.hidden = false;
    }
    for (const ref of Object.keys(device.queue())) say(ref, "Not saved yet: kept on this device until you sign in again", "unsaved");
    summarise();
  }

  function movedOn(status) {
    const label = state?.status_labels[status] || status;
    for (const ref of Object.keys(device.queue())) say(ref, `Not saved: the assessment is ${label.toLowerCase()}`, "unsaved");
    for (const field of form.querySelectorAll("input, textarea, button")) {
      if (field.name !== "csrf_token") field.disabled = true;
    }
    if (state) showLeftovers(document.getElementById("device-leftovers"), state, device, status, summarise);
    summarise();
  }

  const sender = new Sender({
    device,
    api: form.dataset.autosave,
    editableStatuses: state?.editable_statuses || ["planned", "in_progress"],
    hooks: {
      saved(ref, body) {
        const block = blocks.get(ref);
        if (block) versionInput(block).value = body.version;
        say(ref, `Saved at ${time(body.updated_at)}`, "saved");
        clearErrors(ref);
      },
      rebased(ref, body) {
        const block = blocks.get(ref);
        if (block) versionInput(block).value = body.version;
      },
      conflict: (ref) => showConflict(ref),
      invalid: (ref, message) => say(ref, `Not saved: ${message}`, "unsaved"),
      needsReason: (ref) => say(ref, `Not saved yet: ${form.dataset.naReasonMissing}`, "unsaved"),
      offline: (ref) => say(ref, "Not saved yet: no connection. Kept on this device; it will be sent when the connection returns.", "unsaved"),
      stale: (ref) => say(ref, "Not saved yet: this page is out of date. Reload it; this answer is kept on this device.", "unsaved"),
      ended: endedSession,
      movedOn,
      done: () => {
        summarise();
        progress();
      },
    },
  });

  // Without a connection the form cannot be posted: the answers are already kept on this device,
  // and "Save and go to the next domain" opens the next domain's stored page.
  form.addEventListener("submit", (event) => {
    if (navigator.onLine) return;
    event.preventDefault();
    const codes = state ? state.domains.map((domain) => domain.code) : [];
    const next = state?.domains[codes.indexOf(form.dataset.domain) + 1];
    if (event.submitter?.name === "continue" && next) window.location.assign(next.url);
    else summarise();
  });

  for (const block of blocks.values()) {
    block.addEventListener("change", (event) => {
      if (event.target.closest?.(".app-photos")) return; // a photo is not a change to the answer (photos.js)
      changed(block, 0);
    });
    block.addEventListener("input", (event) => {
      if (event.target.tagName === "TEXTAREA") changed(block, 800);
    });
  }

  if (state && !state.editable) {
    // The assessment has moved on: whatever this device still holds is shown to copy out.
    if (Object.keys(device.queue()).length) showLeftovers(document.getElementById("device-leftovers"), state, device, state.status, summarise);
    summarise();
    return;
  }

  if (state) {
    // Answers the server confirmed to this device since this copy of the page was stored.
    device.notePage(window.location.pathname, versionsOf(state));
    const known = bestKnown(state, device);
    for (const [ref, block] of blocks) {
      const onPage = state.answers[ref]?.version ?? 0;
      const summaryCopy = device.saved()[ref];
      const copy = isSummaryRef(ref) ? (summaryCopy && summaryCopy.version > onPage ? summaryCopy : null) : known[ref].saved;
      if (!copy) continue;
      write(block, copy.payload);
      versionInput(block).value = copy.version;
      say(ref, `Saved${copy.updatedAt ? ` at ${time(copy.updatedAt)}` : ""}`, "saved");
    }
    device.prune();
    // Answers the assessment has moved on from stay left over until it is editable again.
    const queue = device.queue();
    for (const entry of Object.values(queue)) if (entry.problem === "moved_on") entry.problem = null;
    device.setQueue(queue);
  }

  // What this device kept from before (a reload, a closed tab, no connection): put it back.
  for (const [ref, entry] of Object.entries(device.queue())) {
    const block = blocks.get(ref);
    if (!block) continue;
    write(block, entry.payload);
    versionInput(block).value = entry.payload.version ?? "";
    if (entry.problem === "conflict") showConflict(ref);
    else if (entry.problem === "invalid") say(ref, `Not saved: ${entry.message || "the server refused it"}`, "unsaved");
    else say(ref, "Not saved yet: kept on this device", "unsaved");
  }

  progress();
  window.addEventListener("offline", summarise);
  window.addEventListener("online", summarise);
  document.addEventListener("qa-photos-changed", summarise); // photos.js: photos waiting
  summarise();
  sender.start();
  if (state) storeForOffline(state, document.getElementById("offline-ready"), { automatic: true });
}
