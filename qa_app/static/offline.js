// Taking a visit offline, and what this device holds shown wherever the assessment appears.
//
// storeForOffline: every recording page of the assessment, its overview and the files they load
// go into the service worker's cache (service-worker.js serves them when there is no
// connection); the page then says plainly whether the visit is ready to use offline.
// startOverview / startList: answers waiting on this device are counted over the page (which may
// be a stored copy) and sent from there, on the overview, the assessment list and a service's
// page; on the overview "Submit" waits until nothing is waiting.
// showLeftovers: what is left on this device once the assessment has moved on, to copy out and
// clear.

import { CACHE, Device, Sender, answersAsText, bestKnown, pageState, plural, progressOf, versionsOf } from "/static/device.js";
import { PhotoSender, photosWaiting } from "/static/photos.js";
import { isSummaryRef, summaryDomain, thingsWaiting, waitingWords } from "/static/summaries.js";

function canStore() {
  return "caches" in window && "serviceWorker" in navigator;
}

// The scripts, styles and fonts this page itself loaded (whatever their addresses).
function loadedFiles() {
  return performance
    .getEntriesByType("resource")
    .map((entry) => new URL(entry.name))
    .filter((url) => url.origin === window.location.origin && /^\/(static|assets)\//.test(url.pathname))
    .map((url) => url.pathname + url.search);
}

function stateIn(html) {
  const page = new DOMParser().parseFromString(html, "text/html");
  try {
    return JSON.parse(page.getElementById("device-state").textContent);
  } catch {
    return null;
  }
}

function pagesOf(state) {
  return [...state.domains.map((domain) => domain.url), state.overview, state.list];
}

async function missingFrom(cache, urls) {
  const missing = [];
  for (const url of urls) {
    if (!(await cache.match(url, { ignoreVary: true }))) missing.push(url);
  }
  return missing;
}

function say(line, text) {
  if (line) line.textContent = text;
}

const storing = new Map();

// automatic: store only what is missing (a recording page, on opening); otherwise fetch every
// page afresh (the "Make available offline" button). checkOnly: just say how things stand.
export function storeForOffline(state, line, options = {}) {
  if (storing.has(state.assessment)) return storing.get(state.assessment);
  const job = store(state, line, options).finally(() => storing.delete(state.assessment));
  storing.set(state.assessment, job);
  return job;
}

async function store(state, line, { automatic = false, checkOnly = false } = {}) {
  if (!canStore()) {
    if (!checkOnly) say(line, "This browser cannot keep pages for use offline.");
    return false;
  }
  const device = new Device(state.assessment);
  const pages = pagesOf(state);
  const files = [...new Set([...state.files, ...loadedFiles()])];
  const cache = await caches.open(CACHE);
  const missingPages = await missingFrom(cache, pages);
  const missingFiles = await missingFrom(cache, files);
  const ready = `Ready to use offline: ${plural(pages.length, "page", "pages")} stored`;
  if (!missingPages.length && !missingFiles.length && (automatic || checkOnly)) {
    await navigator.serviceWorker.ready;
    say(line, ready);
    return true;
  }
  if (checkOnly) {
    if (missingPages.length < pages.length) {
      say(line, `Not ready to use offline: ${pages.length - missingPages.length} of ${plural(pages.length, "page", "pages")} stored.`);
    }
    return false;
  }
  const notReady = (stored) =>
    `Not ready to use offline: ${stored} of ${plural(pages.length, "page", "pages")} stored. The rest will be stored when the connection returns.`;
  if (!navigator.onLine) {
    if (!missingPages.length) {
      await navigator.serviceWorker.ready;
      say(line, ready);
      return true;
    }
    say(line, notReady(pages.length - missingPages.length));
    window.addEventListener("online", () => storeForOffline(state, line, { automatic }), { once: true });
    return false;
  }
  say(line, "Storing this visit on this device for use offline…");
  const wanted = automatic ? missingPages : pages;
  try {
    for (const url of wanted) {
      const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
      if (!response.ok || response.redirected) {
        say(line, response.redirected ? "Not ready to use offline: sign in again, then open the assessment." : `Not ready to use offline: ${url} could not be stored.`);
        return false;
      }
      const stored = stateIn(await response.clone().text());
      await cache.put(url, response);
      if (stored) device.notePage(url, versionsOf(stored));
    }
    for (const file of missingFiles) {
      const response = await fetch(file, { credentials: "same-origin" });
      if (response.ok) await cache.put(file, response);
    }
  } catch {
    const left = await missingFrom(cache, pages);
    say(line, notReady(pages.length - left.length));
    window.addEventListener("online", () => storeForOffline(state, line, { automatic }), { once: true });
    return false;
  }
  await navigator.serviceWorker.ready;
  say(line, ready);
  return true;
}

// GOV.UK's "Important" notification banner, `app-${name}` (its title `${name}-title`): the
// banner, and its content to fill.
function importantBanner(name) {
  const banner = document.createElement("div");
  banner.className = `govuk-notification-banner app-${name}`;
  banner.setAttribute("role", "region");
  banner.setAttribute("aria-labelledby", `${name}-title`);
  const header = document.createElement("div");
  header.className = "govuk-notification-banner__header";
  const title = document.createElement("h2");
  title.className = "govuk-notification-banner__title";
  title.id = `${name}-title`;
  title.textContent = "Important";
  header.append(title);
  const content = document.createElement("div");
  content.className = "govuk-notification-banner__content";
  banner.append(header, content);
  return { banner, content };
}

// What is left on this device once the assessment has moved on: shown in full, with a way to
// copy it out and to clear it (after a second, confirming press).
export function showLeftovers(container, state, device, status, after) {
  if (!container) return;
  container.replaceChildren();
  const entries = Object.entries(device.queue());
  if (!entries.length) return;
  const label = (state.status_labels[status] || status).toLowerCase();
  const { banner, content } = importantBanner("leftovers");
  content.innerHTML = `
      <p class="govuk-notification-banner__heading" data-leftovers-heading></p>
      <p class="govuk-body">They can no longer be saved to it. Copy them out if you need them (to give to the reviewer, say), then clear them from this device.</p>
      <div class="govuk-form-group">
        <label class="govuk-label govuk-label--s" for="leftovers-text">The answers, as text</label>
        <textarea class="govuk-textarea app-leftovers__text" id="leftovers-text" rows="8" readonly></textarea>
      </div>
      <div class="govuk-button-group" data-leftovers-actions>
        <button type="button" class="govuk-button govuk-button--secondary" data-copy>Copy the answers</button>
        <button type="button" class="govuk-button govuk-button--warning" data-clear>Clear them from this device</button>
      </div>
      <div class="govuk-button-group" data-leftovers-confirm hidden>
        <button type="button" class="govuk-button govuk-button--warning" data-clear-yes>Yes, clear them</button>
        <button type="button" class="govuk-button govuk-button--secondary" data-clear-no>No, keep them</button>
      </div>
      <p class="govuk-body" role="status" aria-live="polite" data-leftovers-said></p>`;
  banner.querySelector("[data-leftovers-heading]").textContent =
    `${thingsWaiting(entries.map(([ref]) => ref))} typed on this device ${entries.length === 1 ? "was" : "were"} not saved: the assessment is ${label}.`;
  const text = banner.querySelector("textarea");
  text.value = answersAsText(state, entries);
  const said = banner.querySelector("[data-leftovers-said]");
  const actions = banner.querySelector("[data-leftovers-actions]");
  const confirmRow = banner.querySelector("[data-leftovers-confirm]");
  banner.querySelector("[data-copy]").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(text.value);
      said.textContent = "Copied. Paste them where you need them.";
    } catch {
      text.focus();
      text.select();
      said.textContent = "Selected: copy them with Ctrl+C (or Cmd+C), then paste them where you need them.";
    }
  });
  banner.querySelector("[data-clear]").addEventListener("click", () => {
    actions.hidden = true;
    confirmRow.hidden = false;
    said.textContent = `Clear ${thingsWaiting(entries.map(([ref]) => ref))} from this device? This cannot be undone.`;
    confirmRow.querySelector("[data-clear-yes]").focus();
  });
  confirmRow.querySelector("[data-clear-no]").addEventListener("click", () => {
    actions.hidden = false;
    confirmRow.hidden = true;
    said.textContent = "";
  });
  confirmRow.querySelector("[data-clear-yes]").addEventListener("click", () => {
    device.clear();
    container.replaceChildren();
    const done = document.createElement("p");
    done.className = "govuk-body app-leftovers__done";
    done.setAttribute("role", "status");
    done.textContent = "Cleared: nothing typed for this assessment is left on this device.";
    container.append(done);
    after?.();
  });
  container.append(banner);
}

