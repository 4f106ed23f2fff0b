/*
 * Redaction before anything is queued (DESIGN §3 rule 4): the same rules as the server's
 * app/ingest/redaction.py. A classic script: the content script and the service worker get
 * globalThis.SopRedact, Node's test runner gets module.exports.
 */
(function (root) {
  "use strict";

  const EMAIL = /[\p{L}\p{N}_.+-]+@[\p{L}\p{N}_-]+(?:\.[\p{L}\p{N}_-]+)+/gu;
  const EMAIL_ONE = /[\p{L}\p{N}_.+-]+@[\p{L}\p{N}_-]+(?:\.[\p{L}\p{N}_-]+)+/u;
  // Digits are every script's decimal digits (\p{Nd}), as Python's \d on the server:
  // a phone number typed in fullwidth digits is masked here too.
  const DIGITISH = /\+?\(?\p{Nd}[\p{Nd} \t().-]{5,}\p{Nd}/gu;
  const ISO_DATE = /^\p{Nd}{4}-\p{Nd}{2}-\p{Nd}{2}/u;
  const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
  const NUMBER = /^\p{Nd}+$/u;
  const DIGIT = /\p{Nd}/gu;
  const HEXISH = /^[0-9a-f]{16,}$/i;
  const TOKENISH = /^[A-Za-z0-9_-]{24,}$/;
  const PREFIXED_ID = /^[a-z]{2,6}_[A-Za-z0-9]{8,}$/;
  const SCHEMES = new Set(["http:", "https:", "file:", "chrome-extension:"]);
  const DEFAULT_ALLOWED_PARAMS = ["tab", "view", "filter", "status", "sort", "page", "section"];

  function bump(counts, key) {
    if (counts) counts[key] = (counts[key] || 0) + 1;
  }

  function countDigits(text) {
    return (text.match(DIGIT) || []).length;
  }

  function maskDigitRun(text, counts) {
    const digits = countDigits(text);
    if (digits < 6 || (ISO_DATE.test(text) && digits <= 12)) return text;
    if (digits >= 13 && digits <= 19 && !/[()]/.test(text)) {
      bump(counts, "cards");
      return "[card]";
    }
    if (digits >= 9 && /[ ().+-]/.test(text)) {
      bump(counts, "phones");
      return "[phone]";
    }
    bump(counts, "numbers");
    return "[number]";
  }

  /** Mask emails, phone and card-like numbers and long digit runs in a label or title. */
  function redactText(text, counts) {
    if (!text) return text;
    const noEmails = String(text).replace(EMAIL, () => {
      bump(counts, "emails");
      return "[email]";
    });
    return noEmails.replace(DIGITISH, (run) => maskDigitRun(run, counts));
  }

  function placeholder(segment) {
    if (!segment) return null;
    if (NUMBER.test(segment)) return "{id}";
    if (UUID.test(segment)) return "{uuid}";
    if (segment.includes("@") && EMAIL_ONE.test(segment.replaceAll("%40", "@"))) return "{email}";
    if (segment.includes("%40")) return "{email}";
    if (HEXISH.test(segment) || PREFIXED_ID.test(segment)) return "{id}";
    if (TOKENISH.test(segment) && /\d/.test(segment)) return "{token}";
    if (countDigits(segment) >= 6) return "{id}";
    return null;
  }

  /** Replace path segments that identify a person or an object with placeholders. */
  function redactPath(path, counts) {
    return path
      .split("/")
      .map((segment) => {
        const replacement = placeholder(segment);
        if (replacement === null) return segment;
        bump(counts, "path_segments");
        return replacement;
      })
      .join("/");
  }

  function encodeParam(text) {
    return encodeURIComponent(text).replace(/%20/g, "+");
  }

  /** Drop credentials, query and fragment, but keep allow-listed parameters and SPA routes. */
  function redactUrl(url, allowedParams, counts) {
    let parts;
    try {
      parts = new URL(url);
    } catch (_error) {
      bump(counts, "urls_dropped");
      return "";
    }
    if (!SCHEMES.has(parts.protocol)) {
      bump(counts, "urls_dropped");
      return "";
    }
    const allowed = new Set(allowedParams || DEFAULT_ALLOWED_PARAMS);
    const kept = [];
    for (const [key, value] of parts.searchParams) {
      if (allowed.has(key)) kept.push(`${encodeParam(key)}=${encodeParam(redactText(value, counts))}`);
      else bump(counts, "query_params");
    }
    const rawFragment = parts.hash.slice(1);
    let fragment = "";
    if (rawFragment.startsWith("/") || rawFragment.startsWith("!/")) {
      fragment = redactPath(rawFragment.split("?")[0], counts);
    } else if (rawFragment) {
      bump(counts, "fragments");
    }
    if (parts.username || parts.password) bump(counts, "credentials");
    const origin = parts.protocol === "file:" ? "file://" : `${parts.protocol}//${parts.host}`;
    let out = origin + redactPath(parts.pathname, counts);
    if (kept.length) out += `?${kept.join("&")}`;
    if (fragment) out += `#${fragment}`;
    return out;
  }

  /** Cut a string to the wire format's cap for its field (characters). */
  function cap(text, max) {
    if (text === null || text === undefined) return text;
    const value = String(text);
    return value.length <= max ? value : value.slice(0, max);
  }

  const api = { redactText, redactPath, redactUrl, cap, DEFAULT_ALLOWED_PARAMS };
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.SopRedact = api;
})(globalThis);
