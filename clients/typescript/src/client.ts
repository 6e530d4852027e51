/**
 * ProfilesClient: a player's own profile, live. It connects with a token, builds its profile from the schema the
 * master sends in Welcome (the client's view), loads it, tells listeners of every change, sends the player's writes
 * of client-writable properties, reports the master's refusals, and reconnects with backoff after a drop,
 * resynchronizing without losing or doubling a write (docs/protocol.md, "Reconnection and exactly-once").
 *
 * The state machine here touches no socket and no global timer: it is driven by a {@link TransportFactory} and a
 * {@link Clock}, so tests run it in memory under virtual time. Threading: JavaScript's one thread; every listener is
 * called synchronously from the event (message, timer) that caused it.
 */
import { Profile, PropertyValue } from "./profile.js";
import { decodeMessage, encodeMessage, Message, PROTOCOL_VERSION, RefusalCode, Role } from "./messages.js";
import { parseSchema, SchemaError } from "./schema.js";
import { ProfileFormatError } from "./codec/bytes.js";
import { Replica } from "./replica.js";
import { Transport, TransportFactory } from "./transport.js";

/** Timers, injectable for tests. */
export interface Clock {
    setTimeout(task: () => void, delayMs: number): unknown;
    clearTimeout(handle: unknown): void;
}

const REAL_CLOCK: Clock = {
    setTimeout: (task, delayMs) => globalThis.setTimeout(task, delayMs),
    clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};

export type ClientState = "connecting" | "loading" | "ready" | "disconnected" | "failed" | "closed";

/** A change of the player's the master refused (or one too large to send); the copy is back at the master's value. */
export interface ClientRefusal {
    readonly seq: number;
    /** The property, or "" when not known. */
    readonly property: string;
    readonly reason: string;
}

export interface ProfilesClientOptions {
    /** How to reach the master, e.g. {@code webSocketTransport("wss://game.example/profilesync")}. */
    readonly transport: TransportFactory;
    /** The player's token (signed by the master's token secret). */
    readonly token: string;
    /** How often local changes are sent, in ms (default 100). */
    readonly updateIntervalMs?: number;
    /** How long to wait for Welcome and the profile after connecting, in ms (default 5000). */
    readonly connectTimeoutMs?: number;
    /** Reconnection delays: initial (200 ms) doubling to max (5 s), ± jitter (0.2). */
    readonly backoff?: { readonly initialMs: number; readonly maxMs: number; readonly jitter: number };
    /** A schema fingerprint (hex) the client was built for; the master refuses another. Default: none. */
    readonly schemaFingerprint?: string;
    readonly clock?: Clock;
    /** Random numbers in [0, 1), for the jitter and the instance id. */
    readonly random?: () => number;
}

/** Thrown by connect() when the master refuses the client for good (version, token, schema). */
export class RefusedError extends Error {
    constructor(readonly code: RefusalCode, reason: string) {
        super(`refused by the master (${RefusalCode[code] ?? code}): ${reason}`);
        this.name = "RefusedError";
    }
}

/**
 * A flush() that cannot be kept: the client was closed, or refused for good, before the master said the changes
 * are committed to its database (they may still be; this client can no longer learn it). As profiles-core's
 * NotDurableException with reason STOPPED.
 */
export class NotDurableError extends Error {
    constructor(reason: string) {
        super(`not known to be durable: ${reason}`);
        this.name = "NotDurableError";
    }
}

/** A flush() waiting for batch {@code seq} to be durable; seq 0 while its changes are in no batch yet. */
interface WaitingFlush {
    seq: number;
    readonly resolve: () => void;
    readonly reject: (e: Error) => void;
}

/** The delay before reconnection attempt {@code attempt}, as profiles-core's ReconnectBackoff computes it. */
export function backoffDelayMs(backoff: { initialMs: number; maxMs: number; jitter: number }, attempt: number,
    random: number): number {
    let delay = backoff.initialMs;
    for (let i = 0; i < attempt && delay < backoff.maxMs; i++) {
        delay *= 2;
    }
    delay = Math.min(delay, backoff.maxMs);
    return Math.max(1, Math.round(delay * (1 + backoff.jitter * (2 * random - 1))));
}

