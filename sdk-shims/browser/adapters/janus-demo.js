// recgate adapter "janus-demo": Janus's own demo pages, unchanged.
//   videoroomtest.html  the meeting: roster (publishers) and audio
//   textroomtest.html   its chat (opened by this adapter, same ?room=)
// The bot joins the VideoRoom in the page's subscriber mode: it publishes
// nothing, so participants see it in the chat (as the display name), not
// as a video tile.
// Who is who comes from the Janus signalling the page receives (the HTTP
// long-poll answers: "joined"/"event" publishers, "attached"/"updated"
// streams with feed id, display and mid), never from the page's globals.
// settings (all optional):
//   chat_page   the chat page, relative to the meeting page (default
//               "textroomtest.html" with the meeting page's query)
//   mixed       true: declare mixed audio, Teams-style (a test mode: the
//               first remote audio track stands in for the one mix)
(function () {
    const onVideoRoom = /videoroomtest\.html$/.test(location.pathname);
    const onTextRoom = /textroomtest\.html$/.test(location.pathname);
    if (!onVideoRoom && !onTextRoom) return;
    const mixed = recgate.settings.mixed === true;
    recgate.emit({ ev: 'hello', adapter: 'janus-demo', audio: mixed ? 'mixed' : 'separate' });
    const failed = (why) => recgate.emit({ ev: 'failed', why: String(why).slice(0, 200) });
    const click = (sel) => { const e = document.querySelector(sel); if (e) e.click(); return !!e; };
    const visible = (sel) => { const e = document.querySelector(sel); return e && e.offsetParent !== null ? e : null; };
    // A bootbox alert is how the demo pages report errors.
    const alertText = () => { const e = visible('.bootbox .bootbox-body'); return e ? e.textContent : null; };
    // "Start" works only once the page has set Janus up: press it until the
    // page reacts (then it is disabled or renamed "Stop").
    // Once in, an error box means the page lost the meeting (e.g. "Lost
    // connection to the server"): the shim ends the meeting as lost.
    const watchErrors = () => {
        const iv = setInterval(() => {
            const t = alertText();
            if (t) { clearInterval(iv); failed('the page shows: ' + t); }
        }, 500);
    };
    let lastPress = 0;
    const startThen = (done) => recgate.waitFor(() => {
        const v = done();
        if (v) return v;
        const b = document.querySelector('#start');
        if (b && !b.disabled && /start/i.test(b.textContent) && performance.now() - lastPress > 500) {
            lastPress = performance.now();
            b.click();
        }
        return null;
    }, recgate.timeoutMs);

    // ---------- the VideoRoom page: roster and audio ----------
    if (onVideoRoom) {
        // The bot publishes nothing (no microphone, no camera): the page's
        // own subscriber mode, asked for before the page reads its URL.
        const q = new URLSearchParams(location.search);
        if (q.get('subscriber-mode') !== 'yes') {
            q.set('subscriber-mode', 'yes');
            history.replaceState(history.state, '', location.pathname + '?' + q.toString() + location.hash);
        }
        let pubHandle = null, myId = null, joined = false;
        const handleStreams = new Map(); // subscriber handle -> Map(mid -> {feed, display})
        const sdpHandle = new Map();     // SDP o= session id -> handle
        const taps = [];                 // {pc, mid, key, sent}
        let speakerOf = null;            // mixed mode: the label to report
        const displays = new Map();      // feed id -> display (publisher lists)
        if (mixed) setInterval(() => { if (speakerOf) recgate.emit({ ev: 'speaker', name: speakerOf }); }, 1000);
        const oSession = (sdp) => { const m = /^o=\S+ (\d+) /m.exec(sdp || ''); return m ? m[1] : null; };
        const remap = () => {
            for (const t of taps) {
                const h = sdpHandle.get(t.pc.__rgSdpSession);
                const s = h && handleStreams.get(h);
                const st = s && s.get(t.mid);
                const id = st ? String(st.feed) : null;
                if (id && id !== t.sent) {
                    t.sent = id;
                    recgate.emit({ ev: 'track', key: t.key, id });
                }
                // Test mode "mixed": the stand-in track's owner is who
                // speaks in the mix (a real mixing platform labels this).
                const label = st && (st.display || displays.get(String(st.feed)));
                if (mixed && label) speakerOf = String(label);
            }
        };
        const publisher = (p, present) => {
            if (!p || p.dummy || p.id === undefined || String(p.id) === String(myId)) return;
            if (p.display) displays.set(String(p.id), String(p.display));
            recgate.emit({ ev: 'participant', id: String(p.id), name: p.display ? String(p.display) : undefined, present });
        };
        const onEvent = (e) => {
            if (!e || typeof e !== 'object') return;
            if (e.jsep && e.jsep.sdp && e.sender) {
                const sid = oSession(e.jsep.sdp);
                if (sid) sdpHandle.set(sid, e.sender);
            }
            const pd = e.plugindata;
            if (!pd || pd.plugin !== 'janus.plugin.videoroom' || !pd.data) return;
            const d = pd.data;
            if (d.videoroom === 'joined' && (pubHandle === null || pubHandle === e.sender)) {
                pubHandle = e.sender;
                myId = d.id;
                (d.publishers || []).forEach((p) => publisher(p, true));
                if (!joined) { joined = true; recgate.emit({ ev: 'joined' }); }
            } else if (d.videoroom === 'event' && e.sender === pubHandle) {
                (d.publishers || []).forEach((p) => publisher(p, true));
                if (d.leaving !== undefined && d.leaving !== 'ok') publisher({ id: d.leaving }, false);
                if (d.unpublished !== undefined && d.unpublished !== 'ok') publisher({ id: d.unpublished }, false);
                if (d.kicked !== undefined) {
                    if (String(d.kicked) === String(myId)) recgate.emit({ ev: 'ended', why: 'the bot was kicked out of the room' });
                    else publisher({ id: d.kicked }, false);
                }
                if (d.error_code && !joined) failed('VideoRoom: ' + d.error);
            } else if (d.videoroom === 'attached' || d.videoroom === 'updated') {
                const m = handleStreams.get(e.sender) || new Map();
                for (const s of d.streams || []) {
                    if (s.type === 'audio' && s.mid !== undefined && s.feed_id !== undefined)
                        m.set(String(s.mid), { feed: s.feed_id, display: s.feed_display });
                }
                handleStreams.set(e.sender, m);
            } else if (d.videoroom === 'destroyed') {
                recgate.emit({ ev: 'ended', why: 'the room was destroyed' });
            }
            remap();
        };
        // Read the Janus answers the page receives (janus.js uses fetch).
        const nativeFetch = globalThis.fetch.bind(globalThis);
        globalThis.fetch = function (...a) {
            const p = nativeFetch(...a);
            p.then((r) => {
                if (!r.ok) return;
                r.clone().json().then((j) => {
                    (Array.isArray(j) ? j : [j]).forEach(onEvent);
                }, () => {});
            }, () => {});
            return p;
        };
        recgate.peerConnections({
            onRemoteDescription: (pc, desc) => {
                const sid = oSession(desc.sdp);
                if (sid) pc.__rgSdpSession = sid;
                remap();
            },
            onTrack: (pc, ev) => {
                const mid = ev.transceiver ? String(ev.transceiver.mid) : '?';
                const key = 'pc' + pc.__rgIndex + ':' + mid;
                // Test mode "mixed": the first remote track stands in for the
                // one mixed track a Teams-style platform would give.
                if (mixed && taps.length && !taps.some((t) => t.key === key)) return;
                recgate.tapAudio(ev.receiver, key);
                if (!taps.some((t) => t.key === key)) taps.push({ pc, mid, key, sent: null });
                remap();
            },
        });
        recgate.onCommand(async (c) => {
            if (c.cmd === 'join') {
                try {
                    // The demo accepts letters and digits only as a display name.
                    const name = String(c.name).replace(/[^a-zA-Z0-9]/g, '') || 'recgate';
                    // The chat lives on its own page, joined alongside (asked
                    // for before this page says "joined", so the shim waits
                    // for both).
                    const cq = new URLSearchParams(location.search);
                    cq.delete('subscriber-mode');
                    const chat = recgate.settings.chat_page || ('textroomtest.html?' + cq.toString());
                    recgate.emit({ ev: 'open', url: chat });
                    const u = await startThen(() => alertText() === null && visible('#username'));
                    u.value = name;
                    click('#register');
                    await recgate.waitFor(() => joined || alertText(), recgate.timeoutMs);
                    if (!joined) failed(alertText());
                    else watchErrors();
                } catch (e) {
                    failed(alertText() || ('cannot join the VideoRoom: ' + e.message));
                }
            } else if (c.cmd === 'leave') {
                click('#start'); // "Stop": the page destroys its Janus session
            }
        });
        return;
    }

    // ---------- the TextRoom page: chat ----------
    let myUser = null, joinTxn = null, joined = false, seenJoinReply = false;
    const pending = new Map(); // transaction -> {req, timer}
    const wanted = [];         // {req, text, to}: sends not yet seen on the channel
    const names = new Map();
    const onMessage = (raw) => {
        let m;
        try { m = JSON.parse(raw); } catch (e) { return; }
        if (!m || typeof m !== 'object') return;
        const w = m.textroom;
        if (m.transaction && m.transaction === joinTxn) {
            if (w === 'success') {
                seenJoinReply = true;
                for (const p of m.participants || []) {
                    if (p.username === myUser) continue;
                    names.set(p.username, p.display);
                    recgate.emit({ ev: 'chatuser', id: String(p.username), name: p.display ? String(p.display) : undefined, present: true });
                }
                joined = true;
                recgate.emit({ ev: 'joined' });
            } else if (w === 'error') {
                failed('TextRoom: ' + m.error);
            }
            return;
        }
        if (m.transaction && pending.has(m.transaction)) {
            const p = pending.get(m.transaction);
            pending.delete(m.transaction);
            clearTimeout(p.timer);
            recgate.emit({ ev: 'sent', req: p.req, ok: w === 'success', why: w === 'success' ? undefined : String(m.error || 'refused') });
            return;
        }
        if (w === 'join' && m.username !== myUser) {
            names.set(m.username, m.display);
            recgate.emit({ ev: 'chatuser', id: String(m.username), name: m.display ? String(m.display) : undefined, present: true });
        } else if ((w === 'leave' || w === 'kicked') && m.username !== undefined) {
            if (m.username === myUser) recgate.emit({ ev: 'ended', why: 'the bot was removed from the chat' });
            else recgate.emit({ ev: 'chatuser', id: String(m.username), present: false });
        } else if (w === 'message' && seenJoinReply && m.from !== myUser && typeof m.text === 'string') {
            // Before the join answer Janus replays old messages: not ours to count.
            recgate.emit({ ev: 'chat', from: String(m.from), name: names.get(m.from) || undefined,
                           text: m.text.slice(0, 8000), private: m.whisper === true });
        } else if (w === 'destroyed') {
            recgate.emit({ ev: 'ended', why: 'the chat room was destroyed' });
        }
    };
    // What the page sends on the channel tells us the transaction to wait for.
    const onSend = (raw) => {
        let m;
        try { m = JSON.parse(raw); } catch (e) { return; }
        if (!m) return;
        if (m.textroom === 'join') { myUser = m.username; joinTxn = m.transaction; }
        if (m.textroom === 'message') {
            // The demo's chat box is one line: the browser drops line breaks.
            const flat = (t) => String(t).replace(/[\r\n]/g, '');
            const i = wanted.findIndex((x) => flat(x.text) === flat(m.text) && (x.to || null) === (m.to || null));
            if (i < 0) return;
            const x = wanted.splice(i, 1)[0];
            clearTimeout(x.timer);
            const timer = setTimeout(() => {
                pending.delete(m.transaction);
                recgate.emit({ ev: 'sent', req: x.req, ok: false, why: 'no acknowledgement from Janus' });
            }, 5000);
            pending.set(m.transaction, { req: x.req, timer });
        }
    };
    recgate.peerConnections({
        onDataChannel: (pc, ch) => {
            ch.addEventListener('message', (ev) => { if (typeof ev.data === 'string') onMessage(ev.data); });
            const s = ch.send.bind(ch);
            ch.send = (d) => { if (typeof d === 'string') onSend(d); return s(d); };
        },
    });
    const sendFail = (req, why) => recgate.emit({ ev: 'sent', req, ok: false, why });
    recgate.onCommand(async (c) => {
        if (c.cmd === 'join') {
            try {
                const u = await startThen(() => alertText() === null && visible('#username'));
                u.value = String(c.name);
                click('#register');
                await recgate.waitFor(() => joined || alertText(), recgate.timeoutMs);
                if (!joined) failed(alertText());
                else watchErrors();
            } catch (e) {
                failed(alertText() || ('cannot join the TextRoom: ' + e.message));
            }
        } else if (c.cmd === 'send') {
            // Through the page's own UI, so the message is what a person
            // would send; delivered = Janus's "success" for it.
            const entry = { req: c.req, text: String(c.text), to: c.to || null };
            entry.timer = setTimeout(() => {
                const i = wanted.indexOf(entry);
                if (i >= 0) { wanted.splice(i, 1); sendFail(c.req, 'the page did not send the message'); }
            }, 5000);
            wanted.push(entry);
            try {
                if (!c.to) {
                    const box = document.querySelector('#datasend');
                    if (!box || box.disabled) throw new Error('the chat box is not available');
                    box.value = entry.text;
                    // The page's own send path (what Enter in the box calls).
                    if (typeof globalThis.sendData === 'function') globalThis.sendData();
                    else box.dispatchEvent(new KeyboardEvent('keypress', { key: 'Enter', keyCode: 13, which: 13, bubbles: true }));
                } else {
                    const who = document.getElementById('rp' + c.to);
                    if (!who) throw new Error('that person is not in the chat');
                    who.click();
                    const input = await recgate.waitFor(() => visible('.bootbox .bootbox-input'), 5000);
                    input.value = entry.text;
                    const ok = await recgate.waitFor(() => visible('.bootbox .bootbox-accept') || visible('.bootbox [data-bb-handler="confirm"]'), 5000);
                    ok.click();
                }
            } catch (e) {
                const i = wanted.indexOf(entry);
                if (i >= 0) { wanted.splice(i, 1); clearTimeout(entry.timer); sendFail(c.req, String(e.message)); }
            }
        } else if (c.cmd === 'leave') {
            click('#start');
        }
    });
})();
