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
