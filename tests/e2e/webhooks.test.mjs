// Webhooks: the /v1/webhooks routes through node-appwrite's Webhooks class, and delivery to a
// small HTTP receiver on loopback: Appwrite's headers, the signature recomputed here, the body;
// wildcard and collection/table matching; a receiver that is down gets the delivery later, also
// across a restart of cwrite; a webhook whose receiver keeps failing is disabled.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { startServer, serverClient, expectAppwriteError, freePort, cli, sdkCall, BIN } from './lib/server.mjs';

const cleanups = [];
after(async () => {
    for (const fn of cleanups.reverse()) await fn();
});

/* Retries come fast, and jobs of the other process are looked for often. */
const FAST = { CWRITE_QUEUE_BACKOFF_MS: '200', CWRITE_QUEUE_POLL_MS: '100' };

async function server(env = {}, opts = {}) {
    const s = await startServer({ env: { ...FAST, ...env }, ...opts });
    cleanups.push(() => s.stop());
    return s;
}

/** An HTTP receiver on loopback that keeps what it is sent; status decides its answers. */
async function receiver(port = 0, status = 200) {
    const got = [];
    const srv = createServer((req, res) => {
        const chunks = [];
        req.on('data', (c) => chunks.push(c));
        req.on('end', () => {
            got.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() });
            res.writeHead(r.status, { 'content-type': 'text/plain' });
            res.end(r.status >= 400 ? 'receiver says no' : 'ok');
        });
    });
    await new Promise((ok) => srv.listen(port, '127.0.0.1', ok));
    const r = {
        got,
        status,
        port: srv.address().port,
        url: `http://127.0.0.1:${srv.address().port}/hook`,
        close: () => new Promise((ok) => { srv.closeAllConnections?.(); srv.close(ok); }),
    };
    cleanups.push(() => r.close());
    return r;
}

async function until(fn, what, timeout = 20000) {
    const end = Date.now() + timeout;
    for (;;) {
        const v = await fn();
        if (v) return v;
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 50));
    }
}

async function schema(sdk, client, databaseId = 'db1', collectionId = 'c1') {
    const dbs = new sdk.Databases(client);
    await dbs.create({ databaseId, name: 'Shop' });
    await dbs.createCollection({ databaseId, collectionId, name: 'Items', documentSecurity: false });
    await dbs.createStringAttribute({ databaseId, collectionId, key: 'title', size: 64, required: false });
    await until(async () => (await dbs.getAttribute({ databaseId, collectionId, key: 'title' })).status === 'available', 'attribute');
    return dbs;
}

