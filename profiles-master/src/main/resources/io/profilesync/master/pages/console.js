// The admin console: plain fetch calls to the master's admin API (/admin/..., same origin), polled once a second.
// Polling rather than a stream: the admin endpoint is the JDK's one-thread HTTP server, where a held-open stream
// would block every other request; a second's delay is enough for an operator watching a profile.
const $ = (id) => document.getElementById(id);
const TOKEN = "profilesync.adminToken";
const OPERATOR = "profilesync.operator";
const POLL_MS = 1000;

let timer = null;
let watched = null; // {user, source}: the profile shown, polled again while its source is live
let shownData = null;
let pollFailed = false;

/** Shows a failure (or clears it, with null). */
function fail(message) {
    $("error").textContent = message ?? "";
    $("error").hidden = message === null;
}

/** A value as shown: text as it is, anything else as JSON. */
function show(value) {
    return typeof value === "string" ? value : JSON.stringify(value);
}

class AdminError extends Error {
    constructor(status, message) {
        super(message);
        this.status = status;
    }
}

/** One admin API request; resolves with the response, throws AdminError with the API's reason. */
async function api(method, path, { body, headers } = {}) {
    const response = await fetch(path, {
        method,
        body,
        cache: "no-store",
        headers: { Authorization: `Bearer ${sessionStorage.getItem(TOKEN)}`, ...headers },
    });
    if (!response.ok) {
        let reason = `${response.status} ${response.statusText}`;
        try {
            reason = (await response.json()).error ?? reason;
        } catch {
            // not the API's JSON (a proxy's page, say): the status says enough
        }
        throw new AdminError(response.status, reason);
    }
    return response;
}

function signedOut(message) {
    clearTimeout(timer);
    timer = null;
    sessionStorage.removeItem(TOKEN);
    $("console").hidden = true;
    $("sign-in").hidden = false;
    fail(message);
}

function handle(error) {
    if (error instanceof AdminError && error.status === 401) {
        signedOut(`The master refused the admin token (401): ${error.message}. Enter the master's `
            + "secrets.adminToken.");
    } else {
        fail(error instanceof AdminError ? `${error.status}: ${error.message}` : `The master did not answer: ${error}`);
    }
}

async function refreshCounts() {
    const stats = await (await api("GET", "/admin/stats")).json();
    for (const name of ["gameServers", "clients", "loadedProfiles", "dirtyProfiles"]) {
        $(`count-${name}`).textContent = String(stats[name]);
    }
    $("count-databaseAvailable").textContent = stats.databaseAvailable ? "up" : "DOWN";
    const peers = await (await api("GET", "/admin/peers")).json();
    const rows = peers.map((peer) => {
        const row = document.createElement("tr");
        const who = peer.userId ?? (peer.secretIndex === undefined ? "–" : `secret #${peer.secretIndex}`);
        for (const text of [peer.role, who, peer.remoteAddress, new Date(peer.connectedSince).toLocaleTimeString(),
            peer.profilesHeld.join(", ")]) {
            const cell = document.createElement("td");
            cell.textContent = text;
            row.append(cell);
        }
        return row;
    });
    document.querySelector("#peers tbody").replaceChildren(...rows);
}

function note(text) {
    const li = document.createElement("li");
    li.textContent = `${new Date().toLocaleTimeString()} ${text}`;
    $("changes").prepend(li);
    while ($("changes").children.length > 50) {
        $("changes").lastChild.remove();
    }
}

