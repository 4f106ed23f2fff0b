/*
 * The worker's state, all of it in chrome.storage.local (a worker can be stopped at any moment):
 *   auth     {serverUrl, token, user}           written by the options page
 *   capture  {deny, allow, choiceCapture, maxQueue?}  from the options page, read by content
 *   session  the current recording and its delivery state (see newSession)
 *   q:<seq>  one queued event each, removed once the server acknowledged it
 *   stats    {handlerMs: [...]}                 capture cost per click, for the benchmark
 * Read-modify-write goes through `locked`, so concurrent listeners never lose an update.
 */

import { timeOrderedId } from "./ids.js";

export const MAX_QUEUE = 5000;
const STATS_KEEP = 500;

// A promise chain, not state: it only orders this worker instance's own storage updates.
let chain = Promise.resolve();

/** Run `fn` after every earlier locked update of this worker instance has finished. */
export function locked(fn) {
  const run = chain.then(fn, fn);
  chain = run.catch(() => undefined);
  return run;
}

/** The storage key of a queued event. */
export function queueKey(seq) {
  return `q:${String(seq).padStart(12, "0")}`;
}

/** A fresh session for a recording that the server just opened. */
export function newSession(recording, windowId, auth, ticketRef, maxQueue) {
  return {
    status: "recording",
    recordingId: recording.id,
    workflow: recording.workflow,
    ticketRef: ticketRef || null,
    windowId,
    webUrl: `${auth.serverUrl}/recordings/${recording.id}`,
    startedAt: Date.now(),
    nextSeq: 0,
    captured: 0,
    sent: 0,
    dropped: 0,
    rejected: 0,
    pending: [],
    nav: {},
    lastUrl: {},
    newTabs: [],
    error: null,
    stoppedAt: null,
    sealed: false,
    attempt: 0,
    retryAt: 0,
    batchLimit: 200,
    maxQueue: Math.max(1, Math.min(MAX_QUEUE, maxQueue || MAX_QUEUE)),
  };
}

/**
 * True when an event that happened at `ts` belongs to the recording: while recording, or
 * captured before Pause or Stop but delivered by the page a moment after it, until the stop is
 * sealed (see sealSession).
 */
export function isCapturing(session, ts) {
  if (session.status === "recording") return true;
  const late = session.status === "paused" || (session.status === "stopping" && !session.sealed);
  return late && typeof ts === "number" && ts <= (session.captureUntil || 0);
}

/**
 * How long a stopping recording waits at most for events still on their way to the worker (Stop
 * waits less: see stopRecording); after it, delivery seals the stop itself (a stopped worker).
 */
export const STOP_SETTLE_MS = 10_000;

/**
 * Close a stopping recording to late events, so that none can be queued after it is finished;
 * delivery finishes a recording only once it is sealed and its queue is empty.
 */
export function sealSession() {
  return updateSession((session) => {
    if (session.status === "stopping") session.sealed = true;
  });
}

/** Everything the worker needs for one decision. */
export async function readState() {
  const { auth, capture, session } = await chrome.storage.local.get(["auth", "capture", "session"]);
  return { auth: auth || {}, capture: capture || {}, session: session || { status: "idle", pending: [] } };
}

/** Stamp id, seq, tab and frame on captured events and queue them (bounded). */
export function enqueue(events, handlerMs) {
  return locked(async () => {
    const { session } = await readState();
    const writes = {};
    let queued = 0;
    for (const event of events) {
      if (!isCapturing(session, event.ts)) continue;
      if (session.pending.length >= (session.maxQueue || MAX_QUEUE)) {
        session.dropped += 1;
        continue;
      }
      const seq = session.nextSeq;
      session.nextSeq += 1;
      writes[queueKey(seq)] = Object.assign({ id: timeOrderedId(), seq }, event);
      session.pending.push(seq);
      if (event.tab >= 0 && event.page && event.page.url) session.lastPage = { tab: event.tab, page: event.page };
      session.captured += 1;
      queued += 1;
    }
    if (typeof handlerMs === "number" && Number.isFinite(handlerMs)) {
      const { stats } = await chrome.storage.local.get("stats");
      const handler = ((stats && stats.handlerMs) || []).concat([handlerMs]).slice(-STATS_KEEP);
      writes.stats = { handlerMs: handler };
    }
    writes.session = session;
    await chrome.storage.local.set(writes);
    return queued;
  });
}

/** Apply `change(session)` to the stored session under the lock; returns the new session. */
export function updateSession(change) {
  return locked(async () => {
    const { session } = await readState();
    const next = (await change(session)) || session;
    await chrome.storage.local.set({ session: next });
    return next;
  });
}
