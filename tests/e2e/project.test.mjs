// The Project service (/v1/project/…) through node-appwrite's Project class with an API key:
// the project model, keys (also ephemeral ones used for requests), platforms and CORS, policies
// that the accounts code then enforces, services and protocols on/off, SMTP with a test mail and
// custom templates, OAuth2 provider settings, mock phones and variables, and the old aliases.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, serverClient, expectAppwriteError, cli, sdkCall } from './lib/server.mjs';
import { startMaildev } from './lib/maildev.mjs';

let server;
let mail;
let sdk;
let client;
let project;

before(async () => {
    mail = await startMaildev();
    server = await startServer();
    ({ sdk, client } = await serverClient(server));
    project = new sdk.Project(client);
});
after(async () => {
    await server.stop();
    await mail.stop();
});

const data = () => ['--data', server.dataDir];

/** A new project made by the command, with a key holding every scope: {id, client, project}. */
async function freshProject(id) {
    let r = await cli(['projects', 'create', '--id', id, '--name', id, ...data()]);
    assert.equal(r.code, 0, r.stderr);
    r = await cli(['keys', 'create', '--project', id, '--name', 'all', '--scopes', 'all', ...data()]);
    assert.equal(r.code, 0, r.stderr);
    const key = r.stdout.trim();
    const c = new sdk.Client().setEndpoint(server.endpoint).setProject(id).setKey(key);
    return { id, key, client: c, project: new sdk.Project(c) };
}

function guestClient(id) {
    return new sdk.Client().setEndpoint(server.endpoint).setProject(id);
}

test('get: the Project model', async () => {
    const p = await project.get();
    assert.equal(p.$id, server.projectId);
    assert.equal(typeof p.name, 'string');
    assert.equal(p.authLimit, 0);
    assert.equal(p.authSessionsLimit, 10);
    assert.equal(p.authDuration, 31536000);
    assert.equal(p.smtpEnabled, false);
    assert.equal(p.smtpPassword, '');
    assert.deepEqual(p.labels, []);
    assert.equal(p.serviceStatusForAccount, true);
    assert.equal(p.protocolStatusForRest, true);
    assert.equal(p.authEmailPassword, true);
    assert.ok(Array.isArray(p.keys) && p.keys.length >= 1);
    assert.ok(p.keys.every((k) => k.secret === ''));
    assert.ok(Array.isArray(p.oAuthProviders) && p.oAuthProviders.some((o) => o.key === 'github'));
    assert.ok(p.services.some((s) => s.$id === 'teams' && s.enabled === true));
    assert.ok(p.authMethods.some((m) => m.$id === 'anonymous'));
});

test('labels: replaced, deduplicated, validated', async () => {
    let p = await project.updateLabels({ labels: ['vip', 'beta', 'vip'] });
    assert.deepEqual(p.labels, ['vip', 'beta']);
    p = await project.get();
    assert.deepEqual(p.labels, ['vip', 'beta']);
    await expectAppwriteError(assert, () => project.updateLabels({ labels: ['not ok'] }), 400,
        'general_argument_invalid');
    p = await project.updateLabels({ labels: [] });
    assert.deepEqual(p.labels, []);
});

test('scopes: a key without project.read is refused', async () => {
    const key = (await cli(['keys', 'create', '--project', server.projectId, '--name', 'r',
        '--scopes', 'users.read', ...data()])).stdout.trim();
    const c = new sdk.Client().setEndpoint(server.endpoint).setProject(server.projectId).setKey(key);
    await expectAppwriteError(assert, () => new sdk.Project(c).get(), 401,
        'general_unauthorized_scope');
    await expectAppwriteError(assert, () => new sdk.Project(guestClient(server.projectId)).get(),
        401, 'general_unauthorized_scope');
});

