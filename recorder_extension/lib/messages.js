/*
 * Message types between the content script, the popup, the options page and the service
 * worker. Every message is {type, data}. A classic script: globalThis.SopMsg, or module.exports.
 */
(function (root) {
  "use strict";

  const api = Object.freeze({
    CAPTURE: "capture",
    GET_LOAD_TIMING: "get_load_timing",
    GET_STATE: "get_state",
    START: "start",
    PAUSE: "pause",
    RESUME: "resume",
    STOP: "stop",
    MARKER: "marker",
    SETTINGS_SAVED: "settings_saved",
    RESET: "reset",
  });
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.SopMsg = api;
})(globalThis);
