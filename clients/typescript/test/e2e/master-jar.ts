/**
 * The real master (profiles-master/target/profiles-master.jar, path in PROFILESYNC_MASTER_JAR) as a separate process
 * for the end-to-end tests: a configuration with the WebSocket endpoint on, H2 in a temporary folder, tokens minted
 * with its token secret. Waits for log lines, never for fixed times.
 */
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const TOKEN_SECRET = "e2e-token-secret-of-at-least-32-characters";
export const GAME_SERVER_SECRET = "e2e-game-server-secret";
/** secrets.adminToken of a master started with {@code admin: true}. */
export const ADMIN_TOKEN = "e2e-admin-token-of-at-least-32-characters";

/** The jar, or null with the reason to skip (a failure under CI=true). */
export function masterJar(): string | null {
    const jar = process.env.PROFILESYNC_MASTER_JAR
        ?? fileURLToPath(new URL("../../../../../profiles-master/target/profiles-master.jar", import.meta.url));
    if (existsSync(jar)) {
        return jar;
    }
    if (process.env.CI === "true") {
        throw new Error(`the master jar ${jar} is missing: mvn -B verify builds it before these tests`);
    }
    return null;
}

export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const port = (server.address() as { port: number }).port;
            server.close(() => resolve(port));
        });
    });
}

/** A token as HmacTokens.mint makes it: v1.<base64url user>.<expiry>.<base64url HMAC-SHA256>. */
export function mintToken(userId: string, ttlSeconds = 3600): string {
    const payload = `v1.${Buffer.from(userId, "utf8").toString("base64url")}.${Math.floor(Date.now() / 1000)
        + ttlSeconds}`;
    return `${payload}.${createHmac("sha256", TOKEN_SECRET).update(payload).digest("base64url")}`;
}

/** A self-signed certificate for 127.0.0.1 and localhost (PEM files), made with the JDK's keytool. */
export function selfSignedPem(dir: string): { certificate: string; privateKey: string; ca: Buffer } {
    const source = fileURLToPath(new URL("../../../test/e2e/SelfSignedPem.java", import.meta.url));
    execFileSync("java", [source, dir], { stdio: "inherit" });
    const certificate = join(dir, "master.crt.pem");
    return { certificate, privateKey: join(dir, "master.key.pem"), ca: readFileSync(certificate) };
}

export interface MasterOptions {
    readonly tls?: { certificate: string; privateKey: string };
    readonly dir?: string;
    readonly tcpPort?: number;
    readonly wsPort?: number;
    /** server.saveProfileDebounce, such as "1h" (default: the master's, 1s). */
    readonly saveProfileDebounce?: string;
    /** The HTTP endpoint with the admin API and console ({@link ADMIN_TOKEN}) on a free port ({@link adminBase}). */
    readonly admin?: boolean;
}

export class MasterJar {
    private process: ChildProcess | null = null;
    private output = "";
    readonly dir: string;
    tcpPort = 0;
    wsPort = 0;
    adminPort = 0;

    constructor(private readonly jar: string, private readonly options: MasterOptions = {}) {
        this.dir = options.dir ?? mkdtempSync(join(tmpdir(), "profilesync-e2e-"));
    }

    get log(): string {
        return this.output;
    }

    get url(): string {
        return `${this.options.tls ? "wss" : "ws"}://${this.options.tls ? "localhost" : "127.0.0.1"}:${this.wsPort}`
            + "/profilesync";
    }

    get httpBase(): string {
        return `${this.options.tls ? "https" : "http"}://127.0.0.1:${this.wsPort}`;
    }

    /** The admin HTTP endpoint (with {@code admin: true}): the API under /admin/, the console on /console. */
    get adminBase(): string {
        return `http://127.0.0.1:${this.adminPort}`;
    }

    async start(): Promise<void> {
        this.tcpPort = this.tcpPort || this.options.tcpPort || await freePort();
        this.wsPort = this.wsPort || this.options.wsPort || await freePort();
        const tls = this.options.tls;
        if (this.options.admin) {
            this.adminPort = this.adminPort || await freePort();
        }
        writeFileSync(join(this.dir, "master.yaml"), [
            "server:",
            "  host: 127.0.0.1",
            `  port: ${this.tcpPort}`,
            "  clientUpdateDebounce: 50ms",
            ...(this.options.saveProfileDebounce ? [`  saveProfileDebounce: ${this.options.saveProfileDebounce}`] : []),
            "database:",
            `  url: "jdbc:h2:${join(this.dir, "profiles")}"`,
            "secrets:",
            `  tokenSecret: "${TOKEN_SECRET}"`,
            `  gameServerSecrets: ["${GAME_SERVER_SECRET}"]`,
            `  file: "${join(this.dir, "secrets.yaml")}"`,
            ...(this.options.admin ? [`  adminToken: "${ADMIN_TOKEN}"`, "metrics:", "  enabled: true",
                "  host: 127.0.0.1", `  port: ${this.adminPort}`] : []),
            "websocket:",
            "  enabled: true",
            "  host: 127.0.0.1",
            `  port: ${this.wsPort}`,
            ...(tls ? [`  certificate: "${tls.certificate}"`, `  privateKey: "${tls.privateKey}"`] : []),
            "",
        ].join("\n"));
        this.output = "";
        const child = spawn("java", ["-jar", this.jar, "serve", "--config", join(this.dir, "master.yaml")],
            { cwd: this.dir, stdio: ["ignore", "pipe", "pipe"] });
        this.process = child;
        child.stdout!.on("data", (d: Buffer) => { this.output += d.toString(); });
        child.stderr!.on("data", (d: Buffer) => { this.output += d.toString(); });
        await this.waitFor(/WebSocket endpoint listening/, 60_000);
        await this.waitFor(/Master listening|listening on/, 60_000);
    }

    /** Resolves once the output has a line matching {@code pattern}. */
    waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<void> {
        return new Promise((resolve, reject) => {
            const started = Date.now();
            const check = (): void => {
                if (pattern.test(this.output)) {
                    resolve();
                } else if (this.process?.exitCode !== null && this.process?.exitCode !== undefined) {
                    reject(new Error(`the master exited (${this.process.exitCode}) before ${pattern}:\n${this.output}`));
                } else if (Date.now() - started > timeoutMs) {
                    reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${this.output}`));
                } else {
                    setTimeout(check, 25);
                }
            };
            check();
        });
    }

    /** SIGKILL, and waits for the exit: nothing is saved on the way out (what was not committed is gone). */
    async kill(): Promise<void> {
        const child = this.process;
        if (!child || child.exitCode !== null) {
            return;
        }
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.kill("SIGKILL");
        await exited;
        this.process = null;
    }

    /** SIGTERM, and waits for the exit (the master saves every profile on the way out). */
    async stop(): Promise<number | null> {
        const child = this.process;
        if (!child || child.exitCode !== null) {
            return child?.exitCode ?? null;
        }
        const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
        child.kill("SIGTERM");
        const code = await exited;
        this.process = null;
        return code;
    }
}

/** Polls {@code condition} every 10 ms until it holds (or fails after {@code timeoutMs}). */
export async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    const started = Date.now();
    while (!condition()) {
        if (Date.now() - started > timeoutMs) {
            throw new Error(`timed out waiting for ${what}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
    }
}
