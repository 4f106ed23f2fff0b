/*
 * Which sites may be recorded: never a denied one, and only allowed ones when an allow list is
 * set (DESIGN §3 rule 5). Patterns are host names, optionally "*.example.com" for subdomains.
 */
(function (root) {
  "use strict";

  /** One pattern per non-empty line, lower-cased, with any scheme and path removed. */
  function parsePatterns(text) {
    return String(text || "")
      .split(/[\s,]+/)
      .map((line) => line.trim().toLowerCase())
      .filter(Boolean)
      .map((line) => line.replace(/^[a-z-]+:\/\//, "").replace(/[/?#].*$/, ""));
  }

  function hostMatches(host, pattern) {
    const bare = pattern.replace(/:\d+$/, "");
    const hostOnly = host.replace(/:\d+$/, "");
    const withPort = pattern.includes(":") && !pattern.startsWith("[");
    const subject = withPort ? host : hostOnly;
    if (bare.startsWith("*.")) {
      const suffix = pattern.slice(1);
      return subject.endsWith(suffix) || subject === pattern.slice(2);
    }
    return subject === pattern;
  }

  /** True when a page URL may be recorded under the deny and allow lists. */
  function isSiteRecordable(url, deny, allow) {
    let parsed;
    try {
      parsed = new URL(url);
    } catch (_error) {
      return false;
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:" && parsed.protocol !== "file:") {
      return false;
    }
    const host = parsed.host.toLowerCase();
    if ((deny || []).some((pattern) => hostMatches(host, pattern))) return false;
    if (allow && allow.length) return allow.some((pattern) => hostMatches(host, pattern));
    return true;
  }

  const api = { parsePatterns, isSiteRecordable };
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.SopSites = api;
})(globalThis);
