/**
 * The browser pages in a real headless Chromium (Debian's package, driven by playwright-core) against the real
 * master jar: the demo page shows a player's profile live and renames them; the admin console shows counts and
 * peers, watches a profile and edits it.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { chromium, BrowserContext } from "playwright-core";
import { ProfilesClient } from "../src/client.js";
import { webSocketTransport, WebSocketConstructor } from "../src/transport.js";
import { ADMIN_TOKEN, MasterJar, masterJar, mintToken } from "./e2e/master-jar.js";
import { gameServerSets } from "./e2e/game-server.js";

const CHROMIUM = "/usr/bin/chromium";
const jar = masterJar();
if (!existsSync(CHROMIUM) && process.env.CI === "true") {
    throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium package`);
}
const skip = jar === null ? "the master jar is not built (mvn -B verify builds it first)"
    : !existsSync(CHROMIUM) ? `no ${CHROMIUM} (apt-get install chromium)` : false;

/** Headless Chromium with a fresh profile folder each run (playwright passes it as --user-data-dir). */
function launchChromium(): Promise<BrowserContext> {
    return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "chromium-")), {
        executablePath: CHROMIUM,
        headless: true,
        acceptDownloads: true,
        args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
}

describe("the demo page in Chromium against the master jar", { skip }, () => {
    let master: MasterJar;
    let browser: BrowserContext;

    before(async () => {
        master = new MasterJar(jar!);
        await master.start();
        browser = await launchChromium();
    });

    after(async () => {
        await browser?.close();
        await master?.stop();
    });

    test("a player sees their profile live and renames themselves", async () => {
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on("pageerror", (e) => errors.push(e.message));
        await page.goto(`${master.httpBase}/?token=${encodeURIComponent(mintToken("carol"))}`);
        await page.waitForFunction(() => document.getElementById("status")?.textContent === "ready");
        assert.equal(await page.textContent("#user"), "carol");
        assert.equal(await page.textContent("#value-level"), "1");

        await gameServerSets(master, "carol", "gold", 700);
        await page.waitForFunction(() => document.getElementById("value-gold")?.textContent === "700");

        await page.fill("#name", "Carol the Bold");
        await page.click("#save");
        await page.waitForFunction(() => document.getElementById("value-displayName")?.textContent
            === "Carol the Bold");
        // Another holder of the profile, loaded from the master, has the new name.
        await new Promise((resolve) => setTimeout(resolve, 0));
        const check = new ProfilesClient({ transport: webSocketTransport(master.url,
            WebSocket as unknown as WebSocketConstructor), token: mintToken("carol") });
        try {
            const started = Date.now();
            let name = "";
            while (Date.now() - started < 20_000) {
                name = (await check.connect()).getString("displayName");
                if (name === "Carol the Bold") {
                    break;
                }
                await new Promise((resolve) => setTimeout(resolve, 50));
            }
            assert.equal(name, "Carol the Bold");
        } finally {
            check.close();
        }

        await page.fill("#name", "x".repeat(40));
        await page.click("#save");
        await page.waitForFunction(() => (document.getElementById("refusals")?.textContent ?? "")
            .includes("displayName"));
        await page.waitForFunction(() => document.getElementById("value-displayName")?.textContent
            === "Carol the Bold");
        await page.screenshot({ path: join(master.dir, "demo-page.png"), fullPage: true });
        console.log(`screenshot: ${join(master.dir, "demo-page.png")}`);
        assert.deepEqual(errors, []);
        await page.close();
    });
});

