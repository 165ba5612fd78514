// What this device holds for an assessment, and sending it to the server.
//
// Kept in localStorage, so that it survives a reload, a closed tab and a lost connection:
//   qa-unsaved-<id>  answers typed here that the server has not confirmed (the queue), each with
//                    the version it changes and any problem that waits for the officer
//                    ("conflict": someone else changed it; "moved_on": the assessment can no
//                    longer be changed; "invalid": the server refused it);
//   qa-saved-<id>    what the server confirmed to this device, with the version it returned, so
//                    that a stored (older) copy of a page shows it, and a later change on this
//                    device is the next version, after any number of reloads, online or offline;
//   qa-sent-<id>     answers sent whose reply may not have arrived (a tab closed, a connection
//                    dropped mid-request), to tell this device's own earlier save from someone
//                    else's change;
//   qa-pages-<id>    the pages stored for offline use, each with the answer versions it shows.
//
// A page's scripts learn the assessment from its JSON block (#device-state; see
// qa_app/web/staff/device_state.py).

import { addressFor, isSummaryRef, summaryTitle } from "/static/summaries.js";

export const CACHE = "qa-recording-pages";
const PREFIXES = ["qa-unsaved-", "qa-saved-", "qa-sent-", "qa-pages-"];
const SENT_KEPT = 5;

export function pageState() {
  const block = document.getElementById("device-state");
  if (!block) return null;
  try {
    return JSON.parse(block.textContent);
  } catch {
    return null;
  }
}

function readJson(key) {
  try {
    return JSON.parse(localStorage.getItem(key) || "{}") || {};
  } catch {
    return {};
  }
}

export function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

// A score or N/A with a reason: what the server counts as answered.
export function isComplete(payload) {
  if (!payload) return false;
  if (payload.score === null) return Boolean((payload.na_reason || "").trim());
  return [1, 2, 3, 4].includes(payload.score);
}

// An answer as the server keeps it, for comparing what was sent with what is saved.
function normalised(values) {
  const na = values.na === true || (values.na === undefined && values.score === null);
  return JSON.stringify({
    na,
    score: na ? null : (values.score ?? null),
    na_reason: na ? (values.na_reason || "").trim() || null : null,
    evidence: values.evidence || "",
    sources: [...new Set(values.sources || [])],
    text: values.text ?? null, // a summary's (summaries.js)
  });
}

export function sameAnswer(saved, payload) {
  return normalised(saved) === normalised(payload);
}

export class Device {
  constructor(assessmentId) {
    this.id = String(assessmentId);
  }

  key(prefix) {
    return `${prefix}${this.id}`;
  }

  read(prefix) {
    return readJson(this.key(prefix));
  }

  write(prefix, value) {
    const key = this.key(prefix);
    if (!Object.keys(value).length) {
      localStorage.removeItem(key);
      return;
    }
    const text = JSON.stringify(value);
    try {
      localStorage.setItem(key, text);
    } catch {
      // Full: what can be had again from the server goes first (other assessments' saved
      // copies and stored-page records), never an answer waiting to be sent.
      Device.freeSpace(key);
      localStorage.setItem(key, text); // if this still fails, the caller says so
    }
  }

  static freeSpace(keep) {
    for (let i = localStorage.length - 1; i >= 0; i -= 1) {
      const name = localStorage.key(i);
      if (name !== keep && (name.startsWith("qa-saved-") || name.startsWith("qa-pages-"))) {
        localStorage.removeItem(name);
      }
    }
  }

  // Every assessment this device holds answers for (waiting or left over).
  static withWaiting() {
    const ids = [];
    for (let i = 0; i < localStorage.length; i += 1) {
      const name = localStorage.key(i);
      if (name.startsWith("qa-unsaved-") && Object.keys(readJson(name)).length) {
        ids.push(name.slice("qa-unsaved-".length));
      }
    }
    return ids;
  }

