// A meeting participant as a real person would be: headless Chromium running
// the stock Janus demo pages (videoroomtest.html + textroomtest.html), with
// its own fake microphone tone. Reusable by any browser e2e test:
//
//   import { Participant, demosUp } from "./participant.mjs";
//   const p = await Participant.launch({ name: "anna", tone: 660, dir, base });
//   await p.joinVideo(2001, "anna");      // publishes audio (tone) + fake video
//   await p.joinChat(2001, "Anna B.");     // TextRoom, display name as typed
//   await p.say("nej");                    // public message, typed + Enter
//   await p.whisper("recgate", "nej");     // private, through the page's list
//   const lines = await p.chat();          // chat DOM, one string per line
//   await p.leaveVideo(); await p.joinVideo(2001, "anna"); // tab close, reopen
//   p.kill();                              // SIGKILL the whole browser
//   await p.close();
//
// base is the URL the demo pages are served from (tests/e2e/browser/lib.sh
// serves them with nginx and a patched settings.js). Everything must run in a
// network namespace with only loopback: the flags below make Chromium offer
// 127.0.0.1 host candidates, which is all Janus gets there.
import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
function loadPuppeteer() {
    const dirs = [process.env.NPM_DIR, join(process.cwd(), ".deps/npm"),
                  new URL("../../../.deps/npm", import.meta.url).pathname].filter(Boolean);
    for (const d of dirs) {
        try { return require(join(d, "node_modules/puppeteer-core")); } catch { /* next */ }
    }
    throw new Error("puppeteer-core is not installed (make deps)");
}
const puppeteer = loadPuppeteer();

const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
// Every wait is generous and scaled: a shared, loaded machine can take tens
// of seconds to load a page (TIMEOUT_SCALE, default 3).
const SCALE = Number(process.env.TIMEOUT_SCALE || 3);
const ms = (n) => n * SCALE;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A mono 16-bit 48 kHz sine of HZ hertz, SECONDS long (Chromium loops it).
export function writeTone(file, hz, seconds = 30) {
    const rate = 48000, n = rate * seconds, data = Buffer.alloc(n * 2);
    for (let i = 0; i < n; i++)
        data.writeInt16LE(Math.round(12000 * Math.sin(2 * Math.PI * hz * i / rate)), i * 2);
    const h = Buffer.alloc(44);
    h.write("RIFF", 0); h.writeUInt32LE(36 + data.length, 4); h.write("WAVE", 8);
    h.write("fmt ", 12); h.writeUInt32LE(16, 16); h.writeUInt16LE(1, 20);
    h.writeUInt16LE(1, 22); h.writeUInt32LE(rate, 24); h.writeUInt32LE(rate * 2, 28);
    h.writeUInt16LE(2, 32); h.writeUInt16LE(16, 34); h.write("data", 36);
    h.writeUInt32LE(data.length, 40);
    writeFileSync(file, Buffer.concat([h, data]));
}

// Wait until fn() returns a truthy value (polling), or throw WHAT after ms.
async function until(fn, ms, what) {
    const end = Date.now() + ms;
    for (;;) {
        const v = await fn();
        if (v) return v;
        if (Date.now() > end) throw new Error(`timed out: ${what}`);
        await sleep(150);
    }
}

export class Participant {
    // opts: name (label, also the default display name), tone (Hz),
    // dir (scratch folder), base (demo pages URL), log (function or null).
    constructor(opts) {
        this.name = opts.name;
        this.tone = opts.tone;
        this.dir = opts.dir;
        this.base = opts.base.replace(/\/$/, "");
        this.logf = opts.log || null;
        this.browser = null;
        this.video = null;   // Page of videoroomtest.html
        this.text = null;    // Page of textroomtest.html
        this.console = [];   // page console lines (for failure reports)
    }

    static async launch(opts) {
        const p = new Participant(opts);
        await p.start();
        return p;
    }

    log(msg) { if (this.logf) this.logf(`[${this.name}] ${msg}`); }

