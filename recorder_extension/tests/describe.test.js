const test = require("node:test");
const assert = require("node:assert/strict");
const D = require("../lib/describe.js");

test("pickName follows aria-label, labelledby, label, text, title, alt, placeholder", () => {
  assert.equal(D.pickName([["aria-label", "Close"], ["text", "×"]]), "Close");
  assert.equal(D.pickName([["aria-label", "  "], ["aria-labelledby", ""], ["label", "Subject"]]), "Subject");
  assert.equal(D.pickName([["text", ""], ["title", "Search"], ["placeholder", "Find…"]]), "Search");
  assert.equal(D.pickName([["text", ""], ["placeholder", "Find…"]]), "Find…");
  assert.equal(D.pickName([]), "");
});

test("normalizeText collapses whitespace and caps length", () => {
  assert.equal(D.normalizeText("  Create\n   issue  "), "Create issue");
  assert.equal(D.normalizeText("x".repeat(600)).length, 512);
});

test("implicitRole maps tags and input types", () => {
  assert.equal(D.implicitRole({ tag: "a", hasHref: true }), "link");
  assert.equal(D.implicitRole({ tag: "a", hasHref: false }), null);
  assert.equal(D.implicitRole({ tag: "input", type: "submit" }), "button");
  assert.equal(D.implicitRole({ tag: "input", type: "checkbox", isSwitch: true }), "switch");
  assert.equal(D.implicitRole({ tag: "input", type: "password" }), null);
  assert.equal(D.implicitRole({ tag: "input" }), "textbox");
  assert.equal(D.implicitRole({ tag: "select" }), "combobox");
  assert.equal(D.implicitRole({ tag: "select", multiple: true }), "listbox");
  assert.equal(D.implicitRole({ tag: "td" }), "cell");
  assert.equal(D.implicitRole({ tag: "nav" }), "navigation");
  assert.equal(D.implicitRole({ tag: "form", named: false }), null);
  assert.equal(D.implicitRole({ tag: "div" }), null);
});

test("resolveRole prefers the first explicit role token", () => {
  assert.equal(D.resolveRole("menuitem presentation", { tag: "li" }), "menuitem");
  assert.equal(D.resolveRole("", { tag: "button" }), "button");
});

test("isControlRole knows what a person calls a control", () => {
  for (const role of ["button", "link", "menuitem", "tab", "option", "cell", "switch"]) {
    assert.ok(D.isControlRole(role), role);
  }
  for (const role of ["heading", "textbox", "navigation", null]) assert.ok(!D.isControlRole(role), role);
});

test("buildSelectors orders aria, test ids, id, css path in DevTools Recorder style", () => {
  assert.deepEqual(
    D.buildSelectors({ name: "Create issue", role: "button", testIds: [["data-testid", "create"]], id: "create-btn",
      cssPath: "main > button" }),
    ['aria/Create issue[role="button"]', '[data-testid="create"]', "#create-btn", "main > button"],
  );
  assert.deepEqual(D.buildSelectors({ name: "", id: "row-123456", cssPath: "td" }), ["td"]);
  assert.equal(D.ariaSelector("", "button"), null);
});
