// The Account service (/v1/account) and sessions in the middleware: sign-up and sign-in through
// the web SDK `appwrite` (with a browser-like localStorage so it keeps the session in
// X-Fallback-Cookies, as it does in a browser on another site), node-appwrite with setSession and
// setJWT, server-made sessions (users.createSession), the session cookies, JWTs, blocked users
// and document permissions for signed-in users. Raw fetch where headers matter.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, serverClient, expectAppwriteError } from './lib/server.mjs';

let server;
let sdk; // node-appwrite
let web; // appwrite (web)
let users;
let dbs;

before(async () => {
    server = await startServer();
    const c = await serverClient(server);
    sdk = c.sdk;
    users = new sdk.Users(c.client);
    dbs = new sdk.Databases(c.client);
    web = await import('appwrite');
});
after(async () => { await server.stop(); });

/** A node-appwrite Account acting with a session value (the cookie value) or a JWT. */
function accountWith({ session, jwt } = {}) {
    const client = new sdk.Client().setEndpoint(server.endpoint).setProject(server.projectId);
    if (session) client.setSession(session);
    if (jwt) client.setJWT(jwt);
    return { client, account: new sdk.Account(client), databases: new sdk.Databases(client) };
}

/** A session value for a user, made by the server with the API key. */
async function serverSession(userId) {
    const s = await users.createSession({ userId });
    assert.ok(s.secret.length > 0);
    return s;
}

