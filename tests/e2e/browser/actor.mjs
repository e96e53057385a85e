// A browser participant (participant.mjs) driven by trigger files, so a
// shell test can act on what the bot did, not on a guess of when:
//   node actor.mjs --base URL --dir DIR --name N --tone HZ --room R
//        [--video NAME] [--chat NAME] [--on FILE:ACTION[:ARG...]]...
// Each --on waits until DIR/FILE exists, then does ACTION (say:TEXT,
// whisper:TO:TEXT, leave-video, join-video, kill), in the order given.
// Prints "ready" once joined; leaves when DIR/stop exists (prints the chat
// as the person saw it, one "chat: LINE" each).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Participant } from "./participant.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const o = { on: [] };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i].replace(/^--/, ""), v = argv[i + 1];
    if (k === "on") o.on.push(v); else o[k] = v;
}
const waitFile = async (f) => { while (!existsSync(join(o.dir, f))) await sleep(100); };

async function main() {
    const room = Number(o.room);
    const p = await Participant.launch({ name: o.name, tone: Number(o.tone), dir: o.dir,
        base: o.base, log: (m) => console.error(m) });
    if (o.video) await p.joinVideo(room, o.video);
    if (o.chat) await p.joinChat(room, o.chat);
    console.log("ready");
    for (const step of o.on) {
        const [file, act, ...args] = step.split(":");
        await waitFile(file);
        if (act === "say") await p.say(args.join(":"));
        else if (act === "whisper") await p.whisper(args[0], args.slice(1).join(":"));
        else if (act === "leave-video") await p.leaveVideo();
        else if (act === "join-video") await p.joinVideo(room, o.video || o.name);
        else if (act === "kill") { p.kill(); console.log("killed"); return; }
        else throw new Error(`unknown action ${act}`);
        console.log(`done ${act}`);
    }
    await waitFile("stop");
    for (const l of await p.chat()) console.log(`chat: ${l}`);
    await p.close();
}
main().then(() => process.exit(0), (e) => {
    console.error(`actor ${o.name}: ${e.message}`);
    process.exit(1);
});