    async start() {
        mkdirSync(this.dir, { recursive: true });
        const wav = join(this.dir, `tone-${this.tone}.wav`);
        writeTone(wav, this.tone);
        this.browser = await puppeteer.launch({
            executablePath: CHROMIUM,
            headless: true,
            pipe: true,
            userDataDir: join(this.dir, "profile"),
            protocolTimeout: ms(60000),
            args: [
                "--no-sandbox", "--no-first-run", "--no-default-browser-check",
                "--allow-loopback-in-peer-connection",
                "--disable-features=WebRtcHideLocalIpsWithMdns",
                "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                `--use-file-for-fake-audio-capture=${wav}`,
                "--autoplay-policy=no-user-gesture-required",
                "--disable-gpu", "--mute-audio", "--disable-dev-shm-usage",
            ],
            // Chromium floods stderr with D-Bus noise.
            dumpio: false,
        });
        this.log(`browser up (tone ${this.tone} Hz)`);
    }

    async newPage(path, room) {
        const page = await this.browser.newPage();
        page.on("console", (m) => {
            this.console.push(`${path}: ${m.text()}`);
            if (this.console.length > 400) this.console.shift();
        });
        page.on("pageerror", (e) => this.console.push(`${path}: pageerror ${e.message}`));
        await page.goto(`${this.base}/${path}?room=${room}`, { waitUntil: "load", timeout: ms(30000) });
        return page;
    }

    // The demo's flow on both pages: Start, type a display name, Join.
    async register(page, display) {
        await page.bringToFront(); // clicks in a background tab may never land
        await page.waitForSelector("#start:not([disabled])", { timeout: ms(20000) });
        await page.click("#start");
        await page.waitForSelector("#username", { visible: true, timeout: ms(20000) });
        await page.type("#username", display);
        await page.click("#register");
    }

    // Join VideoRoom ROOM as DISPLAY (alphanumeric only: the demo page's rule);
    // resolves once Janus reports our publisher's PeerConnection up.
    async joinVideo(room, display = this.name) {
        if (this.video) await this.leaveVideo();
        this.room = room;
        this.video = await this.newPage("videoroomtest.html", room);
        await this.register(this.video, display);
        await until(() => this.video.evaluate(() => {
            const pc = typeof sfutest !== "undefined" && sfutest && sfutest.webrtcStuff &&
                sfutest.webrtcStuff.pc;
            return !!pc && ["connected", "completed"].includes(pc.iceConnectionState);
        }),
            ms(30000), `${this.name}: video published`);
        this.log(`published in video room ${room} as ${display}`);
    }

    // Join TextRoom ROOM as DISPLAY (free text, e.g. "Anna B.").
    async joinChat(room, display = this.name) {
        if (this.text) await this.leaveChat();
        this.text = await this.newPage("textroomtest.html", room);
        await this.register(this.text, display);
        await this.text.waitForSelector("#datasend:not([disabled])", { timeout: ms(30000) });
        this.log(`in chat room ${room} as ${display}`);
    }

    // Public message: typed into the page's input, sent with Enter. Resolves
    // when the page cleared the input (its success callback ran).
    async say(text) {
        const pg = this.text;
        await pg.bringToFront();
        await pg.type("#datasend", text);
        await pg.keyboard.press("Enter");
        await until(() => pg.$eval("#datasend", (e) => e.value === ""), ms(10000),
            `${this.name}: public message sent`);
        this.log(`said "${text}"`);
    }

    // Private message to the chat participant shown as DISPLAY (exact text
    // in the page's participant list): click the name, type, OK.
    async whisper(display, text) {
        const pg = this.text;
        await pg.bringToFront();
        const id = await until(() => pg.evaluate((d) => {
            const li = [...document.querySelectorAll("#list li")]
                .find((e) => e.textContent.trim() === d);
            return li ? li.id : null;
        }, display), ms(15000), `${this.name}: ${display} in the chat list`);
        // The dialog fades in; a click that lands before the page's handler
        // is attached does nothing: click again until the prompt shows.
        for (let i = 0; ; i++) {
            await pg.click(`#${id}`);
            try {
                await pg.waitForSelector(".bootbox-input", { visible: true, timeout: ms(4000) });
                break;
            } catch (e) { if (i === 4) throw e; }
        }
        await pg.type(".bootbox-input", text);
        await pg.click(".bootbox-accept");
        await until(() => pg.evaluate((d) => [...document.querySelectorAll("#chatroom p")]
            .some((p) => p.textContent.includes(`[whisper to ${d}]`)), display),
            ms(10000), `${this.name}: whisper delivered`);
        this.log(`whispered "${text}" to ${display}`);
    }

