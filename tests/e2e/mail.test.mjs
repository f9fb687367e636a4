// Mail: the durable queue and the SMTP worker, seen from outside. Team invitations go through
// maildev (an SMTP sink on loopback): the mail's parts and headers, the link, and accepting it,
// which signs the invitee in (web SDK); no SMTP → general_smtp_disabled; an SMTP server down at
// send time delays the mail until it is up; a restart keeps a pending mail; a mail that keeps
// failing ends in /v1/health/queue/failed/v1-mails. A project's own SMTP server (set with `cwrite
// projects smtp`) carries its mail when the server has none; session alerts (`cwrite projects auth
// --session-alerts on`) tell a user of each new session as Appwrite does.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startServer, serverClient, expectAppwriteError, sdkCall, freePort, cli } from './lib/server.mjs';
import { startMaildev, smtpEnv } from './lib/maildev.mjs';

const cleanups = [];
after(async () => {
    for (const fn of cleanups.reverse()) await fn();
});

async function server(env = {}, opts = {}) {
    const s = await startServer({ env, ...opts });
    cleanups.push(() => s.stop());
    return s;
}

async function maildev(opts) {
    const m = await startMaildev(opts);
    cleanups.push(() => m.stop());
    return m;
}

/** A user made with the key, and a node-appwrite client signed in as them. */
async function signedIn(srv, userId, email) {
    const { sdk, client } = await serverClient(srv);
    const users = new sdk.Users(client);
    await users.create({ userId, email, password: 'password123', name: userId });
    const { secret } = await users.createSession({ userId });
    const c = new sdk.Client().setEndpoint(srv.endpoint).setProject(srv.projectId).setSession(secret);
    return { sdk, client: c, teams: new sdk.Teams(c), admin: { users, teams: new sdk.Teams(client), client } };
}

async function invite(srv, email, teamId = 'crew') {
    const owner = await signedIn(srv, `owner-${teamId}`, `owner-${teamId}@example.com`);
    await owner.teams.create({ teamId, name: 'The Crew' });
    const m = await owner.teams.createMembership({ teamId, email, roles: ['member'], url: 'http://localhost:3000/join' });
    assert.equal(m.confirm, false);
    return { owner, membership: m };
}

async function queueSize(srv, failed = false) {
    const { client } = await serverClient(srv);
    const path = failed ? '/health/queue/failed/v1-mails' : '/health/queue/mails';
    return (await sdkCall(client, 'get', path)).size;
}

async function until(fn, what, timeout = 20000) {
    const end = Date.now() + timeout;
    for (;;) {
        if (await fn()) return;
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 100));
    }
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