  // On signing out: the copies of saved answers and the stored-page records go (the server
  // has them); answers not yet saved stay, to be sent when someone signs in again.
  static forgetCopies() {
    for (let i = localStorage.length - 1; i >= 0; i -= 1) {
      const name = localStorage.key(i);
      if (name.startsWith("qa-saved-") || name.startsWith("qa-pages-")) localStorage.removeItem(name);
    }
  }

  queue() {
    return this.read("qa-unsaved-");
  }

  setQueue(queue) {
    this.write("qa-unsaved-", queue);
  }

  saved() {
    return this.read("qa-saved-");
  }

  // Keeps an answer typed here. Returns false if the device could not keep it.
  remember(ref, payload) {
    const queue = this.queue();
    queue[ref] = { payload, at: new Date().toISOString(), problem: null };
    try {
      this.setQueue(queue);
      return true;
    } catch {
      return false;
    }
  }

  forget(ref) {
    const queue = this.queue();
    delete queue[ref];
    this.setQueue(queue);
  }

  mark(ref, changes) {
    const queue = this.queue();
    if (!queue[ref]) return;
    queue[ref] = { ...queue[ref], ...changes };
    this.setQueue(queue);
  }

  // The server saved `payload` as `version`: remember that; a newer edit waiting for this
  // answer now changes that version (this device's own save is never a clash).
  confirm(ref, payload, version, updatedAt, updatedBy) {
    const saved = this.saved();
    saved[ref] = { payload: { ...payload, version }, version, updatedAt, updatedBy };
    try {
      this.write("qa-saved-", saved);
    } catch {
      // only a copy of what the server holds: a stored page may then show less until reloaded online
    }
    const queue = this.queue();
    const current = queue[ref];
    if (current) {
      if (sameAnswer(current.payload, payload)) delete queue[ref];
      else current.payload.version = version;
      this.setQueue(queue);
    }
    this.clearSent(ref);
  }

  sentBefore(ref) {
    return this.read("qa-sent-")[ref] || [];
  }

  noteSent(ref, payload) {
    const sent = this.read("qa-sent-");
    sent[ref] = [...(sent[ref] || []), payload].slice(-SENT_KEPT);
    try {
      this.write("qa-sent-", sent);
    } catch {
      // without it, a reply lost mid-request may be shown as a clash the officer resolves
    }
  }

  clearSent(ref) {
    const sent = this.read("qa-sent-");
    if (!(ref in sent)) return;
    delete sent[ref];
    this.write("qa-sent-", sent);
  }

  // Was `current` (saved on the server as `currentVersion`) this device's own save, whose reply
  // never arrived? Then it is the version the next change builds on.
  ownSave(ref, current, currentVersion) {
    return this.sentBefore(ref).find(
      (payload) => (payload.version ?? 0) + 1 === currentVersion && sameAnswer(current, payload),
    );
  }

  pages() {
    return this.read("qa-pages-");
  }

  // A page is stored for offline use, showing these answer versions ({ref: version}).
  notePage(url, versions) {
    const pages = this.pages();
    pages[url] = versions;
    try {
      this.write("qa-pages-", pages);
    } catch {
      // then saved copies are simply kept longer
    }
  }

  // Saved copies every stored page already shows are no longer needed.
  prune() {
    const pages = Object.values(this.pages());
    const saved = this.saved();
    let changed = false;
    for (const [ref, copy] of Object.entries(saved)) {
      if (pages.length && pages.every((versions) => (versions[ref] ?? 0) >= copy.version)) {
        delete saved[ref];
        changed = true;
      }
    }
    if (changed) this.write("qa-saved-", saved);
  }

  // Everything about this assessment goes from this device.
  clear() {
    for (const prefix of PREFIXES) localStorage.removeItem(this.key(prefix));
  }
}