function waitingBanner(container, state, known, queue, sender) {
  // Answers waiting on this device, by domain, with where to decide clashes.
  container.replaceChildren();
  const entries = Object.entries(queue);
  if (!entries.length) return;
  const clashes = entries.filter(([, entry]) => entry.problem === "conflict");
  const refused = entries.filter(([, entry]) => entry.problem === "invalid");
  const { banner, content } = importantBanner("waiting");
  const heading = document.createElement("p");
  heading.className = "govuk-notification-banner__heading";
  heading.textContent = `${thingsWaiting(entries.map(([ref]) => ref))} typed on this device ${entries.length === 1 ? "is" : "are"} not saved yet.`;
  const how = document.createElement("p");
  how.className = "govuk-body";
  how.dataset.waitingState = "";
  if (sender.ended) how.textContent = "Your session has ended: sign in again and they will be sent.";
  else if (!navigator.onLine) how.textContent = "You are offline: they will be sent from this page when the connection returns.";
  else if (clashes.length === entries.length) how.textContent = "";
  else how.textContent = "Sending them from this page…";
  const list = document.createElement("ul");
  list.className = "govuk-list govuk-list--bullet";
  for (const domain of state.domains) {
    const mine = entries.filter(([ref]) => (isSummaryRef(ref) ? summaryDomain(state, ref) : known[ref]?.domain) === domain.code);
    if (!mine.length) continue;
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.className = "govuk-notification-banner__link";
    link.href = domain.url;
    link.textContent = domain.title;
    const clash = mine.filter(([, entry]) => entry.problem === "conflict").length;
    const bad = mine.filter(([, entry]) => entry.problem === "invalid").length;
    const notes = [thingsWaiting(mine.map(([ref]) => ref))];
    if (clash) notes.push(`${clash} changed by someone else: choose which to keep`);
    if (bad) notes.push(`${bad} refused: see the question`);
    item.append(link, `: ${notes.join("; ")}`);
    list.append(item);
  }
  content.append(heading, how, list);
  if (clashes.length || refused.length) {
    const decide = document.createElement("p");
    decide.className = "govuk-body";
    decide.textContent = `${plural(clashes.length + refused.length, "answer needs", "answers need")} your decision on its domain's page.`;
    content.append(decide);
  }
  container.append(banner);
}