test('an invitation mail arrives, and its link signs the invitee in (web SDK)', async () => {
    const mail = await maildev();
    const srv = await server(mail.env);
    const web = await import('appwrite');
    let restore = withBrowserStorage();
    let membership;
    try {
        const client = new web.Client().setEndpoint(srv.endpoint).setProject(srv.projectId);
        const account = new web.Account(client);
        await account.create({ userId: 'olga', email: 'olga@example.com', password: 'password123', name: 'Olga' });
        await account.createEmailPasswordSession({ email: 'olga@example.com', password: 'password123' });
        const teams = new web.Teams(client);
        const team = await teams.create({ teamId: 'blue', name: 'Blue & <Green>', roles: ['lead'] });
        assert.equal(team.total, 1, 'the creator is its first member');
        const own = await teams.listMemberships({ teamId: 'blue' });
        assert.equal(own.total, 1);
        assert.equal(own.memberships[0].userId, '', "a new project hides members' user IDs from members (Appwrite's default)");
        assert.deepEqual([...own.memberships[0].roles], ['lead', 'owner']);
        assert.equal(own.memberships[0].confirm, true);

        await expectAppwriteError(assert, () => teams.createMembership({ teamId: 'blue', email: 'ada@example.com', roles: [] }),
            400, 'general_argument_invalid');
        await expectAppwriteError(assert, () => teams.createMembership({ teamId: 'blue', email: 'ada@example.com', roles: [],
            url: 'https://evil.example.net/join' }), 400, 'general_argument_invalid');
        membership = await teams.createMembership({ teamId: 'blue', email: 'Ada@Example.com', name: 'Ada', roles: ['editor'],
            url: 'http://localhost:3000/join?from=mail' });
        assert.equal(membership.confirm, false);
        assert.equal(membership.joined, '');
        assert.equal(membership.userEmail, 'ada@example.com');
        assert.equal((await teams.get({ teamId: 'blue' })).total, 1, 'an open invitation is not counted');
    } finally {
        restore();
    }

    const m = await mail.waitForMail('ada@example.com');
    assert.match(m.subject, /Blue & <Green>/);
    assert.match(m.subject, /Default/, 'the project name');
    assert.equal(m.from[0].address, 'noreply@cwrite.test');
    assert.equal(m.from[0].name, 'cwrite tests');
    assert.equal(m.to[0].name, 'Ada');
    assert.match(m.headers['content-type'], /^multipart\/alternative/);
    assert.ok(m.headers['message-id']);
    assert.ok(m.headers.date);
    assert.match(m.text, /Olga has invited you/);
    assert.match(m.html, /Blue &amp; &lt;Green&gt;/, 'names are escaped in HTML');
    const link = new URL(m.text.match(/http:\/\/localhost:3000\/join\S+/)[0]);
    assert.equal(link.searchParams.get('from'), 'mail');
    assert.equal(link.searchParams.get('membershipId'), membership.$id);
    assert.equal(link.searchParams.get('userId'), membership.userId);
    assert.equal(link.searchParams.get('teamId'), 'blue');
    assert.equal(link.searchParams.get('teamName'), 'Blue & <Green>');
    const secret = link.searchParams.get('secret');
    assert.equal(secret.length, 256);
    assert.ok(m.html.includes(`href="${link.href.replaceAll('&', '&amp;')}"`) ||
        m.html.includes(link.search.replaceAll('&', '&amp;').slice(1, 40)), 'the link is in the HTML part');

    restore = withBrowserStorage();
    try {
        const client = new web.Client().setEndpoint(srv.endpoint).setProject(srv.projectId);
        const teams = new web.Teams(client);
        await expectAppwriteError(assert, () => teams.updateMembershipStatus({ teamId: 'blue', membershipId: membership.$id,
            userId: membership.userId, secret: 'x'.repeat(256) }), 401, 'team_invalid_secret');
        const ok = await teams.updateMembershipStatus({ teamId: 'blue', membershipId: membership.$id,
            userId: membership.userId, secret });
        assert.equal(ok.confirm, true);
        assert.notEqual(ok.joined, '');
        assert.ok(window.localStorage.getItem('cookieFallback'), 'a session came with it');
        const me = await new web.Account(client).get();
        assert.equal(me.email, 'ada@example.com');
        assert.equal(me.emailVerification, true);
        assert.equal((await teams.get({ teamId: 'blue' })).total, 2);
        await expectAppwriteError(assert, () => teams.updateMembershipStatus({ teamId: 'blue', membershipId: membership.$id,
            userId: membership.userId, secret }), 409, 'membership_already_confirmed');
    } finally {
        restore();
    }
    assert.equal(await queueSize(srv), 0);
    assert.equal(await queueSize(srv, true), 0);
});

test('only an owner invites; a key adds members at once without mail', async () => {
    const mail = await maildev();
    const srv = await server(mail.env);
    const { owner } = await invite(srv, 'first@example.com');
    const other = await signedIn(srv, 'bystander', 'bystander@example.com');
    // A non-member cannot read the team at all, so it is not found to them (as Appwrite's
    // permission-checked lookup answers).
    await expectAppwriteError(assert, () => other.teams.createMembership({ teamId: 'crew', email: 'x@example.com', roles: [],
        url: 'http://localhost/join' }), 404, 'team_not_found');
    const byKey = await owner.admin.teams.createMembership({ teamId: 'crew', email: 'keyed@example.com', roles: [] });
    assert.equal(byKey.confirm, true);
    await mail.waitForMail('first@example.com');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await mail.mails()).filter((m) => m.to[0].address === 'keyed@example.com').length, 0);
});

