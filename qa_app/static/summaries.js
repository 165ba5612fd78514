// The officer's written summaries on the recording page (one per domain, and the overall one on
// the last domain's page). Each is saved like an answer, through the same queue on this device
// (device.js) under its own reference, `summary_D1` or `summary_overall` (no question's reference
// has an underscore), and sent to PUT <api>/summaries/<part> with its version.
// See qa_app/domain/summaries.py.

export const SUMMARY_PREFIX = "summary_";

export function isSummaryRef(ref) {
  return ref.startsWith(SUMMARY_PREFIX);
}

export function summaryPart(ref) {
  return ref.slice(SUMMARY_PREFIX.length);
}

// Where a waiting entry is sent: the summaries' address, or the answers'.
export function addressFor(api, ref) {
  return isSummaryRef(ref)
    ? `${api}/summaries/${encodeURIComponent(summaryPart(ref))}`
    : `${api}/answers/${encodeURIComponent(ref)}`;
}

export function readSummary(block) {
  const ref = block.dataset.ref;
  const version = block.querySelector(`input[name="${ref}-version"]`).value;
  return {
    text: block.querySelector(`[name="${ref}-text"]`).value,
    version: version ? Number(version) : null,
  };
}

export function writeSummary(block, payload) {
  const box = block.querySelector(`[name="${block.dataset.ref}-text"]`);
  box.value = payload.text || "";
  // GOV.UK Frontend's character count listens for input on the box: let it count the restored
  // text (not bubbling, so the page's autosave, listening on the block, does not queue it again)
  box.dispatchEvent(new Event("input", { bubbles: false }));
}

// The summary's title, for the side-by-side view and the copied-out text.
export function summaryTitle(state, ref) {
  const part = summaryPart(ref);
  if (part === "overall") return "Overall summary";
  const domain = state?.domains.find((d) => d.code === part);
  return `Summary: ${domain ? domain.title : part}`;
}

// What waits on this device, in words: "1 answer", "2 answers and 1 summary".
export function thingsWaiting(refs) {
  const summaries = refs.filter(isSummaryRef).length;
  const answers = refs.length - summaries;
  const parts = [];
  if (answers || !summaries) parts.push(`${answers} ${answers === 1 ? "answer" : "answers"}`);
  if (summaries) parts.push(`${summaries} ${summaries === 1 ? "summary" : "summaries"}`);
  return parts.join(" and ");
}

// The same with its verb: "1 answer is", "2 answers and 1 summary are".
export function waitingWords(refs) {
  return `${thingsWaiting(refs)} ${refs.length === 1 ? "is" : "are"}`;
}

// The domain whose page a summary is written on (the overall one: the last domain's).
export function summaryDomain(state, ref) {
  const part = summaryPart(ref);
  return part === "overall" ? state.domains[state.domains.length - 1]?.code : part;
}