export class ProfilesClient {
    private readonly clock: Clock;
    private readonly random: () => number;
    private readonly updateIntervalMs: number;
    private readonly connectTimeoutMs: number;
    private readonly backoff: { initialMs: number; maxMs: number; jitter: number };
    /** Drawn once: the master applies each (instanceId, seq) once across reconnections. */
    readonly instanceId: bigint;

    private transport: Transport | null = null;
    private currentState: ClientState = "disconnected";
    private replica: Replica | null = null;
    private schemaJson: string | null = null;
    private userIdValue = "";
    private maxUpdateSize = 0;
    private lastSeq = 0;
    /** The highest batch the master said is durable. */
    private durableSeq = 0;
    private flushes: WaitingFlush[] = [];
    /** The highest seq a Flush named on the current connection (0: none yet). */
    private flushAsked = 0;
    private attempt = 0;
    private tickTimer: unknown = null;
    private reconnectTimer: unknown = null;
    private handshakeTimer: unknown = null;
    private readonly stateListeners: ((state: ClientState) => void)[] = [];
    private readonly refusalListeners: ((refusal: ClientRefusal) => void)[] = [];
    private readonly readyListeners: ((profile: Profile) => void)[] = [];
    private firstLoad: { resolve: (p: Profile) => void; reject: (e: Error) => void } | null = null;
    private failure: Error | null = null;
    private closedByUser = false;

    constructor(private readonly options: ProfilesClientOptions) {
        if (!options.token) {
            throw new TypeError("token is required: a client authenticates with the token its game issued");
        }
        this.clock = options.clock ?? REAL_CLOCK;
        this.random = options.random ?? Math.random;
        this.updateIntervalMs = options.updateIntervalMs ?? 100;
        this.connectTimeoutMs = options.connectTimeoutMs ?? 5000;
        this.backoff = { initialMs: 200, maxMs: 5000, jitter: 0.2, ...options.backoff };
        const high = BigInt(Math.floor(this.random() * 0x1_0000_0000));
        const low = BigInt(Math.floor(this.random() * 0x1_0000_0000));
        this.instanceId = BigInt.asIntN(64, (high << 32n) | low);
    }

    get state(): ClientState {
        return this.currentState;
    }

    /** The authenticated user (known after the first Welcome). */
    get userId(): string {
        return this.userIdValue;
    }

    /** The player's profile; throws until the first load completed. */
    get profile(): Profile {
        if (!this.replica) {
            throw new Error("the profile is not loaded yet: await connect() first");
        }
        return this.replica.visible;
    }

    /** How many of the player's batches await the master's acknowledgement. */
    get pendingBatches(): number {
        return this.replica?.pendingBatches ?? 0;
    }

    /** Connects and resolves with the profile once it is loaded; rejects when the master refuses for good. */
    connect(): Promise<Profile> {
        if (this.replica && this.currentState === "ready") {
            return Promise.resolve(this.replica.visible);
        }
        if (this.failure) {
            return Promise.reject(this.failure);
        }
        const loaded = new Promise<Profile>((resolve, reject) => {
            const previous = this.firstLoad;
            this.firstLoad = {
                resolve: (p) => { previous?.resolve(p); resolve(p); },
                reject: (e) => { previous?.reject(e); reject(e); },
            };
        });
        if (this.currentState === "disconnected" && this.transport === null && this.reconnectTimer === null) {
            this.closedByUser = false;
            this.open();
        }
        return loaded;
    }

    /** Sets a client-writable property (see Profile.set for the types); sent at the next update tick. */
    set(name: string, value: unknown): void {
        this.profile.set(name, value);
    }

    /** Typed reading, for convenience: the same as profile.get. */
    get(name: string): PropertyValue {
        return this.profile.get(name);
    }

