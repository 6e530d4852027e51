import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import WebSocket from "ws";
import { decodeMessage, encodeMessage, Message, PROTOCOL_VERSION, Role } from "../../src/messages.js";
import { Profile } from "../../src/profile.js";
import { parseSchema } from "../../src/schema.js";
import { GAME_SERVER_SECRET, MasterJar } from "./master-jar.js";

let nextInstance = 0;

/** A game server in a few lines of the same codec: acquires a profile and sends one batch setting one value. */
export async function gameServerSets(master: MasterJar, user: string, name: string, value: number, ca?: Buffer):
    Promise<void> {
    return gameServerChanges(master, user, (profile) => profile.set(name, value), ca);
}

/** A game server in a few lines of the same codec: acquires a profile and sends one batch of {@code change}. */
export async function gameServerChanges(master: MasterJar, user: string, change: (profile: Profile) => void,
    ca?: Buffer): Promise<void> {
    // A new instance each time: the master keeps each writer instance's batch numbers, and every call sends batch 1.
    const instanceId = 77n + BigInt(nextInstance++);
    const ws = new WebSocket(master.url, ca ? { ca } : {});
    const inbox: Message[] = [];
    let wake: (() => void) | null = null;
    ws.on("message", (data: Buffer) => {
        inbox.push(decodeMessage(new Uint8Array(data)));
        wake?.();
    });
    const next = async <T extends Message["type"]>(type: T): Promise<Extract<Message, { type: T }>> => {
        for (;;) {
            const at = inbox.findIndex((m) => m.type === type || m.type === "Refused");
            if (at >= 0) {
                const m = inbox.splice(at, 1)[0]!;
                if (m.type === "Refused" && type !== "Refused") {
                    throw new Error(`refused: ${m.reason}`);
                }
                return m as Extract<Message, { type: T }>;
            }
            await new Promise<void>((resolve) => { wake = resolve; });
        }
    };
    await new Promise((resolve, reject) => { ws.once("open", resolve); ws.once("error", reject); });
    const send = (m: Message) => ws.send(encodeMessage(m));
    // Challenge-response (docs/protocol.md): the secret never travels, an HMAC over the master's nonce does.
    send({ type: "Hello", protocolVersion: PROTOCOL_VERSION, role: Role.GAME_SERVER, instanceId,
        credential: "", schemaFingerprint: "" });
    const challenge = await next("Challenge");
    const instance = Buffer.alloc(8);
    instance.writeBigInt64LE(instanceId);
    const hmac = createHmac("sha256", GAME_SERVER_SECRET).update("profilesync-proof-v2\0").update(challenge.nonce)
        .update(instance).update("").digest();
    send({ type: "Proof", hmac: new Uint8Array(hmac) });
    const welcome = await next("Welcome");
    send({ type: "AcquireProfile", requestId: 1, userId: user });
    const acquired = await next("ProfileAcquired");
    const profile = new Profile(parseSchema(welcome.schemaJson));
    profile.fromBytes(acquired.profile);
    change(profile);
    send({ type: "ServerBatch", seq: 1, entries: [{ handle: acquired.handle, delta: profile.getUpdates() }] });
    const push = await next("ServerPush");
    assert.equal(push.ackSeq, 1);
    send({ type: "ReleaseProfile", handle: acquired.handle });
    ws.close();
}