test('webhook routes: create, get, list, update, secret, delete, and their errors', async () => {
    const srv = await server();
    const { sdk, client } = await serverClient(srv);
    const hooks = new sdk.Webhooks(client);
    const made = await hooks.create({
        webhookId: 'hook1',
        url: 'https://example.com/hook',
        name: 'First',
        events: ['databases.*.collections.*.documents.*.create', 'users.*'],
        authUsername: 'ada',
        authPassword: 'lovelace',
    });
    assert.equal(made.$id, 'hook1');
    assert.equal(made.name, 'First');
    assert.equal(made.url, 'https://example.com/hook');
    assert.deepEqual(made.events, ['databases.*.collections.*.documents.*.create', 'users.*']);
    assert.equal(made.tls, false);
    assert.equal(made.enabled, true);
    assert.equal(made.authUsername, 'ada');
    assert.equal(made.authPassword, 'lovelace');
    assert.match(made.secret, /^[0-9a-f]{128}$/);
    assert.equal(made.logs, '');
    assert.equal(made.attempts, 0);
    assert.ok(made.$createdAt && made.$updatedAt);

    const got = await hooks.get({ webhookId: 'hook1' });
    assert.equal(got.secret, '', 'the secret is shown on creation and rotation only');
    assert.equal(got.authUsername, 'ada');

    const second = await hooks.create({ webhookId: 'unique()', url: 'http://example.org/x', name: 'Second', events: ['teams.*'], tls: true, secret: 'my-own-secret' });
    assert.equal(second.secret, 'my-own-secret');
    assert.equal(second.tls, true);

    const list = await hooks.list();
    assert.equal(list.total, 2);
    assert.deepEqual(list.webhooks.map((w) => w.$id).sort(), [second.$id, 'hook1'].sort());
    assert.ok(list.webhooks.every((w) => w.secret === ''));
    const byName = await hooks.list({ queries: [sdk.Query.equal('name', 'Second')] });
    assert.equal(byName.total, 1);
    assert.equal(byName.webhooks[0].$id, second.$id);
    const byTls = await hooks.list({ queries: [sdk.Query.equal('tls', true)] });
    assert.deepEqual(byTls.webhooks.map((w) => w.$id), [second.$id]);
    const byUser = await hooks.list({ queries: [sdk.Query.equal('authUsername', 'ada')] });
    assert.deepEqual(byUser.webhooks.map((w) => w.$id), ['hook1']);
    const noTotal = await hooks.list({ total: false });
    assert.equal(noTotal.total, 0);
    await expectAppwriteError(assert, () => hooks.list({ queries: [sdk.Query.equal('httpPass', 'x')] }), 400, 'general_query_invalid');

    const updated = await hooks.update({ webhookId: 'hook1', name: 'Renamed', url: 'http://example.com/new', events: ['users.*.create'], enabled: false });
    assert.equal(updated.name, 'Renamed');
    assert.equal(updated.enabled, false);
    assert.equal(updated.tls, false);
    assert.equal(updated.authUsername, '', 'an update omitting credentials clears them, as in Appwrite');
    assert.equal(updated.secret, '');

    const rotated = await hooks.updateSecret({ webhookId: 'hook1' });
    assert.match(rotated.secret, /^[0-9a-f]{128}$/);
    assert.notEqual(rotated.secret, made.secret);
    const chosen = await hooks.updateSecret({ webhookId: 'hook1', secret: 'abcdefgh' });
    assert.equal(chosen.secret, 'abcdefgh');

    await expectAppwriteError(assert, () => hooks.create({ webhookId: 'hook1', url: 'http://example.com', name: 'dup', events: [] }), 409, 'webhook_already_exists');
    await expectAppwriteError(assert, () => hooks.create({ webhookId: 'bad', url: 'http://example.com', name: 'x', events: ['nothing.*'] }), 400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => hooks.create({ webhookId: 'bad', url: 'http://example.com', name: 'x', events: ['users.*.sessions.*.update'] }), 400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => hooks.create({ webhookId: 'bad', url: 'ftp://example.com', name: 'x', events: [] }), 400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => hooks.create({ webhookId: 'bad', url: 'http://example.com', name: 'x', events: [], secret: 'short' }), 400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => hooks.create({ webhookId: '.bad', url: 'http://example.com', name: 'x', events: [] }), 400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => hooks.get({ webhookId: 'missing' }), 404, 'webhook_not_found');
    await expectAppwriteError(assert, () => hooks.update({ webhookId: 'missing', name: 'x', url: 'http://example.com', events: [] }), 404, 'webhook_not_found');
    await expectAppwriteError(assert, () => hooks.updateSecret({ webhookId: 'missing' }), 404, 'webhook_not_found');

    await hooks.delete({ webhookId: 'hook1' });
    await expectAppwriteError(assert, () => hooks.get({ webhookId: 'hook1' }), 404, 'webhook_not_found');
    await expectAppwriteError(assert, () => hooks.delete({ webhookId: 'hook1' }), 404, 'webhook_not_found');

    // Scopes: a key without webhooks.* may not, nor may a guest.
    const secret = (await cli(['keys', 'create', '--project', srv.projectId, '--name', 'db', '--scopes', 'databases.read', '--data', srv.dataDir])).stdout.trim();
    const { client: narrow } = await serverClient(srv, { key: secret });
    await expectAppwriteError(assert, () => new sdk.Webhooks(narrow).list(), 401, 'general_unauthorized_scope');
    const { client: guest } = await serverClient(srv, { key: null });
    await expectAppwriteError(assert, () => new sdk.Webhooks(guest).list(), 401, 'general_unauthorized_scope');
});

