/* The popup: account state, workflow choice, Start/Pause/Resume/Stop, live counts, errors. */
const MSG = globalThis.SopMsg;
const $ = (id) => document.getElementById(id);

async function ask(type, data) {
  const answer = await chrome.runtime.sendMessage({ type, data });
  if (!answer || !answer.ok) throw new Error((answer && answer.error) || "The extension did not answer.");
  return answer.session;
}

function showError(text) {
  $("error").textContent = text || "";
  $("error").hidden = !text;
}

function seconds(ms) {
  return Math.max(1, Math.round(ms / 1000));
}

/** The delivery state of a session, in words for the agent. */
export function describeDelivery(session) {
  const dropped = session.dropped
    ? ` ${session.dropped} events were dropped because too many were waiting to be sent.` : "";
  return (describeError(session.error) + dropped).trim();
}

function describeError(error) {
  if (!error) return "";
  const wait = error.retryAt ? ` Retrying in ${seconds(error.retryAt - Date.now())} s.` : "";
  const kept = " Nothing is lost: unsent events are kept.";
  switch (error.kind) {
    case "network":
      return `Cannot reach the server.${wait}${kept}`;
    case "server":
      return error.status === 429 ? `The server is busy (too many requests).${wait}${kept}`
        : `The server had a problem (HTTP ${error.status}).${wait}${kept}`;
    case "auth":
      return "The server refused your API token. Open Options and save a valid token; unsent events are kept.";
    case "closed":
      return `The server no longer accepts events for this recording (HTTP ${error.status}); ${error.count} events could not be delivered.`;
    case "finish":
      return `The server did not accept Stop (HTTP ${error.status}).`;
    default:
      return `The server refused ${error.count || "some"} event(s) (HTTP ${error.status}): ${error.message || "invalid"}. They were dropped.`;
  }
}

function render(session, auth) {
  const status = session ? session.status : "idle";
  const active = status === "recording" || status === "paused" || status === "stopping";
  $("start-panel").hidden = active || status === "finished";
  $("run-panel").hidden = !active;
  $("done-panel").hidden = status !== "finished";
  $("account").textContent = auth && auth.user
    ? `Signed in as ${auth.user.email} (${auth.user.team}) at ${auth.serverUrl}`
    : "Not set up: open Options to enter the server address and your API token.";
  $("start").disabled = !(auth && auth.user);
  if (active) {
    $("status-text").textContent = status === "paused" && session.windowId == null
      ? "Paused: the browser restarted. Resume continues the recording in this window."
      : { recording: "Recording", paused: "Paused", stopping: "Sending the last events…" }[status];
    $("workflow-label").textContent = session.workflow;
    $("captured").textContent = String(session.captured);
    $("unsent").textContent = String(session.pending.length);
    $("dropped").textContent = String((session.dropped || 0) + (session.rejected || 0));
    $("pause").hidden = status !== "recording";
    $("resume").hidden = status !== "paused";
    $("stop").disabled = status === "stopping";
  }
  if (status === "finished") $("recording-link").href = session.webUrl;
  showError(session && session.status !== "idle" ? describeDelivery(session) : "");
}

async function refresh() {
  const { session, auth } = await chrome.storage.local.get(["session", "auth"]);
  render(session || { status: "idle", pending: [] }, auth);
}

async function loadWorkflows() {
  const { auth } = await chrome.storage.local.get("auth");
  if (!auth || !auth.token) return;
  try {
    const response = await fetch(`${auth.serverUrl}/api/v1/workflows?limit=200`, {
      headers: { Authorization: `Bearer ${auth.token}` },
    });
    if (response.status !== 200) return;
    const { items } = await response.json();
    for (const item of items || []) {
      const option = document.createElement("option");
      option.value = String(item.id);
      option.textContent = item.name;
      $("workflow-pick").append(option);
    }
  } catch (_error) {
    // Without the list the agent names the workflow, which is always possible.
  }
}

function onPick() {
  const naming = !$("workflow-pick").value;
  $("workflow-name").hidden = !naming;
  $("workflow-name-label").hidden = !naming;
}

function act(handler) {
  return async () => {
    showError("");
    try {
      await handler();
    } catch (error) {
      showError(error.message);
    }
    await refresh();
  };
}

$("workflow-pick").addEventListener("change", onPick);
$("start").addEventListener("click", act(async () => {
  const workflowId = $("workflow-pick").value;
  const workflow = $("workflow-name").value.trim();
  if (!workflowId && !workflow) throw new Error("Pick a workflow or name a new one.");
  const current = await chrome.windows.getCurrent();
  await ask(MSG.START, { workflowId: workflowId || null, workflow, ticketRef: $("ticket-ref").value.trim(),
    windowId: current.id });
}));
$("pause").addEventListener("click", act(() => ask(MSG.PAUSE)));
$("resume").addEventListener("click", act(async () => {
  const current = await chrome.windows.getCurrent();
  await ask(MSG.RESUME, { windowId: current.id });
}));
$("stop").addEventListener("click", act(() => ask(MSG.STOP)));
$("add-marker").addEventListener("click", act(async () => {
  await ask(MSG.MARKER, { label: $("marker").value });
  $("marker").value = "";
}));
$("new-recording").addEventListener("click", act(() => ask(MSG.RESET)));
chrome.storage.onChanged.addListener((changes, area) => {
  if (area === "local" && (changes.session || changes.auth)) refresh();
});
setInterval(refresh, 1000);
refresh();
loadWorkflows().then(onPick);
