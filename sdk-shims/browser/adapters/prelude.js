// recgate browser shim: the part every adapter shares. The shim injects
// this, then the adapter file, into every page it opens, before the page's
// own scripts run, wrapped as
//   (function (RG) { <prelude.js> <adapter.js> })({binding, token, name, settings, page})
// It gives the adapter one object, `recgate` (see docs/writing-a-shim.md):
//   recgate.name / .settings           the bot's display name, the adapter's
//                                      settings (adapter_settings)
//   recgate.timeoutMs                  how long joining may take (timeout_s)
//   recgate.emit(msg)                  one message to the shim (bproto.h)
//   recgate.onCommand(fn)              fn({cmd: "join"|"send"|"leave", ...})
//   recgate.peerConnections(hooks)     wrap RTCPeerConnection: encoded audio,
//                                      no video reception, hooks.onTrack/onPc/
//                                      onDataChannel/onRemoteDescription
//   recgate.tapAudio(receiver, key)    send the receiver's encoded Opus frames
//   recgate.waitFor(fn, ms)            poll until fn() is truthy (a Promise)
//   recgate.log(text)
'use strict';
const recgate = (function () {
    const binding = globalThis[RG.binding];
    // The page must not call the shim: keep the binding, remove the global.
    try { delete globalThis[RG.binding]; } catch (e) { /* best effort */ }
    const send = (obj) => { try { binding(JSON.stringify(obj)); } catch (e) { /* gone */ } };
    let commandFn = null;
    Object.defineProperty(globalThis, RG.token, {
        value: (text) => { if (commandFn) commandFn(JSON.parse(text)); },
        enumerable: false, configurable: false, writable: false,
    });

    // Encoded frames, batched: one binding call per FLUSH_MS, not per frame
    // (per-frame calls cost the browser many times more CPU).
    const FLUSH_MS = 50, MAX_BATCH = 1000;
    let batch = [];
    const b64 = (buf) => {
        const u = new Uint8Array(buf);
        let s = '';
        for (let i = 0; i < u.length; i++) s += String.fromCharCode(u[i]);
        return btoa(s);
    };
    const flush = () => {
        if (!batch.length) return;
        const now = performance.now();
        const f = batch.map(([key, seq, at, data]) =>
            [key, seq, Math.max(0, Math.round(now - at)), b64(data)]);
        batch = [];
        send({ ev: 'frames', f });
    };
    setInterval(flush, FLUSH_MS);

    const tapped = new WeakSet();
    function tapAudio(receiver, key) {
        if (tapped.has(receiver)) return;
        tapped.add(receiver);
        let streams;
        try {
            streams = receiver.createEncodedStreams();
        } catch (e) {
            send({ ev: 'log', text: 'createEncodedStreams failed: ' + e });
            return;
        }
        // Read only: frames are not written back, so the bot's browser never
        // decodes the audio (nobody listens to it).
        const reader = streams.readable.getReader();
        const pump = () => reader.read().then(({ value, done }) => {
            if (done) return;
            const md = value.getMetadata ? value.getMetadata() : {};
            batch.push([key, (md.sequenceNumber || 0) & 0xffff, performance.now(), value.data]);
            if (batch.length >= MAX_BATCH) flush();
            pump();
        }, () => {});
        pump();
    }
    // A sender's or a video receiver's frames pass through untouched.
    function passThrough(x) {
        if (tapped.has(x)) return;
        tapped.add(x);
        try {
            const s = x.createEncodedStreams();
            s.readable.pipeTo(s.writable).catch(() => {});
        } catch (e) { /* not available: nothing to do */ }
    }

    let pcHooks = null, pcCount = 0;
    function peerConnections(hooks) {
        pcHooks = hooks || {};
        const Native = globalThis.RTCPeerConnection;
        if (!Native || Native.__recgate) return;
        class PC extends Native {
            constructor(cfg, ...rest) {
                super(Object.assign({}, cfg || {}, { encodedInsertableStreams: true }), ...rest);
                this.__rgIndex = ++pcCount;
                this.addEventListener('track', (ev) => {
                    if (ev.track.kind === 'audio') {
                        if (pcHooks.onTrack) pcHooks.onTrack(this, ev);
                    } else {
                        passThrough(ev.receiver);
                    }
                });
                this.addEventListener('datachannel', (ev) => {
                    if (pcHooks.onDataChannel) pcHooks.onDataChannel(this, ev.channel);
                });
                if (pcHooks.onPc) pcHooks.onPc(this);
            }
            addTrack(...a) {
                const s = super.addTrack(...a);
                passThrough(s);
                return s;
            }
            addTransceiver(...a) {
                const t = super.addTransceiver(...a);
                if (t.sender) passThrough(t.sender);
                return t;
            }
            createDataChannel(...a) {
                const ch = super.createDataChannel(...a);
                if (pcHooks.onDataChannel) pcHooks.onDataChannel(this, ch);
                return ch;
            }
            setRemoteDescription(desc, ...a) {
                if (pcHooks.onRemoteDescription && desc) pcHooks.onRemoteDescription(this, desc);
                return super.setRemoteDescription(desc, ...a);
            }
            createAnswer(...a) {
                // Audio only: video the platform offers is declined, so it is
                // never sent to the bot nor decoded.
                for (const t of this.getTransceivers()) {
                    try {
                        if (t.receiver && t.receiver.track && t.receiver.track.kind === 'video' &&
                            t.direction !== 'stopped')
                            t.direction = 'inactive';
                    } catch (e) { /* a stopped transceiver */ }
                }
                return super.createAnswer(...a);
            }
        }
        PC.__recgate = true;
        globalThis.RTCPeerConnection = PC;
        if (globalThis.webkitRTCPeerConnection) globalThis.webkitRTCPeerConnection = PC;
    }

    // The bot's microphone: audio only, and silent (the browser's fake
    // device plays a silent file; no camera is ever opened).
    if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
        const gum = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
        navigator.mediaDevices.getUserMedia = (c) => (c && c.audio)
            ? gum({ audio: c.audio, video: false })
            : Promise.reject(new DOMException('the recording bot has no camera', 'NotAllowedError'));
    }

    function waitFor(fn, ms) {
        const until = performance.now() + (ms || 15000);
        return new Promise((resolve, reject) => {
            const poll = () => {
                let v = null;
                try { v = fn(); } catch (e) { v = null; }
                if (v) return resolve(v);
                if (performance.now() > until) return reject(new Error('timed out'));
                setTimeout(poll, 50);
            };
            poll();
        });
    }

    return {
        name: RG.name, settings: RG.settings || {},
        timeoutMs: RG.timeout_ms || 30000,
        emit: send,
        onCommand: (fn) => { commandFn = fn; },
        peerConnections, tapAudio, waitFor,
        log: (text) => send({ ev: 'log', text: String(text).slice(0, 8000) }),
    };
})();
