// The web SDK `appwrite` as a browser app uses it, run in node: (a) with cookies, through a fetch
// that keeps a cookie jar the way a browser does (so the a_session_<project> cookie carries the
// session), and (b) with X-Fallback-Cookies kept in a window.localStorage, as the SDK does when
// the browser will not keep the cookie. Sign up, sign in, the account, a document made and listed
// as the user, sign out. And the Set-Cookie lines themselves, against Appwrite's: the cookie and
// its _legacy twin, HttpOnly, SameSite=None on the first only, Secure only over https, a
// domain only for a named host (not localhost or an IP address), expiry with the session.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, serverClient, expectAppwriteError } from './lib/server.mjs';

let server;
let web;
let admin;
const realFetch = globalThis.fetch;
const COLLECTION = { databaseId: 'webdb', collectionId: 'notes' };

before(async () => {
    server = await startServer();
    web = await import('appwrite');
    const { sdk, client } = await serverClient(server);
    admin = new sdk.Databases(client);
    await admin.create({ databaseId: 'webdb', name: 'Web' });
    await admin.createCollection({ ...COLLECTION, name: 'Notes', documentSecurity: true,
        permissions: [sdk.Permission.create(sdk.Role.users())] });
    await admin.createStringAttribute({ ...COLLECTION, key: 'text', size: 100, required: true });
});
after(async () => {
    globalThis.fetch = realFetch;
    delete globalThis.window;
    await server.stop();
});

/** Parses one Set-Cookie line into {name, value, attrs: {lowercased name: value|true}}. */
function parseSetCookie(line) {
    const [pair, ...rest] = line.split(';').map((s) => s.trim());
    const eq = pair.indexOf('=');
    const attrs = {};
    for (const a of rest) {
        const i = a.indexOf('=');
        attrs[(i < 0 ? a : a.slice(0, i)).toLowerCase()] = i < 0 ? true : a.slice(i + 1);
    }
    return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attrs };
}

/** A browser-like cookie jar in front of fetch: stores Set-Cookie, sends Cookie. */
function installCookieJar() {
    const jar = new Map();
    const seen = [];
    globalThis.fetch = async (url, options = {}) => {
        const headers = new Headers(options.headers || {});
        if (jar.size > 0) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
        const res = await realFetch(url, { ...options, headers });
        for (const line of res.headers.getSetCookie()) {
            const c = parseSetCookie(line);
            seen.push(c);
            const gone = c.attrs['max-age'] === '0' || Date.parse(c.attrs.expires) <= Date.now();
            if (gone) jar.delete(c.name);
            else jar.set(c.name, c.value);
        }
        return res;
    };
    return { jar, seen, restore: () => { globalThis.fetch = realFetch; } };
}

function webClient() {
    const client = new web.Client().setEndpoint(server.endpoint).setProject(server.projectId);
    return { client, account: new web.Account(client), databases: new web.Databases(client) };
}

function checkSessionCookies(cookies, session, { secure = false, domain } = {}) {
    const name = `a_session_${server.projectId}`;
    const main = cookies.find((c) => c.name === name);
    const legacy = cookies.find((c) => c.name === `${name}_legacy`);
    assert.ok(main && legacy, `both cookies: ${cookies.map((c) => c.name)}`);
    assert.equal(main.value, legacy.value);
    for (const c of [main, legacy]) {
        assert.equal(c.attrs.httponly, true, 'HttpOnly');
        assert.equal(c.attrs.path, '/');
        assert.equal(c.attrs.secure, secure ? true : undefined, 'Secure only over https');
        assert.equal(c.attrs.domain, domain, 'domain');
        // Expires and Max-Age say the session's expiry (a year by default).
        const exp = Date.parse(c.attrs.expires);
        assert.ok(Math.abs(exp - Date.parse(session.expire)) < 2000, `${c.attrs.expires} vs ${session.expire}`);
        assert.ok(Math.abs(Number(c.attrs['max-age']) - (exp - Date.now()) / 1000) < 5);
    }
    assert.equal(main.attrs.samesite, 'None');
    assert.equal(legacy.attrs.samesite, undefined, 'the legacy twin has no SameSite');
    return main;
}

test('(a) cookies: sign up, sign in, account, a document, sign out', async () => {
    const { jar, seen, restore } = installCookieJar();
    try {
        const { account, databases } = webClient();
        const user = await account.create({ userId: 'cookieuser', email: 'cookie@example.com',
            password: 'password123', name: 'Cookie' });
        assert.equal(user.$id, 'cookieuser');
        assert.equal(jar.size, 0, 'sign-up sets no cookie');
        await expectAppwriteError(assert, () => account.get(), 401, 'general_unauthorized_scope');

        const session = await account.createEmailPasswordSession({ email: 'cookie@example.com', password: 'password123' });
        assert.equal(session.userId, 'cookieuser');
        assert.equal(session.secret, '', 'the secret only goes to API keys');
        const main = checkSessionCookies(seen, session);
        assert.ok(main.value.length > 100);
        assert.equal(globalThis.window, undefined);

        // Only the cookie says who this is: no localStorage, no X-Appwrite-Session.
        assert.equal((await account.get()).$id, 'cookieuser');
        const doc = await databases.createDocument({ ...COLLECTION, documentId: 'n1', data: { text: 'hi' } });
        assert.deepEqual([...doc.$permissions].sort(),
            ['delete("user:cookieuser")', 'read("user:cookieuser")', 'update("user:cookieuser")']);
        const list = await databases.listDocuments({ ...COLLECTION });
        assert.equal(list.total, 1);
        assert.equal(list.documents[0].text, 'hi');

        // The legacy twin alone is enough (older browsers drop SameSite=None cookies).
        jar.delete(`a_session_${server.projectId}`);
        assert.equal((await account.get()).$id, 'cookieuser');

        seen.length = 0;
        await account.deleteSession({ sessionId: 'current' });
        const removed = seen.filter((c) => c.name.startsWith('a_session_'));
        assert.equal(removed.length, 2, 'both cookies are removed');
        for (const c of removed) {
            assert.equal(c.value, 'deleted');
            assert.equal(c.attrs['max-age'], '0');
            assert.equal(c.attrs.expires, 'Thu, 01-Jan-1970 00:00:01 GMT');
        }
        assert.equal(jar.size, 0);
        await expectAppwriteError(assert, () => account.get(), 401, 'general_unauthorized_scope');
        // A guest sees none of the user's documents (no read on the collection, none on them).
        assert.equal((await databases.listDocuments({ ...COLLECTION })).total, 0);
    } finally {
        restore();
    }
});

