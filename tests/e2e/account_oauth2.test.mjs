// The OAuth2 sign-in routes. A browser is sent to them, so their errors are HTML pages with the
// error's status, as Appwrite renders them. No project can enable a provider yet, so every known
// provider answers 412 project_provider_disabled once the parameters pass.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './lib/server.mjs';

let server;
let sdk;

before(async () => {
    server = await startServer();
    sdk = await import('node-appwrite');
});
after(async () => { await server.stop(); });

async function open(path) {
    const res = await fetch(`${server.endpoint}${path}`, {
        headers: { 'X-Appwrite-Project': server.projectId }, redirect: 'manual',
    });
    return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
}

for (const route of ['sessions', 'tokens']) {
    test(`GET /v1/account/${route}/oauth2/{provider}: errors are pages`, async () => {
        let r = await open(`/account/${route}/oauth2/github?success=http://localhost/ok&failure=http://localhost/no`);
        assert.equal(r.status, 412);
        assert.match(r.type, /^text\/html/);
        assert.match(r.body, /project_provider_disabled/);
        assert.match(r.body, /This provider is disabled/);

        r = await open(`/account/${route}/oauth2/myspace`);
        assert.equal(r.status, 400);
        assert.match(r.type, /^text\/html/);
        assert.match(r.body, /general_argument_invalid/);
        assert.match(r.body, /Invalid `provider` param/);

        r = await open(`/account/${route}/oauth2/google?success=${encodeURIComponent('https://evil.example.net/')}`);
        assert.equal(r.status, 400);
        assert.match(r.body, /Invalid `success` param/);
        assert.ok(!r.body.includes('<script'), 'the page carries no markup from the request');

        r = await open(`/account/${route}/oauth2/google?failure=${encodeURIComponent('https://evil.example.net/<b>')}`);
        assert.equal(r.status, 400);
        assert.ok(!r.body.includes('<b>'), 'request text is escaped');
    });
}

test('node-appwrite: createOAuth2Token fails for a provider the project has not enabled', async () => {
    const account = new sdk.Account(new sdk.Client().setEndpoint(server.endpoint).setProject(server.projectId));
    await assert.rejects(() => account.createOAuth2Token({ provider: 'github', success: 'http://localhost/ok' }));
});

test('other errors stay JSON', async () => {
    const res = await fetch(`${server.endpoint}/account`, { headers: { 'X-Appwrite-Project': server.projectId } });
    assert.equal(res.status, 401);
    assert.match(res.headers.get('content-type'), /^application\/json/);
});
