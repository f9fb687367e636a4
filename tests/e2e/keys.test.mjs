// Projects and API keys: made by the `cwrite` command while the server runs, used by the very
// next request; scopes, expiry and deletion enforced.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, serverClient, expectAppwriteError, cli, sdkCall } from './lib/server.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server.stop(); });

const data = () => ['--data', server.dataDir];

test('projects create/list/delete work while the server runs', async () => {
    let r = await cli(['projects', 'create', '--id', 'shop', '--name', 'Shop', ...data()]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'shop');
    r = await cli(['projects', 'create', '--id', 'shop', '--name', 'Again', ...data()]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /already exists/);
    r = await cli(['projects', 'create', '--id', '-bad', '--name', 'Bad', ...data()]);
    assert.equal(r.code, 2);
    r = await cli(['projects', 'list', ...data()]);
    assert.match(r.stdout, /^default\s/m);
    assert.match(r.stdout, /^shop\s+Shop/m);

    const key = (await cli(['keys', 'create', '--project', 'shop', '--name', 'k', '--scopes', 'locale.read', ...data()])).stdout.trim();
    assert.match(key, /^standard_[0-9a-f]{256}$/);
    const { client } = await serverClient(server, { project: 'shop', key });
    const h = await sdkCall(client, 'get', '/health');
    assert.equal(h.status, 'pass');

    r = await cli(['projects', 'delete', 'shop', ...data()]);
    assert.equal(r.code, 0, r.stderr);
    await expectAppwriteError(assert, () => sdkCall(client, 'get', '/health'), 404, 'project_not_found');
    r = await cli(['projects', 'delete', 'shop', ...data()]);
    assert.equal(r.code, 1);
});

test('keys: a missing scope is 401 general_unauthorized_scope', async () => {
    const key = (await cli(['keys', 'create', '--project', 'default', '--name', 'users only', '--scopes', 'users.read', ...data()])).stdout.trim();
    const { sdk, client } = await serverClient(server, { key });
    const e = await expectAppwriteError(assert, () => new sdk.Locale(client).listContinents(), 401, 'general_unauthorized_scope');
    assert.match(e.message, /locale\.read/);
    // health.read comes with every key, as in Appwrite.
    assert.equal((await sdkCall(client, 'get', '/health')).status, 'pass');
});

test('keys: expired is 401 project_key_expired; deleted is 401 user_unauthorized', async () => {
    let r = await cli(['keys', 'create', '--project', 'default', '--name', 'old', '--scopes', 'all', '--expire', '2001-01-01T00:00:00Z', ...data()]);
    assert.equal(r.code, 0, r.stderr);
    const expired = r.stdout.trim();
    let c = (await serverClient(server, { key: expired })).client;
    await expectAppwriteError(assert, () => sdkCall(c, 'get', '/health'), 401, 'project_key_expired');

    r = await cli(['keys', 'create', '--project', 'default', '--name', 'soon gone', '--scopes', 'all', '--expire', '2100-01-01T00:00:00.000+00:00', ...data()]);
    const live = r.stdout.trim();
    c = (await serverClient(server, { key: live })).client;
    assert.equal((await sdkCall(c, 'get', '/health')).status, 'pass');
    const list = (await cli(['keys', 'list', '--project', 'default', ...data()])).stdout;
    const id = list.split('\n').find((l) => /soon gone/.test(l)).split(/\s+/)[0];
    assert.equal((await cli(['keys', 'delete', '--project', 'default', id, ...data()])).code, 0);
    await expectAppwriteError(assert, () => sdkCall(c, 'get', '/health'), 401, 'user_unauthorized');
});

test('keys create refuses unknown scopes and bad dates', async () => {
    let r = await cli(['keys', 'create', '--project', 'default', '--name', 'x', '--scopes', 'nope.read', ...data()]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown scope/);
    r = await cli(['keys', 'create', '--project', 'default', '--name', 'x', '--scopes', 'all', '--expire', 'tomorrow', ...data()]);
    assert.equal(r.code, 2);
    r = await cli(['keys', 'create', '--project', 'missing', '--name', 'x', '--scopes', 'all', ...data()]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no project/);
});

test('a key sent without a project is 403 project_id_missing', async () => {
    const { client } = await serverClient(server, { project: null });
    await expectAppwriteError(assert, () => sdkCall(client, 'get', '/health'), 403, 'project_id_missing');
});

test('the project query parameter wins over the header', async () => {
    const r = await fetch(`${server.endpoint}/health?project=nope`, {
        headers: { 'x-appwrite-project': 'default', 'x-appwrite-key': server.key },
    });
    assert.equal(r.status, 404);
    assert.equal((await r.json()).type, 'project_not_found');
});

test('every command has --help', async () => {
    for (const args of [['--help'], ['serve', '--help'], ['projects', '--help'], ['keys', '--help']]) {
        const r = await cli(args);
        assert.equal(r.code, 0, args.join(' '));
        assert.match(r.stdout, /Usage|Commands/);
    }
    const r = await cli(['nope']);
    assert.equal(r.code, 2);
});

test('a project deleted and made again starts with empty databases', async () => {
    const mk = async () => {
        assert.equal((await cli(['projects', 'create', '--id', 'again', '--name', 'Again', ...data()])).code, 0);
        const key = (await cli(['keys', 'create', '--project', 'again', '--name', 'k', '--scopes', 'all', ...data()])).stdout.trim();
        const { sdk, client } = await serverClient(server, { project: 'again', key });
        return new sdk.TablesDB(client);
    };
    let tdb = await mk();
    await tdb.create({ databaseId: 'kept', name: 'Kept?' });
    assert.equal((await tdb.list()).total, 1);
    assert.equal((await cli(['projects', 'delete', 'again', ...data()])).code, 0);
    tdb = await mk();
    assert.equal((await tdb.list()).total, 0);
});
