const test = require("node:test");
const assert = require("node:assert/strict");

test("backoff doubles per attempt with jitter and a ceiling", async () => {
  const { backoffMs } = await import("../lib/delivery.js");
  assert.equal(backoffMs(0, 0.5), 1000);
  assert.equal(backoffMs(3, 0.5), 8000);
  assert.equal(backoffMs(3, 0), 4000);
  assert.equal(backoffMs(30, 0.5), 60000);
});

test("Retry-After is read as seconds or as an HTTP date", async () => {
  const { retryAfterMs } = await import("../lib/delivery.js");
  assert.equal(retryAfterMs("3"), 3000);
  assert.equal(retryAfterMs(null), null);
  const now = Date.parse("2026-01-01T00:00:00Z");
  assert.equal(retryAfterMs("Thu, 01 Jan 2026 00:00:05 GMT", now), 5000);
  assert.equal(retryAfterMs("soon"), null);
});

test("only 429 and 5xx are retried; other 4xx are final", async () => {
  const { classifyStatus } = await import("../lib/delivery.js");
  assert.equal(classifyStatus(429), "retry");
  assert.equal(classifyStatus(503), "retry");
  assert.equal(classifyStatus(401), "auth");
  assert.equal(classifyStatus(409), "closed");
  assert.equal(classifyStatus(413), "too_large");
  assert.equal(classifyStatus(422), "rejected");
});

test("navigation transitions map to the wire values", async () => {
  const { mapTransition } = await import("../lib/navigation.js");
  assert.equal(mapTransition("link", ["forward_back"], false), "back_forward");
  assert.equal(mapTransition("reload", [], false), "reload");
  assert.equal(mapTransition("link", [], true), "new_tab");
  assert.equal(mapTransition("form_submit", [], false), "form_submit");
  assert.equal(mapTransition("link", ["from_address_bar"], false), "typed");
  assert.equal(mapTransition("typed", [], false), "typed");
  assert.equal(mapTransition("auto_subframe", ["client_redirect"], false), "link");
});
