const test = require("node:test");
const assert = require("node:assert/strict");

test("events count while recording, and until Pause or Stop if they happened before it", async () => {
  const { isCapturing } = await import("../lib/store.js");
  assert.equal(isCapturing({ status: "recording" }), true);
  assert.equal(isCapturing({ status: "paused", captureUntil: 100 }, 100), true);
  assert.equal(isCapturing({ status: "paused", captureUntil: 100 }, 101), false);
  assert.equal(isCapturing({ status: "stopping", captureUntil: 100 }, 99), true);
  assert.equal(isCapturing({ status: "stopping", captureUntil: 100 }), false);
  assert.equal(isCapturing({ status: "idle" }, 1), false);
});

test("a sealed stop takes no late event, so none is queued after the recording is finished", async () => {
  const { isCapturing } = await import("../lib/store.js");
  assert.equal(isCapturing({ status: "stopping", sealed: true, captureUntil: 100 }, 99), false);
  assert.equal(isCapturing({ status: "finished", captureUntil: 100 }, 99), false);
});