test('a document create is delivered with Appwrite\'s headers, signature and body', async () => {
    const srv = await server();
    const rx = await receiver();
    const { sdk, client } = await serverClient(srv);
    const dbs = await schema(sdk, client);
    const hooks = new sdk.Webhooks(client);
    const hook = await hooks.create({
        webhookId: 'docs',
        url: rx.url,
        name: 'Docs',
        events: ['databases.*.collections.*.documents.*.create'],
        authUsername: 'ada',
        authPassword: 'secret pass',
    });
    const doc = await dbs.createDocument({ databaseId: 'db1', collectionId: 'c1', documentId: 'd1', data: { title: 'Hello' } });
    await until(() => rx.got.length === 1, 'the delivery');
    const [d] = rx.got;
    assert.equal(d.method, 'POST');
    assert.equal(d.url, '/hook');
    assert.match(d.headers['content-type'], /^application\/json/);
    assert.match(d.headers['user-agent'], /^Appwrite-Server v1\.9\.\d+\. Please report abuse at/);
    assert.equal(d.headers['x-appwrite-webhook-id'], 'docs');
    assert.equal(d.headers['x-appwrite-webhook-name'], 'Docs');
    assert.equal(d.headers['x-appwrite-webhook-project-id'], srv.projectId);
    // An API key acts: no user, and an empty header is not sent (libcurl drops it, as the
    // curl-based client Appwrite uses does).
    assert.ok(!d.headers['x-appwrite-webhook-user-id']);
    const events = d.headers['x-appwrite-webhook-events'].split(',');
    assert.equal(events[0], 'databases.db1.collections.c1.documents.d1.create');
    for (const e of ['databases.*.collections.*.documents.*.create', 'databases.db1.collections.c1.documents.d1',
        'databases.*', 'databases.db1.tables.c1.rows.d1.create', 'databases.*.tables.*.rows.*']) {
        assert.ok(events.includes(e), `events has ${e}`);
    }
    assert.equal(d.headers.authorization, `Basic ${Buffer.from('ada:secret pass').toString('base64')}`);
    const expected = createHmac('sha1', hook.secret).update(rx.url + d.body).digest('base64');
    assert.equal(d.headers['x-appwrite-webhook-signature'], expected);
    const body = JSON.parse(d.body);
    assert.equal(body.$id, 'd1');
    assert.equal(body.title, 'Hello');
    assert.equal(body.$collectionId, 'c1');
    assert.equal(body.$databaseId, 'db1');
    assert.deepEqual(body, JSON.parse(JSON.stringify(doc)));
});

