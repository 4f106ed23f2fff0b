/*
 * The module service worker: every listener is registered at the top level, so Chrome can wake
 * the worker for any of them; all state lives in chrome.storage (lib/store.js).
 */
import "./lib/messages.js";
import "./lib/redact.js";
import "./lib/sites.js";
import { BATCH_SIZE, FLUSH_ALARM, flush, scheduleFlush } from "./lib/delivery.js";
import { inOrder, serially } from "./lib/handler-queue.js";
import { mapTransition } from "./lib/navigation.js";
import {
  addMarker, pauseAfterBrowserRestart, renderBadge, setPaused, startRecording, stopRecording,
} from "./lib/session.js";
import { enqueue, isCapturing, readState, updateSession } from "./lib/store.js";

const MSG = globalThis.SopMsg;
const { redactText, redactUrl, cap } = globalThis.SopRedact;
const { isSiteRecordable } = globalThis.SopSites;

// Messages sent from a page just before Stop reach the worker a moment after it; Stop waits this
// long for them (and then for every handler under way) before it seals the recording.
const STOP_GRACE_MS = 300;

/**
 * The tab, session and settings if `tabId` is recorded (at `url`, for an event at `ts`);
 * `knownTab` stands in for a tab that was closed since.
 */
async function recordedTab(tabId, url, ts, knownTab) {
  const { session, capture } = await readState();
  if (!isCapturing(session, ts)) return null;
  const tab = await chrome.tabs.get(tabId).catch(() => knownTab || null);
  if (!tab || tab.windowId !== session.windowId) return null;
  if (!isSiteRecordable(url || tab.url || tab.pendingUrl || "", capture.deny, capture.allow)) return null;
  return { tab, session, capture };
}

function pageFrom(url, title, capture) {
  return {
    url: cap(redactUrl(url || "", capture.allowedParams), 2048),
    title: cap(redactText(title || ""), 512),
  };
}

async function queue(events, handlerMs) {
  const { session } = await readState();
  const count = await enqueue(events, handlerMs);
  if (!count) return;
  if (session.pending.length + count >= BATCH_SIZE) flush();
  else scheduleFlush();
}

/** The URL of the document that sent a message (an about:blank or srcdoc frame: its origin). */
function senderUrl(sender) {
  if (sender.url && !sender.url.startsWith("about:")) return sender.url;
  if (sender.origin && sender.origin !== "null") return sender.origin;
  return sender.tab.url;
}

async function onCapture(data, sender) {
  if (!sender.tab || !data.event) return;
  // The site is the sending document's, never what the tab shows by now: a click on a link is
  // often handled after the tab has committed the page that the link opened (a denied one, say).
  const found = await recordedTab(sender.tab.id, senderUrl(sender), data.event.ts, sender.tab);
  if (!found) return;
  const event = Object.assign({}, data.event, { tab: sender.tab.id, frame: sender.frameId || 0 });
  event.page = pageFrom(event.page.url, event.page.title, found.capture);
  await queue([event], event.type === "click" ? data.handler_ms : undefined);
}

async function onCommitted(details) {
  if (details.frameId !== 0) return;
  const found = await recordedTab(details.tabId, details.url, details.timeStamp);
  if (!found) return;
  let previous = null;
  await updateSession((session) => {
    previous = session.nav[details.tabId] || null;
    const isNew = session.newTabs.includes(details.tabId);
    session.newTabs = session.newTabs.filter((id) => id !== details.tabId);
    session.nav[details.tabId] = {
      transition: mapTransition(details.transitionType, details.transitionQualifiers, isNew),
      ts: Math.round(details.timeStamp),
      url: details.url,
    };
  });
  if (previous) await emitNavigation(details.tabId, previous, null, found);
}

async function onCompleted(details) {
  if (details.frameId !== 0) return;
  const { session: current } = await readState();
  if (!current.nav || !current.nav[details.tabId]) return;
  let pending = null;
  await updateSession((session) => {
    pending = (session.nav || {})[details.tabId] || null;
    if (pending) delete session.nav[details.tabId];
  });
  if (!pending) return;
  // Committed before Stop, it belongs to the recording even if its page finished loading after.
  const found = await recordedTab(details.tabId, details.url, pending.ts);
  if (!found) return;
  const timing = await withTimeout(chrome.tabs
    .sendMessage(details.tabId, { type: MSG.GET_LOAD_TIMING }, { frameId: 0 })
    .catch(() => null), 2000);
  await emitNavigation(details.tabId, pending, timing, found);
}

async function emitNavigation(tabId, pending, timing, found) {
  const page = pageFrom(pending.url, found.tab.title, found.capture);
  if (timing && timing.title) page.title = cap(redactText(timing.title), 512);
  const event = { type: "navigation", ts: pending.ts, tab: tabId, frame: 0, page, transition: pending.transition };
  if (timing && Number.isInteger(timing.load_ms) && timing.load_ms <= 600_000) event.load_ms = timing.load_ms;
  await updateSession((session) => { session.lastUrl[tabId] = page.url; });
  await queue([event]);
}

