// The Account routes built on one-time tokens: signing in with a token's secret (tokens from
// users.createToken and from the mails), e-mail and phone verification, password recovery, magic
// URL and e-mail OTP, phone tokens, and the account's phone number. Two servers: one without SMTP,
// where the mail routes answer 503 general_smtp_disabled once their parameters pass, and one
// sending through maildev (an SMTP sink on loopback), where each flow runs from the mail's link
// or code. SMS routes answer 503 general_phone_disabled, as Appwrite does without an SMS provider,
// except for the project's mock numbers. Projects made with the CLI carry auth settings: methods
// turned off, the users limit, the password policies of a recovery and its ending of sessions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, serverClient, expectAppwriteError, cli } from './lib/server.mjs';
import { startMaildev } from './lib/maildev.mjs';

let server;
let sdk; // node-appwrite
let web; // appwrite (web)
let users;
let keyAccount; // Account with the API key (SSR style: it sees secrets)

let mail; // maildev
let mailServer; // a server that sends its mail to maildev
let mailUsers;
let mailKeyAccount;

before(async () => {
    server = await startServer({ args: ['--cors-origins', 'app.example.com'] });
    const c = await serverClient(server);
    sdk = c.sdk;
    users = new sdk.Users(c.client);
    keyAccount = new sdk.Account(c.client);
    web = await import('appwrite');
    mail = await startMaildev();
    mailServer = await startServer({ env: mail.env });
    const m = await serverClient(mailServer);
    mailUsers = new sdk.Users(m.client);
    mailKeyAccount = new sdk.Account(m.client);
});
after(async () => {
    await server.stop();
    await mailServer.stop();
    await mail.stop();
});

/** A node-appwrite Account acting as a guest, or with a session value. */
function accountWith(session) {
    const client = new sdk.Client().setEndpoint(server.endpoint).setProject(server.projectId);
    if (session) client.setSession(session);
    return new sdk.Account(client);
}

