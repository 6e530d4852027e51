/**
 * An in-memory master for the client's state machine: scripted by the test, speaking real message bytes, with
 * virtual time. Not a master: it answers what each test tells it to.
 */
import { decodeMessage, encodeMessage, Message } from "../src/messages.js";
import { Clock } from "../src/client.js";
import { Transport, TransportFactory, TransportHandler } from "../src/transport.js";

/** Timers that run only when the test advances time. */
export class VirtualClock implements Clock {
    now = 0;
    private nextId = 1;
    private readonly tasks = new Map<number, { at: number; task: () => void }>();

    setTimeout(task: () => void, delayMs: number): unknown {
        const id = this.nextId++;
        this.tasks.set(id, { at: this.now + delayMs, task });
        return id;
    }

    clearTimeout(handle: unknown): void {
        this.tasks.delete(handle as number);
    }

    /** Runs every task due within {@code ms}, in time order. */
    advance(ms: number): void {
        const end = this.now + ms;
        for (;;) {
            let next: [number, { at: number; task: () => void }] | undefined;
            for (const entry of this.tasks) {
                if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) {
                    next = entry;
                }
            }
            if (!next) {
                break;
            }
            this.tasks.delete(next[0]);
            this.now = next[1].at;
            next[1].task();
        }
        this.now = end;
    }
}

export class FakeConnection {
    readonly received: Message[] = [];
    open = true;

    constructor(private readonly handler: TransportHandler) {
    }

    send(message: Message): void {
        this.handler.onMessage(encodeMessage(message));
    }

    sendRaw(bytes: Uint8Array): void {
        this.handler.onMessage(bytes);
    }

    drop(): void {
        if (this.open) {
            this.open = false;
            this.handler.onClose("dropped by the fake master");
        }
    }

    /** The messages of a type the client sent, in order. */
    sent<T extends Message["type"]>(type: T): Extract<Message, { type: T }>[] {
        return this.received.filter((m) => m.type === type) as Extract<Message, { type: T }>[];
    }
}

export class FakeMaster {
    readonly connections: FakeConnection[] = [];
    /** Whether a new connection opens (else it fails at once). */
    accepting = true;
    onConnection: (c: FakeConnection) => void = () => { };

    readonly transport: TransportFactory = (handler) => {
        const connection = new FakeConnection(handler);
        this.connections.push(connection);
        const transport: Transport = {
            send: (bytes) => {
                if (connection.open) {
                    connection.received.push(decodeMessage(bytes));
                }
            },
            close: () => connection.drop(),
            bufferedAmount: 0,
        };
        queueMicrotask(() => {
            if (this.accepting) {
                handler.onOpen();
                this.onConnection(connection);
            } else {
                connection.drop();
            }
        });
        return transport;
    };

    get last(): FakeConnection {
        return this.connections[this.connections.length - 1]!;
    }
}

export const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
