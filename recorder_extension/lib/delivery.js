/*
 * Delivery of queued events: batches bounded by count and bytes, sent oldest first; network
 * errors, 429 (Retry-After) and 5xx retried with exponential backoff and jitter; other 4xx are
 * final and shown to the agent in words. Events leave the queue only when the server has
 * acknowledged them, so a stopped worker or a server down for minutes loses nothing, and the
 * server's idempotency (event id) makes every resend harmless.
 */
import { STOP_SETTLE_MS, locked, queueKey, readState, sealSession, updateSession } from "./store.js";

export const BATCH_SIZE = 100;
export const BATCH_DELAY_MS = 1000;
const MAX_BATCH_BYTES = 900_000;
const BASE_DELAY_MS = 1000;
const MAX_DELAY_MS = 60_000;
const ALARM = "sop-flush";

/** Exponential backoff with jitter: base·2^attempt, capped, times a factor in [0.5, 1.5). */
export function backoffMs(attempt, random = Math.random()) {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.min(attempt, 16));
  return Math.round(ceiling * (0.5 + random));
}

/** Milliseconds to wait from a Retry-After header (seconds or an HTTP date), or null. */
export function retryAfterMs(header, now = Date.now()) {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, 3_600_000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, Math.min(date - now, 3_600_000));
}

/** What a failed response means: retry later, or a final error for the agent. */
export function classifyStatus(status) {
  if (status === 429 || status >= 500) return "retry";
  if (status === 401 || status === 403) return "auth";
  if (status === 404 || status === 409) return "closed";
  if (status === 413) return "too_large";
  return "rejected";
}

// Worker-instance scheduling only; the durable retry time lives in session.retryAt.
let timer = null;
let timerDue = 0;
let inFlight = null;
let rerun = null;

/**
 * Flush within `delayMs` (an earlier pending flush is kept, so a steady stream of events is still
 * sent one second after the first of them), with an alarm as the backstop if the worker stops.
 */
export function scheduleFlush(delayMs = BATCH_DELAY_MS) {
  const due = Date.now() + Math.max(0, delayMs);
  if (timer !== null && timerDue <= due) return;
  clearTimeout(timer);
  timerDue = due;
  timer = setTimeout(() => {
    timer = null;
    flush();
  }, due - Date.now());
  chrome.alarms.create(ALARM, { when: Date.now() + Math.max(delayMs, 30_000) });
}

/** Name of the alarm whose firing must call flush(). */
export const FLUSH_ALARM = ALARM;

/**
 * Send everything that is due. A call during a run gets the next run, shared by every such call:
 * the running one may have read the session before what the caller just changed (Stop's seal).
 */
export function flush() {
  if (!inFlight) {
    inFlight = flushAll().finally(() => { inFlight = null; });
    return inFlight;
  }
  if (!rerun) {
    const next = () => { rerun = null; return flush(); };
    rerun = inFlight.then(next, next);
  }
  return rerun;
}

async function flushAll() {
  for (let round = 0; round < 1000; round += 1) {
    const { auth, session } = await readState();
    if (!session.recordingId || session.error?.kind === "auth") return;
    if (session.retryAt > Date.now()) return scheduleFlush(session.retryAt - Date.now());
    if (!session.pending.length) {
      if (session.status !== "stopping") return;
      if (session.sealed) return finish(auth, session);
      // Stop seals once the events still on their way are queued; if its worker was stopped
      // meanwhile, the stop is sealed here when it has had its time.
      const settling = (session.stoppedAt || 0) + STOP_SETTLE_MS - Date.now();
      if (settling > 0) return scheduleFlush(settling);
      await sealSession();
      continue;
    }
    const keys = session.pending.slice(0, session.batchLimit || BATCH_SIZE).map(queueKey);
    const stored = await chrome.storage.local.get(keys);
    const events = [];
    let bytes = 0;
    for (const key of keys) {
      const event = stored[key];
      if (!event) continue;
      bytes += JSON.stringify(event).length;
      if (events.length && bytes > MAX_BATCH_BYTES) break;
      events.push(event);
    }
    if (!events.length) {
      const missing = new Set(keys);
      await updateSession((current) => {
        current.pending = current.pending.filter((seq) => !missing.has(queueKey(seq)));
      });
      continue;
    }
    const outcome = await postBatch(auth, session.recordingId, events);
    const after = await settle(events, outcome);
    if (after.retryAt > Date.now()) return scheduleFlush(after.retryAt - Date.now());
    if (after.error && (after.error.kind === "auth" || after.error.kind === "closed")) return;
  }
}