test('(b) fallback cookies in localStorage: sign in, account, a document, sign out', async () => {
    const store = new Map();
    globalThis.window = {
        localStorage: {
            getItem: (k) => (store.has(k) ? store.get(k) : null),
            setItem: (k, v) => { store.set(k, String(v)); },
            removeItem: (k) => { store.delete(k); },
        },
        console: { warn() {}, log() {}, error() {} },
    };
    try {
        const { account, databases } = webClient();
        await account.create({ userId: 'fallbackuser', email: 'fallback@example.com', password: 'password123' });
        const session = await account.createEmailPasswordSession({ email: 'fallback@example.com', password: 'password123' });
        const kept = JSON.parse(store.get('cookieFallback'));
        assert.deepEqual(Object.keys(kept), [`a_session_${server.projectId}`]);
        assert.ok(kept[`a_session_${server.projectId}`].length > 100);
        assert.equal(session.userId, 'fallbackuser');

        assert.equal((await account.get()).$id, 'fallbackuser');
        await databases.createDocument({ ...COLLECTION, documentId: 'f1', data: { text: 'mine' } });
        const list = await databases.listDocuments({ ...COLLECTION });
        assert.deepEqual(list.documents.map((d) => d.$id), ['f1'], 'the other user\'s note stays hidden');
        await expectAppwriteError(assert, () => databases.getDocument({ ...COLLECTION, documentId: 'n1' }),
            404, 'document_not_found');

        await account.deleteSession({ sessionId: 'current' });
        assert.equal(store.get('cookieFallback'), '[]', 'signing out empties the fallback');
        await expectAppwriteError(assert, () => account.get(), 401, 'general_unauthorized_scope');
    } finally {
        delete globalThis.window;
    }
});

/** A raw sign-in through node's http(s) with the Host and Origin given; resolves the response. */
function rawSignIn(mod, port, host, email, extraHeaders = {}) {
    const body = JSON.stringify({ email, password: 'password123' });
    return new Promise((ok, fail) => {
        const req = mod.request({
            host: '127.0.0.1', port, method: 'POST', path: '/v1/account/sessions/email', rejectUnauthorized: false,
            headers: { host, 'content-type': 'application/json', 'x-appwrite-project': server.projectId,
                'content-length': Buffer.byteLength(body), ...extraHeaders },
        }, (res) => {
            let text = '';
            res.on('data', (d) => { text += d; });
            res.on('end', () => ok({ status: res.statusCode, headers: res.headers, body: JSON.parse(text) }));
        });
        req.on('error', fail);
        req.end(body);
    });
}

test('Set-Cookie domain: none for localhost and IP addresses, .host for a named host', async () => {
    await webClient().account.create({ userId: 'domainuser', email: 'domain@example.com', password: 'password123' });
    for (const [host, domain] of [[`localhost:${server.port}`, undefined], [`127.0.0.1:${server.port}`, undefined],
        [`api.example.com:${server.port}`, '.api.example.com'], ['api.example.com', '.api.example.com']]) {
        const r = await rawSignIn(http, server.port, host, 'domain@example.com');
        assert.equal(r.status, 201, JSON.stringify(r.body));
        checkSessionCookies(r.headers['set-cookie'].map(parseSetCookie), r.body, { domain });
    }
    // Same site (Origin and API share a registrable domain): no X-Fallback-Cookies; another site: one.
    const same = await rawSignIn(http, server.port, 'api.example.com', 'domain@example.com', { origin: 'https://app.example.com' });
    assert.equal(same.status, 403, 'an unregistered origin is refused');
    const local = await rawSignIn(http, server.port, `localhost:${server.port}`, 'domain@example.com', { origin: 'http://localhost:3000' });
    assert.equal(local.status, 201);
    assert.ok(local.headers['x-fallback-cookies'], 'localhost has no registrable domain: fallback sent');
});

test('Set-Cookie over https carries Secure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cwrite-websdk-tls-'));
    const tlsServer = await (async () => {
        execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost',
            '-days', '2', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')], { stdio: 'ignore' });
        return startServer({ dataDir: server.dataDir, args: ['--tls-cert', join(dir, 'c.pem'), '--tls-key', join(dir, 'k.pem')] });
    })();
    try {
        const r = await rawSignIn(https, tlsServer.port, 'api.example.com', 'domain@example.com');
        assert.equal(r.status, 201, JSON.stringify(r.body));
        checkSessionCookies(r.headers['set-cookie'].map(parseSetCookie), r.body, { secure: true, domain: '.api.example.com' });
    } finally {
        await tlsServer.stop();
        rmSync(dir, { recursive: true, force: true });
    }
});