// The versions a page shows ({ref: version}), from its JSON block.
export function versionsOf(state) {
  return Object.fromEntries(Object.entries(state.answers).map(([ref, a]) => [ref, a.version]));
}

// Each question as this device knows it best: waiting here, saved from here since the page
// was stored, or as the page shows it. {ref: {complete, waiting, problem, payload, version}}
export function bestKnown(state, device) {
  const queue = device.queue();
  const saved = device.saved();
  const known = {};
  for (const domain of state.domains) {
    for (const ref of domain.refs) {
      const onPage = state.answers[ref];
      const copy = saved[ref];
      const newer = copy && copy.version > (onPage?.version ?? 0) ? copy : null;
      const waiting = queue[ref];
      known[ref] = {
        domain: domain.code,
        waiting: Boolean(waiting),
        problem: waiting?.problem || null,
        payload: waiting ? waiting.payload : newer ? newer.payload : null,
        saved: newer,
        version: newer ? newer.version : (onPage?.version ?? null),
        complete: waiting ? isComplete(waiting.payload) : newer ? isComplete(newer.payload) : Boolean(onPage?.complete),
      };
    }
  }
  return known;
}

// "n of N answered" for each domain: {code: {answered, total}}.
export function progressOf(state, known) {
  const out = {};
  for (const domain of state.domains) {
    out[domain.code] = {
      answered: domain.refs.filter((ref) => known[ref].complete).length,
      total: domain.refs.length,
    };
  }
  return out;
}

// Sends the answers waiting on this device for one assessment, one at a time, and keeps the
// device's record of them right. What the page shows is up to `hooks`:
//   saved(ref, body), conflict(ref, entry), invalid(ref, message), needsReason(ref),
//   offline(ref), ended(), stale(ref), movedOn(status), done().
export class Sender {
  constructor({ device, api, editableStatuses, hooks }) {
    this.device = device;
    this.api = api;
    this.editableStatuses = editableStatuses;
    this.hooks = hooks;
    this.sending = false;
    this.again = false;
    this.ended = false;
    this.movedOn = null;
  }

  csrf() {
    return document.querySelector("input[name=csrf_token]")?.value || "";
  }

  // A page kept for hours may carry a token the server no longer accepts: take a fresh one
  // from this page's address (never more than once per refusal).
  async freshToken() {
    try {
      const response = await fetch(window.location.href, { credentials: "same-origin", cache: "no-store" });
      if (!response.ok || response.redirected) return false;
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const token = page.querySelector("input[name=csrf_token]")?.value;
      if (!token) return false;
      for (const input of document.querySelectorAll("input[name=csrf_token]")) input.value = token;
      return true;
    } catch {
      return false;
    }
  }

  async status() {
    try {
      const response = await fetch(this.api, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) return null;
      return (await response.json()).status;
    } catch {
      return null;
    }
  }

  async put(ref, payload) {
    return fetch(addressFor(this.api, ref), {
      method: "PUT",
      headers: { "Content-Type": "application/json", "X-CSRFToken": this.csrf() },
      credentials: "same-origin",
      body: JSON.stringify(payload),
    });
  }

