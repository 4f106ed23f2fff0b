/*
 * Event ids: UUIDv7 (RFC 9562), 48 bits of Unix milliseconds and then random bits. The server
 * keys idempotency on (recording, id) with a unique index; ids made later sort later, so each
 * batch lands at the end of that index instead of on a hundred random pages (on SQLite the raw
 * insert of a batch runs about twice as fast, docs/benchmarks.md). The time in an id is no news:
 * every event carries its time anyway.
 */

/** A new UUIDv7 for an event made at ``ms`` (milliseconds since the Unix epoch). */
export function timeOrderedId(ms = Date.now()) {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let rest = Math.max(0, Math.floor(ms));
  for (let i = 5; i >= 0; i -= 1) {
    bytes[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  bytes[6] = (bytes[6] & 0x0f) | 0x70; // version 7
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 9562 variant
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
