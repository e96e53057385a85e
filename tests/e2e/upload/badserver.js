// A misbehaving HTTPS object server for tests/e2e/upload_misbehave.sh.
//   node badserver.js PORT KEY CERT MODE
// MODE truncate: PUT stores only the first half of the body but answers
//                with the ETag (MD5) of the whole body; GET returns what
//                was stored (an S3 server that lies about what it kept).
// MODE trickle:  every answer is sent at 2 bytes per second, forever
//                (slow enough to hang, fast enough for a low-speed check).
'use strict';
const https = require('https');
const fs = require('fs');
const crypto = require('crypto');
const [port, key, cert, mode] = process.argv.slice(2);
const store = new Map();

function trickle(res) {
    const sock = res.socket;
    const text = 'HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n' + 'x'.repeat(100000);
    let i = 0;
    const t = setInterval(() => {
        if (sock.destroyed) { clearInterval(t); return; }
        sock.write(text.slice(i, i + 2));
        i += 2;
    }, 1000);
}

https.createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert) }, (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
        if (mode === 'trickle') return trickle(res);
        const body = Buffer.concat(chunks);
        if (req.method === 'PUT') {
            const md5 = crypto.createHash('md5').update(body).digest('hex');
            store.set(req.url, body.subarray(0, Math.floor(body.length / 2)));
            res.writeHead(200, { ETag: '"' + md5 + '"' });
            return res.end();
        }
        if (req.method === 'GET' && store.has(req.url)) {
            res.writeHead(200, { 'Content-Length': store.get(req.url).length });
            return res.end(store.get(req.url));
        }
        if (req.method === 'DELETE') {
            store.delete(req.url);
            res.writeHead(204);
            return res.end();
        }
        res.writeHead(404);
        res.end();
    });
}).listen(Number(port), '127.0.0.1');