test('without SMTP a user invitation is 503 general_smtp_disabled; a key still adds members', async () => {
    const srv = await server({ _APP_SMTP_HOST: '' });
    const owner = await signedIn(srv, 'solo', 'solo@example.com');
    await owner.teams.create({ teamId: 'quiet', name: 'Quiet' });
    await expectAppwriteError(assert, () => owner.teams.createMembership({ teamId: 'quiet', email: 'x@example.com', roles: [],
        url: 'http://localhost/join' }), 503, 'general_smtp_disabled');
    const m = await owner.admin.teams.createMembership({ teamId: 'quiet', email: 'x@example.com', roles: [] });
    assert.equal(m.confirm, true);
    assert.equal(await queueSize(srv), 0);
});

test('an SMTP server down at send time delays the mail until it is up', async () => {
    const port = await freePort();
    const srv = await server({ ...smtpEnv(port), CWRITE_QUEUE_BACKOFF_MS: '200' });
    await invite(srv, 'patient@example.com');
    assert.equal(await queueSize(srv), 1);
    await new Promise((r) => setTimeout(r, 700)); // a few failed attempts
    assert.equal(await queueSize(srv), 1, 'still queued, not lost');
    const mail = await maildev({ smtpPort: port });
    const m = await mail.waitForMail('patient@example.com');
    assert.match(m.subject, /The Crew/);
    await until(async () => (await queueSize(srv)) === 0, 'the queue to empty');
});

test('a mail queued before a restart is delivered after it', async () => {
    const port = await freePort();
    const first = await startServer({ env: smtpEnv(port) });
    const dataDir = first.dataDir;
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    try {
        await invite(first, 'later@example.com');
    } finally {
        await first.stop({ keepData: true });
    }
    const mail = await maildev({ smtpPort: port });
    const again = await server(smtpEnv(port), { dataDir });
    again.key = first.key; // printed on the first start only
    const m = await mail.waitForMail('later@example.com');
    assert.match(m.text, /membershipId=/);
    await until(async () => (await queueSize(again)) === 0, 'the queue to empty');
});

test('a mail that keeps failing ends dead, counted by /health/queue/failed/v1-mails', async () => {
    const port = await freePort(); // nothing listens there
    const srv = await server({ ...smtpEnv(port), CWRITE_QUEUE_ATTEMPTS: '2', CWRITE_QUEUE_BACKOFF_MS: '100' });
    await invite(srv, 'never@example.com');
    await until(async () => (await queueSize(srv, true)) === 1, 'the job to be dead');
    assert.equal(await queueSize(srv), 0);
    const { client } = await serverClient(srv);
    await expectAppwriteError(assert, () => sdkCall(client, 'get', '/health/queue/failed/v1-mails', { threshold: 1 }),
        503, 'health_queue_size_exceeded');
    assert.match(srv.output().stderr, /mails: gave up/);
});

