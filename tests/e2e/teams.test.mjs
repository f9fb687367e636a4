// The Teams service (/v1/teams) through node-appwrite's Teams and Users classes, as an API key
// calls it: teams with queries, search, cursors and prefs; memberships by userId, by email (an
// existing user or a new one) and by phone, confirmed at once; roles; the team's total; the
// invitation status route's checks; deleting a team takes its memberships; a signed-in creator
// owning the team (mailed invitations: mail.test.mjs). Raw fetch where the SDK cannot send what a
// bad client would.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, serverClient, expectAppwriteError } from './lib/server.mjs';

let server;
let teams;
let users;
let Query;
let ID;

before(async () => {
    server = await startServer();
    const c = await serverClient(server);
    ({ Query, ID } = c.sdk);
    teams = new c.sdk.Teams(c.client);
    users = new c.sdk.Users(c.client);
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

const plain = (o) => JSON.parse(JSON.stringify(o));

test('logs: what happened to a team, newest first; errors', async () => {
    const t = await teams.create({ teamId: 'logged', name: 'Logged' });
    await teams.updateName({ teamId: t.$id, name: 'Renamed' });
    await teams.updatePrefs({ teamId: t.$id, prefs: { a: 1 } }); // a prefs answer names no team: no entry
    const r = await raw('GET', `/teams/${t.$id}/logs`);
    assert.equal(r.status, 200);
    assert.equal(r.body.total, 2);
    assert.deepEqual(r.body.logs.map((l) => l.event), ['team.update', 'team.create']);
    assert.equal(r.body.logs[0].userType, 'keyProject');
    assert.match(r.body.logs[0].userEmail, /^app\..+@service\.127\.0\.0\.1$/);
    const page = await raw('GET', `/teams/${t.$id}/logs?queries[]=${encodeURIComponent(Query.limit(1))}&total=false`);
    assert.equal(page.body.total, 0);
    assert.deepEqual(page.body.logs.map((l) => l.event), ['team.update']);
    const missing = await raw('GET', '/teams/ghost/logs');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.type, 'team_not_found');
    const guest = await raw('GET', `/teams/${t.$id}/logs`, undefined, { key: null });
    assert.equal(guest.status, 401);
    assert.equal(guest.body.type, 'general_unauthorized_scope');
});

const TEAM_KEYS = ['$id', '$createdAt', '$updatedAt', 'name', 'total', 'prefs'];
const MEMBERSHIP_KEYS = ['$id', '$createdAt', '$updatedAt', 'userId', 'userName', 'userEmail',
    'userPhone', 'teamId', 'teamName', 'invited', 'joined', 'confirm', 'mfa', 'roles'];

test('create: the team model, no owner membership for a key, conflicts and bad parameters', async () => {
    const t = await teams.create({ teamId: 'red', name: 'Red Team' });
    assert.deepEqual(Object.keys(t), TEAM_KEYS);
    assert.equal(t.$id, 'red');
    assert.equal(t.name, 'Red Team');
    assert.equal(t.total, 0);
    assert.deepEqual(plain(t.prefs), {});
    assert.match(t.$createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/);
    assert.deepEqual(plain(await teams.listMemberships({ teamId: 'red' })), { total: 0, memberships: [] });

    const u = await teams.create({ teamId: ID.unique(), name: 'Unique', roles: ['admin', 'owner'] });
    assert.equal(u.$id.length, 20);
    const r = await raw('POST', '/teams', { teamId: 'unique()', name: 'Raw' });
    assert.equal(r.status, 201);
    assert.equal(r.body.$id.length, 20);

    await expectAppwriteError(assert, () => teams.create({ teamId: 'red', name: 'Again' }), 409, 'team_already_exists');
    await expectAppwriteError(assert, () => teams.create({ teamId: '_bad', name: 'x' }), 400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => teams.create({ teamId: ID.unique(), name: 'x'.repeat(129) }),
        400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => teams.create({ teamId: ID.unique(), name: 'x', roles: ['bad role'] }),
        400, 'general_argument_invalid');
    assert.equal((await raw('POST', '/teams', { teamId: ID.unique() })).body.type, 'general_argument_invalid');
    const noKey = await raw('POST', '/teams', { teamId: ID.unique(), name: 'x' }, { key: null });
    assert.equal(noKey.status, 401);
    assert.equal(noKey.body.type, 'general_unauthorized_scope');
});

test('get, updateName, list: queries, search, cursors, total', async () => {
    await teams.create({ teamId: 'blue', name: 'Blue Team' });
    await teams.create({ teamId: 'green', name: 'Green Squad' });
    const g = await teams.get({ teamId: 'blue' });
    assert.equal(g.name, 'Blue Team');
    await expectAppwriteError(assert, () => teams.get({ teamId: 'ghost' }), 404, 'team_not_found');

    const renamed = await teams.updateName({ teamId: 'blue', name: 'Navy Team' });
    assert.equal(renamed.name, 'Navy Team');
    assert.deepEqual(Object.keys(renamed), TEAM_KEYS);
    assert.equal((await teams.get({ teamId: 'blue' })).name, 'Navy Team');
    await expectAppwriteError(assert, () => teams.updateName({ teamId: 'ghost', name: 'x' }), 404, 'team_not_found');
    await expectAppwriteError(assert, () => teams.updateName({ teamId: 'blue', name: 'x'.repeat(129) }),
        400, 'general_argument_invalid');

    const all = await teams.list();
    assert.ok(all.total >= 5);
    assert.equal(all.teams.length, all.total);
    assert.deepEqual(Object.keys(all.teams[0]), TEAM_KEYS);
    const navy = await teams.list({ search: 'Navy' });
    assert.deepEqual(navy.teams.map((t) => t.$id), ['blue']);
    assert.equal(navy.total, 1);
    const byName = await teams.list({ queries: [Query.equal('name', ['Green Squad'])] });
    assert.deepEqual(byName.teams.map((t) => t.$id), ['green']);
    const ordered = await teams.list({ queries: [Query.orderAsc('name'), Query.limit(2)] });
    assert.equal(ordered.teams.length, 2);
    assert.equal(ordered.total, all.total);
    const next = await teams.list({ queries: [Query.orderAsc('name'), Query.cursorAfter(ordered.teams[0].$id), Query.limit(1)] });
    assert.equal(next.teams[0].$id, ordered.teams[1].$id);
    const noTotal = await teams.list({ total: false, queries: [Query.limit(1)] });
    assert.equal(noTotal.total, 0);
    assert.equal(noTotal.teams.length, 1);
    await expectAppwriteError(assert, () => teams.list({ queries: [Query.cursorAfter('ghost')] }),
        400, 'general_cursor_not_found');
    await expectAppwriteError(assert, () => teams.list({ queries: [Query.equal('prefs', ['x'])] }),
        400, 'general_query_invalid');
    await expectAppwriteError(assert, () => teams.list({ queries: ['not json'] }), 400, 'general_query_invalid');
    assert.equal((await teams.list({ queries: [Query.greaterThanEqual('total', 0)] })).total, all.total);
});

test('prefs: get, replace, bad values', async () => {
    assert.deepEqual(plain(await teams.getPrefs({ teamId: 'red' })), {});
    const p = await teams.updatePrefs({ teamId: 'red', prefs: { theme: 'dark', size: 3, nested: { a: [1, 2] } } });
    assert.deepEqual(plain(p), { theme: 'dark', size: 3, nested: { a: [1, 2] } });
    assert.deepEqual(plain(await teams.getPrefs({ teamId: 'red' })), plain(p));
    assert.deepEqual(plain((await teams.get({ teamId: 'red' })).prefs), plain(p));
    assert.deepEqual(plain(await teams.updatePrefs({ teamId: 'red', prefs: { only: true } })), { only: true });
    await expectAppwriteError(assert, () => teams.getPrefs({ teamId: 'ghost' }), 404, 'team_not_found');
    await expectAppwriteError(assert, () => teams.updatePrefs({ teamId: 'ghost', prefs: {} }), 404, 'team_not_found');
    const bad = await raw('PUT', '/teams/red/prefs', { prefs: 'not an object' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.type, 'general_argument_invalid');
    assert.equal((await raw('PUT', '/teams/red/prefs', {})).body.type, 'general_argument_invalid');
});

test('createMembership by userId: confirmed at once, the model, total, conflicts', async () => {
    await users.create({ userId: 'ann', email: 'ann@example.com', phone: '+15550101', name: 'Ann' });
    const m = await teams.createMembership({ teamId: 'red', userId: 'ann', roles: ['owner', 'editor'] });
    assert.deepEqual(Object.keys(m), MEMBERSHIP_KEYS);
    assert.equal(m.userId, 'ann');
    assert.equal(m.userName, 'Ann');
    assert.equal(m.userEmail, 'ann@example.com');
    assert.equal(m.userPhone, '');
    assert.equal(m.teamId, 'red');
    assert.equal(m.teamName, 'Red Team');
    assert.equal(m.confirm, true);
    assert.equal(m.mfa, false);
    assert.notEqual(m.joined, '');
    assert.notEqual(m.invited, '');
    assert.deepEqual(plain(m.roles), ['owner', 'editor']);
    assert.equal((await teams.get({ teamId: 'red' })).total, 1);

    await expectAppwriteError(assert, () => teams.createMembership({ teamId: 'red', userId: 'ann', roles: [] }),
        409, 'membership_already_confirmed');
    await expectAppwriteError(assert, () => teams.createMembership({ teamId: 'red', userId: 'ann', email: 'other@example.com', roles: [] }),
        409, 'user_already_exists');
    await expectAppwriteError(assert, () => teams.createMembership({ teamId: 'red', userId: 'ann', phone: '+15550999', roles: [] }),
        409, 'user_already_exists');
    await expectAppwriteError(assert, () => teams.createMembership({ teamId: 'red', userId: 'ghost', roles: [] }),
        404, 'user_not_found');
    await expectAppwriteError(assert, () => teams.createMembership({ teamId: 'ghost', userId: 'ann', roles: [] }),
        404, 'team_not_found');
    await expectAppwriteError(assert, () => teams.createMembership({ teamId: 'red', roles: [] }),
        400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => teams.createMembership({ teamId: 'red', userId: 'ann', roles: ['x'.repeat(82)] }),
        400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => teams.createMembership({ teamId: 'red', email: 'not-an-email', roles: [] }),
        400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => teams.createMembership({ teamId: 'red', phone: '12345', roles: [] }),
        400, 'general_argument_invalid');
    const noRoles = await raw('POST', '/teams/red/memberships', { userId: 'ann' });
    assert.equal(noRoles.status, 400);
    assert.equal(noRoles.body.type, 'general_argument_invalid');
    // A long role fits (81 chars: "project-<36>-<36>").
    await users.create({ userId: 'ben', email: 'ben@example.com', name: 'Ben' });
    const long = await teams.createMembership({ teamId: 'green', userId: 'ben', roles: ['r'.repeat(81)] });
    assert.equal(long.roles[0].length, 81);
});

test('createMembership by email and phone: an existing user, or a new one made as Appwrite makes it', async () => {
    const known = await teams.createMembership({ teamId: 'red', email: 'BEN@example.com', roles: ['viewer'] });
    assert.equal(known.userId, 'ben');
    assert.equal(known.userName, 'Ben');
    assert.equal((await teams.get({ teamId: 'red' })).total, 2);

    const fresh = await teams.createMembership({ teamId: 'red', email: 'Cleo@Example.com', name: 'Cleo', roles: [] });
    assert.equal(fresh.userEmail, 'cleo@example.com');
    assert.equal(fresh.userName, 'Cleo');
    assert.equal(fresh.confirm, true);
    assert.deepEqual(plain(fresh.roles), []);
    const cleo = await users.get({ userId: fresh.userId });
    assert.equal(cleo.email, 'cleo@example.com');
    assert.equal(cleo.name, 'Cleo');
    assert.equal(cleo.emailVerification, false);
    assert.equal(cleo.hash, 'argon2');
    assert.match(cleo.password, /^\$argon2id\$/);
    assert.equal(cleo.passwordUpdate, '');

    // Without a name the new user is named after the email.
    const dee = await teams.createMembership({ teamId: 'red', email: 'dee@example.com', roles: [] });
    assert.equal(dee.userName, 'dee@example.com');
    const byPhone = await teams.createMembership({ teamId: 'red', phone: '+15550202', roles: [] });
    assert.equal((await users.get({ userId: byPhone.userId })).phone, '+15550202');
    assert.equal(byPhone.userEmail, '');
    const phoneAgain = await teams.createMembership({ teamId: 'green', phone: '+15550202', roles: [] });
    assert.equal(phoneAgain.userId, byPhone.userId);
    await expectAppwriteError(assert, () => teams.createMembership({ teamId: 'blue', email: 'ann@example.com', phone: '+15550999', roles: [] }),
        409, 'user_already_exists');
    assert.equal((await teams.get({ teamId: 'red' })).total, 5);
});

test('getMembership, listMemberships: the model with phone, queries, search, cursors', async () => {
    const list = await teams.listMemberships({ teamId: 'red' });
    assert.equal(list.total, 5);
    assert.equal(list.memberships.length, 5);
    const ann = list.memberships.find((m) => m.userId === 'ann');
    assert.deepEqual(Object.keys(ann), MEMBERSHIP_KEYS);
    assert.equal(ann.userPhone, '+15550101');
    assert.equal(ann.teamName, 'Red Team');

    const got = await teams.getMembership({ teamId: 'red', membershipId: ann.$id });
    assert.deepEqual(plain(got), plain(ann));
    await expectAppwriteError(assert, () => teams.getMembership({ teamId: 'red', membershipId: 'ghost' }),
        404, 'membership_not_found');
    await expectAppwriteError(assert, () => teams.getMembership({ teamId: 'ghost', membershipId: ann.$id }),
        404, 'team_not_found');
    await expectAppwriteError(assert, () => teams.getMembership({ teamId: 'green', membershipId: ann.$id }),
        404, 'team_membership_mismatch');

    const byUser = await teams.listMemberships({ teamId: 'red', queries: [Query.equal('userId', ['ann'])] });
    assert.deepEqual(byUser.memberships.map((m) => m.$id), [ann.$id]);
    const byRole = await teams.listMemberships({ teamId: 'red', queries: [Query.contains('roles', ['editor'])] });
    assert.deepEqual(byRole.memberships.map((m) => m.userId), ['ann']);
    const searched = await teams.listMemberships({ teamId: 'red', search: 'ben' });
    assert.deepEqual(searched.memberships.map((m) => m.userId), ['ben']);
    const page = await teams.listMemberships({ teamId: 'red', queries: [Query.limit(2)] });
    assert.equal(page.memberships.length, 2);
    assert.equal(page.total, 5);
    const after = await teams.listMemberships({ teamId: 'red', queries: [Query.cursorAfter(page.memberships[0].$id), Query.limit(1)] });
    assert.equal(after.memberships[0].$id, page.memberships[1].$id);
    assert.equal((await teams.listMemberships({ teamId: 'red', total: false })).total, 0);
    await expectAppwriteError(assert, () => teams.listMemberships({ teamId: 'red', queries: [Query.cursorAfter('ghost')] }),
        400, 'general_cursor_not_found');
    await expectAppwriteError(assert, () => teams.listMemberships({ teamId: 'red', queries: [Query.equal('secret', ['x'])] }),
        400, 'general_query_invalid');
    await expectAppwriteError(assert, () => teams.listMemberships({ teamId: 'ghost' }), 404, 'team_not_found');

    // The Users service lists the same memberships from the user's side.
    const mine = await users.listMemberships({ userId: 'ann' });
    assert.equal(mine.total, 1);
    assert.deepEqual(Object.keys(mine.memberships[0]), MEMBERSHIP_KEYS);
    assert.equal(mine.memberships[0].teamName, 'Red Team');
    assert.equal(mine.memberships[0].userName, 'Ann');
    assert.equal(mine.memberships[0].userEmail, 'ann@example.com');
    const ben = await users.listMemberships({ userId: 'ben' });
    assert.equal(ben.total, 2);
    assert.deepEqual(ben.memberships.map((m) => m.teamName).sort(), ['Green Squad', 'Red Team']);
    const benRed = await users.listMemberships({ userId: 'ben', queries: [Query.equal('teamId', ['red'])] });
    assert.deepEqual(benRed.memberships.map((m) => m.teamId), ['red']);
});

test('updateMembership: roles, the last owner may be demoted by a key, errors', async () => {
    const [ann] = (await teams.listMemberships({ teamId: 'red', queries: [Query.equal('userId', ['ann'])] })).memberships;
    const up = await teams.updateMembership({ teamId: 'red', membershipId: ann.$id, roles: ['editor'] });
    assert.deepEqual(Object.keys(up), MEMBERSHIP_KEYS);
    assert.deepEqual(plain(up.roles), ['editor']);
    assert.equal(up.userName, 'Ann');
    assert.equal(up.teamName, 'Red Team');
    assert.deepEqual(plain((await teams.getMembership({ teamId: 'red', membershipId: ann.$id })).roles), ['editor']);
    const back = await teams.updateMembership({ teamId: 'red', membershipId: ann.$id, roles: ['owner'] });
    assert.deepEqual(plain(back.roles), ['owner']);
    await expectAppwriteError(assert, () => teams.updateMembership({ teamId: 'red', membershipId: 'ghost', roles: [] }),
        404, 'membership_not_found');
    await expectAppwriteError(assert, () => teams.updateMembership({ teamId: 'ghost', membershipId: ann.$id, roles: [] }),
        404, 'team_not_found');
    await expectAppwriteError(assert, () => teams.updateMembership({ teamId: 'green', membershipId: ann.$id, roles: [] }),
        404, 'team_membership_mismatch');
    await expectAppwriteError(assert, () => teams.updateMembership({ teamId: 'red', membershipId: ann.$id, roles: ['no spaces'] }),
        400, 'general_argument_invalid');
});

test('updateMembershipStatus: the secret, team and membership checks', async () => {
    const [ann] = (await teams.listMemberships({ teamId: 'red', queries: [Query.equal('userId', ['ann'])] })).memberships;
    // A key's membership is confirmed and its secret never shown, so any secret is wrong.
    await expectAppwriteError(assert, () => teams.updateMembershipStatus({ teamId: 'red', membershipId: ann.$id, userId: 'ann', secret: 'wrong' }),
        401, 'team_invalid_secret');
    await expectAppwriteError(assert, () => teams.updateMembershipStatus({ teamId: 'red', membershipId: 'ghost', userId: 'ann', secret: 'x' }),
        404, 'membership_not_found');
    await expectAppwriteError(assert, () => teams.updateMembershipStatus({ teamId: 'ghost', membershipId: ann.$id, userId: 'ann', secret: 'x' }),
        404, 'team_not_found');
    await expectAppwriteError(assert, () => teams.updateMembershipStatus({ teamId: 'green', membershipId: ann.$id, userId: 'ann', secret: 'x' }),
        404, 'team_membership_mismatch');
    // The route is public: no key needed to reach its checks.
    const r = await raw('PATCH', `/teams/red/memberships/${ann.$id}/status`, { userId: 'ann', secret: 'x' }, { key: null });
    assert.equal(r.status, 401);
    assert.equal(r.body.type, 'team_invalid_secret');
    const missing = await raw('PATCH', `/teams/red/memberships/${ann.$id}/status`, { userId: 'ann' }, { key: null });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.type, 'general_argument_invalid');
});

test('deleteMembership: total follows, the last owner may be removed by a key, errors', async () => {
    const list = await teams.listMemberships({ teamId: 'red' });
    const dee = list.memberships.find((m) => m.userEmail === 'dee@example.com');
    await teams.deleteMembership({ teamId: 'red', membershipId: dee.$id });
    assert.equal((await teams.get({ teamId: 'red' })).total, 4);
    await expectAppwriteError(assert, () => teams.getMembership({ teamId: 'red', membershipId: dee.$id }),
        404, 'membership_not_found');
    await expectAppwriteError(assert, () => teams.deleteMembership({ teamId: 'red', membershipId: dee.$id }),
        404, 'team_invite_not_found');
    const ann = list.memberships.find((m) => m.userId === 'ann');
    await expectAppwriteError(assert, () => teams.deleteMembership({ teamId: 'ghost', membershipId: ann.$id }),
        404, 'team_not_found');
    await expectAppwriteError(assert, () => teams.deleteMembership({ teamId: 'green', membershipId: ann.$id }),
        404, 'team_membership_mismatch');
    // ann holds the only owner role; a key is Appwrite's server mode and may remove her.
    await teams.deleteMembership({ teamId: 'red', membershipId: ann.$id });
    assert.equal((await teams.get({ teamId: 'red' })).total, 3);
    assert.equal((await users.listMemberships({ userId: 'ann' })).total, 0);
    // Deleting a user removes the user's memberships.
    const ben = list.memberships.find((m) => m.userId === 'ben');
    await users.delete({ userId: 'ben' });
    await expectAppwriteError(assert, () => teams.getMembership({ teamId: 'red', membershipId: ben.$id }),
        404, 'membership_not_found');
});

test('delete: the team and its memberships go; errors', async () => {
    const before = (await teams.listMemberships({ teamId: 'red' })).memberships;
    assert.ok(before.length > 0);
    const someone = before[0].userId;
    await teams.delete({ teamId: 'red' });
    await expectAppwriteError(assert, () => teams.get({ teamId: 'red' }), 404, 'team_not_found');
    await expectAppwriteError(assert, () => teams.delete({ teamId: 'red' }), 404, 'team_not_found');
    await expectAppwriteError(assert, () => teams.listMemberships({ teamId: 'red' }), 404, 'team_not_found');
    const left = await users.listMemberships({ userId: someone, queries: [Query.equal('teamId', ['red'])] });
    assert.equal(left.total, 0);
    // A team made again with the same ID starts empty.
    const again = await teams.create({ teamId: 'red', name: 'Red Again' });
    assert.equal(again.total, 0);
    assert.equal((await teams.listMemberships({ teamId: 'red' })).total, 0);
    const m = await teams.createMembership({ teamId: 'red', userId: someone, roles: ['owner'] });
    assert.equal(m.confirm, true);
    assert.equal((await teams.get({ teamId: 'red' })).total, 1);
});

test('scopes: a key without teams scopes is refused', async () => {
    const r = await raw('GET', '/teams', undefined, { key: null });
    assert.equal(r.status, 401);
    assert.equal(r.body.type, 'general_unauthorized_scope');
});

test('a signed-in creator owns the team; without SMTP their invitations are refused', async () => {
    await users.create({ userId: 'maker', email: 'maker@example.com', password: 'password123', name: 'Maker' });
    const { secret } = await users.createSession({ userId: 'maker' });
    const sdk = await import('node-appwrite');
    const client = new sdk.Client().setEndpoint(server.endpoint).setProject(server.projectId).setSession(secret);
    const mine = new sdk.Teams(client);
    const team = await mine.create({ teamId: 'makers', name: 'Makers', roles: ['owner', 'lead'] });
    assert.equal(team.total, 1);
    const list = await teams.listMemberships({ teamId: 'makers' });
    assert.equal(list.total, 1);
    assert.equal(list.memberships[0].userId, 'maker');
    assert.deepEqual(list.memberships[0].roles, ['owner', 'lead']);
    assert.equal(list.memberships[0].confirm, true);
    await expectAppwriteError(assert, () => teams.create({ teamId: 'makers', name: 'Again' }), 409, 'team_already_exists');
    // This server has no SMTP: a user's invitation cannot be mailed (Appwrite's 503).
    await expectAppwriteError(assert, () => mine.createMembership({ teamId: 'makers', email: 'friend@example.com',
        roles: [], url: 'http://localhost/join' }), 503, 'general_smtp_disabled');
    // A url must lead to a known host, also with a key.
    await expectAppwriteError(assert, () => teams.createMembership({ teamId: 'makers', email: 'friend@example.com',
        roles: [], url: 'https://elsewhere.example.org/' }), 400, 'general_argument_invalid');
    const viaKey = await teams.createMembership({ teamId: 'makers', email: 'friend@example.com', roles: [],
        url: 'http://localhost/join' });
    assert.equal(viaKey.confirm, true);
    assert.equal((await teams.get({ teamId: 'makers' })).total, 2);
});