/** Shows a looked-up profile; against the one shown before, marks and notes what changed. */
function render(profile) {
    const same = shownData !== null && $("shown-user").textContent === profile.userId;
    $("shown").hidden = false;
    $("shown-user").textContent = profile.userId;
    $("shown-source").textContent = profile.source === "live" ? "live on the master"
        : `stored, saved ${profile.savedAt}`;
    $("shown-version").textContent = String(profile.version);
    const body = document.querySelector("#profile tbody");
    const names = Object.keys(profile.data);
    if (!same || body.children.length !== names.length) {
        body.replaceChildren(...names.map((name) => {
            const row = document.createElement("tr");
            const key = document.createElement("td");
            key.textContent = name;
            const cell = document.createElement("td");
            cell.id = `value-${name}`;
            row.append(key, cell);
            return row;
        }));
        const select = $("edit-property");
        const chosen = select.value;
        select.replaceChildren(...names.map((name) => new Option(name, name)));
        if (names.includes(chosen)) {
            select.value = chosen;
        }
    }
    for (const name of names) {
        const cell = $(`value-${name}`);
        const text = show(profile.data[name]);
        if (same && JSON.stringify(shownData[name]) !== JSON.stringify(profile.data[name])) {
            note(`${profile.userId}.${name} = ${text}`);
            cell.classList.remove("changed");
            void cell.offsetWidth; // restarts the highlight
            cell.classList.add("changed");
        }
        cell.textContent = text;
    }
    shownData = profile.data;
    $("edit").hidden = profile.source !== "live";
    $("export-user").disabled = false;
}

async function refreshProfile() {
    if (watched === null) {
        return;
    }
    const query = watched.source === "stored" ? "?source=stored" : "";
    render(await (await api("GET", `/admin/profiles/${encodeURIComponent(watched.user)}${query}`)).json());
}

async function poll() {
    try {
        await refreshCounts();
        if (watched?.source === "live") {
            await refreshProfile();
        }
        $("status").textContent = "watching";
        if (pollFailed) {
            fail(null); // only its own failure: a refused edit or lookup stays shown
            pollFailed = false;
        }
    } catch (error) {
        $("status").textContent = "no answer";
        pollFailed = true;
        handle(error);
    }
    if (sessionStorage.getItem(TOKEN) !== null) {
        timer = setTimeout(poll, POLL_MS);
    }
}

function open() {
    $("sign-in").hidden = true;
    $("console").hidden = false;
    $("who").textContent = sessionStorage.getItem(OPERATOR) || "(none: edits are refused)";
    clearTimeout(timer);
    poll();
}

/** Saves a blob under a file name (the API needs the token header, so a plain link cannot fetch it). */
function download(blob, name) {
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = name;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

$("sign-in").addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN, $("token").value.trim());
    sessionStorage.setItem(OPERATOR, $("operator").value.trim());
    $("token").value = "";
    fail(null);
    open();
});

$("sign-out").addEventListener("click", () => signedOut(null));

$("lookup").addEventListener("submit", async (event) => {
    event.preventDefault();
    watched = { user: $("user").value.trim(), source: $("source").value };
    shownData = null;
    $("changes").replaceChildren();
    try {
        await refreshProfile();
        fail(null);
    } catch (error) {
        watched = null;
        $("shown").hidden = true;
        $("edit").hidden = true;
        document.querySelector("#profile tbody").replaceChildren();
        handle(error);
    }
});

$("edit-property").addEventListener("change", () => {
    $("edit-value").value = JSON.stringify(shownData?.[$("edit-property").value] ?? null);
});

$("edit").addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = $("edit-property").value;
    $("edit-result").textContent = "…";
    try {
        const answer = await (await api("PUT", `/admin/profiles/${encodeURIComponent(watched.user)}/properties/`
            + encodeURIComponent(name), {
            body: $("edit-value").value,
            headers: { "Content-Type": "application/json",
                "X-Profilesync-Operator": sessionStorage.getItem(OPERATOR) ?? "" },
        })).json();
        $("edit-result").textContent = `set ${name} to ${show(answer.value)} (was ${show(answer.before)})`;
        fail(null);
        await refreshProfile();
    } catch (error) {
        $("edit-result").textContent = "refused";
        if (error instanceof AdminError && error.status !== 401) {
            fail(`Edit refused (${error.status}): ${error.message}`);
        } else {
            handle(error);
        }
    }
});

$("export-all").addEventListener("click", async () => {
    try {
        download(await (await api("GET", "/admin/profiles")).blob(), "profiles.jsonl");
    } catch (error) {
        handle(error);
    }
});

$("export-user").addEventListener("click", async () => {
    try {
        const query = watched.source === "stored" ? "?source=stored" : "";
        const response = await api("GET", `/admin/profiles/${encodeURIComponent(watched.user)}${query}`);
        download(await response.blob(), `${watched.user}.json`);
    } catch (error) {
        handle(error);
    }
});

if (sessionStorage.getItem(TOKEN) !== null) {
    open();
}