    // The chat as the person sees it: every line of #chatroom, in order.
    async chat() {
        if (!this.text) return [];
        return this.text.$$eval("#chatroom p", (ps) => ps.map((p) => p.textContent.trim()));
    }

    // Wait until a chat line matches RE (a RegExp); returns the line.
    async waitChat(re, wait = 30000) {
        return until(async () => (await this.chat()).find((l) => re.test(l)), ms(wait),
            `${this.name}: chat line ${re}`);
    }

    // Close a tab as a person does (the page's unload handler runs).
    async closePage(page) {
        try { await page.close({ runBeforeUnload: true }); } catch { /* gone */ }
        await sleep(200);
    }
    async leaveVideo() { if (this.video) { await this.closePage(this.video); this.video = null; this.log("left video"); } }
    async leaveChat() { if (this.text) { await this.closePage(this.text); this.text = null; this.log("left chat"); } }

    // Gone without a goodbye: the browser dies (SIGKILL).
    kill() {
        const pr = this.browser && this.browser.process();
        if (pr) pr.kill("SIGKILL");
        this.browser = null; this.video = null; this.text = null;
        this.log("browser killed");
    }

    async close() {
        if (!this.browser) return;
        await this.leaveVideo();
        await this.leaveChat();
        try { await this.browser.close(); } catch { /* already gone */ }
        this.browser = null;
    }
}

// The settings.js the demo pages need on loopback (Debian's never declares
// token/apisecret and wants STUN): write it into DIR. JANUS is the HTTP API URL.
export function writeSettings(file, janus) {
    writeFileSync(file,
        `var server = ${JSON.stringify(janus)};\n` +
        "var iceServers = [];\nvar token = null;\nvar apisecret = null;\n");
}

// Command line, for shell tests:
//   node participant.mjs --base URL --dir DIR --name N --tone HZ --room R
//        [--video NAME] [--chat NAME] [--at SEC:ACTION[:ARG...]]... [--until SEC]
// ACTION: say:TEXT, whisper:TO:TEXT, leave-video, join-video[:NAME],
//         leave-chat, join-chat[:NAME], kill. Times are seconds after start.
// Prints "ready" when joined, "chat: LINE" for each chat line at the end.
async function cli(argv) {
    const o = { at: [] };
    for (let i = 0; i < argv.length; i += 2) {
        const k = argv[i].replace(/^--/, ""), v = argv[i + 1];
        if (k === "at") o.at.push(v); else o[k] = v;
    }
    const room = Number(o.room);
    const p = await Participant.launch({ name: o.name, tone: Number(o.tone), dir: o.dir,
        base: o.base, log: (m) => console.error(m) });
    const t0 = Date.now();
    if (o.video) await p.joinVideo(room, o.video);
    if (o.chat) await p.joinChat(room, o.chat);
    console.log("ready");
    const steps = o.at.map((s) => { const [t, ...a] = s.split(":"); return { t: Number(t), a }; })
        .sort((x, y) => x.t - y.t);
    for (const s of steps) {
        const wait = t0 + s.t * 1000 - Date.now();
        if (wait > 0) await sleep(wait);
        const [act, ...args] = s.a;
        if (act === "say") await p.say(args.join(":"));
        else if (act === "whisper") await p.whisper(args[0], args.slice(1).join(":"));
        else if (act === "leave-video") await p.leaveVideo();
        else if (act === "join-video") await p.joinVideo(room, args[0] || o.video || o.name);
        else if (act === "leave-chat") await p.leaveChat();
        else if (act === "join-chat") await p.joinChat(room, args[0] || o.chat || o.name);
        else if (act === "kill") { p.kill(); return; }
        else throw new Error(`unknown action ${act}`);
    }
    if (o.until) { const w = t0 + Number(o.until) * 1000 - Date.now(); if (w > 0) await sleep(w); }
    for (const l of await p.chat()) console.log(`chat: ${l}`);
    await p.close();
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) {
    cli(process.argv.slice(2)).then(() => process.exit(0), (e) => {
        console.error(`participant: ${e.message}`);
        process.exit(1);
    });
}
