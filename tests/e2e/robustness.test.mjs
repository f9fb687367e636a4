// What happens when clients misbehave or the server is told to stop: requests abandoned while a
// worker holds them, a full worker queue, SIGTERM with requests in flight. The slow request is
// GET /health/time against an SNTP "server" that never answers (the check waits 3 s).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import http from 'node:http';
import http2 from 'node:http2';
import { startServer } from './lib/server.mjs';

async function blackHoleUdp() {
    const sock = dgram.createSocket('udp4');
    await new Promise((ok) => sock.bind(0, '127.0.0.1', ok));
    return { port: sock.address().port, close: () => sock.close() };
}

function slowRequest(server, { signal } = {}) {
    return new Promise((ok, fail) => {
        const req = http.get({ host: '127.0.0.1', port: server.port, path: '/v1/health/time', signal,
            headers: { 'x-appwrite-project': 'default', 'x-appwrite-key': server.key } }, (res) => {
            let body = '';
            res.on('data', (c) => { body += c; });
            res.on('end', () => ok({ status: res.statusCode, headers: res.headers, body }));
        });
        req.on('error', fail);
    });
}

test('clients that leave while a worker holds their request are cleaned up (ASan checks at stop)', async () => {
    const hole = await blackHoleUdp();
    const server = await startServer({ args: ['--ntp-server', `127.0.0.1:${hole.port}`, '--workers', '2'] });
    try {
        // HTTP/1: the socket is closed under the request.
        const aborts = [];
        for (let i = 0; i < 12; i++) {
            const ac = new AbortController();
            aborts.push(slowRequest(server, { signal: ac.signal }).catch((e) => e.name));
            setTimeout(() => ac.abort(), 30 + i * 5);
        }
        assert.deepEqual(new Set(await Promise.all(aborts)), new Set(['AbortError']));
        // HTTP/2: streams reset, then the whole session destroyed.
        const session = http2.connect(`http://127.0.0.1:${server.port}`);
        for (let i = 0; i < 12; i++) {
            const s = session.request({ ':path': '/v1/health/time', 'x-appwrite-project': 'default', 'x-appwrite-key': server.key });
            s.on('error', () => {});
            if (i % 2 === 0) setTimeout(() => s.close(http2.constants.NGHTTP2_CANCEL), 20);
        }
        await new Promise((r) => setTimeout(r, 100));
        session.destroy();
        // The loops still answer at once while workers drain.
        const t0 = Date.now();
        const r = await fetch(`${server.endpoint}/health/version`, { headers: { 'x-appwrite-project': 'default' } });
        assert.equal(r.status, 200);
        assert.ok(Date.now() - t0 < 1000);
        // Give the workers time to finish what they had started, then stop: stop() fails on any
        // sanitizer report.
        await new Promise((r2) => setTimeout(r2, 3500));
    } finally {
        hole.close();
        const { code } = await server.stop();
        assert.equal(code, 0);
    }
});

test('a full worker queue answers 503 at once instead of growing', async () => {
    const hole = await blackHoleUdp();
    const server = await startServer({ args: ['--ntp-server', `127.0.0.1:${hole.port}`, '--workers', '1', '--queue-max', '1'] });
    try {
        const started = Date.now();
        const results = await Promise.all(Array.from({ length: 5 }, () => slowRequest(server)));
        const busy = results.filter((r) => r.status === 503);
        const taken = results.filter((r) => r.status === 500); // the SNTP check timed out
        // One runs and one waits, the rest are refused; but if the worker has not yet taken the
        // first job off the queue when the others arrive, only that one gets in.
        assert.ok(busy.length >= 3 && busy.length <= 4, JSON.stringify(results.map((r) => r.status)));
        assert.equal(busy.length + taken.length, 5);
        for (const r of busy) {
            const e = JSON.parse(r.body);
            assert.equal(e.code, 503);
            assert.equal(r.headers['retry-after'], '1');
        }
        // The ones taken waited for the SNTP timeout (3 s) one after the other.
        assert.ok(Date.now() - started >= 3000 * taken.length - 200);
    } finally {
        hole.close();
        await server.stop();
    }
});

test('SIGTERM finishes the request in flight, then exits 0', async () => {
    const hole = await blackHoleUdp();
    const server = await startServer({ args: ['--ntp-server', `127.0.0.1:${hole.port}`] });
    try {
        const pending = slowRequest(server);
        await new Promise((r) => setTimeout(r, 300));
        server.proc.kill('SIGTERM');
        const r = await pending;
        assert.equal(r.status, 500); // the SNTP check's own answer: no reply from the time server
        assert.equal(JSON.parse(r.body).type, 'general_server_error');
        const { code } = await server.exited;
        assert.equal(code, 0);
        assert.match(server.output().stderr, /msg="stopped"/);
    } finally {
        hole.close();
        await server.stop();
    }
});

test('more workers than loops: a clean stop (each loop is torn down on its own thread)', async () => {
    const server = await startServer({ args: ['--threads', '2', '--workers', '5'] });
    for (let i = 0; i < 20; i++) {
        const r = await fetch(`${server.endpoint}/health/db`, { headers: { 'x-appwrite-project': 'default', 'x-appwrite-key': server.key } });
        assert.equal(r.status, 200);
    }
    const { code, signal } = await server.stop();
    assert.equal(signal, null);
    assert.equal(code, 0);
});