function photosNote(photos) {
  // Photos and files waiting on this device: sent from this page, refused ones shown on their
  // question's page (photos.js).
  const note = document.createElement("p");
  note.className = "govuk-inset-text app-photos-waiting";
  note.textContent = `${plural(photos, "photo or file", "photos or files")} taken on this device ${photos === 1 ? "is" : "are"} not saved yet${navigator.onLine ? "" : `: ${photos === 1 ? "it" : "they"} will be sent when the connection returns`}.`;
  return note;
}

// The overview: progress over what this device holds, waiting answers sent from here, Submit
// only once nothing waits, and "Make available offline".
export function startOverview(state) {
  const device = new Device(state.assessment);
  const panel = document.getElementById("device-answers");
  const line = document.getElementById("offline-ready");
  const submitButton = document.getElementById("submit-assessment");
  const submitWaits = document.getElementById("submit-waits");
  const stillToAnswer = document.getElementById("still-to-answer");
  const ratingsBehind = document.getElementById("ratings-behind");
  device.notePage(window.location.pathname, versionsOf(state));

  if (!state.editable) {
    if (Object.keys(device.queue()).length) showLeftovers(panel, state, device, state.status);
    return;
  }
  device.prune();
  const queue = device.queue();
  for (const entry of Object.values(queue)) if (entry.problem === "moved_on") entry.problem = null;
  device.setQueue(queue);

  let sender;
  function show() {
    const known = bestKnown(state, device);
    const progress = progressOf(state, known);
    let answered = 0;
    let total = 0;
    for (const [code, counts] of Object.entries(progress)) {
      const cell = document.querySelector(`[data-answered="${code}"]`);
      if (cell) cell.textContent = `${counts.answered} of ${counts.total}`;
      answered += counts.answered;
      total += counts.total;
    }
    const left = total - answered;
    if (stillToAnswer) stillToAnswer.textContent = left ? `${plural(left, "question", "questions")} still to answer.` : "Every question is answered.";
    const fromDevice = Object.values(known).filter((k) => k.waiting || k.saved).length;
    if (ratingsBehind) {
      ratingsBehind.hidden = !fromDevice;
      ratingsBehind.textContent = `The ratings so far do not yet include ${plural(fromDevice, "answer", "answers")} from this device: they will when the page is opened again online.`;
    }
    const tag = document.querySelector("[data-status-tag] .govuk-tag");
    if (tag && state.status === "planned" && fromDevice) {
      tag.textContent = state.status_labels.in_progress;
      tag.classList.replace("govuk-tag--grey", "govuk-tag--blue");
    }
    const current = device.queue();
    const waiting = Object.keys(current).length;
    const photos = photosWaiting(state.assessment);
    if (sender?.movedOn) return;
    waitingBanner(panel, state, known, current, sender);
    if (photos) panel.append(photosNote(photos));
    if (submitButton) {
      const reason = waiting
        ? `Submit waits until nothing is waiting on this device: ${waitingWords(Object.keys(current))} not saved yet.`
        : photos
          ? `Submit waits until nothing is waiting on this device: ${plural(photos, "photo is", "photos are")} not saved yet.`
          : !navigator.onLine
          ? "You are offline: submit when the connection returns."
          : "";
      submitButton.disabled = Boolean(reason);
      submitButton.setAttribute("aria-disabled", reason ? "true" : "false");
      if (reason) submitButton.setAttribute("aria-describedby", "submit-waits");
      else submitButton.removeAttribute("aria-describedby");
      submitWaits.hidden = !reason;
      submitWaits.textContent = reason;
    }
  }

  sender = new Sender({
    device,
    api: state.api,
    editableStatuses: state.editable_statuses,
    hooks: {
      done: show,
      ended: show,
      movedOn(status) {
        if (submitButton) submitButton.disabled = true;
        showLeftovers(panel, state, device, status, show);
      },
    },
  });
  // photos and files taken on this device (photos.js) are sent from here too
  const photoSender = new PhotoSender({
    assessment: state.assessment,
    api: state.api,
    csrf: () => document.querySelector("input[name=csrf_token]")?.value || "",
    hooks: { done: show },
  });
  document.getElementById("submit-form")?.addEventListener("submit", (event) => {
    if (Object.keys(device.queue()).length || photosWaiting(state.assessment) || !navigator.onLine) {
      event.preventDefault();
      show();
      submitWaits?.focus();
    }
  });
  window.addEventListener("online", show);
  window.addEventListener("offline", show);
  show();
  sender.start();
  if (window.indexedDB) photoSender.start();

  const button = document.getElementById("make-offline");
  if (button && canStore()) {
    button.hidden = false;
    button.addEventListener("click", async () => {
      button.disabled = true;
      await storeForOffline(state, line);
      button.disabled = false;
    });
    storeForOffline(state, line, { checkOnly: true });
  }
}

