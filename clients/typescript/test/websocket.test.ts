import { test } from "node:test";
import assert from "node:assert/strict";
import { AddressInfo } from "node:net";
import WebSocket, { WebSocketServer } from "ws";
import { webSocketTransport, WebSocketConstructor } from "../src/transport.js";
import { decodeMessage, encodeMessage } from "../src/messages.js";

const WS = WebSocket as unknown as WebSocketConstructor;

async function server(): Promise<{ wss: WebSocketServer; url: string }> {
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise<void>((resolve) => wss.once("listening", () => resolve()));
    return { wss, url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/profilesync` };
}

test("one message per binary frame, both ways, over node's ws", async () => {
    const { wss, url } = await server();
    try {
        const frames: Buffer[] = [];
        wss.on("connection", (socket) => {
            socket.on("message", (data, isBinary) => {
                assert.ok(isBinary);
                frames.push(data as Buffer);
                socket.send(encodeMessage({ type: "ProfileSnapshot", lastAppliedSeq: 3, push: 1,
                    profile: Uint8Array.of(1) }));
            });
        });
        const received: Uint8Array[] = [];
        await new Promise<void>((resolve) => {
            const transport = webSocketTransport(url, WS)({
                onOpen: () => transport.send(encodeMessage({ type: "ProfileRequest" })),
                onMessage: (bytes) => {
                    received.push(bytes);
                    transport.close();
                },
                onClose: () => resolve(),
            });
        });
        assert.deepEqual([...frames[0]!], [110 + 2]);
        assert.deepEqual(decodeMessage(received[0]!), { type: "ProfileSnapshot", lastAppliedSeq: 3, push: 1,
            profile: Uint8Array.of(1) });
    } finally {
        wss.close();
    }
});

test("a text frame from the master closes the connection", async () => {
    const { wss, url } = await server();
    try {
        wss.on("connection", (socket) => socket.send("hello"));
        const reason = await new Promise<string>((resolve) => {
            webSocketTransport(url, WS)({ onOpen: () => { }, onMessage: () => assert.fail("no message"),
                onClose: resolve });
        });
        assert.match(reason, /text frame/);
    } finally {
        wss.close();
    }
});

test("a refused connection ends in onClose", async () => {
    const { wss, url } = await server();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    const reason = await new Promise<string>((resolve) => {
        webSocketTransport(url, WS)({ onOpen: () => assert.fail("no open"), onMessage: () => { }, onClose: resolve });
    });
    assert.match(reason, /closed/);
});
