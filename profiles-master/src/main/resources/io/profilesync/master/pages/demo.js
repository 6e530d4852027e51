// The demo page: the TypeScript client (/client/index.js, compiled into the master's jar) in a browser.
import { ProfilesClient, webSocketTransport } from "/client/index.js";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const path = document.querySelector('meta[name="profilesync-path"]').content;
const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${path}`;

function show(value) {
    if (typeof value === "bigint") {
        return value.toString();
    }
    if (value instanceof Map) {
        return JSON.stringify(Object.fromEntries([...value].map(([k, v]) => [String(k), show(v)])));
    }
    if (Array.isArray(value)) {
        return JSON.stringify(value.map(show));
    }
    if (typeof value === "object" && value !== null) {
        return JSON.stringify(value);
    }
    return String(value);
}

function start(token) {
    $("login").hidden = true;
    const client = new ProfilesClient({ transport: webSocketTransport(url), token });
    window.profilesClient = client;
    client.onState((state) => { $("status").textContent = state; });
    client.onRefusal((r) => {
        const li = document.createElement("li");
        li.textContent = `${r.property || "(change)"}: ${r.reason}`;
        $("refusals").prepend(li);
    });
    client.connect().then((profile) => {
        $("status").textContent = client.state;
        $("user").textContent = client.userId;
        const body = document.querySelector("#profile tbody");
        body.replaceChildren();
        for (const name of profile.names()) {
            const row = document.createElement("tr");
            const key = document.createElement("td");
            key.textContent = name;
            const cell = document.createElement("td");
            cell.id = `value-${name}`;
            cell.textContent = show(profile.get(name));
            row.append(key, cell);
            body.append(row);
        }
        profile.onAnyChange((name, value) => {
            const cell = $(`value-${name}`);
            cell.textContent = show(value);
            cell.classList.remove("changed");
            void cell.offsetWidth;
            cell.classList.add("changed");
            const li = document.createElement("li");
            li.textContent = `${new Date().toLocaleTimeString()} ${name} = ${show(value)}`;
            $("changes").prepend(li);
            while ($("changes").children.length > 20) {
                $("changes").lastChild.remove();
            }
        });
        if (profile.has("displayName")) {
            $("rename").hidden = false;
            $("name").value = profile.getString("displayName");
            $("rename").addEventListener("submit", (event) => {
                event.preventDefault();
                try {
                    client.set("displayName", $("name").value);
                } catch (e) {
                    const li = document.createElement("li");
                    li.textContent = `displayName: ${e.message}`;
                    $("refusals").prepend(li);
                }
            });
        }
    }, (error) => {
        $("status").textContent = `failed: ${error.message}`;
    });
}

const token = params.get("token");
if (token) {
    start(token);
} else {
    $("status").textContent = "no token";
    $("login").hidden = false;
    $("login").addEventListener("submit", (event) => {
        event.preventDefault();
        start($("token").value.trim());
    });
}
