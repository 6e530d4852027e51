/**
 * How the client reaches the master, kept apart from the protocol state machine: a transport carries whole
 * messages (one binary WebSocket frame each) and tells its handler what happens. The state machine never sees a
 * socket, so it is tested with an in-memory transport, and a browser and node use the same code.
 */

/** What a transport tells the client. Called on JavaScript's one thread, never re-entrantly from send. */
export interface TransportHandler {
    onOpen(): void;
    /** One whole message (the payload of one binary frame). */
    onMessage(bytes: Uint8Array): void;
    /** The connection ended (or could not be opened); exactly once per transport. */
    onClose(reason: string): void;
}

/** One connection. */
export interface Transport {
    /** Sends one message; only after onOpen. */
    send(bytes: Uint8Array): void;
    /** Closes; onClose follows. Idempotent. */
    close(): void;
    /** Bytes queued and not yet handed to the network (back-pressure), 0 when unknown. */
    readonly bufferedAmount: number;
}

/** Opens one connection for {@code handler}. */
export type TransportFactory = (handler: TransportHandler) => Transport;

/** The part of the WebSocket API (browsers' and the `ws` package's) this client uses. */
export interface WebSocketLike {
    binaryType: string;
    readonly bufferedAmount: number;
    readonly readyState: number;
    onopen: ((event: unknown) => void) | null;
    onmessage: ((event: { data: unknown }) => void) | null;
    onclose: ((event: { code?: number; reason?: string }) => void) | null;
    onerror: ((event: unknown) => void) | null;
    send(data: Uint8Array): void;
    close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/**
 * A transport over WebSocket: {@code ws://host:port/profilesync} or {@code wss://...}. In browsers the global
 * WebSocket is used; in node 20 (which has none by default) pass one, such as the `ws` package's.
 */
export function webSocketTransport(url: string, webSocket?: WebSocketConstructor): TransportFactory {
    const Impl = webSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!Impl) {
        throw new TypeError("no WebSocket here: pass a WebSocket constructor (in node: import WebSocket from 'ws')");
    }
    return (handler) => {
        let closed = false;
        const finish = (reason: string): void => {
            if (!closed) {
                closed = true;
                handler.onClose(reason);
            }
        };
        let socket: WebSocketLike;
        try {
            socket = new Impl(url);
        } catch (e) {
            const reason = `cannot open ${url}: ${(e as Error).message}`;
            queueMicrotask(() => finish(reason));
            return { send() { }, close() { }, bufferedAmount: 0 };
        }
        socket.binaryType = "arraybuffer";
        socket.onopen = () => handler.onOpen();
        socket.onmessage = (event) => {
            if (closed) {
                return;
            }
            const data = event.data;
            if (data instanceof ArrayBuffer) {
                handler.onMessage(new Uint8Array(data));
            } else if (ArrayBuffer.isView(data)) {
                handler.onMessage(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
            } else {
                // The protocol has binary frames only (docs/protocol.md, "WebSocket").
                socket.close(1003, "binary frames only");
                finish("the master sent a text frame");
            }
        };
        socket.onerror = () => { /* onclose follows with the reason */ };
        socket.onclose = (event) => finish(`closed${event.code ? " (" + event.code + ")" : ""}`
            + (event.reason ? ": " + event.reason : ""));
        return {
            send(bytes: Uint8Array) {
                if (!closed && socket.readyState === 1) {
                    socket.send(bytes);
                }
            },
            close() {
                if (!closed) {
                    socket.close(1000, "closed by the client");
                    finish("closed by the client");
                }
            },
            get bufferedAmount() {
                return socket.bufferedAmount;
            },
        };
    };
}
