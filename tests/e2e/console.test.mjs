// The console project and the Projects API through the console SDK (@appwrite.io/console): console
// sign-up and its whitelists (_APP_CONSOLE_WHITELIST_ROOT, _EMAILS, _IPS), organisations as teams of
// the console project, projects made, read, changed and given to an organisation, dev keys, the
// console service; then the project is used as Appwrite's operators use it: with an API key made by
// `cwrite keys` through node-appwrite, and by a console member through X-Appwrite-Mode: admin,
// which an outsider may not use. Projects made by the API and by `cwrite projects` are the same.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, serverClient, expectAppwriteError, cli } from './lib/server.mjs';
import { startMaildev } from './lib/maildev.mjs';

const realFetch = globalThis.fetch;
let lastSetCookies = [];
let server;
let con;

before(async () => {
    // Keep the Set-Cookie lines of the last answer: the console SDK in node has no cookie jar.
    globalThis.fetch = async (url, options) => {
        const res = await realFetch(url, options);
        lastSetCookies = res.headers.getSetCookie();
        return res;
    };
    con = await import('@appwrite.io/console');
    server = await startServer({
        env: {
            _APP_CONSOLE_WHITELIST_ROOT: 'disabled',
            _APP_CONSOLE_WHITELIST_EMAILS: 'owner@example.com, *@team.example',
        },
    });
});
after(async () => {
    globalThis.fetch = realFetch;
    await server?.stop();
});

function consoleClient(srv = server, cookie) {
    const client = new con.Client().setEndpoint(srv.endpoint).setProject('console');
    if (cookie) client.setCookie(cookie);
    return client;
}

/** Signs up (unless exists) and in; returns a console client carrying a_session_console. */
async function signIn(srv, email, { create = true } = {}) {
    const account = new con.Account(consoleClient(srv));
    if (create) await account.create({ userId: con.ID.unique(), email, password: 'password-123' });
    await account.createEmailPasswordSession({ email, password: 'password-123' });
    const line = lastSetCookies.find((l) => l.startsWith('a_session_console='));
    assert.ok(line, 'the session cookie is a_session_console');
    return consoleClient(srv, line.split(';')[0]);
}

let owner;
let outsider;

test('console sign-up: the whitelisted e-mails pass, others get user_email_not_whitelisted', async () => {
    owner = await signIn(server, 'owner@example.com');
    outsider = await signIn(server, 'outsider@team.example');
    const account = new con.Account(consoleClient());
    await expectAppwriteError(assert, () => account.create({ userId: con.ID.unique(),
        email: 'stranger@elsewhere.example', password: 'password-123' }), 401, 'user_email_not_whitelisted');
    await expectAppwriteError(assert, () => account.createAnonymousSession(), 401,
        'user_anonymous_console_prohibited');
    const me = await new con.Account(owner).get();
    assert.equal(me.email, 'owner@example.com');
});

test('console sign-up with the root whitelist (the default): the first account only', async () => {
    const srv = await startServer();
    try {
        await signIn(srv, 'first@example.com');
        const account = new con.Account(consoleClient(srv));
        await expectAppwriteError(assert, () => account.create({ userId: con.ID.unique(),
            email: 'second@example.com', password: 'password-123' }), 501, 'user_console_count_exceeded');
    } finally {
        await srv.stop();
    }
});

test('console sign-up from an address off _APP_CONSOLE_WHITELIST_IPS is refused', async () => {
    const srv = await startServer({ env: { _APP_CONSOLE_WHITELIST_IPS: '10.9.8.7' } });
    try {
        const account = new con.Account(consoleClient(srv));
        await expectAppwriteError(assert, () => account.create({ userId: con.ID.unique(),
            email: 'first@example.com', password: 'password-123' }), 401, 'user_ip_not_whitelisted');
    } finally {
        await srv.stop();
    }
});

