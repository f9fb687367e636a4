// Account routes beside the core ones: the account's logs, identities, push targets (through the
// web SDK `appwrite`, whose Account has them) and deleting the account (admin-only in the SDKs, so
// through node-appwrite's request path), with their errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, serverClient, expectAppwriteError, sdkCall } from './lib/server.mjs';

let server;
let sdk;
let web;
let users;
let teams;

before(async () => {
    server = await startServer();
    const c = await serverClient(server);
    sdk = c.sdk;
    users = new sdk.Users(c.client);
    teams = new sdk.Teams(c.client);
    web = await import('appwrite');
});
after(async () => { await server.stop(); });

/** A new user with a session: node-appwrite and web clients acting as them. */
async function signedIn(email) {
    const u = await users.create({ userId: 'unique()', email, password: 'password123', name: email });
    const s = await users.createSession({ userId: u.$id });
    const client = new sdk.Client().setEndpoint(server.endpoint).setProject(server.projectId).setSession(s.secret);
    const webClient = new web.Client().setEndpoint(server.endpoint).setProject(server.projectId).setSession(s.secret);
    return { user: u, session: s, client, account: new sdk.Account(client), webAccount: new web.Account(webClient) };
}

const TARGET_KEYS = ['$id', '$createdAt', '$updatedAt', 'name', 'userId', 'providerId', 'providerType', 'identifier', 'expired'];

test('account logs: the signed-in user\'s own entries, newest first', async () => {
    const guest = new sdk.Account(new sdk.Client().setEndpoint(server.endpoint).setProject(server.projectId));
    const u = await guest.create({ userId: 'unique()', email: 'logs@example.com', password: 'password123' });
    const session = await guest.createEmailPasswordSession({ email: 'logs@example.com', password: 'password123' });
    assert.equal(session.userId, u.$id);
    const { account } = await (async () => {
        const s = await users.createSession({ userId: u.$id });
        const client = new sdk.Client().setEndpoint(server.endpoint).setProject(server.projectId).setSession(s.secret);
        return { account: new sdk.Account(client) };
    })();
    await account.updateName({ name: 'Logs' });
    const logs = await account.listLogs();
    assert.equal(logs.total, 3);
    assert.deepEqual(logs.logs.map((l) => l.event), ['user.update', 'session.create', 'user.create']);
    assert.ok(logs.logs.every((l) => l.userId === u.$id && l.userType === 'user'));
    assert.equal(logs.logs[0].userName, 'Logs');
    const one = await account.listLogs({ queries: [sdk.Query.limit(1), sdk.Query.offset(2)] });
    assert.deepEqual(one.logs.map((l) => l.event), ['user.create']);
    await expectAppwriteError(assert, () => account.listLogs({ queries: [sdk.Query.orderDesc('event')] }),
        400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => guest.listLogs(), 401, 'general_unauthorized_scope');
});

test('identities: an empty list with a total; deleting an unknown one is user_identity_not_found', async () => {
    const { account } = await signedIn('ids@example.com');
    const list = await account.listIdentities();
    assert.deepEqual(JSON.parse(JSON.stringify(list)), { total: 0, identities: [] });
    const none = await account.listIdentities({ queries: [sdk.Query.equal('provider', 'github')], total: false });
    assert.equal(none.total, 0);
    await expectAppwriteError(assert, () => account.listIdentities({ queries: [sdk.Query.equal('secrets', 'x')] }),
        400, 'general_query_invalid');
    await expectAppwriteError(assert, () => account.deleteIdentity({ identityId: 'missing' }), 404, 'user_identity_not_found');
    await expectAppwriteError(assert, () => account.deleteIdentity({ identityId: '-bad' }), 400, 'general_argument_invalid');
});

