/*
 * Element descriptors for the wire format's `target`: accessible name, role, selectors in the
 * DevTools Recorder style and the nearest heading, dialog, form and landmark. The rules are pure
 * functions over plain data (tested with `node --test`); the DOM walkers below them only gather
 * that data. Text that a person typed is never read: text fields, contenteditable regions and
 * password fields contribute their label, never their content or value.
 * A classic script: globalThis.SopDescribe, or module.exports.
 */
(function (root) {
  "use strict";

  const NAME_MAX = 512;
  const SELECTOR_MAX = 1024;
  const TEXT_INPUT_TYPES = new Set([
    "text", "search", "email", "tel", "url", "password", "number", "", "datetime",
  ]);
  const BUTTON_INPUT_TYPES = new Set(["button", "submit", "reset", "image"]);
  const CONTROL_ROLES = new Set([
    "button", "link", "menuitem", "menuitemcheckbox", "menuitemradio", "tab", "option", "cell",
    "gridcell", "columnheader", "rowheader", "treeitem", "switch", "checkbox", "radio",
    "combobox", "row",
  ]);
  const LANDMARK_ROLES = {
    nav: "navigation", main: "main", aside: "complementary", header: "banner",
    footer: "contentinfo", search: "search",
  };
  const TEST_ID_ATTRIBUTES = ["data-testid", "data-test", "data-qa", "data-cy", "data-test-id"];

  /** Collapse whitespace and cut to `max` characters (wire caps). */
  function normalizeText(text, max = NAME_MAX) {
    if (!text) return "";
    const flat = String(text).replace(/\s+/g, " ").trim();
    return flat.length <= max ? flat : flat.slice(0, max - 1) + "…";
  }

  /** The implicit ARIA role of a tag, from the facts the DOM gives (HTML-AAM, abridged). */
  function implicitRole(facts) {
    const tag = facts.tag;
    const type = (facts.type || "").toLowerCase();
    switch (tag) {
      case "a":
      case "area":
        return facts.hasHref ? "link" : null;
      case "button":
      case "summary":
        return "button";
      case "input":
        if (BUTTON_INPUT_TYPES.has(type)) return "button";
        if (type === "checkbox") return facts.isSwitch ? "switch" : "checkbox";
        if (type === "radio") return "radio";
        if (type === "range") return "slider";
        if (type === "number") return "spinbutton";
        if (type === "search") return "searchbox";
        if (type === "hidden" || type === "password") return null;
        return "textbox";
      case "select":
        return facts.multiple || (facts.size || 0) > 1 ? "listbox" : "combobox";
      case "textarea":
        return "textbox";
      case "option":
        return "option";
      case "img":
        return facts.alt === "" ? "presentation" : "img";
      case "h1": case "h2": case "h3": case "h4": case "h5": case "h6":
        return "heading";
      case "td":
        return "cell";
      case "th":
        return "columnheader";
      case "tr":
        return "row";
      case "li":
        return "listitem";
      case "ul":
      case "ol":
        return "list";
      case "dialog":
        return "dialog";
      case "form":
        return facts.named ? "form" : null;
      case "section":
        return facts.named ? "region" : null;
      case "table":
        return "table";
      default:
        return LANDMARK_ROLES[tag] || null;
    }
  }

  /** The role to report: the first valid token of an explicit `role`, else the implicit one. */
  function resolveRole(explicitRole, facts) {
    const explicit = (explicitRole || "").trim().split(/\s+/)[0];
    return explicit || implicitRole(facts);
  }

  /** True for what a person would call a control: buttons, links, menu items, tabs, cells... */
  function isControlRole(role) {
    return CONTROL_ROLES.has(role);
  }

  /**
   * The accessible name from candidates in the order: aria-label, aria-labelledby,
   * bound label, text, title, alt, placeholder (last resort). Each candidate is [source, text].
   */
  function pickName(candidates) {
    for (const [, text] of candidates) {
      const name = normalizeText(text);
      if (name) return name;
    }
    return "";
  }

  function cssEscape(value) {
    return String(value).replace(/[^a-zA-Z0-9_-]/g, (ch) => `\\${ch}`).replace(/^(\d)/, "\\3$1 ");
  }

  /** A DevTools Recorder `aria/` selector: `aria/Name[role="button"]`. */
  function ariaSelector(name, role) {
    if (!name) return null;
    const quoted = role ? `[role="${role}"]` : "";
    return `aria/${name}${quoted}`.slice(0, SELECTOR_MAX);
  }

  /** Alternative locators, most stable first: aria, test ids, id, then the CSS path. */
  function buildSelectors(facts) {
    const out = [];
    const aria = ariaSelector(facts.name, facts.role);
    if (aria) out.push(aria);
    for (const [attribute, value] of facts.testIds || []) {
      out.push(`[${attribute}="${String(value).replace(/["\\]/g, "\\$&")}"]`);
    }
    if (facts.id && !/\d{4,}/.test(facts.id)) out.push(`#${cssEscape(facts.id)}`);
    if (facts.cssPath) out.push(facts.cssPath);
    return out.map((selector) => selector.slice(0, SELECTOR_MAX)).slice(0, 10);
  }

  // ---- DOM gathering (browser only) ----

  function parentAcrossShadow(node) {
    if (node.parentElement) return node.parentElement;
    const rootNode = node.getRootNode ? node.getRootNode() : null;
    return rootNode && rootNode.host ? rootNode.host : null;
  }

  function closestAcrossShadow(el, selector) {
    for (let node = el; node; node = parentAcrossShadow(node)) {
      if (node.nodeType === 1 && node.matches(selector)) return node;
    }
    return null;
  }

  function isTextField(el) {
    if (!el || el.nodeType !== 1) return false;
    if (el.isContentEditable) return true;
    const tag = el.localName;
    if (tag === "textarea") return true;
    if (tag === "input") return TEXT_INPUT_TYPES.has((el.getAttribute("type") || "").toLowerCase());
    const role = el.getAttribute("role");
    return role === "textbox" || role === "searchbox";
  }

  /** Text of an element without anything a person typed (editable regions, field values). */
  function safeText(el, max = 200) {
    if (!el) return "";
    if (isTextField(el)) return "";
    if (!el.querySelector || !el.querySelector("[contenteditable]:not([contenteditable=false])")) {
      return normalizeText(el.textContent, max);
    }
    let text = "";
    const walker = el.ownerDocument.createTreeWalker(el, 4);
    for (let node = walker.nextNode(); node && text.length < max * 2; node = walker.nextNode()) {
      if (!node.parentElement || !node.parentElement.isContentEditable) text += node.data;
    }
    return normalizeText(text, max);
  }

  function textOfIds(el, ids) {
    const rootNode = el.getRootNode ? el.getRootNode() : el.ownerDocument;
    return ids
      .split(/\s+/)
      .map((id) => (id && rootNode.getElementById ? rootNode.getElementById(id) : null))
      .filter(Boolean)
      .map((labelEl) => safeText(labelEl))
      .join(" ");
  }

  function boundLabel(el) {
    if (el.labels && el.labels.length) return safeText(el.labels[0]);
    return "";
  }

  /** The accessible name of an element (see pickName for the order). */
  function accessibleName(el) {
    const tag = el.localName;
    const type = (el.getAttribute("type") || "").toLowerCase();
    const buttonInput = tag === "input" && BUTTON_INPUT_TYPES.has(type);
    return pickName([
      ["aria-label", el.getAttribute("aria-label")],
      ["aria-labelledby", el.hasAttribute("aria-labelledby") ? textOfIds(el, el.getAttribute("aria-labelledby")) : ""],
      ["label", boundLabel(el)],
      ["text", buttonInput ? el.value || el.getAttribute("value") : tag === "select" ? "" : safeText(el)],
      ["title", el.getAttribute("title")],
      ["alt", el.getAttribute("alt") || (el.querySelector ? el.querySelector("img[alt]")?.getAttribute("alt") : "")],
      ["placeholder", el.getAttribute("placeholder") || el.getAttribute("aria-placeholder")],
    ]);
  }

  function roleOf(el) {
    return resolveRole(el.getAttribute("role"), {
      tag: el.localName,
      type: el.getAttribute("type"),
      hasHref: el.hasAttribute("href"),
      isSwitch: el.getAttribute("role") === "switch",
      multiple: el.multiple,
      size: el.size,
      alt: el.getAttribute("alt"),
      named: el.hasAttribute("aria-label") || el.hasAttribute("aria-labelledby"),
    });
  }

  function cssPath(el) {
    const parts = [];
    for (let node = el; node && node.nodeType === 1 && parts.length < 8; node = node.parentElement) {
      const tag = node.localName;
      if (node.id && !/\d{4,}/.test(node.id)) {
        parts.unshift(`${tag}#${cssEscape(node.id)}`);
        break;
      }
      const parent = node.parentElement;
      if (!parent) {
        parts.unshift(tag);
        break;
      }
      let index = 1;
      let sameTag = 0;
      for (const sibling of parent.children) {
        if (sibling.localName === tag) {
          sameTag += 1;
          if (sibling === node) index = sameTag;
        }
      }
      parts.unshift(sameTag > 1 ? `${tag}:nth-of-type(${index})` : tag);
    }
    return parts.join(" > ");
  }

  function namedBy(el) {
    return pickName([
      ["aria-label", el.getAttribute("aria-label")],
      ["aria-labelledby", el.hasAttribute("aria-labelledby") ? textOfIds(el, el.getAttribute("aria-labelledby")) : ""],
      ["heading", safeText(el.querySelector("h1,h2,h3,h4,h5,h6,[role=heading],legend"))],
    ]);
  }

  function nearestHeading(el) {
    for (let node = parentAcrossShadow(el); node; node = parentAcrossShadow(node)) {
      if (node.matches("h1,h2,h3,h4,h5,h6,[role=heading]")) return safeText(node);
      const headings = node.querySelectorAll("h1,h2,h3,h4,h5,h6,[role=heading]");
      for (let i = headings.length - 1; i >= 0; i -= 1) {
        const heading = headings[i];
        const position = heading.compareDocumentPosition(el);
        if (position & 4 || position & 16) return safeText(heading);
      }
    }
    return "";
  }

  function describeContext(el) {
    const dialog = closestAcrossShadow(el, "dialog,[role=dialog],[role=alertdialog]");
    const form = closestAcrossShadow(el, "form");
    const landmark = closestAcrossShadow(
      el, "nav,main,aside,header,footer,search,[role=navigation],[role=main],[role=complementary],[role=banner],[role=contentinfo],[role=region],[role=search]"
    );
    const context = {};
    const heading = nearestHeading(el);
    if (heading) context.heading = heading;
    if (dialog) context.dialog = namedBy(dialog) || "dialog";
    if (form) context.form = namedBy(form) || form.getAttribute("name") || "form";
    if (landmark) context.landmark = landmark.getAttribute("aria-label") || roleOf(landmark) || landmark.localName;
    return context;
  }

  /** The wire-format `target` of an element. */
  function describeElement(el) {
    const name = accessibleName(el);
    const role = roleOf(el);
    const type = el.localName === "input" ? (el.getAttribute("type") || "text").toLowerCase() : null;
    const testIds = [];
    for (const attribute of TEST_ID_ATTRIBUTES) {
      if (el.hasAttribute(attribute)) testIds.push([attribute, el.getAttribute(attribute)]);
    }
    const target = {
      tag: el.localName.slice(0, 64),
      selectors: buildSelectors({ name, role, testIds, id: el.id, cssPath: cssPath(el) }),
      context: describeContext(el),
    };
    if (role) target.role = role.slice(0, 64);
    if (name) target.name = name;
    if (type) target.input_type = type.slice(0, 64);
    return target;
  }

  const api = {
    normalizeText, implicitRole, resolveRole, isControlRole, pickName, ariaSelector,
    buildSelectors, isTextField, safeText, accessibleName, roleOf, describeElement,
    closestAcrossShadow, parentAcrossShadow, TEXT_INPUT_TYPES,
  };
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.SopDescribe = api;
})(globalThis);
