// Multi-factor authentication through node-appwrite (and the web SDK for a sign-in that needs a
// second factor): MFA on and off, the TOTP authenticator (codes computed here with node:crypto
// from the secret the server gives), challenges for every factor, the factors list, recovery
// codes, the gate that holds a session short of factors (401 user_more_factors_required) and the
// one that wants a recent challenge (401 user_challenge_required), and the Users admin routes.
// The e-mail factor end to end through maildev, and the project's MFA factors policy.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, serverClient, expectAppwriteError, cli } from './lib/server.mjs';
import { startMaildev } from './lib/maildev.mjs';
import { totp, freshCode } from './lib/totp.mjs';

let server;
let sdk;
let users;

before(async () => {
    server = await startServer();
    const c = await serverClient(server);
    sdk = c.sdk;
    users = new sdk.Users(c.client);
});
after(async () => { await server.stop(); });

const PASSWORD = 'password123';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const wrongCode = (code) => String((Number(code) + 1) % 1e6).padStart(6, '0');

async function raw(method, path, { body, headers = {} } = {}) {
    const h = { accept: 'application/json', 'x-appwrite-project': server.projectId, ...headers };
    if (body !== undefined) h['content-type'] = 'application/json';
    const r = await fetch(server.endpoint + path, {
        method, headers: h, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, headers: r.headers, body: text ? JSON.parse(text) : null };
}

/** Signs in with e-mail and password as a browser would; returns node-appwrite services acting
 * with that session, and the session model. */
async function signIn(email) {
    const r = await raw('POST', '/account/sessions/email', { body: { email, password: PASSWORD } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const value = JSON.parse(r.headers.get('x-fallback-cookies'))[`a_session_${server.projectId}`];
    const client = new sdk.Client().setEndpoint(server.endpoint).setProject(server.projectId)
        .setSession(value);
    return { client, value, session: r.body, account: new sdk.Account(client) };
}

async function newUser(id) {
    await users.create({ userId: id, email: `${id}@example.com`, password: PASSWORD, name: id });
    return `${id}@example.com`;
}

const { AuthenticatorType, AuthenticationFactor } = await import('node-appwrite');

test('TOTP authenticator: create, a wrong code, verify, factors, already verified', async () => {
    const email = await newUser('totp1');
    const a = await signIn(email);
    assert.deepEqual(a.session.factors, ['password'], 'a new session records its first factor');
    assert.equal(a.session.mfaUpdatedAt, '');
    assert.deepEqual({ ...(await a.account.listMFAFactors()) },
        { totp: false, phone: false, email: false, recoveryCode: false });

    const t = await a.account.createMFAAuthenticator({ type: AuthenticatorType.Totp });
    assert.deepEqual(Object.keys(t).sort(), ['secret', 'uri']);
    assert.match(t.secret, /^[A-Z2-7]{103}$/);
    assert.match(t.uri, new RegExp(`^otpauth://totp/[^?:]+%3Atotp1%40example\\.com\\?issuer=[^&]+&secret=${t.secret}$`));
    assert.equal((await a.account.listMFAFactors()).totp, false, 'not verified yet');

    // Made again before verification: a new secret replaces the old one.
    const t2 = await a.account.createMFAAuthenticator({ type: AuthenticatorType.Totp });
    assert.notEqual(t2.secret, t.secret);

    const code = await freshCode(t2.secret);
    await expectAppwriteError(assert, () => a.account.updateMFAAuthenticator({
        type: AuthenticatorType.Totp, otp: wrongCode(code) }), 401, 'user_invalid_token');
    await expectAppwriteError(assert, () => a.account.updateMFAAuthenticator({
        type: AuthenticatorType.Totp, otp: totp(t.secret) === code ? '000000' : totp(t.secret) }),
    401, 'user_invalid_token');
    const user = await a.account.updateMFAAuthenticator({ type: AuthenticatorType.Totp, otp: code });
    assert.equal(user.$id, 'totp1');
    assert.equal(user.mfa, false);
    assert.equal(user.password, undefined, 'the Account model');

    const current = await a.account.getSession({ sessionId: 'current' });
    assert.deepEqual(current.factors, ['password', 'totp']);
    assert.equal((await a.account.listMFAFactors()).totp, true);

    await expectAppwriteError(assert, () => a.account.createMFAAuthenticator({
        type: AuthenticatorType.Totp }), 409, 'user_authenticator_already_verified');
    await expectAppwriteError(assert, () => a.account.updateMFAAuthenticator({
        type: AuthenticatorType.Totp, otp: code }), 409, 'user_authenticator_already_verified');
    const bad = await raw('POST', '/account/mfa/authenticators/sms', { headers: { 'x-appwrite-session': a.value } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.type, 'general_argument_invalid');
    assert.equal(bad.body.message, 'Invalid `type` param: Value must be one of (totp)');
});

test('MFA on: a new session needs a second factor, a TOTP challenge completes it', async () => {
    const email = await newUser('gate1');
    const a = await signIn(email);
    const { secret } = await a.account.createMFAAuthenticator({ type: AuthenticatorType.Totp });
    await a.account.updateMFAAuthenticator({ type: AuthenticatorType.Totp, otp: await freshCode(secret) });
    const on = await a.account.updateMFA({ mfa: true });
    assert.equal(on.mfa, true);
    assert.equal((await a.account.get()).mfa, true, 'the session that turned MFA on keeps going');

    const b = await signIn(email);
    assert.deepEqual(b.session.factors, ['password']);
    for (const call of [() => b.account.get(), () => b.account.listSessions(),
        () => b.account.createJWT(), () => b.account.createMFARecoveryCodes(),
        () => b.account.updateMFA({ mfa: false })])
        await expectAppwriteError(assert, call, 401, 'user_more_factors_required');
    // The routes Appwrite leaves open: factors, challenges, signing out.
    assert.equal((await b.account.listMFAFactors()).totp, true);

    const ch = await b.account.createMFAChallenge({ factor: AuthenticationFactor.Totp });
    assert.deepEqual(Object.keys(ch).sort(), ['$createdAt', '$id', 'expire', 'userId']);
    assert.equal(ch.userId, 'gate1');
    const hour = Date.parse(ch.expire) - Date.parse(ch.$createdAt);
    assert.ok(Math.abs(hour - 3600e3) < 5000, `expires in an hour: ${hour}`);

    const code = await freshCode(secret);
    await expectAppwriteError(assert, () => b.account.updateMFAChallenge({
        challengeId: ch.$id, otp: wrongCode(code) }), 401, 'user_invalid_token');
    await expectAppwriteError(assert, () => b.account.updateMFAChallenge({
        challengeId: 'nochallenge', otp: code }), 401, 'user_invalid_token');
    await expectAppwriteError(assert, () => b.account.updateMFAChallenge({
        challengeId: 'not a valid id!', otp: code }), 401, 'user_invalid_token');
    const s = await b.account.updateMFAChallenge({ challengeId: ch.$id, otp: code });
    assert.equal(s.$id, b.session.$id);
    assert.deepEqual(s.factors, ['password', 'totp']);
    assert.ok(Math.abs(Date.parse(s.mfaUpdatedAt) - Date.now()) < 10000, s.mfaUpdatedAt);
    assert.equal(s.secret, '');
    assert.equal(s.current, false, "Appwrite's answer here does not mark the session current");
    await expectAppwriteError(assert, () => b.account.updateMFAChallenge({
        challengeId: ch.$id, otp: code }), 401, 'user_invalid_token');
    assert.equal((await b.account.get()).$id, 'gate1');
    const listed = (await b.account.listSessions()).sessions.find((x) => x.$id === b.session.$id);
    assert.deepEqual(listed.factors, ['password', 'totp']);
    assert.equal(listed.mfaUpdatedAt, s.mfaUpdatedAt);

    // Another user's challenge is not this one's to complete.
    const other = await signIn(await newUser('gate2'));
    const foreign = await other.account.createMFAChallenge({ factor: AuthenticationFactor.Totp });
    await expectAppwriteError(assert, () => b.account.updateMFAChallenge({
        challengeId: foreign.$id, otp: code }), 401, 'user_invalid_token');

    // A session short of factors may still sign out.
    const c = await signIn(email);
    await expectAppwriteError(assert, () => c.account.get(), 401, 'user_more_factors_required');
    await c.account.deleteSession({ sessionId: 'current' });
    await expectAppwriteError(assert, () => c.account.listMFAFactors(), 401, 'general_unauthorized_scope');

    // The older singular path.
    const d = await signIn(email);
    const h = { 'x-appwrite-session': d.value };
    const r1 = await raw('POST', '/account/mfa/challenge', { body: { factor: 'totp' }, headers: h });
    assert.equal(r1.status, 201);
    const r2 = await raw('PUT', '/account/mfa/challenge', {
        body: { challengeId: r1.body.$id, otp: await freshCode(secret) }, headers: h });
    assert.equal(r2.status, 200, JSON.stringify(r2.body));
    assert.equal((await d.account.get()).$id, 'gate1');

    // With MFA off again, one factor is enough.
    await a.account.updateMFA({ mfa: false });
    assert.equal((await (await signIn(email)).account.get()).$id, 'gate1');
});

test('recovery codes: made once, read and replaced after a recent challenge, used as a factor', async () => {
    const email = await newUser('codes1');
    const a = await signIn(email);
    const made = await a.account.createMFARecoveryCodes();
    assert.equal(made.recoveryCodes.length, 6);
    for (const c of made.recoveryCodes) assert.match(c, /^[0-9a-f]{10}$/);
    await expectAppwriteError(assert, () => a.account.createMFARecoveryCodes(), 409,
        'user_recovery_codes_already_exists');
    await expectAppwriteError(assert, () => a.account.getMFARecoveryCodes(), 401, 'user_challenge_required');
    await expectAppwriteError(assert, () => a.account.updateMFARecoveryCodes(), 401, 'user_challenge_required');
    assert.equal((await a.account.listMFAFactors()).recoveryCode, true);

    // The SDK's enum spells the factor "recoverycode"; Appwrite's own tests send "recoveryCode".
    const ch = await a.account.createMFAChallenge({ factor: AuthenticationFactor.Recoverycode });
    await expectAppwriteError(assert, () => a.account.updateMFAChallenge({
        challengeId: ch.$id, otp: 'invalid-code-123' }), 401, 'user_invalid_token');
    const s = await a.account.updateMFAChallenge({ challengeId: ch.$id, otp: made.recoveryCodes[0] });
    assert.deepEqual(s.factors, ['password', 'recoveryCode']);

    const read = await a.account.getMFARecoveryCodes();
    assert.deepEqual(read.recoveryCodes, made.recoveryCodes.slice(1), 'the code used is gone');
    const ch2 = await raw('POST', '/account/mfa/challenges', {
        body: { factor: 'recoveryCode' }, headers: { 'x-appwrite-session': a.value } });
    assert.equal(ch2.status, 201);
    await expectAppwriteError(assert, () => a.account.updateMFAChallenge({
        challengeId: ch2.body.$id, otp: made.recoveryCodes[0] }), 401, 'user_invalid_token');

    const again = await a.account.updateMFARecoveryCodes();
    assert.equal(again.recoveryCodes.length, 6);
    assert.equal(again.recoveryCodes.filter((c) => made.recoveryCodes.includes(c)).length, 0);
    assert.deepEqual((await a.account.getMFARecoveryCodes()).recoveryCodes, again.recoveryCodes);

    // A recovery code completes a sign-in held back by MFA.
    const { secret } = await a.account.createMFAAuthenticator({ type: AuthenticatorType.Totp });
    await a.account.updateMFAAuthenticator({ type: AuthenticatorType.Totp, otp: await freshCode(secret) });
    await a.account.updateMFA({ mfa: true });
    const b = await signIn(email);
    await expectAppwriteError(assert, () => b.account.get(), 401, 'user_more_factors_required');
    const ch3 = await b.account.createMFAChallenge({ factor: AuthenticationFactor.Recoverycode });
    await b.account.updateMFAChallenge({ challengeId: ch3.$id, otp: again.recoveryCodes[5] });
    assert.equal((await b.account.get()).$id, 'codes1');
});

test('deleting the authenticator needs a recent challenge', async () => {
    const email = await newUser('del1');
    const a = await signIn(email);
    await expectAppwriteError(assert, () => a.account.deleteMFAAuthenticator({
        type: AuthenticatorType.Totp }), 401, 'user_challenge_required');
    const { secret } = await a.account.createMFAAuthenticator({ type: AuthenticatorType.Totp });
    await a.account.updateMFAAuthenticator({ type: AuthenticatorType.Totp, otp: await freshCode(secret) });
    await expectAppwriteError(assert, () => a.account.deleteMFAAuthenticator({
        type: AuthenticatorType.Totp }), 401, 'user_challenge_required');
    const ch = await a.account.createMFAChallenge({ factor: AuthenticationFactor.Totp });
    await a.account.updateMFAChallenge({ challengeId: ch.$id, otp: await freshCode(secret) });
    await a.account.deleteMFAAuthenticator({ type: AuthenticatorType.Totp });
    await expectAppwriteError(assert, () => a.account.deleteMFAAuthenticator({
        type: AuthenticatorType.Totp }), 404, 'user_authenticator_not_found');
    await expectAppwriteError(assert, () => a.account.updateMFAAuthenticator({
        type: AuthenticatorType.Totp, otp: '123456' }), 404, 'user_authenticator_not_found');
    assert.equal((await a.account.listMFAFactors()).totp, false);

    // MFA on without any second factor: one factor still does.
    await a.account.updateMFA({ mfa: true });
    assert.equal((await (await signIn(email)).account.get()).$id, 'del1');
});

test('e-mail and phone factors: a verified e-mail counts; no SMTP or SMS provider here', async () => {
    const email = await newUser('mail1');
    const a = await signIn(email);
    await expectAppwriteError(assert, () => a.account.createMFAChallenge({
        factor: AuthenticationFactor.Email }), 503, 'general_smtp_disabled');
    await expectAppwriteError(assert, () => a.account.createMFAChallenge({
        factor: AuthenticationFactor.Phone }), 503, 'general_phone_disabled');
    const bad = await raw('POST', '/account/mfa/challenges', {
        body: { factor: 'sms' }, headers: { 'x-appwrite-session': a.value } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.type, 'general_argument_invalid');
    assert.equal(bad.body.message,
        'Invalid `factor` param: Value must be one of (email, phone, totp, recoverycode)');

    await users.updateEmailVerification({ userId: 'mail1', emailVerification: true });
    assert.equal((await a.account.listMFAFactors()).email, true);
    const on = await a.account.updateMFA({ mfa: true });
    assert.equal(on.mfa, true);
    assert.deepEqual((await a.account.getSession({ sessionId: 'current' })).factors,
        ['password', 'email'], 'turning MFA on credits the session with the verified e-mail');
    const b = await signIn(email);
    await expectAppwriteError(assert, () => b.account.get(), 401, 'user_more_factors_required');
});

test('Users: factors, recovery codes, the authenticator and MFA of a user', async () => {
    const email = await newUser('adm1');
    await expectAppwriteError(assert, () => users.listMFAFactors({ userId: 'nobody' }), 404, 'user_not_found');
    await expectAppwriteError(assert, () => users.getMFARecoveryCodes({ userId: 'nobody' }), 404, 'user_not_found');
    await expectAppwriteError(assert, () => users.deleteMFAAuthenticator({ userId: 'nobody',
        type: AuthenticatorType.Totp }), 404, 'user_not_found');
    assert.deepEqual({ ...(await users.listMFAFactors({ userId: 'adm1' })) },
        { totp: false, phone: false, email: false, recoveryCode: false });
    await expectAppwriteError(assert, () => users.getMFARecoveryCodes({ userId: 'adm1' }), 404,
        'user_recovery_codes_not_found');
    await expectAppwriteError(assert, () => users.updateMFARecoveryCodes({ userId: 'adm1' }), 404,
        'user_recovery_codes_not_found');
    const made = await users.createMFARecoveryCodes({ userId: 'adm1' });
    assert.equal(made.recoveryCodes.length, 6);
    await expectAppwriteError(assert, () => users.createMFARecoveryCodes({ userId: 'adm1' }), 409,
        'user_recovery_codes_already_exists');
    assert.deepEqual(await users.getMFARecoveryCodes({ userId: 'adm1' }), made);
    const again = await users.updateMFARecoveryCodes({ userId: 'adm1' });
    assert.notDeepEqual(again.recoveryCodes, made.recoveryCodes);
    assert.equal((await users.listMFAFactors({ userId: 'adm1' })).recoveryCode, false,
        "Appwrite's Users answer never tells of recovery codes");

    await expectAppwriteError(assert, () => users.deleteMFAAuthenticator({ userId: 'adm1',
        type: AuthenticatorType.Totp }), 404, 'user_authenticator_not_found');
    const a = await signIn(email);
    const { secret } = await a.account.createMFAAuthenticator({ type: AuthenticatorType.Totp });
    await a.account.updateMFAAuthenticator({ type: AuthenticatorType.Totp, otp: await freshCode(secret) });
    assert.equal((await users.listMFAFactors({ userId: 'adm1' })).totp, true);
    const u = await users.updateMFA({ userId: 'adm1', mfa: true });
    assert.equal(u.mfa, true);
    assert.equal(typeof u.password, 'string', 'the User model');
    const b = await signIn(email);
    await expectAppwriteError(assert, () => b.account.get(), 401, 'user_more_factors_required');
    // The key is not held back: MFA is about sessions.
    assert.equal((await users.get({ userId: 'adm1' })).mfa, true);

    await users.deleteMFAAuthenticator({ userId: 'adm1', type: AuthenticatorType.Totp });
    assert.equal((await users.listMFAFactors({ userId: 'adm1' })).totp, false);
    assert.equal((await b.account.get()).$id, 'adm1', 'no second factor left to ask for');
    const bad = await raw('DELETE', '/users/adm1/mfa/authenticators/sms', { headers: { 'x-appwrite-key': server.key } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.type, 'general_argument_invalid');
});

test('web SDK: a sign-in held back by MFA, completed with a TOTP challenge', async () => {
    const email = await newUser('web1');
    const a = await signIn(email);
    const { secret } = await a.account.createMFAAuthenticator({ type: AuthenticatorType.Totp });
    await a.account.updateMFAAuthenticator({ type: AuthenticatorType.Totp, otp: await freshCode(secret) });
    await a.account.updateMFA({ mfa: true });

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
        const web = await import('appwrite');
        const client = new web.Client().setEndpoint(server.endpoint).setProject(server.projectId);
        const account = new web.Account(client);
        const s = await account.createEmailPasswordSession({ email, password: PASSWORD });
        assert.deepEqual(s.factors, ['password']);
        await expectAppwriteError(assert, () => account.get(), 401, 'user_more_factors_required');
        const factors = await account.listMFAFactors();
        assert.equal(factors.totp, true);
        const ch = await account.createMFAChallenge({ factor: web.AuthenticationFactor.Totp });
        const done = await account.updateMFAChallenge({ challengeId: ch.$id, otp: await freshCode(secret) });
        assert.deepEqual(done.factors, ['password', 'totp']);
        assert.equal((await account.get()).email, email);
    } finally {
        delete globalThis.window;
    }
});

test('e-mail factor end to end: the code from the mail completes the session; the factors policy', async () => {
    const mail = await startMaildev();
    const srv = await startServer({ env: mail.env });
    try {
        const { client } = await serverClient(srv);
        const admin = new sdk.Users(client);
        await admin.create({ userId: 'em1', email: 'em1@example.com', password: PASSWORD, name: 'Em' });
        await admin.updateEmailVerification({ userId: 'em1', emailVerification: true });
        const signInHere = async () => {
            const r = await fetch(`${srv.endpoint}/account/sessions/email`, {
                method: 'POST',
                headers: { 'content-type': 'application/json', 'x-appwrite-project': srv.projectId },
                body: JSON.stringify({ email: 'em1@example.com', password: PASSWORD }),
            });
            assert.equal(r.status, 201);
            const value = JSON.parse(r.headers.get('x-fallback-cookies'))[`a_session_${srv.projectId}`];
            const c = new sdk.Client().setEndpoint(srv.endpoint).setProject(srv.projectId).setSession(value);
            return new sdk.Account(c);
        };
        const first = await signInHere();
        await first.updateMFA({ mfa: true });

        const account = await signInHere();
        await expectAppwriteError(assert, () => account.get(), 401, 'user_more_factors_required');
        assert.equal((await account.listMFAFactors()).email, true);
        const ch = await account.createMFAChallenge({ factor: AuthenticationFactor.Email });
        const m = await mail.waitForMail('em1@example.com');
        const code = (m.text.match(/\b\d{6}\b/) || [])[0];
        assert.ok(code, `a code in: ${m.text}`);
        await expectAppwriteError(assert, () => account.updateMFAChallenge({ challengeId: ch.$id, otp: wrongCode(code) }),
            401, 'user_invalid_token');
        const s = await account.updateMFAChallenge({ challengeId: ch.$id, otp: code });
        assert.deepEqual(s.factors, ['password', 'email']);
        assert.equal((await account.get()).$id, 'em1', 'the session passes the gate');

        // The project turns the e-mail factor off: not offered, no challenge, and one already
        // out is void.
        const held = await signInHere();
        const out = await held.createMFAChallenge({ factor: AuthenticationFactor.Email });
        await mail.waitForMail('em1@example.com', { match: (x) => x.id !== m.id });
        const r = await cli(['projects', 'auth', srv.projectId, '--mfa-factor', 'email=off', '--data', srv.dataDir]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /auth\.mfa-factor\.email\s+off/);
        assert.equal((await held.listMFAFactors()).email, false);
        const off = await expectAppwriteError(assert, () => held.createMFAChallenge({ factor: AuthenticationFactor.Email }),
            501, 'user_auth_method_unsupported');
        assert.equal(off.message, 'The requested factor is disabled by the MFA factors policy');
        await expectAppwriteError(assert, () => held.updateMFAChallenge({ challengeId: out.$id, otp: '123456' }),
            501, 'user_auth_method_unsupported');
        const bad = await cli(['projects', 'auth', srv.projectId, '--mfa-factor', 'sms=off', '--data', srv.dataDir]);
        assert.notEqual(bad.code, 0);
    } finally {
        await srv.stop();
        await mail.stop();
    }
});