async function raw(method, path, { body, headers = {} } = {}) {
    const h = { accept: 'application/json', 'x-appwrite-project': server.projectId, ...headers };
    if (body !== undefined) h['content-type'] = 'application/json';
    const r = await fetch(server.endpoint + path, {
        method, headers: h, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, headers: r.headers, body: text ? JSON.parse(text) : null };
}

/** What a browser gives the web SDK: a localStorage, for its cookie fallback. */
function withBrowserStorage() {
    const store = new Map();
    globalThis.window = {
        localStorage: {
            getItem: (k) => (store.has(k) ? store.get(k) : null),
            setItem: (k, v) => { store.set(k, String(v)); },
            removeItem: (k) => { store.delete(k); },
        },
        console: { warn() {}, log() {}, error() {} },
    };
    return () => { delete globalThis.window; };
}

test('web SDK: sign up, sign in (fallback cookie kept), get account, sign out', async () => {
    const restore = withBrowserStorage();
    try {
        const client = new web.Client().setEndpoint(server.endpoint).setProject(server.projectId);
        const account = new web.Account(client);
        const created = await account.create({ userId: 'webuser', email: 'Web@Example.com',
            password: 'password123', name: 'Web' });
        assert.equal(created.$id, 'webuser');
        assert.equal(created.email, 'web@example.com');
        assert.equal(created.password, undefined, 'the account model has no password');
        assert.equal(created.hash, undefined);
        assert.equal(created.targets.length, 1);

        await expectAppwriteError(assert, () => account.get(), 401, 'general_unauthorized_scope');
        const s = await account.createEmailPasswordSession({ email: 'web@example.com', password: 'password123' });
        assert.equal(s.userId, 'webuser');
        assert.equal(s.provider, 'email');
        assert.equal(s.providerUid, 'web@example.com');
        assert.equal(s.current, true);
        assert.equal(s.secret, '', 'no secret without a key');
        assert.deepEqual([...s.factors], ['password']);
        assert.ok(window.localStorage.getItem('cookieFallback'), 'X-Fallback-Cookies kept');

        const me = await account.get();
        assert.equal(me.$id, 'webuser');
        assert.equal(me.name, 'Web');
        await expectAppwriteError(assert, () => account.createEmailPasswordSession({
            email: 'web@example.com', password: 'password123' }), 401, 'user_session_already_exists');

        const list = await account.listSessions();
        assert.equal(list.total, 1);
        assert.equal(list.sessions[0].current, true);
        const cur = await account.getSession({ sessionId: 'current' });
        assert.equal(cur.$id, s.$id);

        await account.deleteSession({ sessionId: 'current' });
        assert.equal(window.localStorage.getItem('cookieFallback'), '[]');
        await expectAppwriteError(assert, () => account.get(), 401, 'general_unauthorized_scope');
    } finally {
        restore();
    }
});

test('sign-up errors: duplicate 409, short password, bad email', async () => {
    const client = new web.Client().setEndpoint(server.endpoint).setProject(server.projectId);
    const account = new web.Account(client);
    await expectAppwriteError(assert, () => account.create({ userId: 'other', email: 'web@example.com',
        password: 'password123' }), 409, 'user_already_exists');
    await expectAppwriteError(assert, () => account.create({ userId: 'webuser', email: 'x@example.com',
        password: 'password123' }), 409, 'user_already_exists');
    await expectAppwriteError(assert, () => account.create({ userId: 'u2', email: 'y@example.com',
        password: 'short' }), 400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => account.create({ userId: 'u2', email: 'nope',
        password: 'password123' }), 400, 'general_argument_invalid');
});

test('email session: wrong password and unknown email are 401 user_invalid_credentials', async () => {
    const { account } = accountWith();
    await expectAppwriteError(assert, () => account.createEmailPasswordSession({
        email: 'web@example.com', password: 'wrongpassword' }), 401, 'user_invalid_credentials');
    await expectAppwriteError(assert, () => account.createEmailPasswordSession({
        email: 'ghost@example.com', password: 'password123' }), 401, 'user_invalid_credentials');
});

test('cookies: Set-Cookie of both, sent back as a cookie they sign in', async () => {
    const r = await raw('POST', '/account/sessions/email', {
        body: { email: 'web@example.com', password: 'password123' } });
    assert.equal(r.status, 201);
    const cookies = r.headers.getSetCookie();
    const name = `a_session_${server.projectId}`;
    const main = cookies.find((c) => c.startsWith(`${name}=`));
    const legacy = cookies.find((c) => c.startsWith(`${name}_legacy=`));
    assert.ok(main && legacy, cookies.join(' | '));
    assert.match(main, /; HttpOnly; SameSite=None$/);
    assert.doesNotMatch(legacy, /SameSite/);
    assert.doesNotMatch(main, /domain=/, 'no domain for an IP host');
    const fallback = JSON.parse(r.headers.get('x-fallback-cookies'));
    const value = fallback[name];
    assert.equal(encodeURIComponent(value), main.split(';')[0].slice(name.length + 1));
    const decoded = JSON.parse(Buffer.from(value, 'base64').toString());
    assert.equal(decoded.id, 'webuser');
    assert.match(decoded.secret, /^[0-9a-f]{256}$/);

    const cookieHeader = main.split(';')[0];
    const me = await raw('GET', '/account', { headers: { cookie: cookieHeader } });
    assert.equal(me.status, 200);
    assert.equal(me.body.$id, 'webuser');
    const legacyOnly = await raw('GET', '/account', { headers: { cookie: legacy.split(';')[0] } });
    assert.equal(legacyOnly.status, 200);
    const viaHeader = await raw('GET', '/account', { headers: { 'x-appwrite-session': value } });
    assert.equal(viaHeader.status, 200);
    // A wrong secret is no session: the request is a guest's.
    const forged = Buffer.from(JSON.stringify({ id: 'webuser', secret: 'a'.repeat(256) })).toString('base64');
    const bad = await raw('GET', '/account', { headers: { 'x-appwrite-session': forged } });
    assert.equal(bad.status, 401);
    assert.equal(bad.body.type, 'general_unauthorized_scope');
    await raw('DELETE', '/account/sessions/current', { headers: { cookie: cookieHeader } });
});

test('server session (users.createSession), list and delete sessions, updates', async () => {
    await users.create({ userId: 'srv', email: 'srv@example.com', password: 'password123', name: 'Srv' });
    const s1 = await serverSession('srv');
    assert.equal(s1.provider, 'server');
    const s2 = await serverSession('srv');
    const { account } = accountWith({ session: s1.secret });
    const me = await account.get();
    assert.equal(me.$id, 'srv');
    const list = await account.listSessions();
    assert.equal(list.total, 2);
    assert.deepEqual(list.sessions.map((s) => s.current), [true, false]);
    assert.ok(list.sessions.every((s) => s.secret === ''));
    const refreshed = await account.updateSession({ sessionId: s2.$id });
    assert.equal(refreshed.$id, s2.$id);
    await account.deleteSession({ sessionId: s2.$id });
    await expectAppwriteError(assert, () => account.getSession({ sessionId: s2.$id }), 404, 'user_session_not_found');
    assert.equal((await account.listSessions()).total, 1);

    assert.equal((await account.updateName({ name: 'Renamed' })).name, 'Renamed');
    assert.deepEqual({ ...(await account.updatePrefs({ prefs: { theme: 'dark' } })).prefs }, { theme: 'dark' });
    assert.deepEqual({ ...(await account.getPrefs()) }, { theme: 'dark' });
    await expectAppwriteError(assert, () => account.updatePassword({ password: 'newpassword1', oldPassword: 'wrongwrong' }),
        401, 'user_invalid_credentials');
    await account.updatePassword({ password: 'newpassword1', oldPassword: 'password123' });
    await expectAppwriteError(assert, () => account.updateEmail({ email: 'srv2@example.com', password: 'password123' }),
        401, 'user_invalid_credentials');
    assert.equal((await account.updateEmail({ email: 'srv2@example.com', password: 'newpassword1' })).email, 'srv2@example.com');
    const { account: anon } = accountWith();
    const s3 = await anon.createEmailPasswordSession({ email: 'srv2@example.com', password: 'newpassword1' });
    assert.equal(s3.userId, 'srv');

    await account.deleteSessions();
    await expectAppwriteError(assert, () => account.get(), 401, 'general_unauthorized_scope');
    assert.equal((await users.listSessions({ userId: 'srv' })).total, 0);
});

test('with an API key, the session model carries the secret', async () => {
    const c = await serverClient(server);
    const account = new sdk.Account(c.client);
    const s = await account.createEmailPasswordSession({ email: 'srv2@example.com', password: 'newpassword1' });
    assert.ok(s.secret.length > 0);
    const { account: mine } = accountWith({ session: s.secret });
    assert.equal((await mine.get()).$id, 'srv');
});

test('session limit: the oldest beyond 10 are dropped', async () => {
    await users.create({ userId: 'many', email: 'many@example.com', password: 'password123' });
    const { account } = accountWith();
    const made = [];
    for (let i = 0; i < 12; i++)
        made.push(await account.createEmailPasswordSession({ email: 'many@example.com', password: 'password123' }));
    const left = await users.listSessions({ userId: 'many' });
    assert.equal(left.total, 10);
    const ids = left.sessions.map((s) => s.$id);
    assert.ok(!ids.includes(made[0].$id) && !ids.includes(made[1].$id));
    assert.ok(ids.includes(made[11].$id));
});

test('anonymous session', async () => {
    const { account } = accountWith();
    const s = await account.createAnonymousSession();
    assert.equal(s.provider, 'anonymous');
    const u = await users.get({ userId: s.userId });
    assert.equal(u.email, '');
});

test('JWT: works for GET /account, cannot mint a JWT, dies with its session', async () => {
    const s = await serverSession('webuser');
    const { account } = accountWith({ session: s.secret });
    const { jwt } = await account.createJWT();
    assert.equal(jwt.split('.').length, 3);
    const { account: byJwt } = accountWith({ jwt });
    assert.equal((await byJwt.get()).$id, 'webuser');
    await expectAppwriteError(assert, () => byJwt.createJWT(), 403, 'user_jwt_creation_denied');
    // A JWT next to a valid session is refused.
    const both = await raw('GET', '/account', { headers: { 'x-appwrite-jwt': jwt, 'x-appwrite-session': s.secret } });
    assert.equal(both.status, 403);
    assert.equal(both.body.type, 'user_jwt_and_cookie_set');
    const broken = await raw('GET', '/account', { headers: { 'x-appwrite-jwt': jwt.slice(0, -2) + 'xx' } });
    assert.equal(broken.status, 401);
    assert.equal(broken.body.type, 'user_jwt_invalid');
    await account.deleteSession({ sessionId: 'current' });
    await expectAppwriteError(assert, () => byJwt.get(), 401, 'general_unauthorized_scope');
});

test('JWT survives a restart (the key is kept in the data folder)', async () => {
    const s = await serverSession('webuser');
    const { account } = accountWith({ session: s.secret });
    const { jwt } = await account.createJWT();
    const again = await startServer({ dataDir: server.dataDir });
    try {
        const r = await fetch(`${again.endpoint}/account`, {
            headers: { 'x-appwrite-project': server.projectId, 'x-appwrite-jwt': jwt } });
        assert.equal(r.status, 200);
    } finally {
        await again.stop();
    }
});

test('blocked user (403 user_blocked): refused with their session, and cannot sign in', async () => {
    await users.create({ userId: 'blocky', email: 'blocky@example.com', password: 'password123' });
    const s = await serverSession('blocky');
    const { account } = accountWith({ session: s.secret });
    const blocked = await account.updateStatus();
    assert.equal(blocked.status, false);
    await expectAppwriteError(assert, () => account.get(), 403, 'user_blocked');
    await expectAppwriteError(assert, () => accountWith().account.createEmailPasswordSession({
        email: 'blocky@example.com', password: 'password123' }), 403, 'user_blocked');
    await users.updateStatus({ userId: 'blocky', status: true });
    assert.equal((await account.get()).$id, 'blocky');
    await users.updateStatus({ userId: 'blocky', status: false });
    const r = await raw('GET', '/databases/perm/collections/notes/documents', { headers: { 'x-appwrite-session': s.secret } });
    assert.equal(r.status, 403);
    assert.equal(r.body.type, 'user_blocked');
});

test('permissions: read("user:ID") is seen by that user only; totals agree', async () => {
    await users.create({ userId: 'alice', email: 'alice@example.com', password: 'password123' });
    await users.create({ userId: 'bob', email: 'bob@example.com', password: 'password123' });
    await users.updateLabels({ userId: 'bob', labels: ['vip'] });
    await dbs.create({ databaseId: 'perm', name: 'perm' });
    await dbs.createCollection({ databaseId: 'perm', collectionId: 'notes', name: 'notes', documentSecurity: true });
    await dbs.createStringAttribute({ databaseId: 'perm', collectionId: 'notes', key: 'text', size: 64, required: false });
    const P = sdk.Permission, R = sdk.Role;
    await dbs.createDocument({ databaseId: 'perm', collectionId: 'notes', documentId: 'a1', data: { text: 'alice' },
        permissions: [P.read(R.user('alice'))] });
    await dbs.createDocument({ databaseId: 'perm', collectionId: 'notes', documentId: 'v1', data: { text: 'vip' },
        permissions: [P.read(R.label('vip'))] });
    await dbs.createDocument({ databaseId: 'perm', collectionId: 'notes', documentId: 'u1', data: { text: 'users' },
        permissions: [P.read(R.users('unverified'))] });

    const alice = accountWith({ session: (await serverSession('alice')).secret }).databases;
    const bob = accountWith({ session: (await serverSession('bob')).secret }).databases;
    const guest = accountWith().databases;

    const la = await alice.listDocuments({ databaseId: 'perm', collectionId: 'notes' });
    assert.deepEqual(la.documents.map((d) => d.$id).sort(), ['a1', 'u1']);
    assert.equal(la.total, 2);
    assert.equal((await alice.getDocument({ databaseId: 'perm', collectionId: 'notes', documentId: 'a1' })).text, 'alice');

    const lb = await bob.listDocuments({ databaseId: 'perm', collectionId: 'notes' });
    assert.deepEqual(lb.documents.map((d) => d.$id).sort(), ['u1', 'v1']);
    assert.equal(lb.total, 2);
    await expectAppwriteError(assert, () => bob.getDocument({ databaseId: 'perm', collectionId: 'notes', documentId: 'a1' }),
        404, 'document_not_found');

    const lg = await guest.listDocuments({ databaseId: 'perm', collectionId: 'notes' });
    assert.equal(lg.total, 0);
    assert.equal(lg.documents.length, 0);

    // A document a signed-in user creates without permissions is theirs alone.
    await dbs.updateCollection({ databaseId: 'perm', collectionId: 'notes', name: 'notes', documentSecurity: true,
        permissions: [P.create(R.users())] });
    const mine = await alice.createDocument({ databaseId: 'perm', collectionId: 'notes', documentId: 'a2', data: { text: 'x' } });
    assert.ok(mine.$permissions.includes('read("user:alice")'));
    await expectAppwriteError(assert, () => guest.createDocument({ databaseId: 'perm', collectionId: 'notes',
        documentId: 'g1', data: { text: 'x' } }), 401, 'user_unauthorized');
    const lb2 = await bob.listDocuments({ databaseId: 'perm', collectionId: 'notes' });
    assert.equal(lb2.total, 2);
});
