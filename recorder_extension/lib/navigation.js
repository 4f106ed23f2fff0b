/* Mapping chrome.webNavigation facts to the wire format's `transition` (pure). */

const TYPED = new Set(["typed", "auto_bookmark", "generated", "keyword", "keyword_generated", "start_page"]);

/**
 * The wire transition of a committed top-frame navigation.
 * mapTransition("link", ["forward_back"], false) === "back_forward"
 */
export function mapTransition(transitionType, qualifiers, isNewTab) {
  const quals = qualifiers || [];
  if (quals.includes("forward_back")) return "back_forward";
  if (transitionType === "reload") return "reload";
  if (isNewTab) return "new_tab";
  if (transitionType === "form_submit") return "form_submit";
  if (quals.includes("from_address_bar") || TYPED.has(transitionType)) return "typed";
  return "link";
}
