// The Users service (/v1/users) through node-appwrite's Users class: users and the password
// imports (each with a known hash from tests/unit/test_password.c), list with queries, search and
// cursors, updates, prefs, labels, targets, tokens, server-made sessions, and the lists other
// services fill (sessions, memberships, identities) with their errors. Raw fetch where the status code matters.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, serverClient, expectAppwriteError } from './lib/server.mjs';

let server;
let sdk;
let users;
let dbs;
let Query;
let ID;

before(async () => {
    server = await startServer();
    const c = await serverClient(server);
    sdk = c.sdk;
    ({ Query, ID } = sdk);
    users = new sdk.Users(c.client);
    dbs = new sdk.Databases(c.client);
});
after(async () => { await server.stop(); });

async function raw(method, path, body, { key = server.key } = {}) {
    const headers = { accept: 'application/json', 'x-appwrite-project': server.projectId };
    if (key) headers['x-appwrite-key'] = key;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const r = await fetch(server.endpoint + path, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
}

/** The SDK parses into null-prototype objects; compare plain copies. */
const plain = (o) => JSON.parse(JSON.stringify(o));

const USER_KEYS = ['$id', '$createdAt', '$updatedAt', 'name', 'password', 'hash', 'hashOptions',
    'registration', 'status', 'labels', 'passwordUpdate', 'email', 'phone', 'emailVerification',
    'phoneVerification', 'mfa', 'prefs', 'targets', 'accessedAt', 'impersonator'];

test('create: the user model, argon2 with Appwrite parameters, email and phone targets', async () => {
    const u = await users.create({ userId: 'alice', email: 'Alice@Example.com', phone: '+15550100',
        password: 'correct horse', name: 'Alice' });
    assert.deepEqual(Object.keys(u), USER_KEYS);
    assert.equal(u.$id, 'alice');
    assert.equal(u.email, 'alice@example.com');
    assert.equal(u.phone, '+15550100');
    assert.equal(u.name, 'Alice');
    assert.equal(u.status, true);
    assert.equal(u.emailVerification, false);
    assert.deepEqual(plain(u.labels), []);
    assert.deepEqual(plain(u.prefs), {});
    assert.equal(u.hash, 'argon2');
    assert.deepEqual(plain(u.hashOptions), { type: 'argon2', memory_cost: 7168, time_cost: 5, threads: 1 });
    assert.match(u.password, /^\$argon2id\$v=19\$m=7168,t=5,p=1\$/);
    assert.notEqual(u.passwordUpdate, '');
    assert.equal(u.targets.length, 2);
    assert.deepEqual(u.targets.map((t) => t.providerType).sort(), ['email', 'sms']);
    assert.equal(u.targets.find((t) => t.providerType === 'email').identifier, 'alice@example.com');

    const bare = await users.create({ userId: ID.unique() });
    assert.equal(bare.email, '');
    assert.equal(bare.phone, '');
    assert.equal(bare.password, '');
    assert.equal(bare.passwordUpdate, '');
    assert.deepEqual(plain(bare.targets), []);
    const r = await raw('POST', '/users', { userId: 'unique()', name: 'Raw' });
    assert.equal(r.status, 201);
});

test('create: conflicts and bad parameters', async () => {
    await expectAppwriteError(assert, () => users.create({ userId: 'alice' }), 409, 'user_already_exists');
    await expectAppwriteError(assert, () => users.create({ userId: ID.unique(), email: 'alice@example.com' }),
        409, 'user_already_exists');
    await expectAppwriteError(assert, () => users.create({ userId: ID.unique(), phone: '+15550100' }),
        409, 'user_already_exists');
    await expectAppwriteError(assert, () => users.create({ userId: ID.unique(), email: 'not-an-email' }),
        400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => users.create({ userId: ID.unique(), phone: '5550100' }),
        400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => users.create({ userId: ID.unique(), password: 'short' }),
        400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => users.create({ userId: ID.unique(), name: 'x'.repeat(129) }),
        400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => users.create({ userId: '_bad' }), 400, 'general_argument_invalid');
    const r = await raw('POST', '/users', { userId: ID.unique() }, { key: null });
    assert.equal(r.status, 401);
    assert.equal(r.body.type, 'general_unauthorized_scope');
});

test('password imports keep hash and hashOptions as given', async () => {
    const argon = '$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4';
    let u = await users.createArgon2User({ userId: 'imp-argon2', email: 'argon2@example.com', password: argon });
    assert.equal(u.hash, 'argon2');
    assert.equal(u.password, argon);

    const bcrypt = '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW';
    u = await users.createBcryptUser({ userId: 'imp-bcrypt', email: 'bcrypt@example.com', password: bcrypt });
    assert.equal(u.hash, 'bcrypt');
    assert.equal(u.password, bcrypt);
    assert.deepEqual(plain(u.hashOptions), { type: 'bcrypt', cost: 8 });

    u = await users.createMD5User({ userId: 'imp-md5', email: 'md5@example.com',
        password: '5f4dcc3b5aa765d61d8327deb882cf99' });
    assert.equal(u.hash, 'md5');
    assert.deepEqual(plain(u.hashOptions), { type: 'md5' });

    u = await users.createPHPassUser({ userId: 'imp-phpass', email: 'phpass@example.com',
        password: '$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0' });
    assert.equal(u.hash, 'phpass');
    assert.equal(u.password, '$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0');

    u = await users.createSHAUser({ userId: 'imp-sha', email: 'sha@example.com',
        password: '5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8', passwordVersion: sdk.PasswordHash.Sha1 });
    assert.equal(u.hash, 'sha');
    assert.deepEqual(plain(u.hashOptions), { version: 'sha1' });
    u = await users.createSHAUser({ userId: 'imp-sha256', email: 'sha256@example.com',
        password: '5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8' });
    assert.deepEqual(plain(u.hashOptions), { version: 'sha256' });

    const rfc = 'fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e2'
        + '2a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640';
    u = await users.createScryptUser({ userId: 'imp-scrypt', email: 'scrypt@example.com', password: rfc,
        passwordSalt: 'NaCl', passwordCpu: 1024, passwordMemory: 8, passwordParallel: 16, passwordLength: 64 });
    assert.equal(u.hash, 'scrypt');
    assert.equal(u.password, rfc);
    assert.equal(u.hashOptions.salt, 'NaCl');
    assert.equal(u.hashOptions.costCpu, 1024);

    const key = 'jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==';
    const fb = 'lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==';
    u = await users.createScryptModifiedUser({ userId: 'imp-scryptmod', email: 'fb@example.com', password: fb,
        passwordSalt: '42xEC+ixf3L2lw==', passwordSaltSeparator: 'Bw==', passwordSignerKey: key });
    assert.equal(u.hash, 'scryptMod');
    assert.equal(u.hashOptions.signerKey, key);

    await expectAppwriteError(assert, () => raw('POST', '/users/md5', { userId: 'x', password: 'y' })
        .then((r) => { if (r.status >= 400) throw Object.assign(new Error(), { code: r.status, type: r.body.type }); }),
    400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => users.createSHAUser({ userId: ID.unique(), email: 'a@b.co',
        password: 'x', passwordVersion: 'sha9' }), 400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => users.createMD5User({ userId: 'imp-md5', email: 'other@example.com',
        password: 'x' }), 409, 'user_already_exists');
});

test('get and list: queries, search, cursors, total', async () => {
    const u = await users.get({ userId: 'alice' });
    assert.equal(u.name, 'Alice');
    assert.equal(u.targets.length, 2);
    await expectAppwriteError(assert, () => users.get({ userId: 'nobody' }), 404, 'user_not_found');

    for (const n of ['Bob', 'Carol', 'Dave']) {
        await users.create({ userId: `list-${n.toLowerCase()}`, email: `${n.toLowerCase()}@list.test`, name: n });
    }
    const all = await users.list();
    assert.ok(all.total >= 14);
    assert.deepEqual(Object.keys(all), ['total', 'users']);
    const eq = await users.list({ queries: [Query.equal('name', ['Carol'])] });
    assert.equal(eq.total, 1);
    assert.equal(eq.users[0].$id, 'list-carol');
    assert.equal(eq.users[0].targets.length, 1);
    const found = await users.list({ search: 'Dave' });
    assert.equal(found.total, 1);
    assert.equal(found.users[0].$id, 'list-dave');
    const byEmail = await users.list({ search: 'bob@list.test' });
    assert.equal(byEmail.users[0].$id, 'list-bob');

    const page1 = await users.list({ queries: [Query.startsWith('email', 'b'), Query.limit(1)] });
    assert.equal(page1.users.length, 1);
    const ordered = await users.list({ queries: [Query.orderAsc('name'), Query.limit(2)] });
    const after = await users.list({ queries: [Query.orderAsc('name'), Query.cursorAfter(ordered.users[0].$id), Query.limit(1)] });
    assert.equal(after.users[0].$id, ordered.users[1].$id);
    const noTotal = await users.list({ queries: [Query.limit(1)], total: false });
    assert.equal(noTotal.total, 0);
    assert.equal(noTotal.users.length, 1);

    await expectAppwriteError(assert, () => users.list({ queries: [Query.equal('password', ['x'])] }),
        400, 'general_query_invalid');
    await expectAppwriteError(assert, () => users.list({ queries: ['{"method":"nope"}'] }),
        400, 'general_query_invalid');
    await expectAppwriteError(assert, () => users.list({ queries: [Query.cursorAfter('ghost')] }),
        400, 'general_cursor_not_found');
});

test('internal collections stay out of the Databases API', async () => {
    const list = await dbs.list();
    assert.ok(list.databases.every((d) => !d.$id.startsWith('_')));
    const r = await raw('GET', '/databases/_internal/collections/users/documents');
    assert.equal(r.status, 400);
    const r2 = await raw('GET', '/tablesdb/_internal/tables/users/rows');
    assert.equal(r2.status, 400);
});

test('updates: name, email, phone, password, status, labels, verification, mfa', async () => {
    let u = await users.create({ userId: 'upd', email: 'upd@example.com', name: 'Up' });
    u = await users.updateName({ userId: 'upd', name: 'Updated' });
    assert.equal(u.name, 'Updated');
    assert.equal((await users.list({ search: 'Updated' })).users[0].$id, 'upd');

    u = await users.updateEmail({ userId: 'upd', email: 'New@Example.com' });
    assert.equal(u.email, 'new@example.com');
    assert.equal(u.targets.find((t) => t.providerType === 'email').identifier, 'new@example.com');
    await expectAppwriteError(assert, () => users.updateEmail({ userId: 'upd', email: 'alice@example.com' }),
        409, 'user_target_already_exists');
    await expectAppwriteError(assert, () => users.updateEmail({ userId: 'upd', email: 'bad' }),
        400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => users.updateEmail({ userId: 'ghost', email: 'g@example.com' }),
        404, 'user_not_found');

    u = await users.updatePhone({ userId: 'upd', number: '+15550199' });
    assert.equal(u.phone, '+15550199');
    assert.equal(u.targets.length, 2);
    await expectAppwriteError(assert, () => users.updatePhone({ userId: 'upd', number: '+15550100' }),
        409, 'user_target_already_exists');
    u = await users.updatePhone({ userId: 'upd', number: '' });
    assert.equal(u.phone, '');
    assert.equal(u.targets.length, 1);

    u = await users.updatePassword({ userId: 'upd', password: 'another secret' });
    assert.equal(u.hash, 'argon2');
    assert.match(u.password, /^\$argon2id\$/);
    await expectAppwriteError(assert, () => users.updatePassword({ userId: 'upd', password: 'short' }),
        400, 'general_argument_invalid');

    u = await users.updateStatus({ userId: 'upd', status: false });
    assert.equal(u.status, false);
    u = await users.updateEmailVerification({ userId: 'upd', emailVerification: true });
    assert.equal(u.emailVerification, true);
    u = await users.updatePhoneVerification({ userId: 'upd', phoneVerification: true });
    assert.equal(u.phoneVerification, true);
    u = await users.updateMFA({ userId: 'upd', mfa: true });
    assert.equal(u.mfa, true);
    const blocked = await users.list({ queries: [Query.equal('status', false)] });
    assert.deepEqual(blocked.users.map((x) => x.$id), ['upd']);

    u = await users.updateLabels({ userId: 'upd', labels: ['vip', 'admin', 'vip'] });
    assert.deepEqual(plain(u.labels), ['vip', 'admin']);
    const vip = await users.list({ queries: [Query.contains('labels', ['vip'])] });
    assert.deepEqual(vip.users.map((x) => x.$id), ['upd']);
    await expectAppwriteError(assert, () => users.updateLabels({ userId: 'upd', labels: ['no spaces'] }),
        400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => users.updateStatus({ userId: 'ghost', status: true }),
        404, 'user_not_found');
});

test('prefs', async () => {
    assert.deepEqual(plain(await users.getPrefs({ userId: 'alice' })), {});
    const p = await users.updatePrefs({ userId: 'alice', prefs: { theme: 'dark', n: 3 } });
    assert.deepEqual(plain(p), { theme: 'dark', n: 3 });
    assert.deepEqual(plain(await users.getPrefs({ userId: 'alice' })), { theme: 'dark', n: 3 });
    assert.deepEqual(plain((await users.get({ userId: 'alice' })).prefs), { theme: 'dark', n: 3 });
    await expectAppwriteError(assert, () => users.getPrefs({ userId: 'ghost' }), 404, 'user_not_found');
    await expectAppwriteError(assert, () => users.updatePrefs({ userId: 'ghost', prefs: {} }), 404, 'user_not_found');
});

test('targets', async () => {
    await users.create({ userId: 'tgt' });
    const t = await users.createTarget({ userId: 'tgt', targetId: 'push1', providerType: sdk.MessagingProviderType.Push,
        identifier: 'device-token-1', name: 'Phone' });
    assert.deepEqual(Object.keys(t), ['$id', '$createdAt', '$updatedAt', 'name', 'userId', 'providerId',
        'providerType', 'identifier', 'expired']);
    assert.equal(t.name, 'Phone');
    assert.equal(t.expired, false);
    const list = await users.listTargets({ userId: 'tgt' });
    assert.equal(list.total, 1);
    assert.equal((await users.getTarget({ userId: 'tgt', targetId: 'push1' })).identifier, 'device-token-1');
    const up = await users.updateTarget({ userId: 'tgt', targetId: 'push1', identifier: 'device-token-2', name: 'Tablet' });
    assert.equal(up.identifier, 'device-token-2');
    assert.equal(up.name, 'Tablet');
    const q = await users.listTargets({ userId: 'tgt', queries: [Query.equal('providerType', ['push'])] });
    assert.equal(q.total, 1);
    await expectAppwriteError(assert, () => users.createTarget({ userId: 'tgt', targetId: 'push1',
        providerType: 'push', identifier: 'x' }), 409, 'user_target_already_exists');
    await expectAppwriteError(assert, () => users.createTarget({ userId: 'tgt', targetId: ID.unique(),
        providerType: 'email', identifier: 'not-mail' }), 400, 'general_invalid_email');
    await expectAppwriteError(assert, () => users.createTarget({ userId: 'tgt', targetId: ID.unique(),
        providerType: 'sms', identifier: '12' }), 400, 'general_invalid_phone');
    await expectAppwriteError(assert, () => users.createTarget({ userId: 'ghost', targetId: ID.unique(),
        providerType: 'push', identifier: 'y' }), 404, 'user_not_found');
    await expectAppwriteError(assert, () => users.getTarget({ userId: 'alice', targetId: 'push1' }),
        404, 'user_target_not_found');
    await expectAppwriteError(assert, () => users.listTargets({ userId: 'tgt', queries: [Query.equal('name', ['x'])] }),
        400, 'general_query_invalid');
    await users.deleteTarget({ userId: 'tgt', targetId: 'push1' });
    await expectAppwriteError(assert, () => users.getTarget({ userId: 'tgt', targetId: 'push1' }),
        404, 'user_target_not_found');
    await expectAppwriteError(assert, () => users.deleteTarget({ userId: 'tgt', targetId: 'push1' }),
        404, 'user_target_not_found');
});

test('sessions, memberships, identities: empty until accounts and teams', async () => {
    assert.deepEqual(plain(await users.listSessions({ userId: 'alice' })), { total: 0, sessions: [] });
    assert.deepEqual(plain(await users.listMemberships({ userId: 'alice' })), { total: 0, memberships: [] });
    assert.deepEqual(plain(await users.listIdentities()), { total: 0, identities: [] });
    assert.deepEqual(plain(await users.listIdentities({ queries: [Query.equal('provider', ['github'])], search: 'x' })),
        { total: 0, identities: [] });
    await users.deleteSessions({ userId: 'alice' });
    await expectAppwriteError(assert, () => users.deleteSession({ userId: 'alice', sessionId: 'nope' }),
        404, 'user_session_not_found');
    await expectAppwriteError(assert, () => users.listSessions({ userId: 'ghost' }), 404, 'user_not_found');
    await expectAppwriteError(assert, () => users.listMemberships({ userId: 'ghost' }), 404, 'user_not_found');
    await expectAppwriteError(assert, () => users.deleteIdentity({ identityId: 'nope' }), 404, 'user_identity_not_found');
    // Without a session the JWT is bound to none (as in Appwrite); permissions.test.mjs uses it.
    const { jwt } = await users.createJWT({ userId: 'alice' });
    assert.equal(JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url')).sessionId, '');
    await expectAppwriteError(assert, () => users.createJWT({ userId: 'ghost' }), 404, 'user_not_found');
    await expectAppwriteError(assert, () => users.createSession({ userId: 'ghost' }), 404, 'user_not_found');
    const made = await users.createSession({ userId: 'alice' });
    assert.equal(made.provider, 'server');
    assert.ok(made.secret.length > 0, 'the secret goes to the API key');
    const listed = await users.listSessions({ userId: 'alice' });
    assert.equal(listed.total, 1);
    assert.equal(listed.sessions[0].$id, made.$id);
    assert.equal(listed.sessions[0].secret, '');
    await users.deleteSession({ userId: 'alice', sessionId: made.$id });
    assert.equal((await users.listMFAFactors({ userId: 'alice' })).totp, false, 'MFA: mfa.test.mjs');
});

const LOG_KEYS = ['event', 'userId', 'userEmail', 'userName', 'mode', 'userType', 'ip', 'time', 'osCode',
    'osName', 'osVersion', 'clientType', 'clientCode', 'clientName', 'clientVersion', 'clientEngine',
    'clientEngineVersion', 'deviceName', 'deviceBrand', 'deviceModel', 'countryCode', 'countryName'];

test('logs: what a user did, newest first, with paging; errors', async () => {
    const u = await users.create({ userId: 'logger', email: 'logger@example.com', password: 'password123', name: 'Log' });
    // Done with the key: the key is the actor, so not in the user's logs.
    const s = await users.createSession({ userId: u.$id });
    const client = new sdk.Client().setEndpoint(server.endpoint).setProject(server.projectId).setSession(s.secret);
    const account = new sdk.Account(client);
    await account.updateName({ name: 'Logged' });
    await account.updatePrefs({ prefs: { a: 1 } });
    const logs = await users.listLogs({ userId: u.$id });
    assert.equal(logs.total, 2);
    assert.deepEqual(Object.keys(plain(logs.logs[0])), LOG_KEYS);
    assert.deepEqual(logs.logs.map((l) => l.event), ['user.update', 'user.update']);
    const [last] = logs.logs;
    assert.equal(last.userId, u.$id);
    assert.equal(last.userEmail, 'logger@example.com');
    assert.equal(last.userName, 'Logged');
    assert.equal(last.userType, 'user');
    assert.equal(last.mode, 'default');
    assert.equal(last.ip, '127.0.0.1');
    assert.equal(last.countryCode, '--');
    assert.equal(last.countryName, 'Unknown');
    assert.ok(Date.parse(last.time) >= Date.parse(logs.logs[1].time));
    const page = await users.listLogs({ userId: u.$id, queries: [Query.limit(1), Query.offset(1)] });
    assert.equal(page.total, 2);
    assert.equal(page.logs.length, 1);
    assert.equal((await users.listLogs({ userId: u.$id, total: false })).total, 0);
    await expectAppwriteError(assert, () => users.listLogs({ userId: u.$id, queries: [Query.equal('event', 'x')] }),
        400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => users.listLogs({ userId: u.$id, queries: [Query.limit(0)] }),
        400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => users.listLogs({ userId: 'ghost' }), 404, 'user_not_found');
    // A failed write leaves no entry.
    await expectAppwriteError(assert, () => account.updatePassword({ password: 'short' }), 400, 'general_argument_invalid');
    assert.equal((await users.listLogs({ userId: u.$id })).total, 2);
});

test('tokens', async () => {
    const t = await users.createToken({ userId: 'alice' });
    assert.deepEqual(Object.keys(t), ['$id', '$createdAt', 'userId', 'secret', 'expire', 'phrase']);
    assert.equal(t.userId, 'alice');
    assert.equal(t.secret.length, 6);
    const ms = Date.parse(t.expire) - Date.parse(t.$createdAt);
    assert.ok(ms > 890000 && ms < 910000, `expire after ${ms} ms`);
    const long = await users.createToken({ userId: 'alice', length: 64, expire: 60 });
    assert.equal(long.secret.length, 64);
    await expectAppwriteError(assert, () => users.createToken({ userId: 'alice', length: 3 }), 400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => users.createToken({ userId: 'alice', expire: 59 }), 400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => users.createToken({ userId: 'ghost' }), 404, 'user_not_found');
});

test('delete: the user and its targets go, the email is free again', async () => {
    await users.create({ userId: 'gone', email: 'gone@example.com', phone: '+15550777' });
    const r = await raw('DELETE', '/users/gone');
    assert.equal(r.status, 204);
    await expectAppwriteError(assert, () => users.get({ userId: 'gone' }), 404, 'user_not_found');
    await expectAppwriteError(assert, () => users.delete({ userId: 'gone' }), 404, 'user_not_found');
    const again = await users.create({ userId: 'gone2', email: 'gone@example.com', phone: '+15550777' });
    assert.equal(again.targets.length, 2);
});

test("delete: sessions, memberships with their teams' totals, tokens and the authenticator go too", async () => {
    const { client } = await serverClient(server);
    const teams = new sdk.Teams(client);
    await users.create({ userId: 'leaver', email: 'leaver@example.com', password: 'password123' });
    await users.create({ userId: 'stayer', email: 'stayer@example.com', password: 'password123' });
    const { secret } = await users.createSession({ userId: 'leaver' });
    const t = await users.createToken({ userId: 'leaver' });
    const account = new sdk.Account(new sdk.Client().setEndpoint(server.endpoint).setProject(server.projectId)
        .setSession(secret));
    await account.createMFAAuthenticator({ type: sdk.AuthenticatorType.Totp });
    await teams.create({ teamId: 'leavers', name: 'Leavers' });
    await teams.createMembership({ teamId: 'leavers', userId: 'leaver', roles: ['member'] });
    await teams.createMembership({ teamId: 'leavers', userId: 'stayer', roles: ['member'] });
    assert.equal((await teams.get({ teamId: 'leavers' })).total, 2);

    await users.delete({ userId: 'leaver' });
    assert.equal((await teams.get({ teamId: 'leavers' })).total, 1, 'the team counts one member less');
    assert.deepEqual((await teams.listMemberships({ teamId: 'leavers' })).memberships.map((m) => m.userId), ['stayer']);
    await expectAppwriteError(assert, () => account.get(), 401, 'general_unauthorized_scope');
    // Made again with the same ID, the user inherits nothing.
    await users.create({ userId: 'leaver', email: 'leaver@example.com', password: 'password123' });
    assert.equal((await users.listSessions({ userId: 'leaver' })).total, 0);
    assert.equal((await users.listMemberships({ userId: 'leaver' })).total, 0);
    assert.equal((await users.listMFAFactors({ userId: 'leaver' })).totp, false);
    const reuse = new sdk.Account(new sdk.Client().setEndpoint(server.endpoint).setProject(server.projectId));
    await expectAppwriteError(assert, () => reuse.createSession({ userId: 'leaver', secret: t.secret }),
        401, 'user_invalid_token');
});