/** Runs `cwrite ARGS --data DIR` against srv's data folder. */
async function run(srv, args) {
    const r = await cli([...args, '--data', srv.dataDir]);
    assert.equal(r.code, 0, `cwrite ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
}

/** A project on srv with an all-scopes key: its id, a key client and a guest Account. */
async function project(srv, id) {
    const { sdk } = await serverClient(srv);
    await run(srv, ['projects', 'create', '--id', id, '--name', `Project ${id}`]);
    const key = (await run(srv, ['keys', 'create', '--project', id, '--name', 'k', '--scopes', 'all'])).trim();
    const admin = new sdk.Client().setEndpoint(srv.endpoint).setProject(id).setKey(key);
    return {
        id,
        users: new sdk.Users(admin),
        account(session) {
            const c = new sdk.Client().setEndpoint(srv.endpoint).setProject(id);
            if (session) c.setSession(session);
            return new sdk.Account(c);
        },
    };
}

test("a project's own SMTP server sends its mail while the server has none", async () => {
    const mail = await maildev();
    const srv = await server(); // no _APP_SMTP_HOST
    const p = await project(srv, 'ownsmtp');
    const guest = p.account();
    const magic = () => guest.createMagicURLToken({ userId: 'unique()', email: 'own@example.com', url: 'http://localhost/m' });
    await expectAppwriteError(assert, magic, 503, 'general_smtp_disabled');

    // Set but not enabled: still off, as Appwrite reads smtp.enabled.
    await run(srv, ['projects', 'smtp', p.id, '--host', '127.0.0.1', '--port', String(mail.smtpPort),
        '--sender-email', 'hello@own.test', '--sender-name', 'Own Team', '--reply-to-email', 'help@own.test',
        '--reply-to-name', 'Own Help']);
    await expectAppwriteError(assert, magic, 503, 'general_smtp_disabled');

    await run(srv, ['projects', 'smtp', p.id, '--enabled', 'on']);
    const t = await magic();
    assert.equal(t.secret, '');
    const m = await mail.waitForMail('own@example.com');
    assert.equal(m.from[0].address, 'hello@own.test');
    assert.equal(m.from[0].name, 'Own Team');
    assert.match(m.headers['reply-to'], /help@own\.test/);
    assert.match(m.headers['reply-to'], /Own Help/);
    assert.match(m.text, /http:\/\/localhost\/m\?userId=/);

    // Without a reply-to, replies go to the sender, as Appwrite's worker sets it.
    await run(srv, ['projects', 'smtp', p.id, '--reply-to-email', '', '--reply-to-name', '']);
    await mail.clear();
    await guest.createEmailToken({ userId: 'unique()', email: 'own2@example.com' });
    const m2 = await mail.waitForMail('own2@example.com');
    assert.match(m2.headers['reply-to'], /hello@own\.test/);

    // Other projects of the server stay without mail.
    const { sdk } = await serverClient(srv);
    const other = new sdk.Account(new sdk.Client().setEndpoint(srv.endpoint).setProject(srv.projectId));
    await expectAppwriteError(assert, () => other.createEmailToken({ userId: 'unique()', email: 'x@example.com' }),
        503, 'general_smtp_disabled');
});

test('session alerts: a new session is mailed, not the first one nor one from a mailed code', async () => {
    const mail = await maildev();
    const srv = await server(mail.env);
    const p = await project(srv, 'alerts');
    await run(srv, ['projects', 'auth', p.id, '--session-alerts', 'on']);
    await p.users.create({ userId: 'al1', email: 'al1@example.com', password: 'password123', name: 'Alma' });
    const signIn = () => fetch(`${srv.endpoint}/account/sessions/email`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-appwrite-project': p.id, 'user-agent': 'AlertTest/1.0' },
        body: JSON.stringify({ email: 'al1@example.com', password: 'password123' }),
    });
    assert.equal((await signIn()).status, 201, 'the first session: no alert');
    assert.equal((await signIn()).status, 201, 'the second: an alert');
    const alert = await mail.waitForMail('al1@example.com', { match: (m) => /New sign-in/.test(m.subject) });
    assert.match(alert.subject, /Project alerts/);
    assert.match(alert.text, /Hi Alma/);
    assert.match(alert.text, /Device: AlertTest\/1\.0/);
    assert.match(alert.text, /IP address: 127\.0\.0\.1/);
    assert.match(alert.text, /When: \w+ \d\d, \d{4}/);

    // An e-mail OTP session proves the mailbox: no alert. A token of the Users API does alert.
    await p.account().createEmailToken({ userId: 'unique()', email: 'al1@example.com' });
    const otp = await mail.waitForMail('al1@example.com', { match: (m) => /\b\d{6}\b/.test(m.text) && !/New sign-in/.test(m.subject) });
    await p.account().createSession({ userId: 'al1', secret: otp.text.match(/\b\d{6}\b/)[0] });
    const t = await p.users.createToken({ userId: 'al1' });
    await p.account().createSession({ userId: 'al1', secret: t.secret });
    await until(async () => (await mail.mails()).filter((m) => /New sign-in/.test(m.subject)).length >= 2, 'the second alert');
    await new Promise((r) => setTimeout(r, 500));
    const alerts = (await mail.mails()).filter((m) => /New sign-in/.test(m.subject));
    assert.equal(alerts.length, 2, 'one for the second password session, one for the token session');

    // An anonymous user has no address; alerts off: nothing.
    await p.account().createAnonymousSession();
    await run(srv, ['projects', 'auth', p.id, '--session-alerts', 'off']);
    assert.equal((await signIn()).status, 201);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal((await mail.mails()).filter((m) => /New sign-in/.test(m.subject)).length, 2);
});
