// A tiny help desk SPA, hostile on purpose: a handler that throws, and a page-level listener
// that stops propagation, so the tests prove the recorder still captures and the page still works.
customElements.define("macro-picker", class extends HTMLElement {
  connectedCallback() {
    const root = this.attachShadow({ mode: "open" });
    root.innerHTML = '<div role="toolbar" aria-label="Macro picker"><button type="button" id="apply">Apply macro: Refund issued</button></div>';
    root.getElementById("apply").addEventListener("click", () => {
      document.getElementById("reply").placeholder = "Macro applied";
    });
  }
});

function show(path) {
  const ticket = path.startsWith("/helpdesk/tickets/");
  document.getElementById("list-view").classList.toggle("hidden", ticket || location.hash === "#/help");
  document.getElementById("ticket-view").classList.toggle("hidden", !ticket);
  document.getElementById("help-view").classList.toggle("hidden", location.hash !== "#/help");
  document.title = ticket ? "Ticket 4821 · Acme Help Desk" : "Tickets · Acme Help Desk";
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-route]");
  if (!link) return;
  event.preventDefault();
  history.pushState({}, "", link.getAttribute("data-route"));
  show(location.pathname);
});
window.addEventListener("popstate", () => show(location.pathname));
window.addEventListener("hashchange", () => show(location.pathname));

// Registered by the page after the recorder's listener: swallows clicks in .guarded regions.
window.addEventListener("click", (event) => {
  if (event.target.closest && event.target.closest(".guarded")) {
    event.stopImmediatePropagation();
    document.getElementById("toolbar-status").textContent = "Assigned to you";
  }
}, true);
document.getElementById("escalate").addEventListener("click", (event) => {
  event.stopPropagation();
  document.getElementById("toolbar-status").textContent = "Escalated";
  throw new Error("page handler failure (on purpose)");
});
document.getElementById("solve").addEventListener("click", () => {
  document.getElementById("toolbar-status").textContent = "Solved";
});
document.getElementById("ticket-form").addEventListener("submit", (event) => {
  event.preventDefault();
  document.getElementById("saved").textContent = "Saved";
});
document.getElementById("open-billing").href =
  `${window.SITE.billing}/billing/customer.html?email=jane.canary%40example.com&card=4111111111111111`;
show(location.pathname);
