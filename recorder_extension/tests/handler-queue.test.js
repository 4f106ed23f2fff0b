const test = require("node:test");
const assert = require("node:assert/strict");

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

test("handlers run one at a time in the order they were queued", async () => {
  const { serially, inOrder } = await import("../lib/handler-queue.js");
  const done = [];
  const handle = serially(async (name, ms) => {
    await pause(ms);
    done.push(name);
  });
  handle("slow load time", 30);
  handle("click", 0);
  await inOrder(() => undefined);
  assert.deepEqual(done, ["slow load time", "click"]);
});

test("a task queued last waits for every handler under way, even one that failed", async () => {
  const { serially, inOrder } = await import("../lib/handler-queue.js");
  const done = [];
  const warn = console.warn;
  console.warn = () => undefined;
  try {
    serially(async () => {
      await pause(20);
      throw new Error("tab closed");
    })();
    serially(async () => { done.push("navigation"); })();
    const result = await inOrder(async () => {
      done.push("stop");
      return "sealed";
    });
    assert.equal(result, "sealed");
    assert.deepEqual(done, ["navigation", "stop"]);
  } finally {
    console.warn = warn;
  }
});