test('wildcards, collection and table names, user events and signed-in users', async () => {
    const srv = await server();
    const rx = await receiver();
    const { sdk, client } = await serverClient(srv);
    const dbs = await schema(sdk, client);
    const hooks = new sdk.Webhooks(client);
    const on = async (webhookId, events) => hooks.create({ webhookId, url: `${rx.url}?${webhookId}`, name: webhookId, events });
    await on('anyInC1', ['databases.db1.collections.c1.documents.*']);
    await on('tableRows', ['databases.*.tables.*.rows.*.update']);
    await on('userCreate', ['users.*.create']);
    await on('otherDb', ['databases.db2']);
    await on('disabled', ['databases.*']);
    await hooks.update({ webhookId: 'disabled', name: 'disabled', url: `${rx.url}?disabled`, events: ['databases.*'], enabled: false });

    await dbs.createDocument({ databaseId: 'db1', collectionId: 'c1', documentId: 'd1', data: { title: 'a' } });
    await dbs.updateDocument({ databaseId: 'db1', collectionId: 'c1', documentId: 'd1', data: { title: 'b' } });
    const users = new sdk.Users(client);
    await users.create({ userId: 'u1', email: 'u1@example.com', password: 'password123' });
    await until(() => rx.got.length >= 4, 'four deliveries');
    await new Promise((r) => setTimeout(r, 500)); // nothing else arrives
    const seen = rx.got.map((g) => `${g.url.split('?')[1]} ${g.headers['x-appwrite-webhook-events'].split(',')[0]}`).sort();
    assert.deepEqual(seen, [
        'anyInC1 databases.db1.collections.c1.documents.d1.create',
        'anyInC1 databases.db1.collections.c1.documents.d1.update',
        'tableRows databases.db1.collections.c1.documents.d1.update',
        'userCreate users.u1.create',
    ]);

    // A row written through TablesDB reaches a collections subscriber, and a signed-in user is named.
    rx.got.length = 0;
    await users.updatePrefs({ userId: 'u1', prefs: {} });
    const { secret } = await users.createSession({ userId: 'u1' });
    const asUser = new sdk.Client().setEndpoint(srv.endpoint).setProject(srv.projectId).setSession(secret);
    await on('nameChange', ['users.*.update.name']);
    await new sdk.Account(asUser).updateName({ name: 'New Name' });
    await until(() => rx.got.some((g) => g.url.endsWith('?nameChange')), 'the account event');
    const named = rx.got.find((g) => g.url.endsWith('?nameChange'));
    assert.equal(named.headers['x-appwrite-webhook-user-id'], 'u1');
    // Appwrite lists the action before the attribute: users.u1.update first.
    const names = named.headers['x-appwrite-webhook-events'].split(',');
    assert.equal(names[0], 'users.u1.update');
    assert.ok(names.includes('users.u1.update.name') && names.includes('users.*.update.name'));
    assert.equal(JSON.parse(named.body).name, 'New Name');

    rx.got.length = 0;
    const tables = new sdk.TablesDB(client);
    await tables.createRow({ databaseId: 'db1', tableId: 'c1', rowId: 'r1', data: { title: 'row' } });
    await until(() => rx.got.some((g) => g.url.endsWith('?anyInC1')), 'the row event');
    const row = rx.got.find((g) => g.url.endsWith('?anyInC1'));
    assert.ok(row.headers['x-appwrite-webhook-events'].split(',').includes('databases.db1.tables.c1.rows.r1.create'));

    // Bulk writes: one delivery per document.
    rx.got.length = 0;
    await dbs.createDocuments({ databaseId: 'db1', collectionId: 'c1', documents: [{ $id: 'b1', title: 'x' }, { $id: 'b2', title: 'y' }] });
    await until(() => rx.got.filter((g) => g.url.endsWith('?anyInC1')).length === 2, 'two bulk deliveries');
    assert.deepEqual(rx.got.filter((g) => g.url.endsWith('?anyInC1')).map((g) => JSON.parse(g.body).$id).sort(), ['b1', 'b2']);
});

test('a receiver that is down gets the delivery once it is up', async () => {
    const srv = await server();
    const port = await freePort();
    const { sdk, client } = await serverClient(srv);
    const dbs = await schema(sdk, client);
    const hooks = new sdk.Webhooks(client);
    await hooks.create({ webhookId: 'late', url: `http://127.0.0.1:${port}/hook`, name: 'Late', events: ['databases.*.collections.*.documents.*.create'] });
    await dbs.createDocument({ databaseId: 'db1', collectionId: 'c1', documentId: 'd1', data: { title: 'waiting' } });
    const failed = await until(async () => {
        const h = await hooks.get({ webhookId: 'late' });
        return h.attempts >= 1 ? h : null;
    }, 'a failed attempt');
    assert.match(failed.logs, /^URL: http:\/\/127\.0\.0\.1:\d+\/hook\nMethod: POST\nClient Error: /);
    const rx = await receiver(port);
    await until(() => rx.got.length === 1, 'the late delivery');
    assert.equal(JSON.parse(rx.got[0].body).title, 'waiting');
    await until(async () => (await hooks.get({ webhookId: 'late' })).attempts === 0, 'attempts reset by the success');
});

