// Autosave for the recording page.
//
// Every change to an answer is written at once to this device (localStorage), then sent to the
// JSON API. What the server has confirmed is removed from the device; what it has not stays,
// survives a reload or a closed tab, and is sent again when the connection returns. Nothing is
// dropped silently: every question says whether it is saved, waiting, or needs attention.
//
// When the server says the session has ended (a 401: signed out elsewhere, idle too long), the
// answers stay on this device, sending stops, and one message offers "Sign in again" with this
// page as `next`. Signing in brings the officer back here; the page (with its new CSRF token)
// finds the waiting answers on the device and sends them.

const RETRY_MS = 15000;

export function startAutosave(form) {
  const assessmentId = form.dataset.assessment;
  const api = form.dataset.autosave;
  const csrf = form.querySelector("input[name=csrf_token]").value;
  const storageKey = `qa-unsaved-${assessmentId}`;
  const banner = document.getElementById("connection-state");
  const endedNotice = document.getElementById("session-ended");
  const blocks = new Map(
    [...form.querySelectorAll(".app-answer[data-ref]")].map((block) => [block.dataset.ref, block]),
  );
  const timers = new Map();
  let sending = false;
  let sessionEnded = false;

  const load = () => {
    try {
      return JSON.parse(localStorage.getItem(storageKey) || "{}");
    } catch {
      return {};
    }
  };
  const store = (queue) => localStorage.setItem(storageKey, JSON.stringify(queue));

  function key(ref) {
    return ref.replaceAll(".", "-");
  }

  function read(block) {
    const k = key(block.dataset.ref);
    const choice = block.querySelector(`input[name="${k}-score"]:checked`);
    const payload = {
      na_reason: block.querySelector(`[name="${k}-na_reason"]`)?.value || null,
      evidence: block.querySelector(`[name="${k}-evidence"]`)?.value || "",
      sources: [...block.querySelectorAll(`input[name="${k}-sources"]:checked`)].map((box) => box.value),
    };
    if (choice) payload.score = choice.value === "na" ? null : Number(choice.value);
    const version = block.querySelector(`input[name="${k}-version"]`).value;
    payload.version = version ? Number(version) : null;
    return payload;
  }

  function write(block, payload) {
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

  function summarise() {
    const waiting = Object.keys(load()).length;
    if (!banner) return;
    if (sessionEnded) {
      banner.textContent = `Your session has ended. ${waiting} ${waiting === 1 ? "answer is" : "answers are"} kept on this device and will be sent when you sign in again.`;
    } else if (!navigator.onLine) {
      banner.textContent = `Offline. ${waiting} ${waiting === 1 ? "answer is" : "answers are"} kept on this device and will be sent when the connection returns.`;
    } else if (waiting) {
      banner.textContent = `${waiting} ${waiting === 1 ? "answer is" : "answers are"} not saved yet.`;
    } else {
      banner.textContent = "All answers are saved.";
    }
    banner.classList.toggle("app-connection--offline", sessionEnded || !navigator.onLine || waiting > 0);
  }

  function progress() {
    // "n of m answered" for this domain, as the officer works (a score, or N/A with a reason).
    const counter = document.querySelector(`[data-progress="${form.dataset.domain}"]`);
    if (!counter) return;
    let answered = 0;
    for (const block of blocks.values()) {
      const payload = read(block);
      if (payload.score || (payload.score === null && (payload.na_reason || "").trim())) answered += 1;
    }
    counter.textContent = `${answered} of ${blocks.size} answered`;
  }

  function remember(ref, payload) {
    const queue = load();
    queue[ref] = { payload, at: new Date().toISOString(), problem: null };
    store(queue);
    say(ref, sessionEnded ? "Not saved yet: kept on this device until you sign in again" : "Not saved yet: kept on this device", "unsaved");
    summarise();
  }

  function endedSession() {
    // Once: keep everything, stop sending, and say what to do. Every waiting answer says so too.
    if (!sessionEnded) {
      sessionEnded = true;
      if (endedNotice) endedNotice.hidden = false;
    }
    for (const ref of Object.keys(load())) say(ref, "Not saved yet: kept on this device until you sign in again", "unsaved");
    summarise();
  }

  async function send(ref, entry) {
    let response;
    try {
      response = await fetch(`${api}/answers/${encodeURIComponent(ref)}`, {
        method: "PUT",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        credentials: "same-origin",
        body: JSON.stringify(entry.payload),
      });
    } catch {
      say(ref, "Not saved yet: no connection. Kept on this device; it will be sent when the connection returns.", "unsaved");
      return "offline";
    }
    const body = await response.json().catch(() => ({}));
    const queue = load();
    if (response.ok) {
      const current = queue[ref];
      if (current && JSON.stringify(current.payload) === JSON.stringify(entry.payload)) delete queue[ref];
      else if (current) current.payload.version = body.version; // newer edits go next, against the new version
      store(queue);
      const block = blocks.get(ref);
      if (block) block.querySelector(`input[name="${key(ref)}-version"]`).value = body.version;
      const time = new Date(body.updated_at).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
      say(ref, `Saved at ${time}`, "saved");
      return "saved";
    }
    if (response.status === 409 && body.details && body.details.current) {
      const theirs = body.details.current;
      queue[ref] = { ...entry, problem: "conflict", theirs, theirVersion: body.details.current_version };
      store(queue);
      showConflict(ref, theirs, body.details.current_version);
      return "conflict";
    }
    if (response.status === 401) {
      endedSession();
      return "ended";
    }
    if (response.status === 403) {
      say(ref, "Not saved yet: this page is out of date. Reload it; this answer is kept on this device.", "unsaved");
      return "offline";
    }
    queue[ref] = { ...entry, problem: "invalid" };
    store(queue);
    const reason = body.details && typeof body.details === "object" ? Object.values(body.details)[0] : body.error;
    say(ref, `Not saved: ${typeof reason === "string" ? reason : body.error || "the server refused it"}`, "unsaved");
    return "invalid";
  }

  function showConflict(ref, theirs, theirVersion) {
    const block = blocks.get(ref);
    if (!block) return;
    block.querySelector(".app-conflict[data-live]")?.remove();
    const box = document.createElement("div");
    box.className = "govuk-inset-text app-conflict";
    box.dataset.live = "yes";
    const who = theirs.updated_by || "someone else";
    const score = theirs.na ? "N/A" : theirs.score || "none";
    const p = document.createElement("p");
    p.className = "govuk-body-s";
    p.textContent = `Not saved: ${who} changed this answer since you opened the page. Theirs: score ${score}${theirs.evidence ? `; evidence: “${theirs.evidence}”` : ""}. Yours is still in the form.`;
    const keep = document.createElement("button");
    keep.type = "button";
    keep.className = "govuk-button govuk-button--secondary govuk-!-margin-bottom-0";
    keep.textContent = "Save mine instead";
    keep.addEventListener("click", () => {
      block.querySelector(`input[name="${key(ref)}-version"]`).value = theirVersion;
      box.remove();
      remember(ref, read(block));
      flush();
    });
    box.append(p, keep);
    block.querySelector(".app-save-state").before(box);
    say(ref, "Not saved: changed by someone else (see above)", "unsaved");
  }

  let again = false;

  async function flush() {
    if (sessionEnded) return; // kept on this device until the officer signs in again
    if (sending) {
      again = true; // changes made while sending go as soon as this round ends
      return;
    }
    sending = true;
    again = false;
    try {
      for (const [ref, entry] of Object.entries(load())) {
        if (entry.problem) continue; // waits for the officer
        if (entry.payload.score === null && !(entry.payload.na_reason || "").trim()) {
          say(ref, "Not saved yet: give the reason for N/A", "unsaved");
          continue; // kept on this device until the reason is there
        }
        const outcome = await send(ref, entry);
        if (outcome === "offline" || outcome === "ended") break;
      }
    } finally {
      sending = false;
      summarise();
      if (again) setTimeout(flush, 100);
    }
  }

  function changed(block, delay) {
    // Kept on this device at once, keystroke by keystroke; sent to the server a moment later.
    const ref = block.dataset.ref;
    remember(ref, read(block));
    progress();
    clearTimeout(timers.get(ref));
    timers.set(ref, setTimeout(flush, delay));
  }

  for (const block of blocks.values()) {
    block.addEventListener("change", () => changed(block, 0));
    block.addEventListener("input", (event) => {
      if (event.target.tagName === "TEXTAREA") changed(block, 800);
    });
  }

  // What this device kept from before (a reload, a closed tab, no connection): put it back.
  for (const [ref, entry] of Object.entries(load())) {
    const block = blocks.get(ref);
    if (!block) continue;
    write(block, entry.payload);
    block.querySelector(`input[name="${key(ref)}-version"]`).value = entry.payload.version ?? "";
    if (entry.problem === "conflict") showConflict(ref, entry.theirs, entry.theirVersion);
    else say(ref, "Not saved yet: kept on this device", "unsaved");
  }

  progress();
  window.addEventListener("online", flush);
  window.addEventListener("offline", summarise);
  setInterval(() => Object.keys(load()).length && flush(), RETRY_MS);
  summarise();
  flush();
}