    /**
     * Resolves once everything the player wrote before the call is committed to the master's database: the unsent
     * changes go now (not at the next tick) and the master is asked (a Flush message) to save the profile at once
     * rather than after its saveProfileDebounce. Changes made after the call are not waited for. It stays pending
     * while the connection is down (the changes and the request go again to the next master) and while the master's
     * database is down; it rejects with {@link NotDurableError} when the client is closed or refused for good first.
     * Resolves at once when the profile was never loaded (nothing was written). Called back from the push (or the
     * close) that settles it.
     */
    flush(): Promise<void> {
        if (this.failure || this.closedByUser) {
            return Promise.reject(new NotDurableError("the client is " + (this.failure ? "refused" : "closed")));
        }
        const replica = this.replica;
        if (!replica) {
            return Promise.resolve();
        }
        if (this.currentState === "ready") {
            this.tick();
        }
        const unsent = replica.hasUnsentChanges;
        const seq = unsent ? 0 : replica.lastPendingSeq;
        if (!unsent && seq <= this.durableSeq) {
            return Promise.resolve();
        }
        const done = new Promise<void>((resolve, reject) => this.flushes.push({ seq, resolve, reject }));
        this.askFlush();
        return done;
    }

    /** Listens to the connection state; returns the remover. */
    onState(listener: (state: ClientState) => void): () => void {
        return add(this.stateListeners, listener);
    }

    /** Listens to refusals of the player's changes; returns the remover. */
    onRefusal(listener: (refusal: ClientRefusal) => void): () => void {
        return add(this.refusalListeners, listener);
    }

    /** Called each time the profile is (re)loaded: after the first load and after every resynchronization. */
    onReady(listener: (profile: Profile) => void): () => void {
        return add(this.readyListeners, listener);
    }

    /** Sends what is unsent (best effort), closes and stops reconnecting. */
    close(): void {
        if (this.currentState === "ready") {
            this.tick();
        }
        this.closedByUser = true;
        this.stopTimers();
        const transport = this.transport;
        this.transport = null;
        transport?.close();
        this.setState("closed");
        this.firstLoad?.reject(new Error("the client was closed before its profile was loaded"));
        this.firstLoad = null;
        this.failFlushes("the client was closed before the master said its changes are committed");
    }

    // ---------------------------------------------------------------- connection

    private open(): void {
        this.reconnectTimer = null;
        this.flushAsked = 0;
        this.setState("connecting");
        let transport: Transport | null = null;
        const owns = () => this.transport === transport && transport !== null;
        transport = this.options.transport({
            onOpen: () => {
                if (!owns()) {
                    return;
                }
                this.send({
                    type: "Hello", protocolVersion: PROTOCOL_VERSION, role: Role.CLIENT,
                    instanceId: this.instanceId, credential: this.options.token,
                    schemaFingerprint: this.options.schemaFingerprint ?? "",
                });
            },
            onMessage: (bytes) => {
                if (owns()) {
                    this.receive(bytes);
                }
            },
            onClose: () => {
                if (owns()) {
                    this.dropped();
                }
            },
        });
        this.transport = transport;
        this.handshakeTimer = this.clock.setTimeout(() => {
            this.handshakeTimer = null;
            if (this.currentState !== "ready") {
                this.transport?.close();
            }
        }, this.connectTimeoutMs);
    }

    private dropped(): void {
        this.transport = null;
        this.stopTimers();
        if (this.closedByUser || this.failure) {
            return;
        }
        this.setState("disconnected");
        const delay = backoffDelayMs(this.backoff, this.attempt++, this.random());
        this.reconnectTimer = this.clock.setTimeout(() => this.open(), delay);
    }

    private fail(error: Error): void {
        this.failure = error;
        this.stopTimers();
        const transport = this.transport;
        this.transport = null;
        transport?.close();
        this.setState("failed");
        this.firstLoad?.reject(error);
        this.firstLoad = null;
        this.failFlushes(`the master refused the client for good (${error.message})`);
    }

    private stopTimers(): void {
        for (const timer of [this.tickTimer, this.reconnectTimer, this.handshakeTimer]) {
            if (timer !== null) {
                this.clock.clearTimeout(timer);
            }
        }
        this.tickTimer = null;
        this.reconnectTimer = null;
        this.handshakeTimer = null;
    }

    private send(message: Message): void {
        this.transport?.send(encodeMessage(message));
    }

    private receive(bytes: Uint8Array): void {
        let message: Message;
        try {
            message = decodeMessage(bytes);
        } catch {
            // A malformed message: drop the connection and resynchronize from a fresh snapshot.
            this.transport?.close();
            return;
        }
        try {
            this.handle(message);
        } catch (e) {
            if (!(e instanceof ProfileFormatError) && !(e instanceof SchemaError)) {
                throw e;
            }
            // A push that does not apply to this copy (which is untouched), or a schema this client cannot read:
            // reload over a new connection.
            this.transport?.close();
        }
    }

