// The contract every route shares: projects, keys, scopes, unknown routes, bad bodies, CORS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, serverClient, expectAppwriteError, sdkCall } from './lib/server.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server.stop(); });

test('first start prints a project and a key that work', async () => {
    assert.equal(server.projectId, 'default');
    assert.match(server.key, /^standard_[0-9a-f]{256}$/);
    const { client } = await serverClient(server);
    const r = await sdkCall(client, 'get', '/health');
    assert.deepEqual({ ...r }, { name: 'http', ping: 0, status: 'pass' });
});

test('unknown project is 404 project_not_found', async () => {
    const { client } = await serverClient(server, { project: 'nope' });
    await expectAppwriteError(assert, () => sdkCall(client, 'get', '/health'), 404, 'project_not_found');
});

test('unknown key is 401 user_unauthorized', async () => {
    const { client } = await serverClient(server, { key: 'standard_' + 'ab'.repeat(128) });
    await expectAppwriteError(assert, () => sdkCall(client, 'get', '/health'), 401, 'user_unauthorized');
});

test('no key: the guest role lacks health.read', async () => {
    const { client } = await serverClient(server, { key: null });
    const e = await expectAppwriteError(assert, () => sdkCall(client, 'get', '/health'), 401, 'general_unauthorized_scope');
    assert.match(e.message, /health\.read/);
});

test('unknown route is 404 general_route_not_found with the error body', async () => {
    const r = await fetch(`${server.endpoint}/nothing/here`, { headers: { 'x-appwrite-project': 'default' } });
    assert.equal(r.status, 404);
    const body = await r.json();
    assert.deepEqual(Object.keys(body), ['message', 'code', 'type', 'version']);
    assert.equal(body.type, 'general_route_not_found');
    assert.equal(body.code, 404);
});

test('ping answers Pong!', async () => {
    const r = await fetch(`${server.endpoint}/ping`, { headers: { 'x-appwrite-project': 'default' } });
    assert.equal(r.status, 200);
    assert.equal(await r.text(), 'Pong!');
});

test('large answers are gzipped when the client accepts it', async () => {
    const r = await fetch(`${server.endpoint}/locale/countries`, {
        headers: { 'x-appwrite-project': 'default', 'accept-encoding': 'gzip' },
    });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-encoding'), 'gzip');
    assert.equal((await r.json()).total, 197); // fetch inflates it
    const plain = await fetch(`${server.endpoint}/locale/countries`, {
        headers: { 'x-appwrite-project': 'default', 'accept-encoding': 'identity' },
    });
    assert.equal(plain.headers.get('content-encoding'), null);
    assert.equal(Number(plain.headers.get('content-length')), (await plain.arrayBuffer()).byteLength);
});

test('the README example works as written', async () => {
    const { readFileSync, writeFileSync, rmSync } = await import('node:fs');
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const code = readme.match(/```js\n([\s\S]*?)```/)[1]
        .replace('http://127.0.0.1:8080/v1', server.endpoint);
    const file = new URL('./.readme-example.mjs', import.meta.url);
    writeFileSync(file, code);
    try {
        const { stdout } = await promisify(execFile)('node', [file.pathname], { env: { ...process.env, CWRITE_KEY: server.key } });
        assert.match(stdout, /Africa/);
        assert.match(stdout, /Antarctica/);
    } finally {
        rmSync(file, { force: true });
    }
});