async function onHistoryChange(details) {
  if (details.frameId !== 0) return;
  const found = await recordedTab(details.tabId, details.url, details.timeStamp);
  if (!found) return;
  const page = pageFrom(details.url, found.tab.title, found.capture);
  if (found.session.lastUrl[details.tabId] === page.url) return;
  await updateSession((session) => { session.lastUrl[details.tabId] = page.url; });
  await queue([{ type: "navigation", ts: Math.round(details.timeStamp), tab: details.tabId, frame: 0, page,
    transition: "history" }]);
}

async function onActivated({ tabId, windowId }, ts) {
  const { session } = await readState();
  if (!isCapturing(session, ts) || windowId !== session.windowId) return;
  const found = await recordedTab(tabId, undefined, ts);
  // A tab that has just been opened is announced by its `new_tab` navigation instead.
  if (!found || found.session.newTabs.includes(tabId)) return;
  await queue([{ type: "tab_switch", ts, tab: tabId, frame: 0,
    page: pageFrom(found.tab.url || found.tab.pendingUrl, found.tab.title, found.capture) }]);
}

async function onTabCreated(tab, ts) {
  const { session } = await readState();
  if (!isCapturing(session, ts) || tab.windowId !== session.windowId) return;
  await updateSession((current) => {
    if (!current.newTabs.includes(tab.id)) current.newTabs = current.newTabs.concat([tab.id]).slice(-50);
  });
}

/** Navigations committed before Stop whose page has not finished loading, sent without load time. */
async function emitUnfinishedNavigations() {
  let unfinished = {};
  await updateSession((session) => {
    unfinished = session.nav || {};
    session.nav = {};
  });
  for (const [tabId, pending] of Object.entries(unfinished)) {
    const found = await recordedTab(Number(tabId), pending.url, pending.ts);
    if (found) await emitNavigation(Number(tabId), pending, null, found);
  }
}

/**
 * What Stop waits for: the messages that pages sent just before it, then every capture and
 * navigation handler under way (one may wait up to 2 s for a load time), then the navigations
 * still loading.
 */
async function settleCapture() {
  await new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS));
  await inOrder(emitUnfinishedNavigations);
}

function safely(handler) {
  return (...args) => {
    handler(...args).catch((error) => console.warn("SOP Recorder:", error));
  };
}

function withTimeout(promise, ms) {
  return Promise.race([promise, new Promise((resolve) => setTimeout(() => resolve(null), ms))]);
}

const ACTIONS = {
  [MSG.START]: (data) => startRecording(data),
  [MSG.PAUSE]: () => setPaused(true),
  [MSG.RESUME]: (data) => setPaused(false, data.windowId),
  [MSG.STOP]: () => stopRecording(settleCapture),
  [MSG.MARKER]: (data) => addMarker(data.label),
  [MSG.SETTINGS_SAVED]: () => updateSession((session) => {
    if (session.error && session.error.kind === "auth") session.error = null;
  }).then(() => flush()),
  [MSG.RESET]: () => updateSession((session) => (session.status === "finished" || session.status === "idle"
    ? { status: "idle", pending: session.pending || [] } : session)),
  [MSG.GET_STATE]: () => readState().then(({ session }) => session),
};

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  if (!message || typeof message.type !== "string") return false;
  if (message.type === MSG.CAPTURE) {
    serially(onCapture)(message.data || {}, sender);
    return false;
  }
  const action = ACTIONS[message.type];
  if (!action || sender.id !== chrome.runtime.id || sender.tab && !sender.url.startsWith(chrome.runtime.getURL(""))) {
    return false;
  }
  action(message.data || {})
    .then((session) => sendResponse({ ok: true, session }))
    .catch((error) => sendResponse({ ok: false, error: String(error && error.message || error) }));
  return true;
});

chrome.webNavigation.onCommitted.addListener(serially(onCommitted));
chrome.webNavigation.onCompleted.addListener(serially(onCompleted));
chrome.webNavigation.onHistoryStateUpdated.addListener(serially(onHistoryChange));
chrome.webNavigation.onReferenceFragmentUpdated.addListener(serially(onHistoryChange));
// Tab events carry no time: they are stamped when Chrome delivers them, not when their turn comes.
const queueTabCreated = serially(onTabCreated);
const queueActivated = serially(onActivated);
chrome.tabs.onCreated.addListener((tab) => queueTabCreated(tab, Date.now()));
chrome.tabs.onActivated.addListener((info) => queueActivated(info, Date.now()));
chrome.runtime.onStartup.addListener(safely(pauseAfterBrowserRestart));
chrome.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === FLUSH_ALARM) flush();
});
chrome.storage.onChanged.addListener((changes, area) => {
  if (area !== "local" || !changes.session) return;
  const before = changes.session.oldValue || {};
  const after = changes.session.newValue || {};
  if (before.status !== after.status || Boolean(before.error) !== Boolean(after.error)) {
    renderBadge(after).catch(() => undefined);
  }
});

safely(async () => {
  const { session } = await readState();
  await renderBadge(session);
  const starts = ((await chrome.storage.session.get("workerStarts")).workerStarts || 0) + 1;
  await chrome.storage.session.set({ workerStarts: starts });
  if ((session.pending && session.pending.length) || session.status === "stopping") flush();
})();