  async send(ref, entry, retried = false) {
    const { device, hooks } = this;
    device.noteSent(ref, entry.payload);
    let response;
    try {
      response = await this.put(ref, entry.payload);
    } catch {
      hooks.offline?.(ref);
      return "offline";
    }
    const body = await response.json().catch(() => ({}));
    if (response.ok) {
      device.confirm(ref, entry.payload, body.version, body.updated_at, body.updated_by);
      hooks.saved?.(ref, body);
      return "saved";
    }
    if (response.status === 409 && body.details && body.details.current) {
      const current = body.details.current;
      const version = body.details.current_version;
      const own = device.ownSave(ref, current, version);
      if (own && !retried) {
        // This device saved it before and the reply never arrived: build on that save.
        device.confirm(ref, own, version, current.updated_at, current.updated_by);
        const saved = { version, updated_at: current.updated_at, updated_by: current.updated_by };
        const next = device.queue()[ref];
        if (!next) {
          hooks.saved?.(ref, saved);
          return "saved";
        }
        // A newer change waits: it is the next version. Not "saved" until that one is.
        hooks.rebased?.(ref, saved);
        return this.send(ref, next, true);
      }
      device.clearSent(ref);
      device.mark(ref, { problem: "conflict", theirs: current, theirVersion: version });
      hooks.conflict?.(ref, device.queue()[ref]);
      return "conflict";
    }
    if (response.status === 409) {
      // Not a colleague's change: either the assessment has moved on (submitted, published),
      // or two saves met at the same moment. Ask which.
      device.clearSent(ref);
      const status = await this.status();
      if (status && !this.editableStatuses.includes(status)) {
        this.movedOn = status;
        const queue = device.queue();
        for (const waiting of Object.values(queue)) waiting.problem = "moved_on";
        device.setQueue(queue);
        hooks.movedOn?.(status);
        return "moved_on";
      }
      hooks.offline?.(ref);
      return "offline"; // tried again at the next round
    }
    if (response.status === 401) {
      this.ended = true;
      hooks.ended?.();
      return "ended";
    }
    if (response.status === 403) {
      if (!retried && (await this.freshToken())) return this.send(ref, entry, true);
      hooks.stale?.(ref);
      return "offline";
    }
    device.clearSent(ref);
    const reason = body.details && typeof body.details === "object" && !Array.isArray(body.details)
      ? Object.values(body.details)[0]
      : Array.isArray(body.details) && body.details[0]
        ? body.details[0].message
        : body.error;
    const message = typeof reason === "string" ? reason : body.error || "the server refused it";
    device.mark(ref, { problem: "invalid", message });
    hooks.invalid?.(ref, message);
    return "invalid";
  }

  async flush() {
    if (this.ended || this.movedOn) return;
    if (this.sending) {
      this.again = true; // changes made while sending go as soon as this round ends
      return;
    }
    this.sending = true;
    this.again = false;
    try {
      for (const [ref, entry] of Object.entries(this.device.queue())) {
        if (entry.problem) continue; // waits for the officer
        if (entry.payload.score === null && !(entry.payload.na_reason || "").trim()) {
          this.hooks.needsReason?.(ref);
          continue; // kept on this device until the reason is there
        }
        const outcome = await this.send(ref, entry);
        if (["offline", "ended", "moved_on"].includes(outcome)) break;
      }
    } finally {
      this.sending = false;
      this.hooks.done?.();
      if (this.again) queueMicrotask(() => this.flush());
    }
  }

  // Sends now, again whenever the connection returns, and now and then while anything waits.
  start(every = 15000) {
    window.addEventListener("online", () => this.flush());
    setInterval(() => {
      if (Object.keys(this.device.queue()).length) this.flush();
    }, every);
    this.flush();
  }
}

// Text for copying answers out: one block per answer.
export function answersAsText(state, entries) {
  const lines = [`Answers typed on this device and not saved: ${state.service}`, ""];
  for (const [ref, entry] of entries) {
    const p = entry.payload;
    if (isSummaryRef(ref)) {
      lines.push(summaryTitle(state, ref), p.text || "", "");
      continue;
    }
    const score = p.score === null ? "N/A (not assessed)" : p.score ? `${p.score} ${state.score_labels[String(p.score)]}` : "none";
    lines.push(`Question ${ref}`, `Score: ${score}`);
    if (p.score === null) lines.push(`Reason for N/A: ${p.na_reason || ""}`);
    lines.push(`Evidence notes: ${p.evidence || ""}`);
    if ((p.sources || []).length) lines.push(`Evidence from: ${p.sources.map((s) => state.source_labels[s] || s).join(", ")}`);
    lines.push("");
  }
  return lines.join("\n");
}
