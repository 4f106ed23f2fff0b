const test = require("node:test");
const assert = require("node:assert/strict");
const { redactText, redactPath, redactUrl, cap } = require("../lib/redact.js");

test("redactText masks emails and card numbers and counts them", () => {
  const counts = {};
  assert.equal(redactText("Refund jane@doe.com card 4111 1111 1111 1111, ticket #4821", counts),
    "Refund [email] card [card], ticket #4821");
  assert.deepEqual(counts, { emails: 1, cards: 1 });
});

test("redactText masks phone numbers and long digit runs, keeps short numbers and dates", () => {
  assert.equal(redactText("Call +1 (415) 555-0100 now", {}), "Call [phone] now");
  assert.equal(redactText("Order 12345678", {}), "Order [number]");
  assert.equal(redactText("Ticket 4821 on 2024-05-01", {}), "Ticket 4821 on 2024-05-01");
});

test("redactText masks unicode emails", () => {
  assert.equal(redactText("müller@exämple.de wrote", {}), "[email] wrote");
});

test("redactText leaves empty values alone", () => {
  assert.equal(redactText("", {}), "");
  assert.equal(redactText(null, {}), null);
});

test("redactPath replaces ids, uuids, emails and tokens", () => {
  const counts = {};
  assert.equal(redactPath("/agent/tickets/4821/users/jane@doe.com", counts), "/agent/tickets/{id}/users/{email}");
  assert.equal(redactPath("/r/0b7f2d9e-1c2a-4a7b-9f00-3c1d2e4f5a6b", {}), "/r/{uuid}");
  assert.equal(redactPath("/customers/cus_Na6dX7aXxi11N4", {}), "/customers/{id}");
  assert.equal(redactPath("/u/jane%40doe.com", {}), "/u/{email}");
  assert.equal(redactPath("/reset/a8F3kLm9Qw2Zx7Cv1Bn4Hj6Kp", {}), "/reset/{token}");
  assert.equal(redactPath("/agent/tickets", {}), "/agent/tickets");
  assert.equal(counts.path_segments, 2);
});

test("redactUrl drops query, fragment and credentials but keeps allowed params and SPA routes", () => {
  const counts = {};
  assert.equal(redactUrl("https://x.zendesk.com/agent/tickets/4821?email=a@b.co&tab=notes#top", ["tab"], counts),
    "https://x.zendesk.com/agent/tickets/{id}?tab=notes");
  assert.deepEqual(counts, { query_params: 1, fragments: 1, path_segments: 1 });
  assert.equal(redactUrl("https://app.example/#/tickets/99?x=1", [], {}), "https://app.example/#/tickets/{id}");
  assert.equal(redactUrl("https://user:pw@host.example:8443/a", [], {}), "https://host.example:8443/a");
});

test("redactUrl masks allowed parameter values and refuses odd schemes", () => {
  assert.equal(redactUrl("https://h.example/s?filter=jane@doe.com", ["filter"], {}), "https://h.example/s?filter=%5Bemail%5D");
  const counts = {};
  assert.equal(redactUrl("javascript:alert(1)", [], counts), "");
  assert.equal(redactUrl("not a url", [], counts), "");
  assert.equal(counts.urls_dropped, 2);
});

test("cap cuts strings to the wire caps", () => {
  assert.equal(cap("abcdef", 3), "abc");
  assert.equal(cap(undefined, 3), undefined);
});