test('an organisation, a project in it, read, listed and changed through the Projects API', async () => {
    const team = await new con.Teams(owner).create({ teamId: 'acme', name: 'Acme' });
    assert.equal(team.$id, 'acme');
    const projects = new con.Projects(owner);
    const p = await projects.create({ projectId: 'shop', name: 'Shop', teamId: 'acme' });
    assert.equal(p.$id, 'shop');
    assert.equal(p.teamId, 'acme');
    assert.equal(p.authDuration, 31536000);
    assert.equal(p.authSessionsLimit, 10);
    assert.equal(p.authEmailPassword, true);
    assert.equal(p.serviceStatusForDatabases, true);
    assert.deepEqual(p.keys, []);
    await expectAppwriteError(assert, () => projects.create({ projectId: 'shop', name: 'Again',
        teamId: 'acme' }), 409, 'project_already_exists');
    await expectAppwriteError(assert, () => projects.create({ projectId: 'console', name: 'No',
        teamId: 'acme' }), 400, 'project_reserved_project');
    // Not a member of acme: neither making a project in it nor seeing its projects.
    await expectAppwriteError(assert, () => new con.Projects(outsider).create({ projectId: 'x1',
        name: 'X', teamId: 'acme' }), 401, 'user_unauthorized');
    await expectAppwriteError(assert, () => new con.Projects(outsider).get({ projectId: 'shop' }),
        401, 'user_unauthorized');
    await expectAppwriteError(assert, () => projects.get({ projectId: 'nothing' }), 404,
        'project_not_found');

    const updated = await projects.update({ projectId: 'shop', name: 'Shop 2', description: 'Our shop' });
    assert.equal(updated.name, 'Shop 2');
    assert.equal(updated.description, 'Our shop');
    assert.equal((await projects.get({ projectId: 'shop' })).description, 'Our shop');

    const list = await projects.list();
    const ids = list.projects.map((x) => x.$id);
    assert.ok(ids.includes('shop'));
    assert.ok(ids.includes(server.projectId), 'the unclaimed default project shows to console users');
    const theirs = await new con.Projects(outsider).list();
    assert.ok(!theirs.projects.map((x) => x.$id).includes('shop'));
    const filtered = await projects.list({ queries: [con.Query.equal('teamId', 'acme')] });
    assert.deepEqual(filtered.projects.map((x) => x.$id), ['shop']);
    assert.equal(filtered.total, 1);

    // Schedules need functions or messaging, which cwrite has none of.
    assert.equal((await projects.listSchedules({ projectId: 'shop' })).total, 0);
});

test('the CLI and the API see the same projects; an unclaimed project goes to its owner', async () => {
    const listed = await cli(['projects', 'list', '--data', server.dataDir]);
    assert.match(listed.stdout, /^shop\s/m);
    await cli(['projects', 'create', '--id', 'legacy', '--name', 'Legacy', '--data', server.dataDir]);
    const projects = new con.Projects(owner);
    const legacy = await projects.get({ projectId: 'legacy' });
    assert.equal(legacy.teamId, '');
    // Only into an organisation the caller owns.
    await expectAppwriteError(assert, () => new con.Projects(outsider).updateTeam({ projectId: 'legacy',
        teamId: 'acme' }), 401, 'user_unauthorized');
    const claimed = await projects.updateTeam({ projectId: 'legacy', teamId: 'acme' });
    assert.equal(claimed.teamId, 'acme');
    await expectAppwriteError(assert, () => new con.Projects(outsider).get({ projectId: 'legacy' }),
        401, 'user_unauthorized');
});

test('dev keys: made, listed, changed, used past the origin check, deleted', async () => {
    const projects = new con.Projects(owner);
    const key = await projects.createDevKey({ projectId: 'shop', name: 'laptop',
        expire: '2099-01-01T00:00:00.000+00:00' });
    assert.equal(key.name, 'laptop');
    assert.match(key.secret, /^[0-9a-f]{256}$/);
    const list = await projects.listDevKeys({ projectId: 'shop' });
    assert.equal(list.total, 1);
    assert.equal(list.devKeys[0].$id, key.$id);
    assert.equal(list.devKeys[0].secret, '', 'the secret is shown once');
    const renamed = await projects.updateDevKey({ projectId: 'shop', keyId: key.$id, name: 'desk',
        expire: '2098-01-01T00:00:00.000+00:00' });
    assert.equal(renamed.name, 'desk');
    assert.equal((await projects.getDevKey({ projectId: 'shop', keyId: key.$id })).name, 'desk');

    const origin = { 'x-appwrite-project': 'shop', origin: 'http://unknown.example' };
    let res = await realFetch(`${server.endpoint}/locale/continents`, { headers: origin });
    assert.equal(res.status, 403);
    assert.equal((await res.json()).type, 'general_unknown_origin');
    res = await realFetch(`${server.endpoint}/locale/continents`,
        { headers: { ...origin, 'x-appwrite-dev-key': key.secret } });
    assert.equal(res.status, 200);

    await projects.deleteDevKey({ projectId: 'shop', keyId: key.$id });
    await expectAppwriteError(assert, () => projects.getDevKey({ projectId: 'shop', keyId: key.$id }),
        404, 'key_not_found');
    res = await realFetch(`${server.endpoint}/locale/continents`,
        { headers: { ...origin, 'x-appwrite-dev-key': key.secret } });
    assert.equal(res.status, 403, 'a deleted dev key passes nothing');
});

