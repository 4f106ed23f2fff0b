/*
 * Content script (isolated world, every frame): turns clicks on controls, choices, field edits,
 * submits and visibility into partial wire events and hands them to the service worker, which
 * stamps id, seq, tab and frame. Never listens to keys, never reads a text field's value, never
 * touches a password field. Every handler is wrapped so that nothing here can break the page.
 */
(function () {
  "use strict";

  if (globalThis.__sopRecorderCapture) return;
  globalThis.__sopRecorderCapture = true;

  const { redactText, redactUrl, cap } = globalThis.SopRedact;
  const D = globalThis.SopDescribe;
  const MSG = globalThis.SopMsg;
  const EDIT_BURST_MS = 1500;
  const CLICK_SELECTOR = "a[href],button,summary,input,[role],[onclick],td,th,option";

  const state = { recording: false, choiceCapture: true, allowedParams: null, teardowns: [] };

  function pageOf() {
    let href = location.href;
    let title = document.title;
    if (location.protocol === "about:") {
      try {
        href = parent.location.href;
        title = parent.document.title;
      } catch (_error) {
        href = "";
      }
    }
    return {
      url: cap(redactUrl(href, state.allowedParams), 2048),
      title: cap(redactText(title || ""), 512),
    };
  }

  function redactTarget(target) {
    if (target.name) target.name = cap(redactText(target.name), 512);
    target.selectors = target.selectors.map((selector) => cap(redactText(selector), 1024));
    for (const key of Object.keys(target.context)) {
      target.context[key] = cap(redactText(target.context[key]), 512);
    }
    return target;
  }

  function detach() {
    const teardowns = state.teardowns;
    state.teardowns = [];
    state.recording = false;
    for (const teardown of teardowns) teardown();
  }

  function send(event, handlerMs) {
    if (!chrome.runtime || !chrome.runtime.id) {
      detach();
      return;
    }
    const message = { type: MSG.CAPTURE, data: { event, handler_ms: handlerMs } };
    const attempt = (tries) => {
      try {
        chrome.runtime.sendMessage(message).catch(() => {
          if (tries > 0) setTimeout(() => attempt(tries - 1), 250);
        });
      } catch (_error) {
        // The extension was reloaded: this orphaned script has nowhere to send to.
      }
    };
    attempt(3);
  }

  /** The one place that turns a capture into a message; `fields` are type-specific. */
  function emit(type, fields, startedAt) {
    const event = Object.assign({ type, ts: Date.now(), page: pageOf() }, fields);
    send(event, startedAt === undefined ? undefined : performance.now() - startedAt);
  }

  function guarded(handler) {
    return function (event) {
      if (!state.recording) return;
      try {
        handler(event);
      } catch (_error) {
        // A capture failure must never surface in the page.
      }
    };
  }

  function listen(target, type, handler) {
    const options = { capture: true, passive: true };
    target.addEventListener(type, handler, options);
    return () => target.removeEventListener(type, handler, options);
  }

  function isPassword(el) {
    return el.localName === "input" && (el.getAttribute("type") || "").toLowerCase() === "password";
  }

  function controlOf(el) {
    if (el.isContentEditable || D.isTextField(el)) return null;
    const tag = el.localName;
    if (tag === "input") {
      const type = (el.getAttribute("type") || "text").toLowerCase();
      return ["button", "submit", "reset", "image"].includes(type) ? el : null;
    }
    if (tag === "select" || tag === "label" || tag === "textarea") return null;
    if (tag === "a" || tag === "button" || tag === "summary" || el.hasAttribute("onclick")) return el;
    const role = D.roleOf(el);
    if (role === "checkbox" || role === "radio") return el.localName === "input" ? null : el;
    return D.isControlRole(role) ? el : null;
  }

  // Clicks on fields are focus churn; what matters there is their change (or nothing at all).
  const FIELD_TAGS = new Set(["label", "select", "textarea", "option"]);

  function clickedControl(event) {
    for (const node of event.composedPath()) {
      if (!node || node.nodeType !== 1) continue;
      if (node === document.body || node === document.documentElement) return null;
      if (node.isContentEditable || isPassword(node) || FIELD_TAGS.has(node.localName)) return null;
      if (node.localName === "input") return controlOf(node);
      if (!node.matches(CLICK_SELECTOR)) continue;
      const control = controlOf(node);
      if (control) return control;
    }
    return null;
  }

  function initClickCapture() {
    return listen(window, "click", guarded((event) => {
      const started = performance.now();
      const control = clickedControl(event);
      if (!control) return;
      flushEdits();
      emit("click", { target: redactTarget(D.describeElement(control)) }, started);
    }));
  }

  function fieldLabel(el) {
    const label = D.accessibleName(el) || D.normalizeText(el.getAttribute("name"), 512);
    return cap(redactText(label), 512) || el.localName;
  }

  function radioGroupLabel(el) {
    const group = D.closestAcrossShadow(el, "fieldset,[role=radiogroup]");
    if (group) {
      const legend = group.querySelector("legend");
      const name = group.getAttribute("aria-label") || (legend ? D.safeText(legend) : "");
      if (name) return cap(redactText(D.normalizeText(name)), 512);
    }
    return cap(redactText(D.normalizeText(el.getAttribute("name"), 512)), 512);
  }

  function choiceChange(el) {
    const type = (el.getAttribute("type") || "").toLowerCase();
    const target = redactTarget(D.describeElement(el));
    const fields = { target, field: fieldLabel(el) };
    if (el.localName === "select") {
      fields.control = "select";
      if (state.choiceCapture) {
        const labels = Array.from(el.selectedOptions || []).map((option) => D.normalizeText(option.label || option.text));
        fields.choice = cap(redactText(labels.join(", ")), 512);
      }
    } else if (type === "radio") {
      fields.control = "radio";
      fields.field = radioGroupLabel(el) || fields.field;
      if (state.choiceCapture) fields.choice = fieldLabel(el);
    } else {
      fields.control = el.getAttribute("role") === "switch" ? "toggle" : "checkbox";
      if (state.choiceCapture) fields.checked = Boolean(el.checked);
    }
    return fields;
  }

  const OTHER_CONTROLS = { date: "date", "datetime-local": "date", month: "date", week: "date", time: "date",
    range: "range", color: "color", file: "file" };

  function initChangeCapture() {
    return listen(window, "change", guarded((event) => {
      const el = event.composedPath()[0];
      if (!el || el.nodeType !== 1 || isPassword(el) || D.isTextField(el)) return;
      const type = (el.getAttribute("type") || "").toLowerCase();
      if (el.localName === "select" || type === "checkbox" || type === "radio") {
        emit("change", choiceChange(el));
      } else if (el.localName === "input") {
        emit("change", {
          target: redactTarget(D.describeElement(el)),
          field: fieldLabel(el),
          control: OTHER_CONTROLS[type] || "other",
        });
      }
    }));
  }

  // Text edits: one event per field per burst (ended by leaving the field or a pause).
  const pendingEdits = new Map();

  function editableHost(el) {
    if (el.isContentEditable) {
      let host = el;
      while (host.parentElement && host.parentElement.isContentEditable) host = host.parentElement;
      return host;
    }
    return D.isTextField(el) ? el : null;
  }

  function emitEdit(field, atLastInput) {
    const pending = pendingEdits.get(field);
    if (!pending) return;
    pendingEdits.delete(field);
    clearTimeout(pending.timer);
    const control = field.isContentEditable ? "contenteditable" : field.localName === "textarea" ? "textarea"
      : (field.getAttribute("type") || "").toLowerCase() === "number" ? "number" : "text";
    const fields = { target: redactTarget(D.describeElement(field)), field: fieldLabel(field), control };
    // Ended by Stop or Pause: stamped now, the edit would count as made after it and be refused.
    if (atLastInput) fields.ts = pending.lastInputAt;
    emit("change", fields);
  }

  function flushEdits(atLastInput) {
    for (const field of Array.from(pendingEdits.keys())) emitEdit(field, atLastInput);
  }

  function initEditCapture() {
    const offInput = listen(window, "input", guarded((event) => {
      const el = event.composedPath()[0];
      if (!el || el.nodeType !== 1 || isPassword(el)) return;
      const field = editableHost(el);
      if (!field || isPassword(field)) return;
      const pending = pendingEdits.get(field) || {};
      clearTimeout(pending.timer);
      pending.lastInputAt = Date.now();
      pending.timer = setTimeout(() => emitEdit(field), EDIT_BURST_MS);
      pendingEdits.set(field, pending);
    }));
    const offBlur = listen(window, "focusout", guarded((event) => {
      const el = event.composedPath()[0];
      const field = el && el.nodeType === 1 ? editableHost(el) : null;
      if (field && pendingEdits.has(field)) emitEdit(field);
    }));
    return () => { offInput(); offBlur(); };
  }

  function initSubmitCapture() {
    return listen(window, "submit", guarded((event) => {
      const form = event.composedPath()[0];
      if (!form || form.localName !== "form") return;
      flushEdits();
      const target = redactTarget(D.describeElement(form));
      if (!target.name && event.submitter) {
        const submitterName = D.accessibleName(event.submitter);
        if (submitterName) target.name = cap(redactText(submitterName), 512);
      }
      emit("submit", { target });
    }));
  }

  function initVisibilityCapture() {
    if (window !== window.top) return () => {};
    return listen(document, "visibilitychange", guarded(() => {
      flushEdits();
      emit("visibility", { state: document.visibilityState === "hidden" ? "hidden" : "visible" });
    }));
  }

  // Listeners go on at document_start, before any page script, so a page that stops
  // propagation in its own capture listeners cannot hide clicks; they return at once unless
  // this page is being recorded.
  state.teardowns = [initClickCapture(), initChangeCapture(), initEditCapture(),
    initSubmitCapture(), initVisibilityCapture()];

  function applySession(session, capture) {
    const options = capture || {};
    const href = location.protocol === "about:" ? "http://about.invalid/" : location.href;
    const recordable = globalThis.SopSites.isSiteRecordable(href, options.deny || [], options.allow || []);
    state.choiceCapture = options.choiceCapture !== false;
    state.allowedParams = options.allowedParams || null;
    const recording = Boolean(session && session.status === "recording" && recordable);
    if (state.recording && !recording) flushEdits(true);
    state.recording = recording;
  }

  function loadTiming() {
    const entry = performance.getEntriesByType("navigation")[0];
    if (!entry) return null;
    const end = entry.loadEventEnd || entry.domContentLoadedEventEnd || entry.responseEnd;
    return end > 0 ? Math.round(end) : null;
  }

  chrome.runtime.onMessage.addListener((message, _sender, sendResponse) => {
    if (!message || message.type !== MSG.GET_LOAD_TIMING || window !== window.top) return false;
    const answer = () => sendResponse({ load_ms: loadTiming(), title: redactText(document.title || "") });
    if (document.readyState === "complete") setTimeout(answer, 0);
    else window.addEventListener("load", () => setTimeout(answer, 0), { once: true });
    return true;
  });

  chrome.storage.onChanged.addListener((changes, area) => {
    if (area !== "local" || (!changes.session && !changes.capture)) return;
    chrome.storage.local.get(["session", "capture"]).then(({ session, capture }) => applySession(session, capture));
  });
  chrome.storage.local.get(["session", "capture"]).then(({ session, capture }) => applySession(session, capture));
})();