test('keys: made by the command, read, changed and deleted through the API', async () => {
    await expectAppwriteError(assert, () => project.createKey({ keyId: 'unique()', name: 'x',
        scopes: ['users.read'] }), 403, 'key_creation_denied');
    const secret = (await cli(['keys', 'create', '--project', server.projectId, '--name', 'svc',
        '--scopes', 'users.read', ...data()])).stdout.trim();
    const list = await project.listKeys();
    const key = list.keys.find((k) => k.name === 'svc');
    assert.ok(key, 'the key made by the command is listed');
    assert.equal(list.total, list.keys.length);
    assert.deepEqual(key.scopes, ['users.read']);
    assert.equal(key.expire, '');
    assert.deepEqual(key.sdks, []);

    const c = new sdk.Client().setEndpoint(server.endpoint).setProject(server.projectId).setKey(secret);
    const users = new sdk.Users(c);
    await users.list();
    const got = await project.getKey({ keyId: key.$id });
    assert.notEqual(got.accessedAt, '', 'a used key has accessedAt');

    const updated = await project.updateKey({ keyId: key.$id, name: 'svc2', scopes: ['locale.read'] });
    assert.equal(updated.name, 'svc2');
    assert.deepEqual(updated.scopes, ['locale.read']);
    await expectAppwriteError(assert, () => users.list(), 401, 'general_unauthorized_scope');
    await new sdk.Locale(c).listCodes();
    const r = await cli(['keys', 'list', '--project', server.projectId, ...data()]);
    assert.match(r.stdout, new RegExp(`${key.$id}\\s+svc2`));

    await project.updateKey({ keyId: key.$id, name: 'svc2', scopes: ['locale.read'],
        expire: '2020-01-01T00:00:00.000+00:00' });
    await expectAppwriteError(assert, () => new sdk.Locale(c).listCodes(), 401, 'project_key_expired');

    await expectAppwriteError(assert, () => project.updateKey({ keyId: key.$id, name: 'x',
        scopes: ['nope.read'] }), 400, 'general_argument_invalid');
    await project.deleteKey({ keyId: key.$id });
    await expectAppwriteError(assert, () => project.getKey({ keyId: key.$id }), 404, 'key_not_found');
    await expectAppwriteError(assert, () => project.deleteKey({ keyId: key.$id }), 404, 'key_not_found');
    await expectAppwriteError(assert, () => new sdk.Locale(c).listCodes(), 401, 'user_unauthorized');

    const page = await project.listKeys({ queries: [sdk.Query.limit(1)] });
    assert.equal(page.keys.length, 1);
    assert.ok(page.total >= 1);
});