async function postBatch(auth, recordingId, events) {
  try {
    const response = await fetch(`${auth.serverUrl}/api/v1/recordings/${recordingId}/events`, {
      method: "POST",
      headers: { Authorization: `Bearer ${auth.token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ events }),
    });
    if (response.ok) return { ok: true, status: response.status };
    const body = await response.json().catch(() => ({}));
    return {
      ok: false,
      status: response.status,
      message: typeof body.message === "string" ? body.message : typeof body.detail === "string" ? body.detail : "",
      errors: Array.isArray(body.errors) ? body.errors : [],
      retryAfter: retryAfterMs(response.headers.get("Retry-After")),
    };
  } catch (error) {
    return { ok: false, status: 0, message: String(error && error.message || error) };
  }
}

function offendingIndex(errors) {
  for (const error of errors) {
    const match = /events\[(\d+)\]/.exec(String(error.loc || ""));
    if (match) return Number(match[1]);
  }
  return null;
}

/** Apply a batch's outcome to the queue and the session; returns the new session. */
function settle(events, outcome) {
  return locked(async () => {
    const { session } = await readState();
    const seqs = new Set(events.map((event) => event.seq));
    const remove = (chosen) => {
      session.pending = session.pending.filter((seq) => !chosen.has(seq));
      return chrome.storage.local.remove([...chosen].map(queueKey));
    };
    const kind = outcome.ok ? "ok" : outcome.status === 0 ? "retry" : classifyStatus(outcome.status);
    if (kind === "ok") {
      await remove(seqs);
      session.sent += events.length;
      session.attempt = 0;
      session.retryAt = 0;
      session.error = null;
      session.batchLimit = Math.min(BATCH_SIZE, (session.batchLimit || BATCH_SIZE) * 2);
    } else if (kind === "retry") {
      const wait = outcome.retryAfter ?? backoffMs(session.attempt);
      session.attempt += 1;
      session.retryAt = Date.now() + wait;
      session.error = { kind: outcome.status === 0 ? "network" : "server", status: outcome.status,
        message: outcome.message, retryAt: session.retryAt };
    } else if (kind === "too_large" && events.length > 1) {
      session.batchLimit = Math.max(1, Math.floor(events.length / 2));
    } else if (kind === "auth") {
      session.error = { kind, status: outcome.status, message: outcome.message };
    } else {
      const index = kind === "closed" ? null : offendingIndex(outcome.errors || []);
      const dropped = index !== null && events[index] ? new Set([events[index].seq])
        : kind === "closed" ? new Set(session.pending) : seqs;
      await remove(dropped);
      session.rejected += dropped.size;
      session.error = { kind, status: outcome.status, message: outcome.message, count: dropped.size };
    }
    await chrome.storage.local.set({ session });
    return session;
  });
}

async function finish(auth, session) {
  let response;
  try {
    response = await fetch(`${auth.serverUrl}/api/v1/recordings/${session.recordingId}/finish`, {
      method: "POST",
      headers: { Authorization: `Bearer ${auth.token}` },
    });
  } catch (_error) {
    response = null;
  }
  const ok = response && (response.ok || response.status === 404);
  const retry = !response || response.status === 429 || response.status >= 500;
  await updateSession((current) => {
    if (ok || !retry) {
      current.status = "finished";
      current.finishedAt = Date.now();
      if (!ok) current.error = { kind: "finish", status: response.status, message: "the server did not accept Stop" };
    } else {
      current.retryAt = Date.now() + backoffMs(current.attempt);
      current.attempt += 1;
      current.error = { kind: response ? "server" : "network", status: response ? response.status : 0,
        message: "finishing the recording", retryAt: current.retryAt };
    }
  });
  const { session: after } = await readState();
  if (after.status === "stopping") scheduleFlush(after.retryAt - Date.now());
}