/** A user with a password, and a node-appwrite Account signed in as them (server-made session). */
async function signedIn(userId, extra = {}) {
    await users.create({ userId, email: `${userId}@example.com`, password: 'password123', ...extra });
    const s = await users.createSession({ userId });
    return accountWith(s.secret);
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

// Signing in with a token -------------------------------------------------------------------

test('createSession: a users.createToken secret signs in once, as a guest (web SDK)', async () => {
    const u = await users.create({ userId: 'tok1', email: 'tok1@example.com' });
    assert.equal(u.emailVerification, false);
    const t = await users.createToken({ userId: 'tok1' });
    assert.equal(t.secret.length, 6);

    const client = new web.Client().setEndpoint(server.endpoint).setProject(server.projectId);
    const account = new web.Account(client);
    const s = await account.createSession({ userId: 'tok1', secret: t.secret });
    assert.equal(s.userId, 'tok1');
    assert.equal(s.provider, 'token');
    assert.deepEqual(s.factors, ['token']);
    assert.equal(s.current, true);
    assert.equal(s.secret, '', 'a client does not see the session secret');

    // The token is gone once used.
    await expectAppwriteError(assert, () => account.createSession({ userId: 'tok1', secret: t.secret }),
        401, 'user_invalid_token');
    // A generic token proves nothing about the e-mail.
    assert.equal((await users.get({ userId: 'tok1' })).emailVerification, false);
});

test('createSession with the API key: the session secret comes back and works', async () => {
    await users.create({ userId: 'tok2', email: 'tok2@example.com' });
    const t = await users.createToken({ userId: 'tok2', length: 32, expire: 600 });
    const s = await keyAccount.createSession({ userId: 'tok2', secret: t.secret });
    assert.equal(s.userId, 'tok2');
    assert.ok(s.secret.length > 0);
    const me = await accountWith(s.secret).get();
    assert.equal(me.$id, 'tok2');
    const sessions = await users.listSessions({ userId: 'tok2' });
    assert.equal(sessions.total, 1);
    assert.equal(sessions.sessions[0].provider, 'token');
});

test('createSession: cookies are set; wrong secret, unknown user, bad parameters', async () => {
    await users.create({ userId: 'tok3', email: 'tok3@example.com' });
    const t = await users.createToken({ userId: 'tok3' });
    const r = await raw('POST', '/account/sessions/token', { body: { userId: 'tok3', secret: t.secret } });
    assert.equal(r.status, 201);
    assert.match(r.headers.get('set-cookie'), new RegExp(`a_session_${server.projectId}=`));

    const guest = accountWith();
    const t2 = await users.createToken({ userId: 'tok3' });
    await expectAppwriteError(assert, () => guest.createSession({ userId: 'tok3', secret: 'nope' }),
        401, 'user_invalid_token');
    await expectAppwriteError(assert, () => guest.createSession({ userId: 'nobody', secret: t2.secret }),
        401, 'user_invalid_token');
    // Another user's secret does not fit.
    await users.create({ userId: 'tok3b' });
    await expectAppwriteError(assert, () => guest.createSession({ userId: 'tok3b', secret: t2.secret }),
        401, 'user_invalid_token');
    const bad = await expectAppwriteError(assert,
        () => guest.createSession({ userId: '_bad', secret: t2.secret }), 400, 'general_argument_invalid');
    assert.match(bad.message, /Invalid `userId` param/);
    await expectAppwriteError(assert, () => guest.createSession({ userId: 'tok3', secret: 'x'.repeat(257) }),
        400, 'general_argument_invalid');
    // The unused token still works after all that.
    const s = await guest.createSession({ userId: 'tok3', secret: t2.secret });
    assert.equal(s.userId, 'tok3');
});

test('createSession refuses a request that is already signed in', async () => {
    const account = await signedIn('tok4');
    const t = await users.createToken({ userId: 'tok4' });
    await expectAppwriteError(assert, () => account.createSession({ userId: 'tok4', secret: t.secret }),
        401, 'user_session_already_exists');
    await expectAppwriteError(assert, () => account.updateMagicURLSession({ userId: 'tok4', secret: t.secret }),
        401, 'user_session_already_exists');
    await expectAppwriteError(assert, () => account.updatePhoneSession({ userId: 'tok4', secret: t.secret }),
        401, 'user_session_already_exists');
});

test('updateMagicURLSession and updatePhoneSession (deprecated) sign in with a token too', async () => {
    await users.create({ userId: 'tok5', email: 'tok5@example.com' });
    const guest = accountWith();
    let t = await users.createToken({ userId: 'tok5' });
    let s = await guest.updateMagicURLSession({ userId: 'tok5', secret: t.secret });
    assert.equal(s.userId, 'tok5');
    assert.equal(s.provider, 'token');
    t = await users.createToken({ userId: 'tok5' });
    s = await guest.updatePhoneSession({ userId: 'tok5', secret: t.secret });
    assert.equal(s.userId, 'tok5');
    await expectAppwriteError(assert, () => guest.updatePhoneSession({ userId: 'tok5', secret: t.secret }),
        401, 'user_invalid_token');
});

test('a token secret does not confirm e-mail, phone or recovery', async () => {
    await users.create({ userId: 'tok6', email: 'tok6@example.com' });
    const t = await users.createToken({ userId: 'tok6' });
    const guest = accountWith();
    await expectAppwriteError(assert, () => guest.updateEmailVerification({ userId: 'tok6', secret: t.secret }),
        401, 'user_invalid_token');
    await expectAppwriteError(assert, () => guest.updatePhoneVerification({ userId: 'tok6', secret: t.secret }),
        401, 'user_invalid_token');
    await expectAppwriteError(assert,
        () => guest.updateRecovery({ userId: 'tok6', secret: t.secret, password: 'newpassword1' }),
        401, 'user_invalid_token');
    // It still signs in: the failed attempts did not use it up.
    assert.equal((await guest.createSession({ userId: 'tok6', secret: t.secret })).userId, 'tok6');
});

// E-mail verification ------------------------------------------------------------------------

test('createEmailVerification: 503 without SMTP, after the url is checked; guests lack the scope', async () => {
    const account = await signedIn('ver1');
    const e = await expectAppwriteError(assert,
        () => account.createEmailVerification({ url: 'http://localhost:3000/verify' }), 503, 'general_smtp_disabled');
    assert.equal(e.message, 'SMTP disabled');
    // The deprecated names and path answer the same.
    await expectAppwriteError(assert, () => account.createVerification({ url: 'http://localhost/verify' }),
        503, 'general_smtp_disabled');
    const s = await users.createSession({ userId: 'ver1' });
    const r = await raw('POST', '/account/verification', {
        body: { url: 'http://localhost/v' }, headers: { 'x-appwrite-session': s.secret } });
    assert.equal(r.status, 503);
    assert.equal(r.body.type, 'general_smtp_disabled');

    const bad = await expectAppwriteError(assert,
        () => account.createEmailVerification({ url: 'https://evil.example.net/verify' }), 400, 'general_argument_invalid');
    assert.equal(bad.message, 'Invalid `url` param: Invalid URI. Register your new client (evil.example.net) as a new Web platform on your project console dashboard');
    const missing = await raw('POST', '/account/verifications/email', {
        body: {}, headers: { 'x-appwrite-session': s.secret } });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.message, 'Param "url" is required but was not given.');

    await expectAppwriteError(assert, () => accountWith().createEmailVerification({ url: 'http://localhost' }),
        401, 'general_unauthorized_scope');
});

test('updateEmailVerification: wrong secret, unknown user, bad userId; guests may call it', async () => {
    await users.create({ userId: 'ver2', email: 'ver2@example.com' });
    const guest = accountWith();
    await expectAppwriteError(assert, () => guest.updateEmailVerification({ userId: 'ver2', secret: 'abc' }),
        401, 'user_invalid_token');
    await expectAppwriteError(assert, () => guest.updateEmailVerification({ userId: 'ghost', secret: 'abc' }),
        404, 'user_not_found');
    const e = await expectAppwriteError(assert,
        () => guest.updateEmailVerification({ userId: 'unique()', secret: 'abc' }), 400, 'general_argument_invalid');
    assert.match(e.message, /^Invalid `userId` param: UID must contain at most 36 chars/);
    await expectAppwriteError(assert, () => guest.updateVerification({ userId: 'ver2', secret: 'abc' }),
        401, 'user_invalid_token');
    const r = await raw('PUT', '/account/verification', { body: { userId: 'ver2', secret: 'abc' } });
    assert.equal(r.status, 401);
    assert.equal(r.body.type, 'user_invalid_token');
});