test('push targets: create, update, delete; someone else\'s is not found', async () => {
    const a = await signedIn('push-a@example.com');
    const b = await signedIn('push-b@example.com');
    const t = await a.webAccount.createPushTarget({ targetId: 'device1', identifier: 'token-1' });
    assert.deepEqual(Object.keys(t), TARGET_KEYS);
    assert.equal(t.$id, 'device1');
    assert.equal(t.userId, a.user.$id);
    assert.equal(t.providerType, 'push');
    assert.equal(t.providerId, null);
    assert.equal(t.identifier, 'token-1');
    assert.equal(t.expired, false);
    // The target is the user's: it shows among their targets.
    const listed = await users.listTargets({ userId: a.user.$id });
    assert.ok(listed.targets.some((x) => x.$id === 'device1' && x.providerType === 'push'));
    const withProvider = await a.webAccount.createPushTarget({ targetId: web.ID.unique(), identifier: 'token-2', providerId: 'fcm' });
    assert.equal(withProvider.providerId, 'fcm');
    await expectAppwriteError(assert, () => a.webAccount.createPushTarget({ targetId: 'device1', identifier: 'token-3' }),
        409, 'user_target_already_exists');
    await expectAppwriteError(assert, () => b.webAccount.createPushTarget({ targetId: 'other', identifier: 'token-1' }),
        409, 'user_target_already_exists');
    await expectAppwriteError(assert, () => a.webAccount.createPushTarget({ targetId: '-bad', identifier: 'x' }),
        400, 'general_argument_invalid');

    const u = await a.webAccount.updatePushTarget({ targetId: 'device1', identifier: 'token-9' });
    assert.equal(u.identifier, 'token-9');
    await expectAppwriteError(assert, () => b.webAccount.updatePushTarget({ targetId: 'device1', identifier: 'mine' }),
        404, 'user_target_not_found');
    await expectAppwriteError(assert, () => a.webAccount.updatePushTarget({ targetId: 'nope', identifier: 'x' }),
        404, 'user_target_not_found');
    await expectAppwriteError(assert, () => b.webAccount.deletePushTarget({ targetId: 'device1' }),
        404, 'user_target_not_found');
    await a.webAccount.deletePushTarget({ targetId: 'device1' });
    await expectAppwriteError(assert, () => a.webAccount.deletePushTarget({ targetId: 'device1' }),
        404, 'user_target_not_found');
    const guest = new web.Account(new web.Client().setEndpoint(server.endpoint).setProject(server.projectId));
    await expectAppwriteError(assert, () => guest.createPushTarget({ targetId: 'g', identifier: 'g' }),
        401, 'general_unauthorized_scope');
});

test('DELETE /account: 204; the user, sessions, memberships (team totals) and targets go', async () => {
    const a = await signedIn('leaving@example.com');
    const team = await teams.create({ teamId: 'unique()', name: 'Left' });
    await teams.createMembership({ teamId: team.$id, roles: ['member'], userId: a.user.$id });
    assert.equal((await teams.get({ teamId: team.$id })).total, 1);
    await a.webAccount.createPushTarget({ targetId: 'leaving-device', identifier: 'leaving-token' });
    const r = await fetch(`${server.endpoint}/account`, {
        method: 'DELETE',
        headers: { 'x-appwrite-project': server.projectId, 'x-appwrite-session': a.session.secret },
    });
    assert.equal(r.status, 204);
    assert.equal(r.headers.get('set-cookie'), null, 'Appwrite leaves the cookies alone here');
    await expectAppwriteError(assert, () => users.get({ userId: a.user.$id }), 404, 'user_not_found');
    assert.equal((await teams.get({ teamId: team.$id })).total, 0);
    assert.equal((await teams.listMemberships({ teamId: team.$id })).total, 0);
    // The identifier is free again: the target went with the user.
    const b = await signedIn('staying@example.com');
    await b.webAccount.createPushTarget({ targetId: 'leaving-device', identifier: 'leaving-token' });
    // The old session no longer signs anyone in.
    await expectAppwriteError(assert, () => a.account.get(), 401, 'general_unauthorized_scope');
    const guest = new sdk.Client().setEndpoint(server.endpoint).setProject(server.projectId);
    await expectAppwriteError(assert, () => sdkCall(guest, 'delete', '/account'), 401, 'general_unauthorized_scope');
});