describe("the admin console in Chromium against the master jar", { skip }, () => {
    let master: MasterJar;
    let browser: BrowserContext;
    let player: ProfilesClient;

    before(async () => {
        master = new MasterJar(jar!, { admin: true });
        await master.start();
        browser = await launchChromium();
        // A connected peer for the console to list, which must also be pushed the console's edit.
        player = new ProfilesClient({ transport: webSocketTransport(master.url,
            WebSocket as unknown as WebSocketConstructor), token: mintToken("dora") });
        const profile = await player.connect();
        profile.set("displayName", "Dora");
        await player.flush();
        // Shown once stored: the master saves a changed profile within server.saveProfileDebounce (1 s).
        const started = Date.now();
        while ((await fetch(`${master.adminBase}/admin/profiles/dora?source=stored`,
            { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } })).status !== 200) {
            assert.ok(Date.now() - started < 20_000, "dora's profile was not saved within 20 s");
            await new Promise((resolve) => setTimeout(resolve, 50));
        }
    });

    after(async () => {
        player?.close();
        await browser?.close();
        await master?.stop();
    });

    test("a wrong token is refused in the page, the right one shows counts and peers", async () => {
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on("pageerror", (e) => errors.push(e.message));
        await page.goto(`${master.adminBase}/console`);
        await page.fill("#token", "not-the-admin-token");
        await page.fill("#operator", "ops-ann");
        await page.click("#connect");
        await page.waitForFunction(() => (document.getElementById("error")?.textContent ?? "")
            .includes("refused the admin token (401)"));
        assert.equal(await page.isVisible("#sign-in"), true);
        assert.equal(await page.isVisible("#console"), false);
        assert.equal(await page.evaluate(() => sessionStorage.getItem("profilesync.adminToken")), null);
        assert.ok(!page.url().includes("token"), page.url());

        await page.fill("#token", ADMIN_TOKEN);
        await page.click("#connect");
        await page.waitForFunction(() => document.getElementById("count-clients")?.textContent === "1");
        assert.equal(await page.isVisible("#error"), false);
        assert.equal(await page.textContent("#count-databaseAvailable"), "up");
        await page.waitForFunction(() => (document.querySelector("#peers tbody")?.textContent ?? "")
            .includes("dora"));
        assert.match(await page.textContent("#peers tbody") ?? "", /client\s*dora\s*127\.0\.0\.1:\d+/);
        assert.ok(!page.url().includes(ADMIN_TOKEN), "the token is never in the address");
        assert.deepEqual(errors, []);
        await page.close();
    });

    test("looks a profile up, watches it change, edits it (pushed to the player, logged) and exports", async () => {
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on("pageerror", (e) => errors.push(e.message));
        await page.goto(`${master.adminBase}/console`);
        await page.fill("#token", ADMIN_TOKEN);
        await page.fill("#operator", "ops-ann");
        await page.click("#connect");
        await page.waitForFunction(() => document.getElementById("status")?.textContent === "watching");

        await page.fill("#user", "dora");
        await page.selectOption("#source", "stored");
        await page.click("#show");
        await page.waitForFunction(() => document.getElementById("value-displayName")?.textContent === "Dora");
        assert.match(await page.textContent("#shown-source") ?? "", /^stored, saved /);
        assert.equal(await page.isVisible("#edit"), false, "edits go to the live profile only");

        await page.selectOption("#source", "live");
        await page.click("#show");
        await page.waitForFunction(() => document.getElementById("shown-source")?.textContent
            === "live on the master");

        // A change made elsewhere (a game server) shows up by itself, marked and listed.
        await gameServerSets(master, "dora", "level", 7);
        await page.waitForFunction(() => document.getElementById("value-level")?.textContent === "7");
        await page.waitForFunction(() => (document.getElementById("changes")?.textContent ?? "")
            .includes("dora.level = 7"));

        // A bad value is refused with the master's reason, and nothing changes.
        await page.selectOption("#edit-property", "level");
        await page.fill("#edit-value", "150");
        await page.click("#edit-save");
        await page.waitForFunction(() => (document.getElementById("error")?.textContent ?? "")
            .includes("above the maximum 100"));
        assert.match(await page.textContent("#error") ?? "", /^Edit refused \(400\): refused 150 for 'level'/);

        const pushed = new Promise<number>((resolve) => {
            const profile = player.profile;
            profile.onAnyChange((name, value) => {
                if (name === "gold") {
                    resolve(value as number);
                }
            });
        });
        await page.selectOption("#edit-property", "gold");
        assert.equal(await page.inputValue("#edit-value"), "0", "the editor starts from the value shown");
        await page.fill("#edit-value", "4242");
        await page.click("#edit-save");
        await page.waitForFunction(() => document.getElementById("value-gold")?.textContent === "4242");
        assert.equal(await page.textContent("#edit-result"), "set gold to 4242 (was 0)");
        assert.equal(await page.isVisible("#error"), false);
        assert.equal(await pushed, 4242, "the connected player is pushed the console's edit");
        await master.waitFor(/Admin edit by operator 'ops-ann' from \/127\.0\.0\.1:\d+: dora\.gold = 4242 \(was 0\)/);

        const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export-user")]);
        assert.equal(download.suggestedFilename(), "dora.json");
        const exported = JSON.parse(readFileSync((await download.path())!, "utf8"));
        assert.equal(exported.data.gold, 4242);
        const [all] = await Promise.all([page.waitForEvent("download"), page.click("#export-all")]);
        assert.equal(all.suggestedFilename(), "profiles.jsonl");
        assert.match(readFileSync((await all.path())!, "utf8"), /"userId":"dora"/);

        await page.screenshot({ path: join(master.dir, "admin-console.png"), fullPage: true });
        console.log(`screenshot: ${join(master.dir, "admin-console.png")}`);
        assert.deepEqual(errors, []);
        await page.close();
    });
});
