/**
 * The TypeScript client against the real master jar over ws:// and wss://: load, pushes (from a game server scripted
 * here with the same codec), client writes and refusals, reconnection after the master restarts.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { ClientRefusal, ProfilesClient } from "../src/client.js";
import { webSocketTransport, WebSocketConstructor } from "../src/transport.js";
import { MasterJar, masterJar, mintToken, selfSignedPem, until } from "./e2e/master-jar.js";
import { gameServerChanges, gameServerSets } from "./e2e/game-server.js";

const jar = masterJar();
const skip = jar === null ? "the master jar is not built (mvn -B verify builds it first)" : false;

/** node's ws, optionally trusting one certificate. */
function nodeWebSocket(ca?: Buffer): WebSocketConstructor {
    if (!ca) {
        return WebSocket as unknown as WebSocketConstructor;
    }
    class Trusting extends WebSocket {
        constructor(url: string) {
            super(url, { ca });
        }
    }
    return Trusting as unknown as WebSocketConstructor;
}

function client(master: MasterJar, user: string, ca?: Buffer): ProfilesClient {
    return new ProfilesClient({ transport: webSocketTransport(master.url, nodeWebSocket(ca)), token: mintToken(user),
        updateIntervalMs: 20 });
}

for (const tls of [false, true]) {
    describe(`the TypeScript client against the master jar over ${tls ? "wss" : "ws"}://`, { skip }, () => {
        let master: MasterJar;
        let ca: Buffer | undefined;
        const clients: ProfilesClient[] = [];

        before(async () => {
            const dir = mkdtempSync(join(tmpdir(), "profilesync-e2e-"));
            const pem = tls ? selfSignedPem(dir) : undefined;
            ca = pem?.ca;
            master = new MasterJar(jar!, { dir, ...(pem ? { tls: pem } : {}) });
            await master.start();
        });

        after(async () => {
            clients.forEach((c) => c.close());
            await master?.stop();
        });

        test("loads its profile from the master's schema, sees a game server's change, writes, is refused",
            async () => {
                const alice = client(master, "alice", ca);
                clients.push(alice);
                const profile = await alice.connect();
                assert.equal(alice.userId, "alice");
                assert.equal(profile.getInt("level"), 1);
                assert.equal(profile.getString("displayName"), "");

                const golds: number[] = [];
                profile.onChange<number>("gold", (gold) => golds.push(gold));
                await gameServerSets(master, "alice", "gold", 500, ca);
                await until(() => profile.getInt("gold") === 500, "the game server's gold to reach the client");
                assert.deepEqual(golds, [500]);

                alice.set("displayName", "Zoë");
                await until(() => alice.pendingBatches === 0 && !profile.isDirty("displayName"), "the ack");
                const refusals: ClientRefusal[] = [];
                alice.onRefusal((r) => refusals.push(r));
                alice.set("displayName", "x".repeat(40));
                await until(() => refusals.length === 1, "the refusal");
                assert.equal(refusals[0]!.property, "displayName");
                assert.equal(profile.getString("displayName"), "Zoë", "back to the master's value");
                assert.throws(() => alice.set("gold", 1), /not client-writable/);

                const again = client(master, "alice", ca);
                clients.push(again);
                assert.equal((await again.connect()).getString("displayName"), "Zoë");
            });

        test("a game server's increments, encoded by this codec, add to the master's value", async () => {
            const dave = client(master, "dave", ca);
            clients.push(dave);
            const profile = await dave.connect();
            await gameServerSets(master, "dave", "gold", 100, ca);
            // Each game server read 100 and adds on top of whatever the master holds when the increment arrives.
            await gameServerChanges(master, "dave", (p) => assert.ok(p.add("gold", 7)), ca);
            await gameServerChanges(master, "dave", (p) => assert.ok(p.subtract("gold", 30, 0)), ca);
            await until(() => profile.getInt("gold") === 77, "both increments to reach the client");
        });

        test("reconnects after the master restarts and sends what was written meanwhile exactly once", async () => {
            const bob = client(master, "bob", ca);
            clients.push(bob);
            const profile = await bob.connect();
            bob.set("displayName", "Bob");
            await until(() => bob.pendingBatches === 0 && !profile.isDirty("displayName"), "the first ack");
            assert.equal(await master.stop(), 0);
            await until(() => bob.state === "disconnected" || bob.state === "connecting", "the drop");
            bob.set("displayName", "Bobby");
            await master.start();
            await until(() => bob.state === "ready" && bob.pendingBatches === 0 && !profile.isDirty("displayName"),
                "the reconnection and resync", 30_000);
            const check = client(master, "bob", ca);
            clients.push(check);
            assert.equal((await check.connect()).getString("displayName"), "Bobby");
        });
    });
}

describe("flush() against the master jar, with an hour's saveProfileDebounce", { skip }, () => {
    test("resolves promptly and only once committed: the write survives a SIGKILL of the master", async () => {
        const master = new MasterJar(jar!, { saveProfileDebounce: "1h" });
        await master.start();
        try {
            const carol = client(master, "carol");
            await carol.connect();
            carol.set("displayName", "Carol");
            const started = Date.now();
            await carol.flush();
            assert.ok(Date.now() - started < 10_000, "not the hour's debounce");
            carol.close();
            // Killed: the master saves nothing on the way out, and this client sends nothing again.
            await master.kill();
            await master.start();
            const again = client(master, "carol");
            assert.equal((await again.connect()).getString("displayName"), "Carol");
            again.close();
        } finally {
            await master.stop();
        }
    });
});