// Phone ----------------------------------------------------------------------------------------

test('phone tokens and phone verification: 503 general_phone_disabled without an SMS provider', async () => {
    const guest = accountWith();
    const e = await expectAppwriteError(assert,
        () => guest.createPhoneToken({ userId: 'unique()', phone: '+14155550100' }), 503, 'general_phone_disabled');
    assert.equal(e.message, 'Phone provider not configured');
    const alias = await raw('POST', '/account/sessions/phone', { body: { userId: 'unique()', phone: '+14155550100' } });
    assert.equal(alias.status, 503);
    assert.equal(alias.body.type, 'general_phone_disabled');
    const bad = await expectAppwriteError(assert,
        () => guest.createPhoneToken({ userId: 'unique()', phone: '14155550100' }), 400, 'general_argument_invalid');
    assert.equal(bad.message, "Invalid `phone` param: Phone number must start with a '+' can have a maximum of fifteen digits.");

    const account = await signedIn('ph1');
    await expectAppwriteError(assert, () => account.createPhoneVerification(), 503, 'general_phone_disabled');
    await expectAppwriteError(assert, () => guest.createPhoneVerification(), 401, 'general_unauthorized_scope');
    await expectAppwriteError(assert, () => guest.updatePhoneVerification({ userId: 'ph1', secret: '123456' }),
        401, 'user_invalid_token');
    await expectAppwriteError(assert, () => guest.updatePhoneVerification({ userId: 'ghost', secret: '123456' }),
        404, 'user_not_found');
    const old = await raw('PUT', '/account/verification/phone', { body: { userId: 'ph1', secret: '1' } });
    assert.equal(old.status, 401);
});

test('updatePhone: sets the number, unverified; checks the password and taken numbers', async () => {
    const account = await signedIn('ph2');
    let me = await account.updatePhone({ phone: '+14155550111', password: 'password123' });
    assert.equal(me.phone, '+14155550111');
    assert.equal(me.phoneVerification, false);
    assert.equal(me.$id, 'ph2');
    assert.equal(me.password, undefined);

    await expectAppwriteError(assert, () => account.updatePhone({ phone: '+14155550112', password: 'wrongpassword' }),
        401, 'user_invalid_credentials');
    await expectAppwriteError(assert, () => account.updatePhone({ phone: '+14155550112', password: 'short' }),
        400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => account.updatePhone({ phone: 'abc', password: 'password123' }),
        400, 'general_argument_invalid');
    // A number another user's SMS target holds.
    await users.create({ userId: 'ph2other', phone: '+14155550199' });
    await expectAppwriteError(assert, () => account.updatePhone({ phone: '+14155550199', password: 'password123' }),
        409, 'user_target_already_exists');
    await expectAppwriteError(assert, () => accountWith().updatePhone({ phone: '+14155550113', password: 'password123' }),
        401, 'general_unauthorized_scope');

    // A verified number becomes unverified when it changes; the old SMS target follows it.
    await users.updatePhone({ userId: 'ph2', number: '+14155550120' });
    await users.updatePhoneVerification({ userId: 'ph2', phoneVerification: true });
    me = await account.updatePhone({ phone: '+14155550121', password: 'password123' });
    assert.equal(me.phone, '+14155550121');
    assert.equal(me.phoneVerification, false);
    const sms = (await users.listTargets({ userId: 'ph2' })).targets.filter((t) => t.providerType === 'sms');
    assert.deepEqual(sms.map((t) => t.identifier), ['+14155550121']);
});

test('updatePhone: a user without a password gets the one given', async () => {
    const anon = await keyAccount.createAnonymousSession();
    const account = accountWith(anon.secret);
    const before = await account.get();
    assert.equal(before.passwordUpdate, '');
    const me = await account.updatePhone({ phone: '+14155550130', password: 'anonpassword' });
    assert.equal(me.phone, '+14155550130');
    assert.notEqual(me.passwordUpdate, '');
    // The password now guards the account.
    await expectAppwriteError(assert, () => account.updatePhone({ phone: '+14155550131', password: 'otherpassword' }),
        401, 'user_invalid_credentials');
});

// Recovery ---------------------------------------------------------------------------------------

test('createRecovery: 503 without SMTP after the parameters pass', async () => {
    await users.create({ userId: 'rec1', email: 'rec1@example.com', password: 'password123' });
    const guest = accountWith();
    await expectAppwriteError(assert, () => guest.createRecovery({ email: 'rec1@example.com', url: 'http://localhost/reset' }),
        503, 'general_smtp_disabled');
    await expectAppwriteError(assert, () => guest.createRecovery({ email: 'not-an-email', url: 'http://localhost/reset' }),
        400, 'general_argument_invalid');
    const e = await expectAppwriteError(assert,
        () => guest.createRecovery({ email: 'rec1@example.com', url: 'ftp://localhost/reset' }), 400, 'general_argument_invalid');
    assert.equal(e.message, 'Invalid `url` param: Invalid URI. Register your new client (localhost) as a new  platform on your project console dashboard');
    // Signed-in users may ask too (the route is not in the session group).
    const account = await signedIn('rec1b');
    await expectAppwriteError(assert, () => account.createRecovery({ email: 'rec1b@example.com', url: 'http://localhost/r' }),
        503, 'general_smtp_disabled');
});