test('a key of the new project, made by `cwrite keys`, works with node-appwrite', async () => {
    const made = await cli(['keys', 'create', '--project', 'shop', '--name', 'backend',
        '--scopes', 'users.read,users.write', '--data', server.dataDir]);
    const secret = made.stdout.trim();
    const { sdk, client } = await serverClient(server, { key: secret, project: 'shop' });
    const users = new sdk.Users(client);
    await users.create({ userId: 'u1', email: 'u1@shop.example', password: 'password-123' });
    assert.equal((await users.list()).total, 1);
    await expectAppwriteError(assert, () => new sdk.Teams(client).list(), 401, 'general_unauthorized_scope');
    const p = await new con.Projects(owner).get({ projectId: 'shop' });
    assert.deepEqual(p.keys.map((k) => k.name), ['backend']);
    assert.deepEqual(p.keys[0].scopes, ['users.read', 'users.write']);
});

test('X-Appwrite-Mode: admin acts on the project for a member, not for an outsider', async () => {
    const asOwner = consoleClient(server, owner.config.cookie).setProject('shop').setMode('admin');
    const users = await new con.Users(asOwner).list();
    assert.equal(users.total, 1);
    assert.equal(users.users[0].$id, 'u1');
    const db = await new con.Databases(asOwner).create({ databaseId: 'main', name: 'Main' });
    assert.equal(db.$id, 'main');

    const asOutsider = consoleClient(server, outsider.config.cookie).setProject('shop').setMode('admin');
    await expectAppwriteError(assert, () => new con.Users(asOutsider).list(), 401, 'user_unauthorized');
    // Without admin mode the console session is no session of the project.
    const plain = consoleClient(server, owner.config.cookie).setProject('shop');
    await expectAppwriteError(assert, () => new con.Users(plain).list(), 401, 'general_unauthorized_scope');
    // Admin mode names a project: the console itself refuses it.
    const onConsole = consoleClient(server, owner.config.cookie).setMode('admin');
    await expectAppwriteError(assert, () => new con.Account(onConsole).get(), 400, 'general_bad_request');
});

test('the console service answers with cwrite\'s values', async () => {
    const vars = await new con.Console(owner).variables();
    assert.equal(vars._APP_DOMAIN_ENABLED, false);
    assert.equal(vars.supportForRelationships, true);
    const call = (path) => owner.call('get', new URL(server.endpoint + path), { 'X-Appwrite-Project': 'console' });
    const scopes = await call('/console/scopes/project');
    assert.ok(scopes.total > 50);
    assert.ok(scopes.scopes.some((s) => s.$id === 'users.read' && s.category === 'Auth' && !s.deprecated));
    assert.ok(scopes.scopes.some((s) => s.$id === 'documents.read' && s.deprecated));
    const providers = await call('/console/oauth2-providers');
    assert.equal(providers.total, 0);
    assert.equal(providers.oAuth2Providers.length, 0);
    const res = await realFetch(`${server.endpoint}/console/variables`, { headers: { 'x-appwrite-project': 'shop' } });
    assert.equal(res.status, 401, 'a guest of a project lacks projects.read');
});