// A list of assessments (all of them, or a service's): each row says what this device holds for it, and sends what waits.
export function startList(table) {
  let editable;
  try {
    editable = JSON.parse(table.dataset.editableStatuses);
  } catch {
    editable = ["planned", "in_progress"];
  }
  for (const row of table.querySelectorAll("tr[data-assessment]")) {
    const device = new Device(row.dataset.assessment);
    const note = row.querySelector("[data-device-note]");
    if (!Object.keys(device.queue()).length && !Object.keys(device.saved()).length) continue;
    let sender;
    const show = () => {
      const queue = Object.values(device.queue());
      const tag = row.querySelector("[data-status-tag] .govuk-tag");
      if (tag && row.dataset.status === "planned" && (queue.length || Object.keys(device.saved()).length)) {
        tag.textContent = "In progress";
        tag.classList.replace("govuk-tag--grey", "govuk-tag--blue");
      }
      if (!note) return;
      note.hidden = !queue.length;
      const movedOn = sender?.movedOn || !editable.includes(row.dataset.status);
      const clashes = queue.filter((entry) => entry.problem === "conflict" || entry.problem === "invalid").length;
      if (movedOn) {
        note.textContent = `${plural(queue.length, "answer", "answers")} left on this device, not saved: open the assessment to copy them out.`;
      } else if (clashes) {
        note.textContent = `${plural(queue.length, "answer", "answers")} waiting on this device; ${clashes} ${clashes === 1 ? "needs" : "need"} your decision.`;
      } else {
        note.textContent = `${plural(queue.length, "answer", "answers")} waiting on this device${navigator.onLine ? "" : ": sent when the connection returns"}.`;
      }
    };
    if (editable.includes(row.dataset.status) && Object.keys(device.queue()).length) {
      sender = new Sender({ device, api: row.dataset.api, editableStatuses: editable, hooks: { done: show, movedOn: show, ended: show } });
      window.addEventListener("online", show);
      window.addEventListener("offline", show);
      sender.start();
    }
    show();
  }
}

export function startDevicePages() {
  const state = pageState();
  if (state && document.getElementById("device-answers")) startOverview(state);
  for (const table of document.querySelectorAll("table[data-assessment-rows]")) startList(table);
}