    private handle(message: Message): void {
        switch (message.type) {
            case "Welcome":
                return this.onWelcome(message.userId, message.schemaJson, message.maxUpdateSize);
            case "Refused":
                return this.onRefused(message.code, message.reason);
            case "ProfileSnapshot":
                return this.onSnapshot(message.profile, message.lastAppliedSeq, message.push);
            case "AcquireFailed":
                if (this.currentState === "loading") {
                    if (!this.replica) {
                        this.firstLoad?.reject(new Error(`the master could not load the profile: ${message.reason}`));
                        this.firstLoad = null;
                    }
                    this.tellRefusal({ seq: 0, property: "", reason: message.reason });
                    this.transport?.close();
                }
                return;
            case "ClientPush":
                if (this.currentState === "ready" && this.replica) {
                    this.replica.onPush(message.delta.length === 0 ? null : message.delta, message.ackSeq,
                        message.durableSeq);
                    this.durableSeq = Math.max(this.durableSeq, message.durableSeq);
                    for (const r of message.refusals) {
                        this.tellRefusal({ seq: r.seq, property: r.property, reason: r.reason });
                    }
                    this.completeFlushes();
                }
                return;
            default:
                // Messages for game servers, or before the welcome: ignored (docs/protocol.md, "Handshake").
                return;
        }
    }

    private onWelcome(userId: string, schemaJson: string, maxUpdateSize: number): void {
        if (this.currentState !== "connecting") {
            return;
        }
        if (this.replica && this.schemaJson !== schemaJson) {
            const before = this.replica.visible.fingerprint.join();
            const after = new Profile(parseSchema(schemaJson)).fingerprint.join();
            if (before !== after) {
                this.fail(new RefusedError(RefusalCode.SCHEMA_MISMATCH, "the master came back with another schema; "
                    + "this client's profile cannot read its layout"));
                return;
            }
        }
        this.schemaJson = schemaJson;
        this.userIdValue = userId;
        this.maxUpdateSize = maxUpdateSize;
        this.setState("loading");
        this.send({ type: "ProfileRequest" });
    }

    private onRefused(code: number, reason: string): void {
        if (code === RefusalCode.PROTOCOL_VERSION || code === RefusalCode.AUTHENTICATION
            || code === RefusalCode.SCHEMA_MISMATCH) {
            this.fail(new RefusedError(code, reason));
        } else {
            this.transport?.close();
        }
    }

    private onSnapshot(profile: Uint8Array, lastAppliedSeq: number, push: number): void {
        if (this.currentState !== "loading") {
            return;
        }
        if (!this.replica) {
            const visible = new Profile(parseSchema(this.schemaJson!));
            visible.writeGuard = (definition) => {
                if (!definition.clientWritable) {
                    throw new TypeError(`property '${definition.name}' is not client-writable; only the master and `
                        + "game servers change it (schema: clientWritable)");
                }
            };
            this.replica = new Replica(visible, profile, push);
        } else {
            this.replica.onSnapshot(profile, lastAppliedSeq, push);
            // The batches not yet durable go again, with their original numbers (a restarted master skips those
            // its database holds) and the base they were made on (0 when the snapshot renumbered the pushes: a new
            // master does not know them).
            for (const batch of this.replica.unacknowledged()) {
                this.send({ type: "ClientUpdate", seq: batch.seq, base: batch.basePush,
                    overlay: batch.basePush > 0 ? batch.overlay : 0, delta: batch.delta });
            }
        }

        if (this.handshakeTimer !== null) {
            this.clock.clearTimeout(this.handshakeTimer);
            this.handshakeTimer = null;
        }
        this.attempt = 0;
        this.setState("ready");
        // A flush still waiting asks this master too (after the batches sent again): the one it asked may have gone
        // before saving.
        this.askFlush();
        const replica = this.replica;
        this.firstLoad?.resolve(replica.visible);
        this.firstLoad = null;
        for (const listener of [...this.readyListeners]) {
            listener(replica.visible);
        }
        this.scheduleTick();
    }