test('a pending delivery survives a restart of cwrite', async () => {
    const first = await startServer({ env: FAST });
    const dataDir = first.dataDir;
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const port = await freePort();
    let { sdk, client } = await serverClient(first);
    const dbs = await schema(sdk, client);
    const hooks = new sdk.Webhooks(client);
    await hooks.create({ webhookId: 'persist', url: `http://127.0.0.1:${port}/hook`, name: 'Persist', events: ['databases.*.collections.*.documents.*'] });
    await dbs.createDocument({ databaseId: 'db1', collectionId: 'c1', documentId: 'kept', data: { title: 'survives' } });
    await until(async () => (await hooks.get({ webhookId: 'persist' })).attempts >= 1, 'a failed attempt');
    const stopped = await first.stop({ keepData: true });
    assert.equal(stopped.code, 0);

    const rx = await receiver(port);
    const again = await server({}, { dataDir });
    await until(() => rx.got.length >= 1, 'the delivery after the restart');
    assert.equal(JSON.parse(rx.got[0].body).$id, 'kept');
    assert.equal(rx.got[0].headers['x-appwrite-webhook-id'], 'persist');
    ({ client } = await serverClient(again, { key: first.key }));
    assert.equal((await new sdk.Webhooks(client).get({ webhookId: 'persist' })).attempts, 0);
});

test('a webhook whose receiver keeps failing is disabled after the limit', async () => {
    const srv = await server({ _APP_WEBHOOK_MAX_FAILED_ATTEMPTS: '3' });
    const rx = await receiver(0, 500);
    const { sdk, client } = await serverClient(srv);
    const dbs = await schema(sdk, client);
    const hooks = new sdk.Webhooks(client);
    await hooks.create({ webhookId: 'failing', url: rx.url, name: 'Failing', events: ['databases.*.collections.*.documents.*.create'] });
    await dbs.createDocument({ databaseId: 'db1', collectionId: 'c1', documentId: 'd1', data: { title: 'x' } });
    const off = await until(async () => {
        const h = await hooks.get({ webhookId: 'failing' });
        return h.enabled === false ? h : null;
    }, 'the webhook disabled');
    assert.equal(off.attempts, 3);
    assert.equal(rx.got.length, 3);
    assert.equal(off.logs, `URL: ${rx.url}\nMethod: POST\nStatus code: 500\nBody: \nreceiver says no\n`);

    // Disabled: nothing more is sent. Enabled again: the count starts over and deliveries resume.
    await dbs.createDocument({ databaseId: 'db1', collectionId: 'c1', documentId: 'd2', data: { title: 'y' } });
    await new Promise((r) => setTimeout(r, 700));
    assert.equal(rx.got.length, 3);
    rx.status = 200;
    const back = await hooks.update({ webhookId: 'failing', name: 'Failing', url: rx.url, events: ['databases.*.collections.*.documents.*.create'], enabled: true });
    assert.equal(back.attempts, 0);
    await dbs.createDocument({ databaseId: 'db1', collectionId: 'c1', documentId: 'd3', data: { title: 'z' } });
    await until(() => rx.got.some((g) => JSON.parse(g.body).$id === 'd3'), 'delivery after re-enabling');
});

