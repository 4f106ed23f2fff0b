/*
 * The agent's actions from the popup: start, pause, resume, stop, marker; and the toolbar badge
 * that always shows when recording is on (DESIGN §3 rule 5).
 */
import { flush, scheduleFlush } from "./delivery.js";
import { enqueue, newSession, readState, sealSession, updateSession } from "./store.js";

const CONTENT_FILES = ["lib/messages.js", "lib/redact.js", "lib/sites.js", "lib/describe.js", "content/capture.js"];

/** Paint the badge and tooltip from the session. */
export async function renderBadge(session) {
  const status = session ? session.status : "idle";
  let text = "";
  let color = "#c62828";
  let title = "SOP Recorder: not recording";
  if (status === "recording") {
    text = "REC";
    title = `SOP Recorder: recording ${session.workflow}`;
    if (session.error) color = "#e65100";
  } else if (status === "paused") {
    text = "II";
    color = "#f9a825";
    title = "SOP Recorder: paused";
  } else if (status === "stopping") {
    text = "…";
    color = "#1565c0";
    title = "SOP Recorder: sending the last events";
  }
  await chrome.action.setBadgeText({ text });
  await chrome.action.setBadgeBackgroundColor({ color });
  await chrome.action.setTitle({ title });
}

async function clientInfo() {
  const platform = await chrome.runtime.getPlatformInfo().catch(() => ({}));
  const brands = (navigator.userAgentData && navigator.userAgentData.brands) || [];
  const browser = brands.map((brand) => `${brand.brand} ${brand.version}`).join(", ") || navigator.userAgent;
  return {
    extension_version: chrome.runtime.getManifest().version.slice(0, 32),
    browser: browser.slice(0, 128),
    os: String(platform.os || "").slice(0, 64) || undefined,
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone.slice(0, 64),
  };
}

async function injectIntoOpenTabs(windowId) {
  const tabs = await chrome.tabs.query({ windowId });
  await Promise.all(tabs.map((tab) => chrome.scripting
    .executeScript({ target: { tabId: tab.id, allFrames: true }, files: CONTENT_FILES })
    .catch(() => undefined)));
}

/** Open a recording on the server and start capturing in `windowId`. */
export async function startRecording({ workflow, workflowId, ticketRef, windowId }) {
  const { auth, capture, session } = await readState();
  if (!auth.serverUrl || !auth.token) {
    throw new Error("Set the server address and your API token in Options first.");
  }
  if (session.pending && session.pending.length && session.status !== "finished") {
    throw new Error(`${session.pending.length} events of the last recording are not delivered yet.`);
  }
  const body = { ticket_ref: ticketRef || undefined, client: await clientInfo() };
  if (workflowId) body.workflow_id = Number(workflowId);
  else body.workflow = workflow;
  let response;
  try {
    response = await fetch(`${auth.serverUrl}/api/v1/recordings`, {
      method: "POST",
      headers: { Authorization: `Bearer ${auth.token}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  } catch (_error) {
    throw new Error(`Cannot reach the server at ${auth.serverUrl}.`);
  }
  const answer = await response.json().catch(() => ({}));
  if (response.status !== 201) {
    throw new Error(`The server refused to start the recording (HTTP ${response.status}): ${answer.detail || ""}`);
  }
  const fresh = newSession(answer, windowId, auth, ticketRef, capture.maxQueue);
  const next = await updateSession(() => fresh);
  await renderBadge(next);
  await injectIntoOpenTabs(windowId);
  return next;
}

/** Pause or resume capture (the recording stays open); resuming adopts `windowId` if needed. */
export async function setPaused(paused, windowId) {
  const next = await updateSession((session) => {
    if (!paused && session.windowId == null && windowId != null) session.windowId = windowId;
    if (paused && session.status === "recording") {
      session.status = "paused";
      session.captureUntil = Date.now();
    } else if (!paused && session.status === "paused") {
      session.status = "recording";
    }
  });
  await renderBadge(next);
  return next;
}

/** After a browser restart the old window id means nothing: pause until the agent resumes. */
export async function pauseAfterBrowserRestart() {
  const next = await updateSession((session) => {
    if (session.status === "recording" || session.status === "paused") {
      if (session.status === "recording") session.captureUntil = Date.now();
      session.status = "paused";
      session.windowId = null;
    }
  });
  await renderBadge(next);
}

/**
 * Stop capturing; the recording is finished once every queued event is delivered. `settle`
 * resolves when the events that happened before Stop but were still on their way to the worker
 * (a page's message, a navigation being handled) are queued; then the stop is sealed.
 */
export async function stopRecording(settle = async () => undefined) {
  const next = await updateSession((session) => {
    if (session.status === "recording" || session.status === "paused") {
      if (session.status === "recording") session.captureUntil = Date.now();
      session.status = "stopping";
      session.stoppedAt = Date.now();
      session.sealed = false;
      session.retryAt = 0;
    }
  });
  await renderBadge(next);
  if (next.status === "stopping" && !next.sealed) {
    try {
      await settle();
    } finally {
      await sealSession();
    }
  }
  await flush();
  const { session } = await readState();
  await renderBadge(session);
  return session;
}

/** A marker from the popup ("Escalating now"), on the active tab of the recorded window. */
export async function addMarker(label) {
  const text = String(label || "").trim().slice(0, 200);
  if (!text) throw new Error("Type a marker first.");
  const { session, capture } = await readState();
  if (session.status !== "recording") throw new Error("Markers are added while recording.");
  const [tab] = await chrome.tabs.query({ active: true, windowId: session.windowId });
  const redact = globalThis.SopRedact;
  // The popup belongs to the active tab; opened as a tab itself, the last recorded page stands in.
  const where = tab && globalThis.SopSites.isSiteRecordable(tab.url || "", capture.deny, capture.allow)
    ? { tab: tab.id, page: { url: redact.cap(redact.redactUrl(tab.url, capture.allowedParams), 2048),
      title: redact.cap(redact.redactText(tab.title || ""), 512) } }
    : session.lastPage || { tab: -1, page: { url: "", title: "" } };
  await enqueue([{ type: "marker", ts: Date.now(), tab: where.tab, frame: 0, page: where.page,
    label: redact.cap(redact.redactText(text), 200) }]);
  scheduleFlush();
}