test('updateRecovery: wrong secret, unknown user, weak password', async () => {
    await users.create({ userId: 'rec2', email: 'rec2@example.com', password: 'password123' });
    const guest = accountWith();
    await expectAppwriteError(assert, () => guest.updateRecovery({ userId: 'rec2', secret: 'x', password: 'newpassword1' }),
        401, 'user_invalid_token');
    await expectAppwriteError(assert, () => guest.updateRecovery({ userId: 'ghost', secret: 'x', password: 'newpassword1' }),
        404, 'user_not_found');
    const e = await expectAppwriteError(assert,
        () => guest.updateRecovery({ userId: 'rec2', secret: 'x', password: 'short' }), 400, 'general_argument_invalid');
    assert.equal(e.message, 'Invalid `password` param: Password must be between 8 and 256 characters long.');
});

// Magic URL and e-mail OTP -------------------------------------------------------------------------

test('createMagicURLToken and createEmailToken: 503 without SMTP after the parameters pass', async () => {
    const guest = accountWith();
    await expectAppwriteError(assert,
        () => guest.createMagicURLToken({ userId: 'unique()', email: 'magic@example.com', url: 'http://localhost/m' }),
        503, 'general_smtp_disabled');
    // url is optional.
    await expectAppwriteError(assert,
        () => guest.createMagicURLToken({ userId: 'unique()', email: 'magic@example.com' }), 503, 'general_smtp_disabled');
    const alias = await raw('POST', '/account/sessions/magic-url', { body: { userId: 'unique()', email: 'magic@example.com' } });
    assert.equal(alias.status, 503);
    await expectAppwriteError(assert,
        () => guest.createMagicURLToken({ userId: 'unique()', email: 'magic@example.com', url: 'https://evil.example.net' }),
        400, 'general_argument_invalid');
    await expectAppwriteError(assert,
        () => guest.createMagicURLToken({ userId: '-bad', email: 'magic@example.com' }), 400, 'general_argument_invalid');
    await expectAppwriteError(assert,
        () => guest.createMagicURLToken({ userId: 'unique()', email: 'nope' }), 400, 'general_argument_invalid');
    const phrase = await raw('POST', '/account/tokens/magic-url', { body: { userId: 'unique()', email: 'm@example.com', phrase: 'maybe' } });
    assert.equal(phrase.status, 400);
    assert.equal(phrase.body.message, 'Invalid `phrase` param: Value must be a valid boolean');

    await expectAppwriteError(assert,
        () => guest.createEmailToken({ userId: 'unique()', email: 'otp@example.com', phrase: true }), 503, 'general_smtp_disabled');
    await expectAppwriteError(assert,
        () => guest.createEmailToken({ userId: 'unique()', email: 'otp' }), 400, 'general_argument_invalid');
    // Nothing was made on the way to the 503.
    const list = await users.list({ queries: [sdk.Query.equal('email', ['magic@example.com', 'otp@example.com'])] });
    assert.equal(list.total, 0);
});

// Redirect URLs ------------------------------------------------------------------------------------

test('redirect urls: loopback, allowed origins and app schemes pass; other hosts and schemes do not', async () => {
    const guest = accountWith();
    const passes = [
        'http://localhost', 'https://localhost:8443/a?b=c#d', 'http://127.0.0.1:3000/x', 'http://[::1]:3000/x',
        'https://app.example.com/reset', 'https://APP.Example.COM/reset',
        `appwrite-callback-${server.projectId}://auth`, 'exp://192.168.1.5:8081', 'chrome-extension://localhost/cb',
    ];
    for (const url of passes) {
        await expectAppwriteError(assert, () => guest.createRecovery({ email: 'any@example.com', url }),
            503, 'general_smtp_disabled');
    }
    const fails = {
        'https://sub.app.example.com/': 'Invalid URI. Register your new client (sub.app.example.com) as a new Web platform on your project console dashboard',
        'http://127.0.0.2/': 'Invalid URI. Register your new client (127.0.0.2) as a new Web platform on your project console dashboard',
        'http://localhost.evil.net/': 'Invalid URI. Register your new client (localhost.evil.net) as a new Web platform on your project console dashboard',
        'appwrite-callback-other://auth': 'Invalid URI. Register your new client (auth) as a new  platform on your project console dashboard',
        'appwrite-ios://auth': 'Invalid URI. Register your new client (auth) as a new iOS platform on your project console dashboard',
        '/relative': 'Invalid URI.',
        // The scheme is compared as written, as Appwrite compares it.
        'HTTPS://app.example.com/': 'Invalid URI. Register your new client (app.example.com) as a new  platform on your project console dashboard',
        'http:///x': 'Invalid URI. Register your new client  as a new Web platform on your project console dashboard',
    };
    for (const [url, rule] of Object.entries(fails)) {
        const e = await expectAppwriteError(assert, () => guest.createRecovery({ email: 'any@example.com', url }),
            400, 'general_argument_invalid');
        assert.equal(e.message, `Invalid \`url\` param: ${rule}`, url);
    }
});

