/* The options page: server, token (tested on save with GET /api/v1/me), site lists, choices. */
const MSG = globalThis.SopMsg;
const { parsePatterns } = globalThis.SopSites;
const $ = (id) => document.getElementById(id);

function say(text, isError) {
  $("result").textContent = text;
  $("result").className = isError ? "error" : "muted";
}

async function load() {
  const { auth, capture } = await chrome.storage.local.get(["auth", "capture"]);
  if (auth) {
    $("server-url").value = auth.serverUrl || "";
    $("token").value = auth.token || "";
    if (auth.user) say(`Signed in as ${auth.user.email} (${auth.user.team}).`);
  }
  if (capture) {
    $("deny").value = (capture.deny || []).join("\n");
    $("allow").value = (capture.allow || []).join("\n");
    $("choice-capture").checked = capture.choiceCapture !== false;
  }
}

async function testToken(serverUrl, token) {
  let response;
  try {
    response = await fetch(`${serverUrl}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
  } catch (_error) {
    throw new Error(`Cannot reach ${serverUrl}. Check the address.`);
  }
  if (response.status === 401) throw new Error("The server refused this token. Copy it again from your admin.");
  if (!response.ok) throw new Error(`The server answered HTTP ${response.status}; is this the SOP Recorder address?`);
  return response.json();
}

async function save(event) {
  event.preventDefault();
  say("Testing the token…");
  const serverUrl = $("server-url").value.trim().replace(/\/+$/, "");
  const token = $("token").value.trim();
  try {
    const user = await testToken(serverUrl, token);
    const { capture } = await chrome.storage.local.get("capture");
    await chrome.storage.local.set({
      auth: { serverUrl, token, user: { email: user.email, team: user.team, role: user.role } },
      capture: {
        ...capture,
        deny: parsePatterns($("deny").value),
        allow: parsePatterns($("allow").value),
        choiceCapture: $("choice-capture").checked,
      },
    });
    await chrome.runtime.sendMessage({ type: MSG.SETTINGS_SAVED, data: {} }).catch(() => undefined);
    say(`Saved. Signed in as ${user.email} (${user.team}).`);
  } catch (error) {
    say(error.message, true);
  }
}

$("options").addEventListener("submit", save);
load();