    // ---------------------------------------------------------------- the tick

    private scheduleTick(): void {
        this.tickTimer = this.clock.setTimeout(() => {
            this.tickTimer = null;
            if (this.currentState === "ready") {
                this.tick();
                this.scheduleTick();
            }
        }, this.updateIntervalMs);
    }

    private tick(): void {
        const replica = this.replica;
        if (!replica || !replica.hasUnsentChanges) {
            return;
        }
        // Changes set apart (list edits by index made before a push changed the view) go first, each in a batch of
        // its own with the base it was made on, before the changes made since.
        for (let next = replica.nextQueued(); next !== null; next = replica.nextQueued()) {
            if (this.tooLarge(next.delta.length)) {
                replica.dropQueued();
                this.droppedTooLarge(replica, next.delta.length);
                continue;
            }
            const batch = replica.takeQueued(++this.lastSeq)!;
            this.sendBatch(batch);
            if (!replica.hasUnsentChanges) {
                this.flushesBatched(batch.seq); // a flush waits for the last of the changes made before it
            }
        }
        if (replica.visible.hasUpdates()) {
            const delta = replica.visible.getUpdates();
            if (this.tooLarge(delta.length)) {
                replica.discardUnsent();
                this.droppedTooLarge(replica, delta.length);
            } else {
                const batch = replica.takeChanges(++this.lastSeq)!;
                this.sendBatch(batch);
                this.flushesBatched(batch.seq);
            }
        }
        this.completeFlushes();
        this.askFlush();
    }

    private tooLarge(length: number): boolean {
        return this.maxUpdateSize > 0 && length > this.maxUpdateSize;
    }

    private sendBatch(batch: { seq: number; base: number; overlay: number; delta: Uint8Array }): void {
        this.send({ type: "ClientUpdate", seq: batch.seq, base: batch.base, overlay: batch.overlay,
            delta: batch.delta });
    }

    /** Changes too large to send were dropped: told as a refusal; flushes waiting for them wait for what went before. */
    private droppedTooLarge(replica: Replica, length: number): void {
        this.tellRefusal({ seq: 0, property: "", reason: `the changes of one interval take ${length} `
            + `bytes, more than the master accepts (${this.maxUpdateSize}); they were dropped` });
        if (!replica.hasUnsentChanges) {
            // -1: nothing went before, done now.
            this.flushesBatched(replica.lastPendingSeq > 0 ? replica.lastPendingSeq : -1);
        }
    }

    // ---------------------------------------------------------------- flushes

    private flushesBatched(seq: number): void {
        for (const flush of this.flushes) {
            if (flush.seq === 0) {
                flush.seq = seq;
            }
        }
    }

    /** Sends the Flush a waiting flush needs and this connection has not had yet (after the batch it names). */
    private askFlush(): void {
        if (this.currentState !== "ready") {
            return;
        }
        const highest = Math.max(0, ...this.flushes.map((flush) => flush.seq));
        if (highest > this.flushAsked && highest > this.durableSeq) {
            this.flushAsked = highest;
            this.send({ type: "Flush", seq: highest });
        }
    }

    private completeFlushes(): void {
        const done = this.flushes.filter((flush) => flush.seq !== 0 && flush.seq <= this.durableSeq);
        this.flushes = this.flushes.filter((flush) => !done.includes(flush));
        for (const flush of done) {
            flush.resolve();
        }
    }

    private failFlushes(reason: string): void {
        const failed = this.flushes;
        this.flushes = [];
        for (const flush of failed) {
            flush.reject(new NotDurableError(reason));
        }
    }

    private tellRefusal(refusal: ClientRefusal): void {
        for (const listener of [...this.refusalListeners]) {
            listener(refusal);
        }
    }

    private setState(state: ClientState): void {
        if (this.currentState === state) {
            return;
        }
        this.currentState = state;
        for (const listener of [...this.stateListeners]) {
            listener(state);
        }
    }
}

function add<T>(list: T[], item: T): () => void {
    list.push(item);
    return () => {
        const at = list.indexOf(item);
        if (at >= 0) {
            list.splice(at, 1);
        }
    };
}
