// A project's auth settings, set with `cwrite projects auth` while the server runs, and the rules
// they drive as Appwrite applies them: the users limit, sign-in methods turned off, session length
// and count, the password dictionary, history and personal-data policies, ending sessions on a
// password change, and membership privacy. Each test makes its own project and key with the CLI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, expectAppwriteError, cli } from './lib/server.mjs';

let server;
let sdk;
let seq = 0;

before(async () => {
    server = await startServer();
    sdk = await import('node-appwrite');
});
after(async () => { await server.stop(); });

async function run(args) {
    const r = await cli([...args, '--data', server.dataDir]);
    assert.equal(r.code, 0, `cwrite ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
}

/** A fresh project with an all-scopes key; auth: options for `cwrite projects auth`. */
async function project(auth = []) {
    const id = `policy${++seq}`;
    await run(['projects', 'create', '--id', id, '--name', id]);
    const key = (await run(['keys', 'create', '--project', id, '--name', 'k', '--scopes', 'all'])).trim();
    if (auth.length > 0) await run(['projects', 'auth', id, ...auth]);
    const admin = new sdk.Client().setEndpoint(server.endpoint).setProject(id).setKey(key);
    return {
        id,
        key,
        users: new sdk.Users(admin),
        teams: new sdk.Teams(admin),
        keyAccount: new sdk.Account(admin),
        guest: () => new sdk.Account(new sdk.Client().setEndpoint(server.endpoint).setProject(id)),
        as(session) {
            const c = new sdk.Client().setEndpoint(server.endpoint).setProject(id).setSession(session);
            return { account: new sdk.Account(c), teams: new sdk.Teams(c) };
        },
        auth: (...opts) => run(['projects', 'auth', id, ...opts]),
    };
}

/** Signs a user in with e-mail and password; the session value is the model's secret, which
 * only an API key sees, so the cookie is read instead. */
async function signIn(p, email, password) {
    const r = await fetch(`${server.endpoint}/account/sessions/email`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-appwrite-project': p.id },
        body: JSON.stringify({ email, password }),
    });
    const body = await r.json();
    assert.equal(r.status, 201, JSON.stringify(body));
    const cookie = r.headers.getSetCookie().find((c) => c.startsWith(`a_session_${p.id}=`));
    body.value = decodeURIComponent(cookie.split(';')[0].split('=')[1]);
    return body;
}

const near = (iso, seconds) => {
    const d = (Date.parse(iso) - Date.now()) / 1000;
    assert.ok(Math.abs(d - seconds) < 30, `expires in ${d}s, wanted about ${seconds}s`);
};

test('projects get and auth: defaults, changes, bad values and --help', async () => {
    const p = await project();
    const out = await run(['projects', 'get', p.id]);
    assert.match(out, /auth\.limit\s+0 \(unlimited\)/);
    assert.match(out, /auth\.duration\s+31536000/);
    assert.match(out, /auth\.sessions-limit\s+10/);
    assert.match(out, /auth\.invalidate-sessions\s+on/);
    assert.match(out, /auth\.method\.email-password\s+on/);
    const changed = await p.auth('--limit', '7', '--method', 'jwt=off', '--password-history', '3');
    assert.match(changed, /auth\.limit\s+7/);
    assert.match(changed, /auth\.method\.jwt\s+off/);
    assert.match(changed, /auth\.password-history\s+3/);
    for (const bad of [['--limit', '10001'], ['--duration', '59'], ['--sessions-limit', '0'],
        ['--password-history', '21'], ['--method', 'oauth=off'], ['--personal-data', 'maybe'],
        ['--bogus', '1']]) {
        const r = await cli(['projects', 'auth', p.id, ...bad, '--data', server.dataDir]);
        assert.equal(r.code, 2, `${bad.join(' ')} is refused`);
    }
    assert.match(await run(['projects', 'auth', '--help']), /--sessions-limit N/);
    assert.match(await run(['projects', 'get', '--help']), /Usage: cwrite projects get/);
    const missing = await cli(['projects', 'get', 'nope', '--data', server.dataDir]);
    assert.equal(missing.code, 1);
});

test('users limit: sign-up and anonymous sessions refused at the limit, users.create not', async () => {
    const p = await project(['--limit', '2']);
    await p.guest().create({ userId: 'u1', email: 'u1@example.com', password: 'correct-horse-1' });
    await p.users.create({ userId: 'u2', email: 'u2@example.com' });
    await expectAppwriteError(assert, () => p.guest().create({ userId: 'u3',
        email: 'u3@example.com', password: 'correct-horse-1' }), 400, 'user_count_exceeded');
    await expectAppwriteError(assert, () => p.guest().createAnonymousSession(), 400,
        'user_count_exceeded');
    // Appwrite checks POST /account for every caller, a key included.
    await expectAppwriteError(assert, () => p.keyAccount.create({ userId: 'u4',
        email: 'u4@example.com', password: 'correct-horse-1' }), 400, 'user_count_exceeded');
    // The Users service has no limit.
    await p.users.create({ userId: 'u5', email: 'u5@example.com' });
    await p.auth('--limit', '0');
    await p.guest().create({ userId: 'u6', email: 'u6@example.com', password: 'correct-horse-1' });
});

test('methods turned off: 501 user_auth_method_unsupported, API keys pass', async () => {
    const p = await project();
    await p.users.create({ userId: 'm1', email: 'm1@example.com', password: 'correct-horse-1' });
    const s = await signIn(p, 'm1@example.com', 'correct-horse-1');
    await p.auth('--method', 'email-password=off', '--method', 'anonymous=off', '--method',
        'jwt=off', '--method', 'invites=off');
    const e = await expectAppwriteError(assert, () => p.guest().create({ userId: 'm2',
        email: 'm2@example.com', password: 'correct-horse-1' }), 501, 'user_auth_method_unsupported');
    assert.equal(e.message, 'Email / Password authentication is disabled for this project');
    await expectAppwriteError(assert, () => p.guest().createEmailPasswordSession({
        email: 'm1@example.com', password: 'correct-horse-1' }), 501, 'user_auth_method_unsupported');
    // Checked before the parameters, as Appwrite's init hook is.
    await expectAppwriteError(assert, () => p.guest().createEmailPasswordSession({
        email: 'not-an-email', password: 'x' }), 501, 'user_auth_method_unsupported');
    const anon = await expectAppwriteError(assert, () => p.guest().createAnonymousSession(), 501,
        'user_auth_method_unsupported');
    assert.equal(anon.message, 'Anonymous authentication is disabled for this project');
    await expectAppwriteError(assert, () => p.as(s.value).account.createJWT(), 501,
        'user_auth_method_unsupported');
    const team = await p.teams.create({ teamId: 't1', name: 'T' });
    await expectAppwriteError(assert, () => p.as(s.value).teams.createMembership({
        teamId: team.$id, roles: [], email: 'x@example.com', url: 'http://localhost/join' }), 501,
    'user_auth_method_unsupported');
    // An API key is not held to the methods.
    const made = await p.keyAccount.create({ userId: 'm3', email: 'm3@example.com',
        password: 'correct-horse-1' });
    assert.equal(made.$id, 'm3');
    await p.teams.createMembership({ teamId: team.$id, roles: [], userId: 'm3' });
    await p.auth('--method', 'email-password=on', '--method', 'jwt=on');
    await p.guest().createEmailPasswordSession({ email: 'm1@example.com', password: 'correct-horse-1' });
    assert.ok((await p.as(s.value).account.createJWT()).jwt.length > 0);
});

test('session duration and sessions limit', async () => {
    const p = await project(['--duration', '600', '--sessions-limit', '2']);
    await p.users.create({ userId: 'd1', email: 'd1@example.com', password: 'correct-horse-1' });
    const first = await signIn(p, 'd1@example.com', 'correct-horse-1');
    near(first.expire, 600);
    const server1 = await p.users.createSession({ userId: 'd1' });
    near(server1.expire, 600);
    await p.auth('--duration', '3600');
    const refreshed = await p.as(first.value).account.updateSession({ sessionId: 'current' });
    near(refreshed.expire, 3600);
    await signIn(p, 'd1@example.com', 'correct-horse-1');
    const last = await signIn(p, 'd1@example.com', 'correct-horse-1');
    near(last.expire, 3600);
    // Four sessions were made; the two newest stay (users.createSession does not trim).
    const list = await p.users.listSessions({ userId: 'd1' });
    assert.equal(list.total, 2);
    assert.deepEqual(list.sessions.map((x) => x.$id).sort(), [last.$id, list.sessions.find(
        (x) => x.$id !== last.$id).$id].sort());
    assert.ok(!list.sessions.some((x) => x.$id === first.$id), 'the oldest session is gone');
});

test('password dictionary: common passwords refused on sign-up and password changes', async () => {
    const p = await project(['--password-dictionary', 'on']);
    const e = await expectAppwriteError(assert, () => p.guest().create({ userId: 'p1',
        email: 'p1@example.com', password: 'password' }), 400, 'general_argument_invalid');
    assert.equal(e.message, 'Invalid `password` param: Password must be between 8 and 265 ' +
        'characters long, and should not be one of the commonly used password.');
    await expectAppwriteError(assert, () => p.users.create({ userId: 'p1', email: 'p1@example.com',
        password: '12345678' }), 400, 'general_argument_invalid');
    await p.users.create({ userId: 'p1', email: 'p1@example.com', password: 'correct-horse-1' });
    await expectAppwriteError(assert, () => p.users.updatePassword({ userId: 'p1',
        password: 'qwertyuiop' }), 400, 'general_argument_invalid');
    const s = await signIn(p, 'p1@example.com', 'correct-horse-1');
    await expectAppwriteError(assert, () => p.as(s.value).account.updatePassword({
        password: 'iloveyou', oldPassword: 'correct-horse-1' }), 400, 'general_argument_invalid');
    // The match is exact: another case passes.
    await p.as(s.value).account.updatePassword({ password: 'ILoveYou', oldPassword: 'correct-horse-1' });
    await p.auth('--password-dictionary', 'off');
    await p.users.updatePassword({ userId: 'p1', password: 'qwertyuiop' });
});

test('password history: a recent password is refused, older ones come back', async () => {
    const p = await project(['--password-history', '2', '--invalidate-sessions', 'off']);
    await p.guest().create({ userId: 'h1', email: 'h1@example.com', password: 'history-pass-A' });
    const s = await signIn(p, 'h1@example.com', 'history-pass-A');
    const me = p.as(s.value).account;
    await expectAppwriteError(assert, () => me.updatePassword({ password: 'history-pass-A',
        oldPassword: 'history-pass-A' }), 400, 'password_recently_used');
    await me.updatePassword({ password: 'history-pass-B', oldPassword: 'history-pass-A' });
    await expectAppwriteError(assert, () => me.updatePassword({ password: 'history-pass-A',
        oldPassword: 'history-pass-B' }), 400, 'password_recently_used');
    await expectAppwriteError(assert, () => p.users.updatePassword({ userId: 'h1',
        password: 'history-pass-B' }), 400, 'password_recently_used');
    // With two kept, C pushes A out.
    await p.users.updatePassword({ userId: 'h1', password: 'history-pass-C' });
    const user = await p.users.get({ userId: 'h1' });
    assert.equal(user.password.startsWith('$argon2'), true);
    await me.updatePassword({ password: 'history-pass-A', oldPassword: 'history-pass-C' });
    // A user made through the Users service starts a history too.
    await p.users.create({ userId: 'h2', email: 'h2@example.com', password: 'history-pass-D' });
    await expectAppwriteError(assert, () => p.users.updatePassword({ userId: 'h2',
        password: 'history-pass-D' }), 400, 'password_recently_used');
});

test('personal data: passwords holding the user ID, name, e-mail or phone are refused', async () => {
    const p = await project(['--personal-data', 'on']);
    await expectAppwriteError(assert, () => p.guest().create({ userId: 'pd1',
        email: 'someone@example.com', password: 'Mary-Jane-1234', name: 'mary' }), 400,
    'password_personal_data');
    await expectAppwriteError(assert, () => p.guest().create({ userId: 'pd1',
        email: 'someone@example.com', password: 'xxSomeOne99' }), 400, 'password_personal_data');
    await expectAppwriteError(assert, () => p.users.create({ userId: 'pd2',
        email: 'x2@example.com', password: 'my-pd2-password' }), 400, 'password_personal_data');
    await p.users.create({ userId: 'pd3', email: 'x3@example.com', phone: '+15550002222',
        password: 'unrelated-secret' });
    await expectAppwriteError(assert, () => p.users.updatePassword({ userId: 'pd3',
        password: 'call15550002222' }), 400, 'password_personal_data');
    const s = await signIn(p, 'x3@example.com', 'unrelated-secret');
    await expectAppwriteError(assert, () => p.as(s.value).account.updatePassword({
        password: 'X3-is-my-name', oldPassword: 'unrelated-secret' }), 400, 'password_personal_data');
    await p.auth('--personal-data', 'off');
    await p.users.updatePassword({ userId: 'pd3', password: 'call15550002222' });
});

test('invalidate sessions: a password change ends the other sessions', async () => {
    const p = await project(); // on for a new project
    await p.users.create({ userId: 'i1', email: 'i1@example.com', password: 'invalidate-1' });
    const a = await signIn(p, 'i1@example.com', 'invalidate-1');
    const b = await signIn(p, 'i1@example.com', 'invalidate-1');
    await p.as(a.value).account.updatePassword({ password: 'invalidate-2', oldPassword: 'invalidate-1' });
    let list = await p.users.listSessions({ userId: 'i1' });
    assert.deepEqual(list.sessions.map((x) => x.$id), [a.$id], 'only the current session stays');
    await expectAppwriteError(assert, () => p.as(b.value).account.get(), 401,
        'general_unauthorized_scope');
    // The Users service ends them all.
    await p.users.updatePassword({ userId: 'i1', password: 'invalidate-3' });
    assert.equal((await p.users.listSessions({ userId: 'i1' })).total, 0);
    // Off: sessions stay.
    await p.auth('--invalidate-sessions', 'off');
    const c = await signIn(p, 'i1@example.com', 'invalidate-3');
    await signIn(p, 'i1@example.com', 'invalidate-3');
    await p.as(c.value).account.updatePassword({ password: 'invalidate-4', oldPassword: 'invalidate-3' });
    await p.users.updatePassword({ userId: 'i1', password: 'invalidate-5' });
    assert.equal((await p.users.listSessions({ userId: 'i1' })).total, 2);
});

test('membership privacy: members see the fields the project shows, keys see all', async () => {
    const p = await project();
    await p.users.create({ userId: 'mp1', email: 'mp1@example.com', password: 'privacy-pass-1',
        name: 'Member One', phone: '+15550003333' });
    const team = await p.teams.create({ teamId: 'mpt', name: 'Private' });
    const m = await p.teams.createMembership({ teamId: team.$id, roles: ['owner'], userId: 'mp1' });
    const s = await signIn(p, 'mp1@example.com', 'privacy-pass-1');
    const member = p.as(s.value).teams;
    let seen = await member.getMembership({ teamId: team.$id, membershipId: m.$id });
    assert.equal(seen.userName, '');
    assert.equal(seen.userEmail, '');
    assert.equal(seen.userId, '');
    assert.equal(seen.userPhone, '');
    assert.equal(seen.mfa, false);
    assert.equal(seen.teamName, 'Private');
    const byKey = await p.teams.listMemberships({ teamId: team.$id });
    assert.equal(byKey.memberships[0].userName, 'Member One');
    assert.equal(byKey.memberships[0].userEmail, 'mp1@example.com');
    assert.equal(byKey.memberships[0].userId, 'mp1');
    assert.equal(byKey.memberships[0].userPhone, '+15550003333');
    await p.auth('--memberships-user-name', 'on', '--memberships-user-email', 'on',
        '--memberships-user-id', 'on');
    const list = await member.listMemberships({ teamId: team.$id });
    seen = list.memberships[0];
    assert.equal(seen.userName, 'Member One');
    assert.equal(seen.userEmail, 'mp1@example.com');
    assert.equal(seen.userId, 'mp1');
    assert.equal(seen.userPhone, '');
});