test('an API node without consumers leaves deliveries queued; cwrite worker on its data delivers them', async () => {
    const srv = await server({ CWRITE_CONSUMERS: 'none' });
    const rx = await receiver();
    const { sdk, client } = await serverClient(srv);
    const dbs = await schema(sdk, client);
    const hooks = new sdk.Webhooks(client);
    for (const id of ['one', 'two']) {
        await hooks.create({ webhookId: id, url: `${rx.url}?${id}`, name: id, events: ['databases.*.collections.*.documents.*.create'] });
    }
    for (const documentId of ['d1', 'd2', 'd3']) {
        await dbs.createDocument({ databaseId: 'db1', collectionId: 'c1', documentId, data: { title: documentId } });
    }
    const queued = async () => (await sdkCall(client, 'get', '/health/queue/webhooks', { threshold: 1000 })).size;
    // One job per event, naming both webhooks; nothing leaves this process.
    await until(async () => (await queued()) === 3, 'three jobs queued');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(rx.got.length, 0);

    const worker = spawn(BIN, ['worker', '--data', srv.dataDir], { env: { ...process.env, ...FAST }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    worker.stderr.on('data', (d) => { err += d; });
    const exited = new Promise((ok) => worker.on('exit', (code) => ok(code)));
    try {
        await until(() => rx.got.length === 6, 'six deliveries from the worker');
        const seen = rx.got.map((g) => `${g.url.split('?')[1]} ${JSON.parse(g.body).$id}`).sort();
        assert.deepEqual(seen, ['one d1', 'one d2', 'one d3', 'two d1', 'two d2', 'two d3']);
        for (const g of rx.got) {
            const hook = g.url.split('?')[1];
            assert.equal(g.headers['x-appwrite-webhook-id'], hook);
            assert.equal(g.headers['x-appwrite-webhook-events'].split(',')[0], `databases.db1.collections.c1.documents.${JSON.parse(g.body).$id}.create`);
        }
        await until(async () => (await queued()) === 0, 'the queue drained');
    } finally {
        worker.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
    assert.doesNotMatch(err, /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/);
});

test('one webhook of a job failing is retried alone', async () => {
    const srv = await server();
    const good = await receiver();
    const bad = await receiver(0, 500);
    const { sdk, client } = await serverClient(srv);
    const dbs = await schema(sdk, client);
    const hooks = new sdk.Webhooks(client);
    await hooks.create({ webhookId: 'good', url: good.url, name: 'good', events: ['databases.*.collections.*.documents.*.create'] });
    await hooks.create({ webhookId: 'bad', url: bad.url, name: 'bad', events: ['databases.*.collections.*.documents.*.create'] });
    await dbs.createDocument({ databaseId: 'db1', collectionId: 'c1', documentId: 'd1', data: { title: 'x' } });
    await until(() => bad.got.length >= 3, 'three tries at the failing receiver');
    assert.equal(good.got.length, 1, 'the webhook that took its delivery gets no second one');
    bad.status = 200;
    await until(async () => (await hooks.get({ webhookId: 'bad' })).attempts === 0, 'the retry succeeded');
    assert.equal(good.got.length, 1);
    assert.equal(JSON.parse(bad.got.at(-1).body).$id, 'd1');
});

test('a committed transaction emits the events of its single-document operations', async () => {
    const srv = await server();
    const { sdk, client } = await serverClient(srv);
    const dbs = await schema(sdk, client);
    await dbs.createDocument({ databaseId: 'db1', collectionId: 'c1', documentId: 'old', data: { title: 'old' } });
    const rx = await receiver();
    const hooks = new sdk.Webhooks(client);
    await hooks.create({ webhookId: 'txn', url: rx.url, name: 'Transactions', events: ['databases.*.collections.*.documents.*'] });
    const tx = await dbs.createTransaction();
    await dbs.createOperations({ transactionId: tx.$id, operations: [
        { action: 'create', databaseId: 'db1', collectionId: 'c1', documentId: 'fresh', data: { title: 'fresh' } },
        { action: 'update', databaseId: 'db1', collectionId: 'c1', documentId: 'old', data: { title: 'changed' } },
    ] });
    assert.equal(rx.got.length, 0, 'staging emits nothing');
    await dbs.updateTransaction({ transactionId: tx.$id, commit: true });
    await until(() => rx.got.length >= 2, 'the commit\'s two deliveries');
    const byEvent = Object.fromEntries(rx.got.map((g) => [g.headers['x-appwrite-webhook-events'].split(',')
        .find((e) => /^databases\.db1\.collections\.c1\.documents\.\w+\.(create|update)$/.test(e)), JSON.parse(g.body)]));
    assert.equal(byEvent['databases.db1.collections.c1.documents.fresh.create'].title, 'fresh');
    assert.equal(byEvent['databases.db1.collections.c1.documents.old.update'].title, 'changed');
    assert.equal(byEvent['databases.db1.collections.c1.documents.fresh.create'].$collectionId, 'c1');
    // A rolled-back transaction emits nothing.
    const rb = await dbs.createTransaction();
    await dbs.createOperations({ transactionId: rb.$id, operations: [
        { action: 'create', databaseId: 'db1', collectionId: 'c1', documentId: 'never', data: { title: 'x' } }] });
    await dbs.updateTransaction({ transactionId: rb.$id, rollback: true });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(rx.got.length, 2);
});
