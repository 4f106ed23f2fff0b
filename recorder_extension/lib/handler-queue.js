/*
 * The worker's capture and navigation handlers run one at a time, in the order Chrome delivered
 * them, so that `seq` follows what happened (a page's navigation, waiting for its load time, comes
 * before the clicks made on it); and Stop queues its last task behind every handler under way.
 * A promise chain, not state: it orders this worker instance's own work.
 */

let tail = Promise.resolve();

/** Run `task` once every task queued before it has settled; resolves or rejects as it does. */
export function inOrder(task) {
  const run = tail.then(() => task());
  tail = run.catch((error) => console.warn("SOP Recorder:", error));
  return run;
}

/** A listener that queues `handler` with its arguments; a failure is logged, never thrown. */
export function serially(handler) {
  return (...args) => {
    inOrder(() => handler(...args)).catch(() => undefined);
  };
}
