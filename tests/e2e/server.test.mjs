// The HTTP layer: HTTP/2 with and without TLS, body limits, bad bytes, compression, and
// requests whose clients vanish while a worker still holds them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './lib/server.mjs';

let server;
before(async () => { server = await startServer({ args: ['--max-body', '65536'] }); });
after(async () => { await server.stop(); });

/** One raw HTTP/1.1 request; resolves with {status, headers, body}. */
function raw(port, { method = 'GET', path, headers = {}, body } = {}) {
    if (body !== undefined) headers = { 'content-length': Buffer.byteLength(body), ...headers };
    return new Promise((ok, fail) => {
        const req = http.request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => ok({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
        });
        req.on('error', fail);
        if (body !== undefined) req.write(body);
        req.end();
    });
}

function h2get(url, path, opts = {}) {
    return new Promise((ok, fail) => {
        const session = http2.connect(url, opts);
        session.on('error', fail);
        const req = session.request({ ':path': path, 'x-appwrite-project': 'default' });
        const chunks = [];
        let status;
        req.on('response', (h) => { status = h[':status']; });
        req.on('data', (c) => chunks.push(c));
        req.on('end', () => { session.close(); ok({ status, body: Buffer.concat(chunks).toString() }); });
        req.on('error', fail);
        req.end();
    });
}

test('HTTP/2 over cleartext (prior knowledge)', async () => {
    const r = await h2get(`http://127.0.0.1:${server.port}`, '/v1/health/version');
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), { version: '1.9.5' });
});

test('HTTPS with HTTP/2 and HTTP/1.1 through ALPN', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cwrite-tls-'));
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost',
        '-days', '2', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    const tls = await startServer({ args: ['--tls-cert', cert, '--tls-key', key] });
    try {
        const r = await h2get(`https://127.0.0.1:${tls.port}`, '/v1/health/version', { rejectUnauthorized: false });
        assert.equal(r.status, 200);
        const h1 = await new Promise((ok, fail) => {
            https.get({ host: '127.0.0.1', port: tls.port, path: '/v1/ping', rejectUnauthorized: false,
                headers: { 'x-appwrite-project': 'default' } }, (res) => {
                let b = '';
                res.on('data', (c) => { b += c; });
                res.on('end', () => ok({ status: res.statusCode, body: b, version: res.httpVersion }));
            }).on('error', fail);
        });
        assert.deepEqual(h1, { status: 200, body: 'Pong!', version: '1.1' });
    } finally {
        await tls.stop();
        rmSync(dir, { recursive: true, force: true });
    }
});

test('a TLS server with a missing certificate file refuses to start', async () => {
    await assert.rejects(startServer({ args: ['--tls-cert', '/nonexistent.pem', '--tls-key', '/nonexistent.key'] }),
        /did not start/);
});

test('a body over --max-body is refused with 413', async () => {
    const r = await raw(server.port, { method: 'POST', path: '/v1/ping', headers: { 'content-type': 'application/json' },
        body: '{"a":"' + 'x'.repeat(70000) + '"}' });
    assert.equal(r.status, 413);
});

test('malformed JSON is 400 general_argument_invalid', async () => {
    const r = await raw(server.port, { method: 'GET', path: '/v1/health/version',
        headers: { 'content-type': 'application/json', 'x-appwrite-project': 'default' }, body: '{"a":' });
    assert.equal(r.status, 400);
    const e = JSON.parse(r.body);
    assert.equal(e.type, 'general_argument_invalid');
    assert.equal(e.code, 400);
    assert.equal(e.version, '1.9.5');
    const arr = await raw(server.port, { method: 'GET', path: '/v1/health/version',
        headers: { 'content-type': 'application/json', 'x-appwrite-project': 'default' }, body: '[1,2]' });
    assert.equal(arr.status, 400);
});

test('a parameter that is not UTF-8 is 400 and named in the message', async () => {
    const r = await raw(server.port, { path: '/v1/health/version?queries%5B%5D=%ff%fe', headers: { 'x-appwrite-project': 'default' } });
    assert.equal(r.status, 400);
    const e = JSON.parse(r.body);
    assert.equal(e.type, 'general_argument_invalid');
    assert.match(e.message, /queries/);
});

test('errors carry no-cache headers; every answer carries CORS headers', async () => {
    const r = await raw(server.port, { path: '/v1/nothing', headers: { origin: 'http://localhost:3000' } });
    assert.equal(r.status, 404);
    assert.equal(r.headers['cache-control'], 'no-cache, no-store, must-revalidate');
    assert.equal(r.headers['access-control-allow-origin'], 'http://localhost:3000');
    assert.equal(r.headers['access-control-allow-credentials'], 'true');
    assert.match(r.headers['access-control-expose-headers'], /X-Fallback-Cookies/);
    assert.equal(r.headers['content-type'], 'application/json; charset=UTF-8');
});

test('CORS: preflight is 204; an unknown origin without a key is 403 general_unknown_origin', async () => {
    const pre = await raw(server.port, { method: 'OPTIONS', path: '/v1/locale/continents',
        headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers['access-control-allow-origin'], 'https://evil.example');
    assert.match(pre.headers['access-control-allow-headers'], /X-Appwrite-Project/);
    const r = await raw(server.port, { path: '/v1/health/version',
        headers: { origin: 'https://evil.example', 'x-appwrite-project': 'default' } });
    assert.equal(r.status, 403);
    assert.equal(JSON.parse(r.body).type, 'general_unknown_origin');
    assert.equal(r.headers['access-control-allow-origin'], undefined);
    const withKey = await raw(server.port, { path: '/v1/health',
        headers: { origin: 'https://evil.example', 'x-appwrite-project': 'default', 'x-appwrite-key': server.key } });
    assert.equal(withKey.status, 200);
});

test('CORS: --cors-origins allows more hosts, with wildcards', async () => {
    const s = await startServer({ args: ['--cors-origins', 'app.example.com, *.example.org'] });
    try {
        for (const [origin, ok] of [['https://app.example.com', true], ['https://a.b.example.org', true],
            ['https://example.org', false], ['https://other.example.com', false]]) {
            const r = await raw(s.port, { path: '/v1/health/version', headers: { origin, 'x-appwrite-project': 'default' } });
            assert.equal(r.status, ok ? 200 : 403, origin);
        }
    } finally {
        await s.stop();
    }
});