// The whole flow as the console (SDK 23.0.0, response format 1.8.0) runs it, on the older
// /v1/projects/{projectId}/… paths: a project, a key with scopes, a web platform, SMTP settings
// and a webhook; then the key works with node-appwrite and the platform's origin passes CORS.
test('console flow: project, key, web platform, SMTP, webhook; the key and the origin then work', async () => {
    const mail = await startMaildev();
    try {
        const projects = new con.Projects(owner);
        const p = await projects.create({ projectId: 'flow', name: 'Flow', teamId: 'acme' });
        assert.equal(p.$id, 'flow');

        const key = await projects.createKey({ projectId: 'flow', name: 'server',
            scopes: ['users.read', 'users.write', 'webhooks.read'] });
        assert.equal(key.name, 'server');
        assert.deepEqual(key.scopes, ['users.read', 'users.write', 'webhooks.read']);
        assert.ok(key.secret.length > 0);
        assert.equal((await projects.listKeys({ projectId: 'flow' })).total, 1);
        assert.equal((await projects.getKey({ projectId: 'flow', keyId: key.$id })).name, 'server');

        const platform = await projects.createPlatform({ projectId: 'flow', type: con.PlatformType.Web,
            name: 'Site', hostname: 'app.example.com' });
        assert.equal(platform.type, 'web');
        assert.equal(platform.hostname, 'app.example.com');
        assert.equal(platform.name, 'Site');
        const platforms = await projects.listPlatforms({ projectId: 'flow' });
        assert.equal(platforms.total, 1);
        assert.equal(platforms.platforms[0].hostname, 'app.example.com');

        const smtp = await projects.updateSmtp({ projectId: 'flow', enabled: true, senderName: 'Flow',
            senderEmail: 'flow@example.com', replyTo: 'help@example.com', host: '127.0.0.1',
            port: mail.smtpPort, username: '', password: '' });
        assert.equal(smtp.smtpEnabled, true);
        assert.equal(smtp.smtpSenderEmail, 'flow@example.com');
        assert.equal(smtp.smtpReplyTo, 'help@example.com');
        assert.equal(smtp.smtpHost, '127.0.0.1');
        assert.equal(smtp.smtpPort, mail.smtpPort);

        // The webhook in the older names (security, httpUser, httpPass, signatureKey).
        const hook = await projects.createWebhook({ projectId: 'flow', name: 'Orders',
            events: ['users.*.create'], url: 'https://hooks.example.com/in', security: true,
            httpUser: 'ada', httpPass: 'secret-pass' });
        assert.equal(hook.name, 'Orders');
        assert.equal(hook.security, true);
        assert.equal(hook.httpUser, 'ada');
        assert.equal(hook.httpPass, 'secret-pass');
        assert.match(hook.signatureKey, /^[0-9a-f]{128}$/);
        assert.equal(hook.enabled, true);
        assert.equal(hook.tls, undefined);
        assert.equal(hook.authUsername, undefined);
        let list = await projects.listWebhooks({ projectId: 'flow' });
        assert.equal(list.total, 1);
        assert.equal(list.webhooks[0].$id, hook.$id);
        assert.equal(list.webhooks[0].signatureKey, '', 'the key is shown on creation and rotation only');
        const changed = await projects.updateWebhook({ projectId: 'flow', webhookId: hook.$id,
            name: 'Orders 2', events: ['users.*'], url: 'https://hooks.example.com/in2', security: false,
            httpUser: 'bob' });
        assert.equal(changed.name, 'Orders 2');
        assert.equal(changed.security, false);
        assert.equal(changed.httpUser, 'bob');
        assert.equal((await projects.getWebhook({ projectId: 'flow', webhookId: hook.$id })).url,
            'https://hooks.example.com/in2');
        const rotated = await projects.updateWebhookSignature({ projectId: 'flow', webhookId: hook.$id });
        assert.match(rotated.signatureKey, /^[0-9a-f]{128}$/);
        assert.notEqual(rotated.signatureKey, hook.signatureKey);
        await expectAppwriteError(assert, () => new con.Projects(outsider).listWebhooks({ projectId: 'flow' }),
            401, 'user_unauthorized');
        await expectAppwriteError(assert, () => projects.getWebhook({ projectId: 'flow', webhookId: 'nope' }),
            404, 'webhook_not_found');

        // The key works with node-appwrite; the same webhooks answer on /v1/webhooks.
        const { sdk, client } = await serverClient(server, { key: key.secret, project: 'flow' });
        await new sdk.Users(client).create({ userId: 'f1', email: 'f1@flow.example', password: 'password-123' });
        assert.equal((await new sdk.Users(client).list()).total, 1);
        await expectAppwriteError(assert, () => new sdk.Teams(client).list(), 401, 'general_unauthorized_scope');
        const seen = await new sdk.Webhooks(client).list();
        assert.equal(seen.total, 1);
        assert.equal(seen.webhooks[0].name, 'Orders 2');
        assert.equal(seen.webhooks[0].authUsername, 'bob');
        assert.equal(seen.webhooks[0].tls, false);

        await projects.deleteWebhook({ projectId: 'flow', webhookId: hook.$id });
        list = await projects.listWebhooks({ projectId: 'flow' });
        assert.equal(list.total, 0);

        // CORS: the web platform's origin passes, preflight and request; another does not.
        const allowed = 'http://app.example.com';
        let res = await realFetch(`${server.endpoint}/locale/continents`, { method: 'OPTIONS', headers: {
            origin: allowed, 'access-control-request-method': 'GET',
            'access-control-request-headers': 'x-appwrite-project' } });
        assert.equal(res.status, 204);
        assert.equal(res.headers.get('access-control-allow-origin'), allowed);
        assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
        res = await realFetch(`${server.endpoint}/locale/continents`,
            { headers: { origin: allowed, 'x-appwrite-project': 'flow' } });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('access-control-allow-origin'), allowed);
        res = await realFetch(`${server.endpoint}/locale/continents`,
            { headers: { origin: 'http://evil.example', 'x-appwrite-project': 'flow' } });
        assert.equal(res.status, 403);
        assert.equal(res.headers.get('access-control-allow-origin'), null);
        const body = await res.json();
        assert.equal(body.type, 'general_unknown_origin');
        assert.match(body.message, /evil\.example/);
        await projects.deletePlatform({ projectId: 'flow', platformId: platform.$id });
        res = await realFetch(`${server.endpoint}/locale/continents`,
            { headers: { origin: allowed, 'x-appwrite-project': 'flow' } });
        assert.equal(res.status, 403, 'a deleted platform allows no origin');
    } finally {
        await mail.stop();
    }
});
