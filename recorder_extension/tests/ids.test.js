const test = require("node:test");
const assert = require("node:assert/strict");

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test("an id is a UUIDv7 that carries its millisecond", async () => {
  const { timeOrderedId } = await import("../lib/ids.js");
  const ms = Date.UTC(2026, 10, 23, 4, 50, 0, 123);
  const id = timeOrderedId(ms);
  assert.match(id, UUID_V7);
  assert.equal(parseInt(id.replace(/-/g, "").slice(0, 12), 16), ms);
});

test("ids made later sort later, and no two are alike", async () => {
  const { timeOrderedId } = await import("../lib/ids.js");
  const start = Date.UTC(2026, 10, 23);
  const ids = Array.from({ length: 2000 }, (_, n) => timeOrderedId(start + n));
  assert.deepEqual([...ids].sort(), ids);
  assert.equal(new Set(ids).size, ids.length);
  const sameMs = Array.from({ length: 2000 }, () => timeOrderedId(start));
  assert.equal(new Set(sameMs).size, sameMs.length);
});