// Through the mail ---------------------------------------------------------------------------------

/** A node-appwrite Account on the mail server: a guest, or with a session value. */
function mailAccount(session) {
    const client = new sdk.Client().setEndpoint(mailServer.endpoint).setProject(mailServer.projectId);
    if (session) client.setSession(session);
    return new sdk.Account(client);
}

/** The web SDK's Account on the mail server, as a guest. */
function webMailAccount() {
    const client = new web.Client().setEndpoint(mailServer.endpoint).setProject(mailServer.projectId);
    return new web.Account(client);
}

/** The first link to base (a URL prefix) in the newest mail to address, as a URL. */
async function linkIn(address, base, match = () => true) {
    const m = await mail.waitForMail(address, { match });
    const escaped = base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const found = m.text.match(new RegExp(`${escaped}[^\\s]*`));
    assert.ok(found, `a link to ${base} in: ${m.text}`);
    return { mail: m, url: new URL(found[0]) };
}

test('mail: e-mail verification from the link in the mail', async () => {
    await mailUsers.create({ userId: 'mver', email: 'mver@example.com', password: 'password123', name: 'Ver' });
    const { secret: session } = await mailUsers.createSession({ userId: 'mver' });
    const account = mailAccount(session);
    const t = await account.createEmailVerification({ url: 'http://localhost:3000/verify?from=mail#top' });
    assert.equal(t.userId, 'mver');
    assert.equal(t.secret, '', 'a client never sees the secret');
    assert.equal(t.phrase, '');
    const expireMs = Date.parse(t.expire) - Date.now();
    assert.ok(expireMs > 3500e3 && expireMs <= 3600e3, `expires in an hour: ${t.expire}`);

    const { mail: m, url } = await linkIn('mver@example.com', 'http://localhost:3000/verify');
    assert.match(m.subject, /Confirm your email address/);
    assert.equal(url.searchParams.get('from'), 'mail');
    assert.equal(url.searchParams.get('userId'), 'mver');
    assert.equal(url.searchParams.get('expire'), t.expire);
    assert.equal(url.hash, '#top');
    const secret = url.searchParams.get('secret');
    assert.match(secret, /^[0-9a-f]{256}$/);
    // The link is built as Appwrite builds it: the added values form-encoded, in this order.
    assert.match(m.text, /\?from=mail&userId=mver&secret=[0-9a-f]{256}&expire=\d{4}-\d\d-\d\dT\d\d%3A\d\d%3A\d\d\.\d{3}%2B00%3A00#top/);

    const guest = mailAccount();
    const done = await guest.updateEmailVerification({ userId: 'mver', secret });
    assert.equal(done.$id, t.$id);
    assert.equal(done.userId, 'mver');
    assert.equal(done.secret, '');
    assert.equal((await mailUsers.get({ userId: 'mver' })).emailVerification, true);
    await expectAppwriteError(assert, () => guest.updateEmailVerification({ userId: 'mver', secret }),
        401, 'user_invalid_token');
    await expectAppwriteError(assert, () => account.createEmailVerification({ url: 'http://localhost:3000/verify' }),
        409, 'user_email_already_verified');

    // An account without an e-mail has nothing to verify.
    const anon = await mailKeyAccount.createAnonymousSession();
    await expectAppwriteError(assert, () => mailAccount(anon.secret).createEmailVerification({ url: 'http://localhost' }),
        400, 'user_email_not_found');
});

test('mail: password recovery; the new password works, the old one does not', async () => {
    await mailUsers.create({ userId: 'mrec', email: 'mrec@example.com', password: 'oldpassword1' });
    const guest = mailAccount();
    const t = await guest.createRecovery({ email: 'MRec@Example.com', url: 'http://localhost:3000/reset' });
    assert.equal(t.userId, 'mrec');
    assert.equal(t.secret, '');
    const { url } = await linkIn('mrec@example.com', 'http://localhost:3000/reset');
    assert.equal(url.searchParams.get('userId'), 'mrec');
    const secret = url.searchParams.get('secret');
    assert.match(secret, /^[0-9a-f]{256}$/);

    // A recovery secret does not sign in.
    await expectAppwriteError(assert, () => guest.createSession({ userId: 'mrec', secret }), 401, 'user_invalid_token');
    const done = await guest.updateRecovery({ userId: 'mrec', secret, password: 'brandnewpass' });
    assert.equal(done.$id, t.$id);
    assert.equal((await mailUsers.get({ userId: 'mrec' })).emailVerification, true, 'the mail proved the address');
    await expectAppwriteError(assert, () => guest.updateRecovery({ userId: 'mrec', secret, password: 'anotherpass1' }),
        401, 'user_invalid_token');
    const s = await webMailAccount().createEmailPasswordSession({ email: 'mrec@example.com', password: 'brandnewpass' });
    assert.equal(s.userId, 'mrec');
    await expectAppwriteError(assert,
        () => mailAccount().createEmailPasswordSession({ email: 'mrec@example.com', password: 'oldpassword1' }),
        401, 'user_invalid_credentials');

    await expectAppwriteError(assert, () => guest.createRecovery({ email: 'nobody@example.com', url: 'http://localhost' }),
        404, 'user_not_found');
    await mailUsers.create({ userId: 'mrecb', email: 'mrecb@example.com', password: 'password123' });
    await mailUsers.updateStatus({ userId: 'mrecb', status: false });
    await expectAppwriteError(assert, () => guest.createRecovery({ email: 'mrecb@example.com', url: 'http://localhost' }),
        403, 'user_blocked');

    // An API key sees the secret in the answer, and it is the one mailed.
    await mail.clear();
    const k = await mailKeyAccount.createRecovery({ email: 'mrec@example.com', url: 'http://localhost:3000/reset' });
    assert.match(k.secret, /^[0-9a-f]{256}$/);
    const { url: again } = await linkIn('mrec@example.com', 'http://localhost:3000/reset');
    assert.equal(again.searchParams.get('secret'), k.secret);
});

test('mail: a magic URL makes the user, its link signs them in and verifies the address', async () => {
    const guest = mailAccount();
    const t = await guest.createMagicURLToken({ userId: 'magic1', email: 'magic1@example.com',
        url: 'http://localhost:3000/magic', phrase: true });
    assert.equal(t.userId, 'magic1');
    assert.equal(t.secret, '');
    assert.match(t.phrase, /^[A-Z][a-z]+ [a-z]+$/);
    const expireMs = Date.parse(t.expire) - Date.now();
    assert.ok(expireMs > 3500e3 && expireMs <= 3600e3, `expires in an hour: ${t.expire}`);
    const made = await mailUsers.get({ userId: 'magic1' });
    assert.equal(made.email, 'magic1@example.com');
    assert.equal(made.emailVerification, false);
    assert.equal(made.passwordUpdate, '');

    const { mail: m, url } = await linkIn('magic1@example.com', 'http://localhost:3000/magic');
    assert.ok(m.text.includes(t.phrase), 'the mail shows the phrase');
    assert.equal(url.searchParams.get('userId'), 'magic1');
    assert.equal(url.searchParams.get('project'), mailServer.projectId);
    assert.equal(url.searchParams.get('expire'), t.expire);
    const secret = url.searchParams.get('secret');
    assert.match(secret, /^[0-9a-f]{64}$/);

    const s = await webMailAccount().createSession({ userId: 'magic1', secret });
    assert.equal(s.provider, 'magic-url');
    assert.deepEqual(s.factors, ['email']);
    assert.equal((await mailUsers.get({ userId: 'magic1' })).emailVerification, true);
    await expectAppwriteError(assert, () => mailAccount().createSession({ userId: 'magic1', secret }),
        401, 'user_invalid_token');

    // A known address: the userId given is ignored; the deprecated PUT signs in as well.
    await mail.clear();
    const again = await guest.createMagicURLToken({ userId: 'someoneelse', email: 'magic1@example.com',
        url: 'http://localhost:3000/magic' });
    assert.equal(again.userId, 'magic1');
    assert.equal(again.phrase, '');
    const { url: url2 } = await linkIn('magic1@example.com', 'http://localhost:3000/magic');
    const s2 = await mailAccount().updateMagicURLSession({ userId: 'magic1', secret: url2.searchParams.get('secret') });
    assert.equal(s2.userId, 'magic1');
    await expectAppwriteError(assert, () => mailUsers.get({ userId: 'someoneelse' }), 404, 'user_not_found');
});

test('mail: a magic URL without url leads to the console page; an API key sees the secret', async () => {
    const k = await mailKeyAccount.createMagicURLToken({ userId: 'magic2', email: 'magic2@example.com' });
    assert.match(k.secret, /^[0-9a-f]{64}$/);
    const base = `http://127.0.0.1:${mailServer.port}/console/auth/magic-url`;
    const { url } = await linkIn('magic2@example.com', base);
    assert.equal(url.searchParams.get('secret'), k.secret);
    const s = await mailKeyAccount.createSession({ userId: 'magic2', secret: k.secret });
    assert.ok(s.secret.length > 0);
});

test('mail: an e-mail OTP code signs in, makes the user with an e-mail target', async () => {
    const guest = mailAccount();
    const t = await guest.createEmailToken({ userId: 'otp1', email: 'otp1@example.com', phrase: true });
    assert.equal(t.userId, 'otp1');
    assert.equal(t.secret, '');
    assert.match(t.phrase, /^[A-Z][a-z]+ [a-z]+$/);
    const expireMs = Date.parse(t.expire) - Date.now();
    assert.ok(expireMs > 800e3 && expireMs <= 900e3, `expires in 15 minutes: ${t.expire}`);
    const targets = (await mailUsers.listTargets({ userId: 'otp1' })).targets;
    assert.deepEqual(targets.map((x) => [x.providerType, x.identifier]), [['email', 'otp1@example.com']]);

    const m = await mail.waitForMail('otp1@example.com');
    assert.ok(m.text.includes(t.phrase));
    const code = (m.text.match(/\b\d{6}\b/) || [])[0];
    assert.ok(code, `a code in: ${m.text}`);
    await expectAppwriteError(assert, () => guest.createSession({ userId: 'otp1', secret: '000000x' }),
        401, 'user_invalid_token');
    const s = await webMailAccount().createSession({ userId: 'otp1', secret: code });
    assert.equal(s.provider, 'token');
    assert.deepEqual(s.factors, ['email']);
    assert.equal((await mailUsers.get({ userId: 'otp1' })).emailVerification, true);
    await expectAppwriteError(assert, () => guest.createSession({ userId: 'otp1', secret: code }),
        401, 'user_invalid_token');

    // An API key sees the code itself.
    const k = await mailKeyAccount.createEmailToken({ userId: 'unique()', email: 'otp1@example.com' });
    assert.match(k.secret, /^\d{6}$/);
    assert.equal(k.userId, 'otp1');
});

// The project's auth settings ---------------------------------------------------------------

let projectSeq = 0;

/** A fresh project on srv with an all-scopes key; auth: options for `cwrite projects auth`. */
async function project(srv, auth = []) {
    const run = async (args) => {
        const r = await cli([...args, '--data', srv.dataDir]);
        assert.equal(r.code, 0, `cwrite ${args.join(' ')}: ${r.stderr}`);
        return r.stdout;
    };
    const id = `tokens${++projectSeq}`;
    await run(['projects', 'create', '--id', id, '--name', id]);
    const key = (await run(['keys', 'create', '--project', id, '--name', 'k', '--scopes', 'all'])).trim();
    if (auth.length > 0) await run(['projects', 'auth', id, ...auth]);
    const admin = new sdk.Client().setEndpoint(srv.endpoint).setProject(id).setKey(key);
    return {
        id,
        users: new sdk.Users(admin),
        keyAccount: new sdk.Account(admin),
        account(session) {
            const c = new sdk.Client().setEndpoint(srv.endpoint).setProject(id);
            if (session) c.setSession(session);
            return new sdk.Account(c);
        },
    };
}

test('methods turned off: magic URL, e-mail OTP and phone answer 501 before their parameters', async () => {
    const p = await project(server, ['--method', 'magic-url=off', '--method', 'email-otp=off', '--method', 'phone=off']);
    const guest = p.account();
    const magic = await expectAppwriteError(assert,
        () => guest.createMagicURLToken({ userId: 'unique()', email: 'not-an-email' }), 501, 'user_auth_method_unsupported');
    assert.equal(magic.message, 'Magic URL authentication is disabled for this project');
    const otp = await expectAppwriteError(assert,
        () => guest.createEmailToken({ userId: 'unique()', email: 'a@example.com' }), 501, 'user_auth_method_unsupported');
    assert.equal(otp.message, 'Email OTP authentication is disabled for this project');
    const phone = await expectAppwriteError(assert,
        () => guest.createPhoneToken({ userId: 'unique()', phone: 'bad' }), 501, 'user_auth_method_unsupported');
    assert.equal(phone.message, 'Phone authentication is disabled for this project');
    await p.users.create({ userId: 'off1', email: 'off1@example.com', password: 'password123' });
    const { secret } = await p.users.createSession({ userId: 'off1' });
    await expectAppwriteError(assert, () => p.account(secret).createPhoneVerification(), 501, 'user_auth_method_unsupported');
    // An API key passes the method check and meets the next rule: no SMTP on this server.
    await expectAppwriteError(assert,
        () => p.keyAccount.createMagicURLToken({ userId: 'unique()', email: 'a@example.com' }), 503, 'general_smtp_disabled');
    await expectAppwriteError(assert,
        () => p.keyAccount.createEmailToken({ userId: 'unique()', email: 'a@example.com' }), 503, 'general_smtp_disabled');
});

test('phone: a mock number signs in with its fixed code, no SMS provider needed', async () => {
    const p = await project(server, ['--mock-number', '+16555550100=123456', '--mock-number', '+16555550101=654321']);
    const guest = p.account();
    const t = await guest.createPhoneToken({ userId: 'mock1', phone: '+16555550100' });
    assert.equal(t.userId, 'mock1');
    assert.equal(t.secret, '', 'a client never sees the code');
    const expireMs = Date.parse(t.expire) - Date.now();
    assert.ok(expireMs > 800e3 && expireMs <= 900e3, `expires in 15 minutes: ${t.expire}`);
    const made = await p.users.get({ userId: 'mock1' });
    assert.equal(made.phone, '+16555550100');
    assert.equal(made.email, '');
    assert.equal(made.phoneVerification, false);
    assert.deepEqual(made.targets.map((x) => [x.providerType, x.identifier]), [['sms', '+16555550100']]);

    await expectAppwriteError(assert, () => guest.createSession({ userId: 'mock1', secret: '000000' }), 401, 'user_invalid_token');
    const s = await p.account().createSession({ userId: 'mock1', secret: '123456' });
    assert.equal(s.provider, 'phone');
    assert.deepEqual(s.factors, ['phone']);
    assert.equal((await p.users.get({ userId: 'mock1' })).phoneVerification, true);
    await expectAppwriteError(assert, () => guest.updatePhoneSession({ userId: 'mock1', secret: '123456' }), 401, 'user_invalid_token');

    // A known number: the userId given is ignored. An API key sees the secret encoded as
    // Appwrite encodes it for clients (the session cookie's form).
    const k = await p.keyAccount.createPhoneToken({ userId: 'someoneelse', phone: '+16555550100' });
    assert.equal(k.userId, 'mock1');
    assert.deepEqual(JSON.parse(Buffer.from(k.secret, 'base64').toString()), { id: 'mock1', secret: '123456' });
    const s2 = await p.account().updatePhoneSession({ userId: 'mock1', secret: '123456' });
    assert.equal(s2.userId, 'mock1');

    // Other numbers still need the provider.
    await expectAppwriteError(assert, () => guest.createPhoneToken({ userId: 'unique()', phone: '+14155550100' }),
        503, 'general_phone_disabled');

    // Phone verification of a mock number: its code, no SMS.
    await p.users.create({ userId: 'mock2', phone: '+16555550101', password: 'password123' });
    const { secret } = await p.users.createSession({ userId: 'mock2' });
    const v = await p.account(secret).createPhoneVerification();
    assert.equal(v.userId, 'mock2');
    assert.equal(v.secret, '');
    await expectAppwriteError(assert, () => guest.updatePhoneVerification({ userId: 'mock2', secret: '123456' }),
        401, 'user_invalid_token');
    await guest.updatePhoneVerification({ userId: 'mock2', secret: '654321' });
    assert.equal((await p.users.get({ userId: 'mock2' })).phoneVerification, true);
    await expectAppwriteError(assert, () => p.account(secret).createPhoneVerification(), 409, 'user_phone_already_verified');
});

test('users limit: a magic URL, e-mail OTP or phone token for someone new is refused at the limit', async () => {
    const p = await project(mailServer, ['--limit', '1', '--mock-number', '+16555550102=111111']);
    const guest = p.account();
    await p.users.create({ userId: 'lim1', email: 'lim1@example.com' });
    await expectAppwriteError(assert,
        () => guest.createMagicURLToken({ userId: 'unique()', email: 'lim2@example.com', url: 'http://localhost' }),
        400, 'user_count_exceeded');
    await expectAppwriteError(assert, () => guest.createEmailToken({ userId: 'unique()', email: 'lim2@example.com' }),
        400, 'user_count_exceeded');
    await expectAppwriteError(assert, () => guest.createPhoneToken({ userId: 'unique()', phone: '+16555550102' }),
        400, 'user_count_exceeded');
    assert.equal((await p.users.list()).total, 1);
    // Someone known still signs in.
    const t = await guest.createEmailToken({ userId: 'unique()', email: 'lim1@example.com' });
    assert.equal(t.userId, 'lim1');
});

test('mail: a recovery meets the dictionary and history policies and ends the sessions', async () => {
    const p = await project(mailServer, ['--password-dictionary', 'on', '--password-history', '3',
        '--invalidate-sessions', 'on']);
    await p.users.create({ userId: 'prec', email: 'prec@example.com', password: 'oldpassword1' });
    const { secret: session } = await p.users.createSession({ userId: 'prec' });
    await p.users.createSession({ userId: 'prec' });
    const guest = p.account();
    const recover = async () => {
        await mail.clear();
        await guest.createRecovery({ email: 'prec@example.com', url: 'http://localhost:3000/reset' });
        const { url } = await linkIn('prec@example.com', 'http://localhost:3000/reset');
        return url.searchParams.get('secret');
    };
    let secret = await recover();
    const common = await expectAppwriteError(assert,
        () => guest.updateRecovery({ userId: 'prec', secret, password: 'password' }), 400, 'general_argument_invalid');
    assert.match(common.message, /commonly used password/);
    await guest.updateRecovery({ userId: 'prec', secret, password: 'firstnewpass1' });
    assert.equal((await p.users.listSessions({ userId: 'prec' })).total, 0, 'every session ended');
    await expectAppwriteError(assert, () => p.account(session).get(), 401, 'general_unauthorized_scope');

    secret = await recover();
    await expectAppwriteError(assert,
        () => guest.updateRecovery({ userId: 'prec', secret, password: 'firstnewpass1' }), 400, 'password_recently_used');
    // The refused try leaves the token usable.
    await guest.updateRecovery({ userId: 'prec', secret, password: 'secondnewpass2' });

    // Without invalidateSessions the sessions stay.
    const q = await project(mailServer, ['--invalidate-sessions', 'off']);
    await q.users.create({ userId: 'prec2', email: 'prec2@example.com', password: 'oldpassword1' });
    await q.users.createSession({ userId: 'prec2' });
    await mail.clear();
    await q.account().createRecovery({ email: 'prec2@example.com', url: 'http://localhost:3000/reset' });
    const { url } = await linkIn('prec2@example.com', 'http://localhost:3000/reset');
    await q.account().updateRecovery({ userId: 'prec2', secret: url.searchParams.get('secret'), password: 'newpassword2' });
    assert.equal((await q.users.listSessions({ userId: 'prec2' })).total, 1);
});