test('ephemeral keys: a JWT that works for requests within its scopes and time', async () => {
    const e = await project.createEphemeralKey({ scopes: ['users.read'], duration: 60 });
    assert.match(e.secret, /^ephemeral_[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.deepEqual(e.scopes, ['users.read']);
    assert.ok(Date.parse(e.expire) > Date.now());
    const c = new sdk.Client().setEndpoint(server.endpoint).setProject(server.projectId).setKey(e.secret);
    await new sdk.Users(c).list();
    await expectAppwriteError(assert, () => new sdk.Teams(c).list(), 401, 'general_unauthorized_scope');
    const bad = new sdk.Client().setEndpoint(server.endpoint).setProject(server.projectId)
        .setKey(e.secret.slice(0, -2) + 'xx');
    await expectAppwriteError(assert, () => new sdk.Users(bad).list(), 401, 'project_key_expired');
    await expectAppwriteError(assert, () => project.createEphemeralKey({ scopes: ['users.read'],
        duration: 3601 }), 400, 'general_argument_invalid');
    // Another project's ephemeral key is no key there: the request is a guest's.
    const other = await freshProject('ephemeral-other');
    const foreign = new sdk.Client().setEndpoint(server.endpoint).setProject(other.id).setKey(e.secret);
    await expectAppwriteError(assert, () => new sdk.Users(foreign).list(), 401,
        'general_unauthorized_scope');
});

test('platforms: every type, get, list, update, delete and their errors', async () => {
    const web = await project.createWebPlatform({ platformId: 'web1', name: 'Web', hostname: 'app.example.com' });
    assert.equal(web.type, 'web');
    assert.equal(web.hostname, 'app.example.com');
    const apple = await project.createApplePlatform({ platformId: 'unique()', name: 'iOS', bundleIdentifier: 'com.example.ios' });
    assert.equal(apple.bundleIdentifier, 'com.example.ios');
    const android = await project.createAndroidPlatform({ platformId: 'and1', name: 'Android', applicationId: 'com.example.android' });
    assert.equal(android.applicationId, 'com.example.android');
    const win = await project.createWindowsPlatform({ platformId: 'win1', name: 'Win', packageIdentifierName: 'Example.App' });
    assert.equal(win.packageIdentifierName, 'Example.App');
    const linux = await project.createLinuxPlatform({ platformId: 'lin1', name: 'Linux', packageName: 'example-app' });
    assert.equal(linux.packageName, 'example-app');

    await expectAppwriteError(assert, () => project.createWebPlatform({ platformId: 'web1',
        name: 'Again', hostname: 'x.example.com' }), 409, 'platform_already_exists');
    await expectAppwriteError(assert, () => project.createWebPlatform({ platformId: 'web2',
        name: 'Bad', hostname: 'https://x.example.com/' }), 400, 'general_argument_invalid');

    const list = await project.listPlatforms();
    assert.equal(list.total, 5);
    assert.deepEqual(list.platforms.map((p) => p.type).sort(), ['android', 'apple', 'linux', 'web', 'windows']);
    const got = await project.getPlatform({ platformId: 'and1' });
    assert.equal(got.applicationId, 'com.example.android');

    const up = await project.updateApplePlatform({ platformId: apple.$id, name: 'iOS 2', bundleIdentifier: 'com.example.ios2' });
    assert.equal(up.name, 'iOS 2');
    assert.equal(up.bundleIdentifier, 'com.example.ios2');
    await expectAppwriteError(assert, () => project.updateWebPlatform({ platformId: apple.$id,
        name: 'x', hostname: 'x.example.com' }), 400, 'platform_method_unsupported');
    await expectAppwriteError(assert, () => project.getPlatform({ platformId: 'nope' }), 404,
        'platform_not_found');

    for (const id of [apple.$id, 'and1', 'win1', 'lin1']) await project.deletePlatform({ platformId: id });
    await expectAppwriteError(assert, () => project.deletePlatform({ platformId: 'and1' }), 404,
        'platform_not_found');
    assert.equal((await project.listPlatforms()).total, 1);
});

test('CORS: a web platform origin passes, another does not', async () => {
    await project.createWebPlatform({ platformId: 'cors', name: 'Cors', hostname: 'cors.example.com' });
    const url = `${server.endpoint}/locale/codes`;
    const headers = (origin) => ({ 'X-Appwrite-Project': server.projectId, Origin: origin });
    const pre = await fetch(url, { method: 'OPTIONS', headers: { Origin: 'https://cors.example.com',
        'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'x-appwrite-project' } });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), 'https://cors.example.com');
    let r = await fetch(url, { headers: headers('https://cors.example.com') });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('access-control-allow-origin'), 'https://cors.example.com');
    r = await fetch(url, { headers: headers('https://evil.example.net') });
    assert.equal(r.status, 403);
    assert.equal(r.headers.get('access-control-allow-origin'), null);
    const body = await r.json();
    assert.equal(body.type, 'general_unknown_origin');
    // The platform's hostname is also an allowed redirect.
    const account = new sdk.Account(guestClient(server.projectId));
    await account.createMagicURLToken({ userId: 'unique()', email: 'cors@example.com',
        url: 'https://cors.example.com/done' }).catch((e) => {
        assert.notEqual(e.type, 'general_argument_invalid', e.message);
    });
    await expectAppwriteError(assert, () => account.createMagicURLToken({ userId: 'unique()',
        email: 'cors2@example.com', url: 'https://evil.example.net/done' }), 400, 'general_argument_invalid');
    await project.deletePlatform({ platformId: 'cors' });
    r = await fetch(url, { headers: headers('https://cors.example.com') });
    assert.equal(r.status, 403);
});

test('services and protocols: off answers general_service_disabled, keys pass', async () => {
    const p = await freshProject('svc');
    const guest = guestClient(p.id);
    await new sdk.Locale(guest).listCodes();
    let m = await p.project.updateService({ serviceId: 'locale', enabled: false });
    assert.equal(m.serviceStatusForLocale, false);
    await expectAppwriteError(assert, () => new sdk.Locale(guest).listCodes(), 403,
        'general_service_disabled');
    await new sdk.Locale(p.client).listCodes();
    await expectAppwriteError(assert, () => p.project.updateService({ serviceId: 'nope',
        enabled: false }), 400, 'general_argument_invalid');
    m = await p.project.updateService({ serviceId: 'locale', enabled: true });
    assert.equal(m.serviceStatusForLocale, true);
    await new sdk.Locale(guest).listCodes();

    m = await p.project.updateProtocol({ protocolId: 'rest', enabled: false });
    assert.equal(m.protocolStatusForRest, false);
    await expectAppwriteError(assert, () => new sdk.Locale(guest).listCodes(), 403,
        'general_api_disabled');
    await new sdk.Locale(p.client).listCodes();
    await p.project.updateProtocol({ protocolId: 'rest', enabled: true });
    await new sdk.Locale(guest).listCodes();
});

test('auth methods: off is enforced by the account service', async () => {
    const p = await freshProject('methods');
    const m = await p.project.updateAuthMethod({ methodId: 'anonymous', enabled: false });
    assert.equal(m.authAnonymous, false);
    await expectAppwriteError(assert, () => new sdk.Account(guestClient(p.id)).createAnonymousSession(),
        501, 'user_auth_method_unsupported');
    await p.project.updateAuthMethod({ methodId: 'anonymous', enabled: true });
    await new sdk.Account(guestClient(p.id)).createAnonymousSession();
    await expectAppwriteError(assert, () => p.project.updateAuthMethod({ methodId: 'nope',
        enabled: true }), 400, 'general_argument_invalid');
});

test('policies: list, get, and updates the accounts code enforces', async () => {
    const p = await freshProject('policies');
    const list = await p.project.listPolicies();
    assert.ok(list.total >= 10);
    assert.ok(list.policies.some((x) => x.$id === 'user-limit' && x.total === 0));
    let m = await p.project.updateUserLimitPolicy({ total: 1 });
    assert.equal(m.authLimit, 1);
    assert.deepEqual({ ...(await p.project.getPolicy({ policyId: 'user-limit' })) }, { $id: 'user-limit', total: 1 });
    const account = new sdk.Account(guestClient(p.id));
    await account.create({ userId: 'one', email: 'one@example.com', password: 'correct-horse-1' });
    await expectAppwriteError(assert, () => account.create({ userId: 'two', email: 'two@example.com',
        password: 'correct-horse-1' }), 400, 'user_count_exceeded');
    m = await p.project.updateUserLimitPolicy({ total: null });
    assert.equal(m.authLimit, 0);
    await account.create({ userId: 'two', email: 'two@example.com', password: 'correct-horse-1' });

    m = await p.project.updatePasswordDictionaryPolicy({ enabled: true });
    assert.equal(m.authPasswordDictionary, true);
    await expectAppwriteError(assert, () => account.create({ userId: 'three',
        email: 'three@example.com', password: 'password' }), 400, 'general_argument_invalid');
    m = await p.project.updatePasswordHistoryPolicy({ total: 5 });
    assert.equal(m.authPasswordHistory, 5);
    m = await p.project.updatePasswordPersonalDataPolicy({ enabled: true });
    assert.equal(m.authPersonalDataCheck, true);
    m = await p.project.updateSessionAlertPolicy({ enabled: true });
    assert.equal(m.authSessionAlerts, true);
    m = await p.project.updateSessionDurationPolicy({ duration: 3600 });
    assert.equal(m.authDuration, 3600);
    m = await p.project.updateSessionInvalidationPolicy({ enabled: false });
    assert.equal(m.authInvalidateSessions, false);
    m = await p.project.updateSessionLimitPolicy({ total: 3 });
    assert.equal(m.authSessionsLimit, 3);
    // A new project hides every membership field; one given changes, the others stay.
    m = await p.project.updateMembershipPrivacyPolicy({ userName: true, userEmail: true });
    assert.equal(m.authMembershipsUserName, true);
    assert.equal(m.authMembershipsUserEmail, true);
    assert.equal(m.authMembershipsMfa, false);
    m = await p.project.updateMembershipPrivacyPolicy({ userEmail: false });
    assert.equal(m.authMembershipsUserEmail, false);
    assert.equal(m.authMembershipsUserName, true);
    const priv = await p.project.getPolicy({ policyId: 'membership-privacy' });
    assert.equal(priv.userEmail, false);
    assert.equal(priv.userName, true);

    await expectAppwriteError(assert, () => p.project.updateSessionDurationPolicy({ duration: 10 }),
        400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => p.project.updateSessionLimitPolicy({ total: 0 }),
        400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => p.project.getPolicy({ policyId: 'nope' }), 400,
        'general_argument_invalid');
    // The command reads the same settings.
    const r = await cli(['projects', 'get', p.id, ...data()]);
    assert.match(r.stdout, /auth\.duration\s+3600/);
    assert.match(r.stdout, /auth\.sessions-limit\s+3/);
});

test('mock phones: CRUD and their errors', async () => {
    const p = await freshProject('mocks');
    const created = await p.project.createMockPhone({ number: '+15550001111', otp: '123456' });
    assert.equal(created.number, '+15550001111');
    assert.equal(created.otp, '123456');
    await expectAppwriteError(assert, () => p.project.createMockPhone({ number: '+15550001111',
        otp: '123456' }), 409, 'mock_number_already_exists');
    await expectAppwriteError(assert, () => p.project.createMockPhone({ number: '5550001111',
        otp: '123456' }), 400, 'general_argument_invalid');
    const updated = await p.project.updateMockPhone({ number: '+15550001111', otp: '654321' });
    assert.equal(updated.otp, '654321');
    assert.equal((await p.project.getMockPhone({ number: '+15550001111' })).otp, '654321');
    const list = await p.project.listMockPhones();
    assert.equal(list.total, 1);
    assert.equal((await p.project.get()).authMockNumbers.length, 1);
    await p.project.deleteMockPhone({ number: '+15550001111' });
    await expectAppwriteError(assert, () => p.project.getMockPhone({ number: '+15550001111' }), 404,
        'mock_number_not_found');
    for (let i = 0; i < 10; i++) await p.project.createMockPhone({ number: `+1555000200${i}`, otp: '111111' });
    await expectAppwriteError(assert, () => p.project.createMockPhone({ number: '+15550003000',
        otp: '111111' }), 400, 'mock_number_limit_exceeded');
});

test('variables: CRUD, secrets hidden, and their errors', async () => {
    const p = await freshProject('vars');
    const v = await p.project.createVariable({ variableId: 'v1', key: 'API_URL', value: 'https://api' });
    assert.equal(v.key, 'API_URL');
    assert.equal(v.value, 'https://api');
    assert.equal(v.secret, false);
    const s = await p.project.createVariable({ variableId: 'unique()', key: 'TOKEN', value: 't0p', secret: true });
    assert.equal(s.value, '');
    await expectAppwriteError(assert, () => p.project.createVariable({ variableId: 'v1', key: 'X',
        value: 'y' }), 409, 'variable_already_exists');
    await expectAppwriteError(assert, () => p.project.createVariable({ variableId: 'v9',
        key: 'API_URL', value: 'y' }), 409, 'variable_already_exists');
    const up = await p.project.updateVariable({ variableId: 'v1', value: 'https://api2' });
    assert.equal(up.value, 'https://api2');
    assert.equal(up.key, 'API_URL');
    await expectAppwriteError(assert, () => p.project.updateVariable({ variableId: s.$id,
        secret: false }), 400, 'variable_cannot_unset_secret');
    assert.equal((await p.project.getVariable({ variableId: s.$id })).value, '');
    assert.equal((await p.project.listVariables()).total, 2);
    await p.project.deleteVariable({ variableId: 'v1' });
    await expectAppwriteError(assert, () => p.project.getVariable({ variableId: 'v1' }), 404,
        'variable_not_found');
});

test('SMTP: settings checked against the server, a test mail, custom templates', async () => {
    const p = await freshProject('smtp');
    await expectAppwriteError(assert, () => p.project.createSMTPTest({ emails: ['t@example.com'] }),
        400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => p.project.updateEmailTemplate({ templateId: 'magicSession',
        subject: 'x' }), 400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => p.project.updateSMTP({ host: '127.0.0.1', port: 1,
        senderEmail: 'team@example.com', enabled: true }), 400, 'project_smtp_config_invalid');
    await expectAppwriteError(assert, () => p.project.updateSMTP({ enabled: true }), 400,
        'general_argument_invalid');
    let m = await p.project.updateSMTP({ host: '127.0.0.1', port: mail.smtpPort,
        senderEmail: 'team@example.com', senderName: 'The Team', password: 'hidden' });
    assert.equal(m.smtpEnabled, true, 'a server that answers enables SMTP');
    assert.equal(m.smtpHost, '127.0.0.1');
    assert.equal(m.smtpPort, mail.smtpPort);
    assert.equal(m.smtpPassword, '');

    await p.project.createSMTPTest({ emails: ['smtp-test@example.com'] });
    const t = await mail.waitForMail('smtp-test@example.com');
    assert.match(t.subject, /SMTP/);
    assert.match(t.text, /The Team \(team@example\.com\)/);

    const def = await p.project.getEmailTemplate({ templateId: 'magicSession' });
    assert.equal(def.locale, 'en');
    assert.ok(def.subject.length > 0 && def.message.length > 0);
    const custom = await p.project.updateEmailTemplate({ templateId: 'magicSession', locale: 'en',
        subject: 'Sign in to {{project}} now', senderName: 'Magic Desk' });
    assert.equal(custom.subject, 'Sign in to {{project}} now');
    assert.equal(custom.senderName, 'Magic Desk');
    const listed = await p.project.listEmailTemplates();
    assert.equal(listed.total, 1);
    assert.equal(listed.templates[0].templateId, 'magicSession');
    await expectAppwriteError(assert, () => p.project.getEmailTemplate({ templateId: 'nope' }), 400,
        'general_argument_invalid');

    await new sdk.Account(guestClient(p.id)).createMagicURLToken({ userId: 'unique()',
        email: 'magic@example.com', url: 'http://localhost/done' });
    const magic = await mail.waitForMail('magic@example.com');
    assert.equal(magic.subject, 'Sign in to smtp now');
    assert.match(JSON.stringify(magic.from), /Magic Desk/);
    assert.match(JSON.stringify(magic.from), /team@example\.com/);

    m = await p.project.updateSMTP({ enabled: false });
    assert.equal(m.smtpEnabled, false);
});

test('OAuth2 providers: stored, secrets write-only', async () => {
    const p = await freshProject('oauth');
    const list = await p.project.listOAuth2Providers();
    assert.ok(list.total >= 40);
    const gh = await p.project.getOAuth2Provider({ providerId: 'github' });
    assert.deepEqual({ ...gh }, { $id: 'github', enabled: false, clientId: '', clientSecret: '' });
    await expectAppwriteError(assert, () => p.project.updateOAuth2GitHub({ enabled: true }), 400,
        'general_argument_invalid');
    const up = await p.project.updateOAuth2GitHub({ clientId: 'id123', clientSecret: 's3cret' });
    assert.deepEqual({ ...up }, { $id: 'github', enabled: true, clientId: 'id123', clientSecret: '' });
    // Sign-in through it: enabled and configured, but cwrite has no OAuth2 client yet; an
    // unconfigured provider stays disabled. Errors are pages for the browser.
    const signIn = async (provider) => {
        const r = await fetch(`${server.endpoint}/account/sessions/oauth2/${provider}`, {
            headers: { 'X-Appwrite-Project': 'oauth' }, redirect: 'manual' });
        return { status: r.status, body: await r.text() };
    };
    let r = await signIn('github');
    assert.equal(r.status, 400);
    assert.match(r.body, /project_provider_unsupported/);
    r = await signIn('google');
    assert.equal(r.status, 412);
    assert.match(r.body, /project_provider_disabled/);
    const off = await p.project.updateOAuth2GitHub({ enabled: false });
    assert.equal(off.enabled, false);
    const gl = await p.project.updateOAuth2Gitlab({ applicationId: 'app', secret: 'sec',
        endpoint: 'https://gitlab.example.com', enabled: true });
    assert.equal(gl.endpoint, 'https://gitlab.example.com');
    assert.equal(gl.secret, '');
    const apple = await p.project.updateOAuth2Apple({ serviceId: 'svc', keyId: 'K1', teamId: 'T1',
        p8File: '-----BEGIN PRIVATE KEY-----x-----END PRIVATE KEY-----' });
    assert.equal(apple.keyId, 'K1');
    assert.equal(apple.p8File, '');
    const g = await p.project.getOAuth2Provider({ providerId: 'google' });
    assert.deepEqual(g.prompt, ['consent']);
    await expectAppwriteError(assert, () => sdkCall(p.client, 'get', '/project/oauth2/nope'), 400,
        'project_provider_unsupported');
    const model = await p.project.get();
    const entry = model.oAuthProviders.find((o) => o.key === 'gitlab');
    assert.equal(entry.appId, 'app');
    assert.equal(entry.secret, '');
    assert.equal(entry.enabled, true);
});

test('aliases under /v1/projects/{projectId} answer through the console resolver', async () => {
    // The project's own key reaches its own project through the old path; a guest does not.
    const keys = await sdkCall(client, 'get', `/projects/${server.projectId}/keys`);
    assert.ok(keys.total >= 1);
    await expectAppwriteError(assert, () => sdkCall(guestClient(server.projectId), 'get',
        `/projects/${server.projectId}/platforms`), 401, 'general_unauthorized_scope');
});

test('usage is not served (Appwrite dropped it); delete removes the project', async () => {
    await expectAppwriteError(assert, () => sdkCall(client, 'get', '/project/usage'), 404,
        'general_route_not_found');
    const p = await freshProject('doomed');
    await p.project.delete();
    await expectAppwriteError(assert, () => new sdk.Locale(p.client).listCodes(), 404, 'project_not_found');
    const r = await cli(['projects', 'list', ...data()]);
    assert.doesNotMatch(r.stdout, /^doomed\s/m);
});
