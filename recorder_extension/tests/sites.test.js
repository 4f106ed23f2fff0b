const test = require("node:test");
const assert = require("node:assert/strict");
const { parsePatterns, isSiteRecordable } = require("../lib/sites.js");

test("parsePatterns keeps hosts from lines, URLs and commas", () => {
  assert.deepEqual(parsePatterns("https://Bank.example/login\n*.internal.example, mail.example"),
    ["bank.example", "*.internal.example", "mail.example"]);
});

test("denied sites are never recordable, subdomain wildcards included", () => {
  const deny = ["bank.example", "*.internal.example"];
  assert.equal(isSiteRecordable("https://bank.example/x", deny, []), false);
  assert.equal(isSiteRecordable("https://hr.internal.example/", deny, []), false);
  assert.equal(isSiteRecordable("https://internal.example/", deny, []), false);
  assert.equal(isSiteRecordable("https://helpdesk.example/", deny, []), true);
});

test("an allow list limits recording to its sites; ports are honoured when given", () => {
  assert.equal(isSiteRecordable("http://127.0.0.1:8080/a", [], ["127.0.0.1:8080"]), true);
  assert.equal(isSiteRecordable("http://127.0.0.1:9090/a", [], ["127.0.0.1:8080"]), false);
  assert.equal(isSiteRecordable("http://localhost:9090/a", [], ["localhost"]), true);
});

test("only web pages are recordable", () => {
  assert.equal(isSiteRecordable("chrome://settings", [], []), false);
  assert.equal(isSiteRecordable("chrome-extension://abc/popup.html", [], []), false);
  assert.equal(isSiteRecordable("garbage", [], []), false);
});
