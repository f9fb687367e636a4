// The Databases service (/v1/databases: collections, attributes, indexes, documents) through
// node-appwrite's Databases class: every route, what it answers and how it fails. Raw fetch where
// the status code matters (201, 202, 204) or the SDK would refuse to send a bad request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, serverClient, expectAppwriteError } from './lib/server.mjs';

let server;
let sdk;
let client;
let dbs;
let Query;
let ID;
let Permission;
let Role;
let guest; // Databases without an API key

before(async () => {
    server = await startServer();
    ({ sdk, client } = await serverClient(server));
    ({ Query, ID, Permission, Role } = sdk);
    dbs = new sdk.Databases(client);
    guest = new sdk.Databases((await serverClient(server, { key: null })).client);
});
after(async () => { await server.stop(); });

/** A request as a bad (or curious) client sends it; resolves {status, body}. */
async function raw(method, path, body, { key = server.key, project = server.projectId } = {}) {
    const headers = { accept: 'application/json' };
    if (project) headers['x-appwrite-project'] = project;
    if (key) headers['x-appwrite-key'] = key;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const r = await fetch(server.endpoint + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
}

function expectRaw(r, status, type) {
    assert.equal(r.status, status, JSON.stringify(r.body));
    if (type) assert.equal(r.body.type, type, r.body.message);
}

const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/;
let seq = 0;
const uid = (p) => `${p}${Date.now().toString(36)}${(seq++).toString(36)}`;

/** Attributes and indexes are made in the background in Appwrite: wait until they are usable. */
async function settle(get) {
    for (let i = 0; i < 100; i++) {
        const a = await get();
        if (a.status !== 'processing') return a;
        await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('still processing');
}
const attribute = (databaseId, collectionId, key) =>
    settle(() => dbs.getAttribute({ databaseId, collectionId, key }));
const index = (databaseId, collectionId, key) =>
    settle(() => dbs.getIndex({ databaseId, collectionId, key }));

async function newDatabase() {
    const databaseId = uid('db');
    await dbs.create({ databaseId, name: databaseId });
    return databaseId;
}

async function newCollection(databaseId, opts = {}) {
    const collectionId = uid('col');
    await dbs.createCollection({
        databaseId,
        collectionId,
        name: collectionId,
        permissions: opts.permissions ?? [],
        documentSecurity: opts.documentSecurity ?? false,
    });
    return collectionId;
}

// Databases -----------------------------------------------------------------------------------

test('databases: create answers 201 with the model; IDs, names and duplicates are checked', async () => {
    const r = await raw('POST', '/databases', { databaseId: 'shop', name: 'Shop' });
    expectRaw(r, 201);
    assert.equal(r.body.$id, 'shop');
    assert.equal(r.body.name, 'Shop');
    assert.equal(r.body.enabled, true);
    assert.equal(r.body.type, 'legacy');
    assert.match(r.body.$createdAt, iso);
    assert.match(r.body.$updatedAt, iso);

    const u = await dbs.create({ databaseId: ID.unique(), name: 'Generated', enabled: false });
    assert.match(u.$id, /^[0-9a-f]{20}$/);
    assert.equal(u.enabled, false);
    const s = await raw('POST', '/databases', { databaseId: 'unique()', name: 'Server made' });
    expectRaw(s, 201);
    assert.match(s.body.$id, /^[0-9a-f]{20}$/);

    await expectAppwriteError(assert, () => dbs.create({ databaseId: 'shop', name: 'Again' }), 409, 'database_already_exists');
    await expectAppwriteError(assert, () => dbs.create({ databaseId: '-bad', name: 'x' }), 400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => dbs.create({ databaseId: 'a'.repeat(37), name: 'x' }), 400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => dbs.create({ databaseId: 'long', name: 'n'.repeat(129) }), 400, 'general_argument_invalid');
    expectRaw(await raw('POST', '/databases', { databaseId: 'noname' }), 400, 'general_argument_invalid');
    expectRaw(await raw('POST', '/databases', { databaseId: 'e', name: 'E', enabled: 'maybe' }), 400, 'general_argument_invalid');
});

test('databases: get, update, delete and their 404s', async () => {
    const databaseId = await newDatabase();
    const got = await dbs.get({ databaseId });
    assert.equal(got.$id, databaseId);
    assert.equal(got.name, databaseId);

    const up = await dbs.update({ databaseId, name: 'Renamed', enabled: false });
    assert.equal(up.name, 'Renamed');
    assert.equal(up.enabled, false);
    // As in Appwrite, a missing `enabled` means true and a missing name keeps the old one.
    const again = await dbs.update({ databaseId });
    assert.equal(again.name, 'Renamed');
    assert.equal(again.enabled, true);

    const del = await raw('DELETE', `/databases/${databaseId}`);
    assert.equal(del.status, 204);
    assert.equal(del.body, null);
    await expectAppwriteError(assert, () => dbs.get({ databaseId }), 404, 'database_not_found');
    await expectAppwriteError(assert, () => dbs.update({ databaseId, name: 'x' }), 404, 'database_not_found');
    await expectAppwriteError(assert, () => dbs.delete({ databaseId }), 404, 'database_not_found');
    await expectAppwriteError(assert, () => dbs.get({ databaseId: '_bad' }), 400, 'general_argument_invalid');
});

test('databases: list with queries, search, cursors and total=false', async () => {
    const names = ['Alpha store', 'Beta store', 'Gamma depot'];
    const ids = ['list-a', 'list-b', 'list-c'];
    for (let i = 0; i < 3; i++) await dbs.create({ databaseId: ids[i], name: names[i] });
    const all = await dbs.list();
    assert.ok(all.total >= 3);
    assert.equal(all.databases.length, all.total);

    const eq = await dbs.list({ queries: [Query.equal('name', ['Beta store'])] });
    assert.equal(eq.total, 1);
    assert.equal(eq.databases[0].$id, ids[1]);

    const page = await dbs.list({ queries: [Query.limit(1), Query.offset(1), Query.orderAsc('$createdAt')] });
    assert.equal(page.databases.length, 1);

    const found = await dbs.list({ search: 'depot' });
    assert.deepEqual(found.databases.map((d) => d.$id), [ids[2]]);

    const after = await dbs.list({ queries: [Query.equal('$id', ids), Query.orderAsc('$id'), Query.cursorAfter(ids[0])] });
    assert.deepEqual(after.databases.map((d) => d.$id), [ids[1], ids[2]].sort());

    const noTotal = await dbs.list({ queries: [Query.equal('$id', ids)], total: false });
    assert.equal(noTotal.total, 0);
    assert.equal(noTotal.databases.length, 3);

    await expectAppwriteError(assert, () => dbs.list({ queries: ['not json'] }), 400, 'general_query_invalid');
    await expectAppwriteError(assert, () => dbs.list({ queries: [Query.equal('nope', ['x'])] }), 400, 'general_query_invalid');
    await expectAppwriteError(assert, () => dbs.list({ queries: [Query.cursorAfter('missing')] }), 400, 'general_cursor_not_found');
    await expectAppwriteError(assert, () => dbs.list({ search: 's'.repeat(257) }), 400, 'general_argument_invalid');
    const tooMany = Array.from({ length: 101 }, () => Query.limit(1));
    await expectAppwriteError(assert, () => dbs.list({ queries: tooMany }), 400, 'general_argument_invalid');
});

test('databases: scopes and projects are enforced', async () => {
    await expectAppwriteError(assert, () => guest.list(), 401, 'general_unauthorized_scope');
    await expectAppwriteError(assert, () => guest.create({ databaseId: 'g', name: 'g' }), 401, 'general_unauthorized_scope');
    // Without a project the request is the console's, which has no databases.
    const r = await raw('GET', '/databases/x/collections/y/documents', undefined, { key: null, project: null });
    expectRaw(r, 401);
    const missing = await raw('GET', '/databases', undefined, { project: 'nope' });
    expectRaw(missing, 404, 'project_not_found');
});

// Collections ---------------------------------------------------------------------------------

test('collections: create, get, list, update, delete', async () => {
    const databaseId = await newDatabase();
    const perms = [Permission.read(Role.any()), Permission.write(Role.users())];
    const r = await raw('POST', `/databases/${databaseId}/collections`, {
        collectionId: 'books',
        name: 'Books',
        permissions: perms,
        documentSecurity: true,
    });
    expectRaw(r, 201);
    const c = r.body;
    assert.equal(c.$id, 'books');
    assert.equal(c.databaseId, databaseId);
    assert.equal(c.name, 'Books');
    assert.equal(c.enabled, true);
    assert.equal(c.documentSecurity, true);
    assert.deepEqual(c.attributes, []);
    assert.deepEqual(c.indexes, []);
    // write() on a collection means create, update and delete.
    for (const p of ['read("any")', 'create("users")', 'update("users")', 'delete("users")']) {
        assert.ok(c.$permissions.includes(p), `${p} in ${c.$permissions}`);
    }
    assert.match(c.$createdAt, iso);

    const got = await dbs.getCollection({ databaseId, collectionId: 'books' });
    assert.equal(got.name, 'Books');

    await dbs.createCollection({ databaseId, collectionId: 'magazines', name: 'Magazines' });
    const list = await dbs.listCollections({ databaseId });
    assert.equal(list.total, 2);
    assert.deepEqual(list.collections.map((x) => x.$id).sort(), ['books', 'magazines']);
    const searched = await dbs.listCollections({ databaseId, search: 'Maga' });
    assert.deepEqual(searched.collections.map((x) => x.$id), ['magazines']);
    const queried = await dbs.listCollections({ databaseId, queries: [Query.equal('name', ['Books'])] });
    assert.deepEqual(queried.collections.map((x) => x.$id), ['books']);
    const limited = await dbs.listCollections({ databaseId, queries: [Query.limit(1)], total: false });
    assert.equal(limited.total, 0);
    assert.equal(limited.collections.length, 1);

    const up = await dbs.updateCollection({ databaseId, collectionId: 'books', name: 'Old books', permissions: [], documentSecurity: false, enabled: false });
    assert.equal(up.name, 'Old books');
    assert.equal(up.documentSecurity, false);
    assert.equal(up.enabled, false);
    assert.deepEqual(up.$permissions, []);

    const del = await raw('DELETE', `/databases/${databaseId}/collections/books`);
    assert.equal(del.status, 204);
    await expectAppwriteError(assert, () => dbs.getCollection({ databaseId, collectionId: 'books' }), 404, 'collection_not_found');
    await expectAppwriteError(assert, () => dbs.updateCollection({ databaseId, collectionId: 'books', name: 'x' }), 404, 'collection_not_found');
    await expectAppwriteError(assert, () => dbs.deleteCollection({ databaseId, collectionId: 'books' }), 404, 'collection_not_found');
});

test('collections: bad parameters, duplicates and missing databases', async () => {
    const databaseId = await newDatabase();
    await newCollection(databaseId).then(async (collectionId) => {
        await expectAppwriteError(assert, () => dbs.createCollection({ databaseId, collectionId, name: 'dup' }), 409, 'collection_already_exists');
    });
    await expectAppwriteError(assert, () => dbs.createCollection({ databaseId, collectionId: '.dot', name: 'x' }), 400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => dbs.createCollection({ databaseId, collectionId: 'x', name: 'x'.repeat(129) }), 400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => dbs.createCollection({ databaseId, collectionId: 'x', name: 'x', permissions: ['read("nobody")'] }), 400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => dbs.createCollection({ databaseId, collectionId: 'x', name: 'x', permissions: ['fly("any")'] }), 400, 'general_argument_invalid');
    expectRaw(await raw('POST', `/databases/${databaseId}/collections`, { collectionId: 'x', name: 'x', permissions: 'read("any")' }), 400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => dbs.createCollection({ databaseId: 'nodb', collectionId: 'x', name: 'x' }), 404, 'database_not_found');
    await expectAppwriteError(assert, () => dbs.listCollections({ databaseId: 'nodb' }), 404, 'database_not_found');
    await expectAppwriteError(assert, () => dbs.getCollection({ databaseId: 'nodb', collectionId: 'x' }), 404, 'database_not_found');
    await expectAppwriteError(assert, () => dbs.listCollections({ databaseId, queries: [Query.equal('nope', ['x'])] }), 400, 'general_query_invalid');
});

test('collections: attributes and indexes given inline at create', async () => {
    const databaseId = await newDatabase();
    const c = await dbs.createCollection({
        databaseId,
        collectionId: 'inline',
        name: 'Inline',
        attributes: [
            { key: 'title', type: 'string', size: 64, required: true },
            { key: 'year', type: 'integer', required: false, min: 0, max: 3000 },
        ],
        indexes: [{ key: 'by_title', type: 'key', attributes: ['title'] }],
    });
    assert.deepEqual(c.attributes.map((a) => a.key), ['title', 'year']);
    assert.deepEqual(c.indexes.map((i) => i.key), ['by_title']);
    const doc = await dbs.createDocument({ databaseId, collectionId: 'inline', documentId: 'd', data: { title: 'T', year: 1999 } });
    assert.equal(doc.year, 1999);

    // A failing definition leaves no collection behind.
    await expectAppwriteError(assert, () => dbs.createCollection({
        databaseId, collectionId: 'broken', name: 'Broken',
        attributes: [{ key: 'a', type: 'string', size: 10, required: false }],
        indexes: [{ key: 'i', type: 'key', attributes: ['missing'] }],
    }), 400, 'attribute_unknown');
    await expectAppwriteError(assert, () => dbs.getCollection({ databaseId, collectionId: 'broken' }), 404, 'collection_not_found');
    // Nothing of it is left: not the attribute made before the index failed, nor its storage.
    const fixed = await dbs.createCollection({
        databaseId, collectionId: 'broken', name: 'Fixed',
        attributes: [{ key: 'a', type: 'integer', required: false }],
        indexes: [{ key: 'i', type: 'key', attributes: ['a'] }],
    });
    assert.deepEqual(fixed.attributes.map((a) => `${a.key}:${a.type}`), ['a:integer']);
    await dbs.createDocument({ databaseId, collectionId: 'broken', documentId: 'd', data: { a: 5 } });
    await expectAppwriteError(assert, () => dbs.createCollection({
        databaseId, collectionId: 'rel', name: 'Rel', attributes: [{ key: 'r', type: 'relationship' }],
    }), 400, 'general_argument_invalid');
    expectRaw(await raw('POST', `/databases/${databaseId}/collections`, { collectionId: 'x', name: 'x', attributes: ['title'] }), 400, 'general_argument_invalid');
});

// Attributes ----------------------------------------------------------------------------------

test('attributes: every type is created (202), read back and usable in documents', async () => {
    const databaseId = await newDatabase();
    const collectionId = await newCollection(databaseId);
    const base = `/databases/${databaseId}/collections/${collectionId}/attributes`;
    const specs = [
        ['string', { key: 'str', size: 16, required: false, default: 'dflt' }, { size: 16, default: 'dflt' }],
        ['varchar', { key: 'vc', size: 100, required: false }, { size: 100 }],
        ['text', { key: 'txt', required: false, default: 'long text' }, {}],
        ['mediumtext', { key: 'mtxt', required: false }, {}],
        ['longtext', { key: 'ltxt', required: false }, {}],
        ['email', { key: 'mail', required: false, default: 'a@example.com' }, { format: 'email' }],
        ['enum', { key: 'color', elements: ['red', 'green'], required: false, default: 'red' }, { format: 'enum', elements: ['red', 'green'] }],
        ['ip', { key: 'addr', required: false }, { format: 'ip' }],
        ['url', { key: 'link', required: false }, { format: 'url' }],
        ['datetime', { key: 'when', required: false }, { format: 'datetime' }],
        ['integer', { key: 'count', required: false, min: 0, max: 100, default: 5 }, { min: 0, max: 100, default: 5 }],
        ['bigint', { key: 'big', required: false }, {}],
        ['float', { key: 'ratio', required: false, min: -1.5, max: 1.5 }, { min: -1.5, max: 1.5 }],
        ['boolean', { key: 'flag', required: false, default: true }, { default: true }],
        ['string', { key: 'tags', size: 20, required: false, array: true }, { array: true }],
        ['integer', { key: 'needed', required: true }, { required: true }],
    ];
    for (const [type, body, expect] of specs) {
        const r = await raw('POST', `${base}/${type}`, body);
        expectRaw(r, 202);
        assert.equal(r.body.key, body.key, type);
        assert.ok(['processing', 'available'].includes(r.body.status), `${type}: ${r.body.status}`);
        assert.equal(r.body.required, body.required, type);
        const a = await attribute(databaseId, collectionId, body.key);
        assert.equal(a.status, 'available', `${type}: ${a.error}`);
        for (const [k, v] of Object.entries(expect)) assert.deepEqual(a[k], v, `${type}.${k}`);
    }
    const list = await dbs.listAttributes({ databaseId, collectionId });
    assert.equal(list.total, specs.length);
    assert.deepEqual(list.attributes.map((a) => a.key), specs.map((s) => s[1].key));
    const limited = await dbs.listAttributes({ databaseId, collectionId, queries: [Query.limit(2)], total: false });
    assert.equal(limited.attributes.length, 2);
    assert.equal(limited.total, 0);

    const doc = await dbs.createDocument({
        databaseId, collectionId, documentId: 'all',
        data: {
            vc: 'varchar', mtxt: 'medium', ltxt: 'long', addr: '10.0.0.1', link: 'https://example.com/x',
            when: '2024-01-02T05:04:05.123+02:00', big: 9007199254740993n, ratio: 0.5, tags: ['a', 'b'],
            needed: 1,
        },
    });
    assert.equal(doc.str, 'dflt');
    assert.equal(doc.txt, 'long text');
    assert.equal(doc.mail, 'a@example.com');
    assert.equal(doc.color, 'red');
    assert.equal(doc.count, 5);
    assert.equal(doc.flag, true);
    assert.equal(doc.when, '2024-01-02T03:04:05.123+00:00');
    assert.equal(String(doc.big), '9007199254740993');
    assert.equal(doc.ratio, 0.5);
    assert.deepEqual(doc.tags, ['a', 'b']);

    // A new attribute on a collection that already holds documents.
    await dbs.createStringAttribute({ databaseId, collectionId, key: 'later', size: 8, required: false, xdefault: 'x' });
    await attribute(databaseId, collectionId, 'later');
    const again = await dbs.getDocument({ databaseId, collectionId, documentId: 'all' });
    assert.ok(again.later === 'x' || again.later === null);
});

test('attributes: invalid definitions are refused', async () => {
    const databaseId = await newDatabase();
    const collectionId = await newCollection(databaseId);
    const base = `/databases/${databaseId}/collections/${collectionId}/attributes`;
    const bad = async (type, body, status, errType) => {
        const r = await raw('POST', `${base}/${type}`, body);
        expectRaw(r, status, errType);
    };
    await bad('string', { key: 's', size: 0, required: false }, 400, 'general_argument_invalid');
    await bad('string', { key: 's', required: false }, 400, 'general_argument_invalid');
    await bad('varchar', { key: 'v', size: 16382, required: false }, 400, 'general_argument_invalid');
    await bad('string', { key: '$s', size: 5, required: false }, 400, 'general_argument_invalid');
    await bad('string', { key: 's', size: 5 }, 400, 'general_argument_invalid');
    await bad('string', { key: 's', size: 5, required: false, default: 5 }, 400, 'general_argument_invalid');
    await bad('integer', { key: 'i', required: false, default: 'five' }, 400, 'general_argument_invalid');
    await bad('integer', { key: 'i', required: false, default: 1.5 }, 400, 'general_argument_invalid');
    await bad('integer', { key: 'i', required: false, min: 10, max: 1 }, 400, 'attribute_value_invalid');
    await bad('integer', { key: 'i', required: false, min: 0, max: 10, default: 11 }, 400, 'attribute_value_invalid');
    await bad('float', { key: 'f', required: false, default: 'x' }, 400, 'general_argument_invalid');
    await bad('float', { key: 'f', required: false, min: 2, max: 1 }, 400, 'attribute_value_invalid');
    await bad('boolean', { key: 'b', required: false, default: 'yes' }, 400, 'general_argument_invalid');
    await bad('email', { key: 'e', required: false, default: 'not-an-email' }, 400, 'general_argument_invalid');
    await bad('url', { key: 'u', required: false, default: 'not a url' }, 400, 'general_argument_invalid');
    await bad('ip', { key: 'p', required: false, default: '999.1.1.1' }, 400, 'general_argument_invalid');
    await bad('datetime', { key: 'd', required: false, default: 'tomorrow' }, 400, 'general_argument_invalid');
    await bad('enum', { key: 'n', required: false }, 400, 'general_argument_invalid');
    await bad('enum', { key: 'n', elements: ['a'], required: false, default: 'b' }, 400, 'attribute_value_invalid');
    await bad('enum', { key: 'n', elements: ['x'.repeat(256)], required: false }, 400, 'general_argument_invalid');
    await bad('string', { key: 'r', size: 5, required: true, default: 'x' }, 400, 'attribute_default_unsupported');
    await bad('string', { key: 'a', size: 5, required: false, array: true, default: 'x' }, 400, 'attribute_default_unsupported');
    await bad('relationship', { relatedCollectionId: collectionId, type: 'sideways' }, 400, 'general_argument_invalid');
    await bad('relationship', { relatedCollectionId: collectionId, type: 'oneToOne', onDelete: 'explode' }, 400, 'general_argument_invalid');

    await dbs.createStringAttribute({ databaseId, collectionId, key: 'dup', size: 5, required: false });
    await expectAppwriteError(assert, () => dbs.createIntegerAttribute({ databaseId, collectionId, key: 'dup', required: false }), 409, 'attribute_already_exists');
    await expectAppwriteError(assert, () => dbs.createBooleanAttribute({ databaseId, collectionId: 'nope', key: 'b', required: false }), 404, 'collection_not_found');
    await expectAppwriteError(assert, () => dbs.createBooleanAttribute({ databaseId: 'nope', collectionId, key: 'b', required: false }), 404, 'database_not_found');
    await expectAppwriteError(assert, () => dbs.getAttribute({ databaseId, collectionId, key: 'missing' }), 404, 'attribute_not_found');
    await expectAppwriteError(assert, () => dbs.deleteAttribute({ databaseId, collectionId, key: 'missing' }), 404, 'attribute_not_found');
    await expectAppwriteError(assert, () => dbs.listAttributes({ databaseId, collectionId: 'nope' }), 404, 'collection_not_found');
});

test('attributes: update every type, rename, delete', async () => {
    const databaseId = await newDatabase();
    const collectionId = await newCollection(databaseId);
    const base = `/databases/${databaseId}/collections/${collectionId}/attributes`;
    const cases = [
        ['string', { size: 10 }, { required: false, default: 'new', size: 20 }],
        ['varchar', { size: 10 }, { required: false, default: 'v' }],
        ['text', {}, { required: false, default: 't' }],
        ['mediumtext', {}, { required: false, default: 'm' }],
        ['longtext', {}, { required: false, default: 'l' }],
        ['email', {}, { required: false, default: 'b@example.com' }],
        ['enum', { elements: ['a', 'b'] }, { elements: ['a', 'b', 'c'], required: false, default: 'c' }],
        ['ip', {}, { required: false, default: '::1' }],
        ['url', {}, { required: false, default: 'https://example.org' }],
        ['datetime', {}, { required: false, default: '2020-02-02T02:02:02.000+00:00' }],
        ['integer', {}, { required: false, min: 1, max: 9, default: 3 }],
        ['bigint', {}, { required: false, default: 7 }],
        ['float', {}, { required: false, min: 0, max: 2, default: 1.25 }],
        ['boolean', {}, { required: false, default: false }],
    ];
    for (const [type, extra, update] of cases) {
        const key = `u_${type}`;
        expectRaw(await raw('POST', `${base}/${type}`, { key, required: true, ...extra }), 202);
        await attribute(databaseId, collectionId, key);
        const r = await raw('PATCH', `${base}/${type}/${key}`, update);
        expectRaw(r, 200);
        assert.equal(r.body.required, false, type);
        assert.deepEqual(r.body.default, update.default, type);
        if (update.size) assert.equal(r.body.size, update.size);
        if (update.elements) assert.deepEqual(r.body.elements, update.elements);
        if ('min' in update) assert.equal(r.body.min, update.min);
    }
    // `default` must be sent (null clears it); `required` too.
    expectRaw(await raw('PATCH', `${base}/string/u_string`, { required: false }), 400, 'general_argument_invalid');
    expectRaw(await raw('PATCH', `${base}/string/u_string`, { default: null }), 400, 'general_argument_invalid');
    const cleared = await raw('PATCH', `${base}/string/u_string`, { required: false, default: null });
    expectRaw(cleared, 200);
    assert.equal(cleared.body.default, null);
    await expectAppwriteError(assert, () => dbs.updateStringAttribute({ databaseId, collectionId, key: 'missing', required: false, xdefault: null }), 404, 'attribute_not_found');

    const renamed = await dbs.updateIntegerAttribute({ databaseId, collectionId, key: 'u_integer', required: false, xdefault: null, newKey: 'renamed' });
    assert.equal(renamed.key, 'renamed');
    await expectAppwriteError(assert, () => dbs.getAttribute({ databaseId, collectionId, key: 'u_integer' }), 404, 'attribute_not_found');

    const del = await raw('DELETE', `${base}/renamed`);
    assert.equal(del.status, 204);
    await expectAppwriteError(assert, () => dbs.getAttribute({ databaseId, collectionId, key: 'renamed' }), 404, 'attribute_not_found');
});

test('attributes: relationships with each onDelete, nested writes and select', async () => {
    const databaseId = await newDatabase();
    const authors = await newCollection(databaseId);
    const books = await newCollection(databaseId);
    await dbs.createStringAttribute({ databaseId, collectionId: authors, key: 'name', size: 50, required: false });
    await dbs.createStringAttribute({ databaseId, collectionId: books, key: 'title', size: 50, required: false });
    const r = await raw('POST', `/databases/${databaseId}/collections/${authors}/attributes/relationship`, {
        relatedCollectionId: books, type: 'oneToMany', twoWay: true, key: 'books', twoWayKey: 'author', onDelete: 'cascade',
    });
    expectRaw(r, 202);
    const rel = await attribute(databaseId, authors, 'books');
    assert.equal(rel.type, 'relationship');
    assert.equal(rel.relatedCollection, books);
    assert.equal(rel.relationType, 'oneToMany');
    assert.equal(rel.twoWay, true);
    assert.equal(rel.twoWayKey, 'author');
    assert.equal(rel.onDelete, 'cascade');
    assert.equal(rel.side, 'parent');
    const back = await attribute(databaseId, books, 'author');
    assert.equal(back.side, 'child');

    const a = await dbs.createDocument({
        databaseId, collectionId: authors, documentId: 'tolkien',
        data: { name: 'Tolkien', books: [{ $id: 'hobbit', title: 'The Hobbit' }, { $id: 'lotr', title: 'LOTR' }] },
    });
    assert.equal(a.$id, 'tolkien');
    // A write answers with its related documents (their back-references left out).
    assert.deepEqual(a.books.map((b) => b.$id).sort(), ['hobbit', 'lotr']);
    assert.equal(a.books[0].$collectionId, books);
    assert.equal('author' in a.books[0], false);
    const withBooks = await dbs.getDocument({ databaseId, collectionId: authors, documentId: 'tolkien', queries: [Query.select(['name', 'books.title'])] });
    assert.deepEqual(withBooks.books.map((b) => b.title).sort(), ['LOTR', 'The Hobbit']);
    const book = await dbs.getDocument({ databaseId, collectionId: books, documentId: 'hobbit', queries: [Query.select(['*', 'author.name'])] });
    assert.equal(book.author.name, 'Tolkien');
    // Without a selection of them (response format 1.8 and later), reads leave related documents
    // out: the side that stores the link shows the related ID, the other side nothing.
    const plainAuthor = await dbs.getDocument({ databaseId, collectionId: authors, documentId: 'tolkien' });
    assert.equal('books' in plainAuthor, false);
    const plainBook = await dbs.getDocument({ databaseId, collectionId: books, documentId: 'hobbit' });
    assert.equal(plainBook.author, 'tolkien');
    // Clients asking for an older format still get them, as Appwrite's compatibility filter does.
    const legacy = await fetch(`${server.endpoint}/databases/${databaseId}/collections/${authors}/documents/tolkien`, {
        headers: { 'x-appwrite-project': server.projectId, 'x-appwrite-key': server.key, 'x-appwrite-response-format': '1.7.0' },
    }).then((res) => res.json());
    assert.deepEqual(legacy.books.map((b) => b.title).sort(), ['LOTR', 'The Hobbit']);
    // Filters through the relationship, from either side.
    const byBook = await dbs.listDocuments({ databaseId, collectionId: authors, queries: [Query.equal('books.title', ['LOTR'])] });
    assert.deepEqual(byBook.documents.map((d) => d.$id), ['tolkien']);
    const byAuthor = await dbs.listDocuments({ databaseId, collectionId: books, queries: [Query.startsWith('author.name', 'Tol'), Query.select(['title', 'author.name'])] });
    assert.equal(byAuthor.total, 2);
    assert.equal(byAuthor.documents[0].author.name, 'Tolkien');
    await expectAppwriteError(assert, () => dbs.createDocument({ databaseId, collectionId: authors, documentId: ID.unique(), data: { books: 'hobbit' } }), 400, 'relationship_value_invalid');

    // cascade: deleting the author deletes the books.
    await dbs.deleteDocument({ databaseId, collectionId: authors, documentId: 'tolkien' });
    await expectAppwriteError(assert, () => dbs.getDocument({ databaseId, collectionId: books, documentId: 'hobbit' }), 404, 'document_not_found');

    // restrict: a parent with children cannot go.
    const up = await dbs.updateRelationshipAttribute({ databaseId, collectionId: authors, key: 'books', onDelete: 'restrict' });
    assert.equal(up.onDelete, 'restrict');
    await dbs.createDocument({ databaseId, collectionId: authors, documentId: 'le_guin', data: { name: 'Le Guin', books: [{ $id: 'earthsea', title: 'Earthsea' }] } });
    await expectAppwriteError(assert, () => dbs.deleteDocument({ databaseId, collectionId: authors, documentId: 'le_guin' }), 403, 'document_delete_restricted');

    // setNull: the children stay without a parent.
    await dbs.updateRelationshipAttribute({ databaseId, collectionId: authors, key: 'books', onDelete: 'setNull' });
    await dbs.deleteDocument({ databaseId, collectionId: authors, documentId: 'le_guin' });
    const orphan = await dbs.getDocument({ databaseId, collectionId: books, documentId: 'earthsea', queries: [Query.select(['*', 'author.*'])] });
    assert.equal(orphan.author, null);

    // The older path of the relationship update still answers.
    const legacyPath = await raw('PATCH', `/databases/${databaseId}/collections/${authors}/attributes/books/relationship`, { onDelete: 'cascade' });
    expectRaw(legacyPath, 200);
    await expectAppwriteError(assert, () => dbs.createRelationshipAttribute({ databaseId, collectionId: authors, relatedCollectionId: 'nope', type: 'oneToOne' }), 404, 'collection_not_found');
});

// Indexes -------------------------------------------------------------------------------------

test('indexes: create (202), get, list, delete, and unique violations', async () => {
    const databaseId = await newDatabase();
    const collectionId = await newCollection(databaseId);
    await dbs.createStringAttribute({ databaseId, collectionId, key: 'sku', size: 20, required: true });
    await dbs.createIntegerAttribute({ databaseId, collectionId, key: 'stock', required: false });
    await attribute(databaseId, collectionId, 'sku');
    await attribute(databaseId, collectionId, 'stock');
    const base = `/databases/${databaseId}/collections/${collectionId}/indexes`;

    const r = await raw('POST', base, { key: 'by_sku', type: 'unique', attributes: ['sku'], orders: ['ASC'] });
    expectRaw(r, 202);
    assert.equal(r.body.key, 'by_sku');
    assert.equal(r.body.type, 'unique');
    assert.deepEqual(r.body.attributes, ['sku']);
    const idx = await index(databaseId, collectionId, 'by_sku');
    assert.equal(idx.status, 'available', idx.error);

    await dbs.createIndex({ databaseId, collectionId, key: 'by_stock', type: 'key', attributes: ['stock', '$createdAt'], orders: ['DESC', 'ASC'] });
    await index(databaseId, collectionId, 'by_stock');
    const list = await dbs.listIndexes({ databaseId, collectionId });
    assert.equal(list.total, 2);
    assert.deepEqual(list.indexes.map((i) => i.key).sort(), ['by_sku', 'by_stock']);
    const one = await dbs.listIndexes({ databaseId, collectionId, queries: [Query.equal('key', ['by_stock'])], total: false });
    assert.deepEqual(one.indexes.map((i) => i.key), ['by_stock']);
    assert.equal(one.total, 0);

    await dbs.createDocument({ databaseId, collectionId, documentId: 'first', data: { sku: 'A-1' } });
    await expectAppwriteError(assert, () => dbs.createDocument({ databaseId, collectionId, documentId: 'second', data: { sku: 'A-1' } }), 409, 'document_unique_constraint_violation');
    await dbs.createDocument({ databaseId, collectionId, documentId: 'third', data: { sku: 'B-1' } });
    await expectAppwriteError(assert, () => dbs.updateDocument({ databaseId, collectionId, documentId: 'third', data: { sku: 'A-1' } }), 409, 'document_unique_constraint_violation');

    await expectAppwriteError(assert, () => dbs.createIndex({ databaseId, collectionId, key: 'by_sku', type: 'key', attributes: ['stock'] }), 409, 'index_already_exists');
    await expectAppwriteError(assert, () => dbs.createIndex({ databaseId, collectionId, key: 'x', type: 'key', attributes: ['missing'] }), 400, 'attribute_unknown');
    expectRaw(await raw('POST', base, { key: 'x', type: 'sideways', attributes: ['sku'] }), 400, 'general_argument_invalid');
    expectRaw(await raw('POST', base, { key: 'x', type: 'key', attributes: ['sku'], orders: ['UP'] }), 400, 'general_argument_invalid');
    expectRaw(await raw('POST', base, { key: 'x', type: 'key' }), 400, 'general_argument_invalid');
    expectRaw(await raw('POST', base, { key: 'x', type: 'key', attributes: ['sku'], lengths: ['ten'] }), 400, 'general_argument_invalid');

    const del = await raw('DELETE', `${base}/by_sku`);
    assert.equal(del.status, 204);
    await expectAppwriteError(assert, () => dbs.getIndex({ databaseId, collectionId, key: 'by_sku' }), 404, 'index_not_found');
    await expectAppwriteError(assert, () => dbs.deleteIndex({ databaseId, collectionId, key: 'by_sku' }), 404, 'index_not_found');
    await expectAppwriteError(assert, () => dbs.listIndexes({ databaseId, collectionId: 'nope' }), 404, 'collection_not_found');
    // Without the unique index the value may repeat.
    await dbs.createDocument({ databaseId, collectionId, documentId: 'fourth', data: { sku: 'A-1' } });
});

// Documents -----------------------------------------------------------------------------------

async function productCollection(opts) {
    const databaseId = await newDatabase();
    const collectionId = await newCollection(databaseId, opts);
    await dbs.createStringAttribute({ databaseId, collectionId, key: 'name', size: 10, required: true });
    await dbs.createIntegerAttribute({ databaseId, collectionId, key: 'qty', required: false, min: 0, max: 100 });
    await dbs.createFloatAttribute({ databaseId, collectionId, key: 'price', required: false });
    await dbs.createEmailAttribute({ databaseId, collectionId, key: 'contact', required: false });
    await dbs.createEnumAttribute({ databaseId, collectionId, key: 'size', elements: ['s', 'm', 'l'], required: false });
    await dbs.createBooleanAttribute({ databaseId, collectionId, key: 'active', required: false });
    await dbs.createDatetimeAttribute({ databaseId, collectionId, key: 'since', required: false });
    await dbs.createUrlAttribute({ databaseId, collectionId, key: 'site', required: false });
    await dbs.createIpAttribute({ databaseId, collectionId, key: 'ip', required: false });
    await dbs.createStringAttribute({ databaseId, collectionId, key: 'tags', size: 10, required: false, array: true });
    for (const key of ['name', 'qty', 'price', 'contact', 'size', 'active', 'since', 'site', 'ip', 'tags']) {
        await attribute(databaseId, collectionId, key);
    }
    return { databaseId, collectionId };
}

test('documents: create (201), get, update, upsert, delete', async () => {
    const { databaseId, collectionId } = await productCollection();
    const base = `/databases/${databaseId}/collections/${collectionId}/documents`;
    const r = await raw('POST', base, {
        documentId: 'pen',
        data: { name: 'Pen', qty: 3, price: 1.5, tags: ['office'] },
        permissions: [Permission.read(Role.any())],
    });
    expectRaw(r, 201);
    const d = r.body;
    assert.equal(d.$id, 'pen');
    assert.equal(typeof d.$sequence, 'string');
    assert.equal(d.$collectionId, collectionId);
    assert.equal(d.$databaseId, databaseId);
    assert.match(d.$createdAt, iso);
    assert.match(d.$updatedAt, iso);
    assert.deepEqual(d.$permissions, ['read("any")']);
    assert.equal(d.name, 'Pen');
    assert.equal(d.qty, 3);
    assert.equal(d.price, 1.5);
    assert.deepEqual(d.tags, ['office']);
    assert.equal(d.contact, null);

    const gen = await dbs.createDocument({ databaseId, collectionId, documentId: ID.unique(), data: { name: 'Cup' } });
    assert.match(gen.$id, /^[0-9a-f]{20}$/);
    const srv = await dbs.createDocument({ databaseId, collectionId, documentId: 'unique()', data: { name: 'Mug' } });
    assert.match(srv.$id, /^[0-9a-f]{20}$/);
    assert.notEqual(srv.$sequence, gen.$sequence);

    const got = await dbs.getDocument({ databaseId, collectionId, documentId: 'pen' });
    assert.equal(got.name, 'Pen');
    const selected = await dbs.getDocument({ databaseId, collectionId, documentId: 'pen', queries: [Query.select(['name'])] });
    assert.equal(selected.name, 'Pen');
    assert.equal('qty' in selected, false);

    const up = await dbs.updateDocument({ databaseId, collectionId, documentId: 'pen', data: { qty: 4 } });
    assert.equal(up.qty, 4);
    assert.equal(up.name, 'Pen');
    const perms = await dbs.updateDocument({ databaseId, collectionId, documentId: 'pen', permissions: [Permission.read(Role.users())] });
    assert.deepEqual(perms.$permissions, ['read("users")']);

    const created = await raw('PUT', `${base}/fresh`, { data: { name: 'Fresh' } });
    expectRaw(created, 200);
    assert.equal(created.body.$id, 'fresh');
    const replaced = await dbs.upsertDocument({ databaseId, collectionId, documentId: 'fresh', data: { name: 'Fresher', qty: 9 } });
    assert.equal(replaced.name, 'Fresher');
    assert.equal(replaced.qty, 9);

    // API keys may set the dates.
    const dated = await dbs.createDocument({ databaseId, collectionId, documentId: 'old', data: { name: 'Old', $createdAt: '2001-01-01T00:00:00.000+00:00' } });
    assert.equal(dated.$createdAt, '2001-01-01T00:00:00.000+00:00');

    const del = await raw('DELETE', `${base}/pen`);
    assert.equal(del.status, 204);
    await expectAppwriteError(assert, () => dbs.getDocument({ databaseId, collectionId, documentId: 'pen' }), 404, 'document_not_found');
    await expectAppwriteError(assert, () => dbs.updateDocument({ databaseId, collectionId, documentId: 'pen', data: { qty: 1 } }), 404, 'document_not_found');
    await expectAppwriteError(assert, () => dbs.deleteDocument({ databaseId, collectionId, documentId: 'pen' }), 404, 'document_not_found');
});

test('documents: invalid data and parameters are refused', async () => {
    const { databaseId, collectionId } = await productCollection();
    const base = `/databases/${databaseId}/collections/${collectionId}/documents`;
    const create = (data, documentId = ID.unique()) => dbs.createDocument({ databaseId, collectionId, documentId, data });
    const structure = (data) => expectAppwriteError(assert, () => create(data), 400, 'document_invalid_structure');
    await structure({ qty: 1 }); // required name missing
    await structure({ name: 'x', unknown: 1 });
    await structure({ name: 'much too long' });
    await structure({ name: 'x', qty: 101 });
    await structure({ name: 'x', qty: 'many' });
    await structure({ name: 'x', price: 'cheap' });
    await structure({ name: 'x', contact: 'nobody' });
    await structure({ name: 'x', size: 'xl' });
    await structure({ name: 'x', active: 'yes' });
    await structure({ name: 'x', since: 'someday' });
    await structure({ name: 'x', site: 'not a url' });
    await structure({ name: 'x', ip: '300.1.1.1' });
    await structure({ name: 'x', tags: 'not-an-array' });

    await create({ name: 'dup' }, 'dup');
    await expectAppwriteError(assert, () => create({ name: 'dup' }, 'dup'), 409, 'document_already_exists');
    await expectAppwriteError(assert, () => create({ name: 'x' }, '_bad'), 400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => dbs.createDocument({ databaseId, collectionId, documentId: 'p', data: { name: 'x' }, permissions: ['read("nobody")'] }), 400, 'general_argument_invalid');
    expectRaw(await raw('POST', base, { documentId: 'e' }), 400, 'document_missing_data');
    expectRaw(await raw('POST', base, { documentId: 'e', data: {} }), 400, 'document_missing_data');
    expectRaw(await raw('POST', base, { data: { name: 'x' } }), 400, 'document_missing_data');
    expectRaw(await raw('POST', base, { documentId: 'e', data: 'not json' }), 400, 'general_argument_invalid');
    expectRaw(await raw('POST', base, { documentId: 'e', data: JSON.stringify({ name: 'asString' }) }), 201);
    expectRaw(await raw('PATCH', `${base}/dup`, {}), 400, 'document_missing_payload');
    expectRaw(await raw('PUT', `${base}/dup`, {}), 400, 'document_missing_payload');
    await expectAppwriteError(assert, () => dbs.createDocument({ databaseId, collectionId: 'nope', documentId: 'x', data: { name: 'x' } }), 404, 'collection_not_found');
    await expectAppwriteError(assert, () => dbs.createDocument({ databaseId: 'nope', collectionId, documentId: 'x', data: { name: 'x' } }), 404, 'database_not_found');
    await expectAppwriteError(assert, () => dbs.listDocuments({ databaseId, collectionId: 'nope' }), 404, 'collection_not_found');
    await expectAppwriteError(assert, () => dbs.getDocument({ databaseId: 'nope', collectionId, documentId: 'dup' }), 404, 'database_not_found');
    await expectAppwriteError(assert, () => dbs.listDocuments({ databaseId, collectionId, ttl: 86401 }), 400, 'general_argument_invalid');
});

test('documents: permissions for a client without a key', async () => {
    const { databaseId, collectionId } = await productCollection({ permissions: [Permission.read(Role.any())], documentSecurity: false });
    await dbs.createDocument({ databaseId, collectionId, documentId: 'open', data: { name: 'Open' } });
    const seen = await guest.getDocument({ databaseId, collectionId, documentId: 'open' });
    assert.equal(seen.name, 'Open');
    const listed = await guest.listDocuments({ databaseId, collectionId });
    assert.equal(listed.total, 1);
    // The collection grants no create: a guest may not write.
    await expectAppwriteError(assert, () => guest.createDocument({ databaseId, collectionId, documentId: 'g', data: { name: 'G' } }), 401, 'user_unauthorized');
    // Bulk writes need a key.
    await expectAppwriteError(assert, () => guest.createDocuments({ databaseId, collectionId, documents: [{ name: 'G' }] }), 401, 'general_unauthorized_scope');

    const secure = await productCollection({ permissions: [Permission.create(Role.any())], documentSecurity: true });
    await dbs.createDocument({ databaseId: secure.databaseId, collectionId: secure.collectionId, documentId: 'mine', data: { name: 'Mine' }, permissions: [Permission.read(Role.guests())] });
    await dbs.createDocument({ databaseId: secure.databaseId, collectionId: secure.collectionId, documentId: 'hidden', data: { name: 'Hidden' }, permissions: [] });
    const visible = await guest.listDocuments({ databaseId: secure.databaseId, collectionId: secure.collectionId });
    assert.equal(visible.total, 1);
    assert.deepEqual(visible.documents.map((d) => d.$id), ['mine']);
    await expectAppwriteError(assert, () => guest.getDocument({ databaseId: secure.databaseId, collectionId: secure.collectionId, documentId: 'hidden' }), 404, 'document_not_found');
    const made = await guest.createDocument({ databaseId: secure.databaseId, collectionId: secure.collectionId, documentId: 'byguest', data: { name: 'Guest' }, permissions: [Permission.read(Role.any())] });
    assert.equal(made.$id, 'byguest');
    // A guest may only grant roles it holds.
    await expectAppwriteError(assert, () => guest.createDocument({ databaseId: secure.databaseId, collectionId: secure.collectionId, documentId: 'grab', data: { name: 'G' }, permissions: [Permission.read(Role.user('someone'))] }), 401, 'user_unauthorized');
});

test('documents: bulk create, upsert, update and delete', async () => {
    const { databaseId, collectionId } = await productCollection();
    const base = `/databases/${databaseId}/collections/${collectionId}/documents`;
    const r = await raw('POST', base, {
        documents: [
            { $id: 'a', name: 'A', qty: 1 },
            { $id: 'b', name: 'B', qty: 2, $permissions: [Permission.read(Role.any())] },
            { name: 'C', qty: 3 },
        ],
    });
    expectRaw(r, 201);
    assert.equal(r.body.total, 3);
    assert.deepEqual(r.body.documents.slice(0, 2).map((d) => d.$id), ['a', 'b']);
    assert.deepEqual(r.body.documents[1].$permissions, ['read("any")']);
    assert.match(r.body.documents[2].$id, /^[0-9a-f]{20}$/);

    // All or nothing: one bad document and none is created.
    await expectAppwriteError(assert, () => dbs.createDocuments({ databaseId, collectionId, documents: [{ $id: 'ok', name: 'OK' }, { $id: 'bad', name: 'B', qty: 'x' }] }), 400, 'document_invalid_structure');
    await expectAppwriteError(assert, () => dbs.getDocument({ databaseId, collectionId, documentId: 'ok' }), 404, 'document_not_found');

    const up = await dbs.upsertDocuments({ databaseId, collectionId, documents: [{ $id: 'a', name: 'A2', qty: 10 }, { $id: 'd', name: 'D', qty: 4 }] });
    assert.equal(up.total, 2);
    assert.equal((await dbs.getDocument({ databaseId, collectionId, documentId: 'a' })).name, 'A2');
    assert.equal((await dbs.getDocument({ databaseId, collectionId, documentId: 'd' })).qty, 4);

    const changed = await dbs.updateDocuments({ databaseId, collectionId, data: { price: 9.5 }, queries: [Query.lessThan('qty', 4)] });
    assert.equal(changed.total, 2); // b (2) and the generated C (3)
    assert.ok(changed.documents.every((d) => d.price === 9.5));
    const everything = await dbs.updateDocuments({ databaseId, collectionId, data: { active: true } });
    assert.equal(everything.total, 4);

    const gone = await dbs.deleteDocuments({ databaseId, collectionId, queries: [Query.greaterThanEqual('qty', 4)] });
    assert.equal(gone.total, 2); // a (10) and d (4)
    assert.deepEqual(gone.documents.map((d) => d.$id).sort(), ['a', 'd']);
    const left = await dbs.listDocuments({ databaseId, collectionId });
    assert.equal(left.total, 2);
    const rest = await dbs.deleteDocuments({ databaseId, collectionId });
    assert.equal(rest.total, 2);
    assert.equal((await dbs.listDocuments({ databaseId, collectionId })).total, 0);

    expectRaw(await raw('POST', base, { data: { name: 'x' }, documents: [{ name: 'y' }] }), 400, 'general_bad_request');
    expectRaw(await raw('POST', base, { documentId: 'x', documents: [{ name: 'y' }] }), 400, 'general_bad_request');
    expectRaw(await raw('POST', base, { permissions: ['read("any")'], documents: [{ name: 'y' }] }), 400, 'general_bad_request');
    expectRaw(await raw('POST', base, { documents: [{ name: 'y', $permissions: ['read("nobody")'] }] }), 400, 'general_bad_request');
    expectRaw(await raw('POST', base, { documents: ['not an object'] }), 400, 'general_argument_invalid');
    expectRaw(await raw('POST', base, { documents: Array.from({ length: 101 }, () => ({ name: 'n' })) }), 400, 'general_argument_invalid');
    expectRaw(await raw('PUT', base, {}), 400, 'general_argument_invalid');
    expectRaw(await raw('PATCH', base, { data: {} }), 400, 'document_missing_payload');
    await expectAppwriteError(assert, () => dbs.deleteDocuments({ databaseId, collectionId: 'nope' }), 404, 'collection_not_found');
});

test('documents: a bulk write with one bad item writes nothing', async () => {
    const { databaseId, collectionId } = await productCollection();
    await dbs.createDocuments({ databaseId, collectionId, documents: [{ $id: 'a', name: 'A', qty: 1 }, { $id: 'b', name: 'B', qty: 2 }] });
    const names = async () => (await dbs.listDocuments({ databaseId, collectionId, queries: [Query.orderAsc('$id')] })).documents.map((d) => `${d.$id}:${d.name}:${d.qty}`);
    const before = await names();

    // Create: the third item takes an ID already there, so the first two are not created either.
    await expectAppwriteError(assert, () => dbs.createDocuments({ databaseId, collectionId, documents: [{ $id: 'c', name: 'C' }, { $id: 'd', name: 'D' }, { $id: 'a', name: 'A again' }] }), 409, 'document_already_exists');
    assert.deepEqual(await names(), before);

    // Upsert: the last item breaks the qty range; the update of a and the new e are undone.
    await expectAppwriteError(assert, () => dbs.upsertDocuments({ databaseId, collectionId, documents: [{ $id: 'a', name: 'A2', qty: 5 }, { $id: 'e', name: 'E' }, { $id: 'b', name: 'B', qty: 500 }] }), 400, 'document_invalid_structure');
    assert.deepEqual(await names(), before);

    // Update: every document gets the same name, which the second one cannot take under a unique
    // index; the first keeps its own name too.
    await dbs.createIndex({ databaseId, collectionId, key: 'uniq_name', type: 'unique', attributes: ['name'] });
    await index(databaseId, collectionId, 'uniq_name');
    await expectAppwriteError(assert, () => dbs.updateDocuments({ databaseId, collectionId, data: { name: 'Same' } }), 409, 'document_unique_constraint_violation');
    assert.deepEqual(await names(), before);
    await expectAppwriteError(assert, () => dbs.updateDocuments({ databaseId, collectionId, data: { qty: 'many' } }), 400, 'document_invalid_structure');
    assert.deepEqual(await names(), before);

    // Delete: a query the collection cannot answer deletes nothing; a good one deletes all at once.
    await expectAppwriteError(assert, () => dbs.deleteDocuments({ databaseId, collectionId, queries: [Query.equal('missing', ['x'])] }), 400, 'general_query_invalid');
    assert.deepEqual(await names(), before);
    const gone = await dbs.deleteDocuments({ databaseId, collectionId, queries: [Query.lessThan('qty', 10)] });
    assert.deepEqual(gone.documents.map((d) => d.$id).sort(), ['a', 'b']);
    assert.deepEqual(await names(), []);
});

test('documents: increment and decrement with bounds', async () => {
    const { databaseId, collectionId } = await productCollection();
    await dbs.createDocument({ databaseId, collectionId, documentId: 'c', data: { name: 'Counter', qty: 5, price: 1 } });
    const base = `/databases/${databaseId}/collections/${collectionId}/documents/c`;

    let d = await dbs.incrementDocumentAttribute({ databaseId, collectionId, documentId: 'c', attribute: 'qty' });
    assert.equal(d.qty, 6);
    d = await dbs.incrementDocumentAttribute({ databaseId, collectionId, documentId: 'c', attribute: 'qty', value: 2, max: 8 });
    assert.equal(d.qty, 8);
    await expectAppwriteError(assert, () => dbs.incrementDocumentAttribute({ databaseId, collectionId, documentId: 'c', attribute: 'qty', value: 1, max: 8 }), 400, 'attribute_limit_exceeded');
    d = await dbs.decrementDocumentAttribute({ databaseId, collectionId, documentId: 'c', attribute: 'qty', value: 3 });
    assert.equal(d.qty, 5);
    await expectAppwriteError(assert, () => dbs.decrementDocumentAttribute({ databaseId, collectionId, documentId: 'c', attribute: 'qty', value: 5, min: 1 }), 400, 'attribute_limit_exceeded');
    d = await dbs.incrementDocumentAttribute({ databaseId, collectionId, documentId: 'c', attribute: 'price', value: 0.25 });
    assert.equal(d.price, 1.25);

    expectRaw(await raw('PATCH', `${base}/qty/increment`, { value: 0 }), 400, 'general_argument_invalid');
    expectRaw(await raw('PATCH', `${base}/qty/decrement`, { value: -1 }), 400, 'general_argument_invalid');
    expectRaw(await raw('PATCH', `${base}/qty/increment`, { value: 'lots' }), 400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => dbs.incrementDocumentAttribute({ databaseId, collectionId, documentId: 'c', attribute: 'name' }), 400, 'attribute_type_invalid');
    await expectAppwriteError(assert, () => dbs.incrementDocumentAttribute({ databaseId, collectionId, documentId: 'c', attribute: 'missing' }), 404, 'attribute_not_found');
    // As in Appwrite, whose database reports a missing document and a missing attribute alike.
    await expectAppwriteError(assert, () => dbs.incrementDocumentAttribute({ databaseId, collectionId, documentId: 'nope', attribute: 'qty' }), 404, 'attribute_not_found');
    await expectAppwriteError(assert, () => dbs.decrementDocumentAttribute({ databaseId, collectionId: 'nope', documentId: 'c', attribute: 'qty' }), 404, 'collection_not_found');
});

// Queries -------------------------------------------------------------------------------------

test('queries: every Query helper on documents', async () => {
    const { databaseId, collectionId } = await productCollection();
    await dbs.createStringAttribute({ databaseId, collectionId, key: 'note', size: 100, required: false });
    await attribute(databaseId, collectionId, 'note');
    await dbs.createIndex({ databaseId, collectionId, key: 'ft_note', type: 'fulltext', attributes: ['note'] });
    await index(databaseId, collectionId, 'ft_note');
    const rows = [
        { $id: 'd1', name: 'apple', qty: 1, price: 0.5, size: 's', active: true, tags: ['red', 'fruit'], note: 'crisp red apple', since: '2020-01-01T00:00:00.000+00:00' },
        { $id: 'd2', name: 'banana', qty: 2, price: 0.25, size: 'm', active: false, tags: ['yellow', 'fruit'], note: 'soft yellow banana', since: '2021-01-01T00:00:00.000+00:00' },
        { $id: 'd3', name: 'cherry', qty: 3, price: 2, size: 'l', active: true, tags: ['red'], note: 'small red cherry' },
        { $id: 'd4', name: 'date', qty: 4, size: 's', tags: [], note: 'plain date' },
        { $id: 'd5', name: 'elder', qty: 5, price: 3.5, active: false, tags: ['blue'], note: 'elderberry' },
    ];
    for (const { $id, ...data } of rows) {
        await dbs.createDocument({ databaseId, collectionId, documentId: $id, data });
        await new Promise((r) => setTimeout(r, 5)); // distinct $createdAt for the date queries
    }
    const ids = async (...queries) => (await dbs.listDocuments({ databaseId, collectionId, queries })).documents.map((d) => d.$id);

    assert.deepEqual(await ids(Query.equal('name', ['apple', 'cherry'])), ['d1', 'd3']);
    assert.deepEqual(await ids(Query.equal('active', true)), ['d1', 'd3']);
    assert.deepEqual(await ids(Query.notEqual('name', 'apple')), ['d2', 'd3', 'd4', 'd5']);
    assert.deepEqual(await ids(Query.lessThan('qty', 3)), ['d1', 'd2']);
    assert.deepEqual(await ids(Query.lessThanEqual('qty', 3)), ['d1', 'd2', 'd3']);
    assert.deepEqual(await ids(Query.greaterThan('price', 1)), ['d3', 'd5']);
    assert.deepEqual(await ids(Query.greaterThanEqual('qty', 4)), ['d4', 'd5']);
    assert.deepEqual(await ids(Query.between('qty', 2, 4)), ['d2', 'd3', 'd4']);
    assert.deepEqual(await ids(Query.notBetween('qty', 2, 4)), ['d1', 'd5']);
    assert.deepEqual(await ids(Query.startsWith('name', 'ch')), ['d3']);
    assert.deepEqual(await ids(Query.notStartsWith('name', 'ch')), ['d1', 'd2', 'd4', 'd5']);
    assert.deepEqual(await ids(Query.endsWith('name', 'na')), ['d2']);
    assert.deepEqual(await ids(Query.notEndsWith('name', 'e')), ['d2', 'd3', 'd5']);
    assert.deepEqual(await ids(Query.contains('tags', ['red'])), ['d1', 'd3']);
    assert.deepEqual(await ids(Query.contains('name', ['an'])), ['d2']);
    assert.deepEqual(await ids(Query.containsAny('tags', ['yellow', 'red'])), ['d1', 'd2', 'd3']);
    assert.deepEqual(await ids(Query.containsAll('tags', ['red', 'fruit'])), ['d1']);
    assert.deepEqual(await ids(Query.notContains('tags', ['red'])), ['d2', 'd4', 'd5']);
    assert.deepEqual(await ids(Query.isNull('price')), ['d4']);
    assert.deepEqual(await ids(Query.isNotNull('since')), ['d1', 'd2']);
    assert.deepEqual(await ids(Query.regex('name', '^[a-c]')), ['d1', 'd2', 'd3']);
    assert.deepEqual(await ids(Query.search('note', 'red')), ['d1', 'd3']);
    assert.deepEqual(await ids(Query.notSearch('note', 'red')), ['d2', 'd4', 'd5']);
    assert.deepEqual(await ids(Query.and([Query.equal('active', true), Query.greaterThan('qty', 1)])), ['d3']);
    assert.deepEqual(await ids(Query.or([Query.equal('name', 'apple'), Query.equal('qty', 5)])), ['d1', 'd5']);
    assert.deepEqual(await ids(Query.orderDesc('qty'), Query.limit(2)), ['d5', 'd4']);
    assert.deepEqual(await ids(Query.orderAsc('name'), Query.offset(3)), ['d4', 'd5']);
    assert.equal((await ids(Query.orderRandom())).length, 5);
    const created = (await dbs.getDocument({ databaseId, collectionId, documentId: 'd3' })).$createdAt;
    assert.deepEqual(await ids(Query.createdBefore(created)), ['d1', 'd2']);
    assert.deepEqual(await ids(Query.createdAfter(created)), ['d4', 'd5']);
    assert.ok((await ids(Query.createdBetween('2000-01-01T00:00:00.000+00:00', created))).includes('d3'));
    assert.deepEqual(await ids(Query.updatedAfter('2999-01-01T00:00:00.000+00:00')), []);
    assert.equal((await ids(Query.updatedBefore('2999-01-01T00:00:00.000+00:00'))).length, 5);
    assert.equal((await ids(Query.updatedBetween('2000-01-01T00:00:00.000+00:00', '2999-01-01T00:00:00.000+00:00'))).length, 5);

    const sel = await dbs.listDocuments({ databaseId, collectionId, queries: [Query.select(['name']), Query.equal('$id', 'd1')] });
    assert.equal(sel.documents[0].name, 'apple');
    assert.equal('qty' in sel.documents[0], false);

    // Cursors in both directions and both orders.
    assert.deepEqual(await ids(Query.cursorAfter('d2'), Query.limit(2)), ['d3', 'd4']);
    assert.deepEqual(await ids(Query.cursorBefore('d4'), Query.limit(2)), ['d2', 'd3']);
    assert.deepEqual(await ids(Query.orderDesc('qty'), Query.cursorAfter('d4'), Query.limit(2)), ['d3', 'd2']);
    assert.deepEqual(await ids(Query.orderDesc('qty'), Query.cursorBefore('d2'), Query.limit(2)), ['d4', 'd3']);
    await expectAppwriteError(assert, () => ids(Query.cursorAfter('nope')), 400, 'general_cursor_not_found');

    const counted = await dbs.listDocuments({ databaseId, collectionId, queries: [Query.limit(1)] });
    assert.equal(counted.total, 5);
    assert.equal(counted.documents.length, 1);
    const uncounted = await dbs.listDocuments({ databaseId, collectionId, queries: [Query.limit(1)], total: false });
    assert.equal(uncounted.total, 0);
    assert.equal(uncounted.documents.length, 1);

    await expectAppwriteError(assert, () => ids(Query.equal('missing', 'x')), 400, 'general_query_invalid');
    await expectAppwriteError(assert, () => ids(Query.greaterThan('name', [1, 2])), 400, 'general_query_invalid');
    await expectAppwriteError(assert, () => ids('{"method":"fly","attribute":"name","values":[]}'), 400, 'general_query_invalid');
    await expectAppwriteError(assert, () => ids('equal("name", ["apple"])'), 400, 'general_query_invalid');
    await expectAppwriteError(assert, () => ids(Query.limit(-1)), 400, 'general_query_invalid');
    await expectAppwriteError(assert, () => ids(Query.search('name', 'apple')), 400, 'general_query_invalid'); // no fulltext index
});

test('spatial attributes: values, validation and the spatial Query helpers', async () => {
    const databaseId = await newDatabase();
    const collectionId = await newCollection(databaseId);
    const base = `/databases/${databaseId}/collections/${collectionId}/attributes`;
    expectRaw(await raw('POST', `${base}/point`, { key: 'bad', required: false, default: 5 }), 400, 'general_argument_invalid');
    expectRaw(await raw('POST', `${base}/point`, { key: 'bad', required: false, default: 'here' }), 400, 'general_argument_invalid');
    await dbs.createStringAttribute({ databaseId, collectionId, key: 'name', size: 10, required: false });
    await dbs.createPointAttribute({ databaseId, collectionId, key: 'at', required: false });
    await dbs.createLineAttribute({ databaseId, collectionId, key: 'path', required: false });
    await dbs.createPolygonAttribute({ databaseId, collectionId, key: 'zone', required: false });
    for (const key of ['name', 'at', 'path', 'zone']) {
        const a = await attribute(databaseId, collectionId, key);
        assert.equal(a.status, 'available', a.error);
    }
    assert.equal((await dbs.getAttribute({ databaseId, collectionId, key: 'path' })).type, 'linestring');
    const moved = await dbs.updatePointAttribute({ databaseId, collectionId, key: 'at', required: false, xdefault: [1, 2] });
    assert.deepEqual(moved.default, [1, 2]);
    const line = await dbs.updateLineAttribute({ databaseId, collectionId, key: 'path', required: false, xdefault: [[1, 2], [3, 4]] });
    assert.deepEqual(line.default, [[1, 2], [3, 4]]);
    const poly = await dbs.updatePolygonAttribute({ databaseId, collectionId, key: 'zone', required: false, xdefault: [[[0, 0], [0, 2], [2, 2], [0, 0]]] });
    assert.deepEqual(poly.default, [[[0, 0], [0, 2], [2, 2], [0, 0]]]);
    await dbs.updatePointAttribute({ databaseId, collectionId, key: 'at', required: false, xdefault: null });
    for (const [id, at] of [['near', [0, 0]], ['mid', [0, 2]], ['far', [50, 50]]]) {
        await dbs.createDocument({ databaseId, collectionId, documentId: id, data: { name: id, at } });
    }
    const shapes = await dbs.createDocument({
        databaseId, collectionId, documentId: 'shapes',
        data: { path: [[0, 0], [1, 1]], zone: [[[0, 0], [0, 1], [1, 1], [0, 0]]] },
    });
    assert.deepEqual(shapes.path, [[0, 0], [1, 1]]);
    assert.deepEqual(shapes.zone, [[[0, 0], [0, 1], [1, 1], [0, 0]]]);
    await expectAppwriteError(assert, () => dbs.createDocument({ databaseId, collectionId, documentId: 'x', data: { at: [1] } }), 400, 'document_invalid_structure');
    await expectAppwriteError(assert, () => dbs.createDocument({ databaseId, collectionId, documentId: 'x', data: { zone: [[[0, 0], [0, 1], [1, 1]]] } }), 400, 'document_invalid_structure');

    const ids = async (...queries) => (await dbs.listDocuments({ databaseId, collectionId, queries: [Query.isNotNull('at'), ...queries] })).documents.map((d) => d.$id).sort();
    // Distances in meters: [0, 2] is about 222 km from [0, 0].
    assert.deepEqual(await ids(Query.distanceLessThan('at', [0, 0], 300000)), ['mid', 'near']);
    assert.deepEqual(await ids(Query.distanceGreaterThan('at', [0, 0], 300000)), ['far']);
    assert.deepEqual(await ids(Query.distanceEqual('at', [0, 0], 0)), ['near']);
    assert.deepEqual(await ids(Query.distanceNotEqual('at', [0, 0], 0)), ['far', 'mid']);
    assert.deepEqual(await ids(Query.intersects('at', [0, 0])), ['near']);
    assert.deepEqual(await ids(Query.notIntersects('at', [0, 0])), ['far', 'mid']);
});

test('spatial attributes: every predicate, WKT values, spatial indexes and their rules', async () => {
    const databaseId = await newDatabase();
    const collectionId = await newCollection(databaseId);
    await dbs.createPointAttribute({ databaseId, collectionId, key: 'at', required: true });
    await dbs.createLineAttribute({ databaseId, collectionId, key: 'path', required: false });
    await dbs.createPolygonAttribute({ databaseId, collectionId, key: 'zone', required: false });
    for (const key of ['at', 'path', 'zone']) assert.equal((await attribute(databaseId, collectionId, key)).status, 'available');
    // As on MariaDB: a spatial index takes one required geometry, and a geometry no other index.
    await expectAppwriteError(assert, () => dbs.createIndex({ databaseId, collectionId, key: 'z', type: 'spatial', attributes: ['zone'] }), 400, 'index_invalid');
    await expectAppwriteError(assert, () => dbs.createIndex({ databaseId, collectionId, key: 'k', type: 'key', attributes: ['at'] }), 400, 'index_invalid');
    await dbs.createIndex({ databaseId, collectionId, key: 'at_sp', type: 'spatial', attributes: ['at'] });
    assert.equal((await index(databaseId, collectionId, 'at_sp')).status, 'available');
    await expectAppwriteError(assert, () => dbs.updatePointAttribute({ databaseId, collectionId, key: 'at', required: false, xdefault: null }), 400, 'index_invalid');

    await dbs.createDocument({ databaseId, collectionId, documentId: 'diag', data: { at: [0, 0], path: [[0, 0], [2, 2]], zone: [[[0, 0], [0, 2], [2, 2], [2, 0], [0, 0]]] } });
    const flat = await dbs.createDocument({ databaseId, collectionId, documentId: 'flat', data: { at: 'POINT(10 10)', path: 'LINESTRING(0 5, 3 5)', zone: [[10, 10], [10, 11], [11, 11], [10, 10]] } });
    // WKT text and a polygon given as its one ring come back as Appwrite reads them back: arrays of rings.
    assert.deepEqual(flat.at, [10, 10]);
    assert.deepEqual((await dbs.getDocument({ databaseId, collectionId, documentId: 'flat' })).path, [[0, 5], [3, 5]]);
    assert.deepEqual(flat.zone, [[[10, 10], [10, 11], [11, 11], [10, 10]]]);
    const open = await expectAppwriteError(assert, () => dbs.createDocument({ databaseId, collectionId, documentId: 'x', data: { at: [0, 0], zone: [[[0, 0], [0, 1], [1, 1], [1, 0]]] } }), 400, 'document_invalid_structure');
    assert.match(open.message, /Attribute "zone" has invalid type\. Value must be a valid polygon: Ring #0 must be closed/);
    const range = await expectAppwriteError(assert, () => dbs.createDocument({ databaseId, collectionId, documentId: 'x', data: { at: [200, 0] } }), 400, 'document_invalid_structure');
    assert.match(range.message, /Longitude \(x\) must be between -180 and 180, got 200/);
    await expectAppwriteError(assert, () => dbs.createDocument({ databaseId, collectionId, documentId: 'x', data: { path: [[0, 0], [1, 1]] } }), 400, 'document_invalid_structure');
    // A required geometry cannot join a collection that holds documents: they would have none.
    await expectAppwriteError(assert, () => dbs.createPointAttribute({ databaseId, collectionId, key: 'more', required: true }), 400, 'document_invalid_structure');

    const ids = async (...queries) => (await dbs.listDocuments({ databaseId, collectionId, queries })).documents.map((d) => d.$id).sort();
    assert.deepEqual(await ids(Query.crosses('path', [[0, 2], [2, 0]])), ['diag']);
    assert.deepEqual(await ids(Query.notCrosses('path', [[0, 2], [2, 0]])), ['flat']);
    assert.deepEqual(await ids(Query.overlaps('zone', [[[1, 1], [1, 3], [3, 3], [3, 1], [1, 1]]])), ['diag']);
    assert.deepEqual(await ids(Query.notOverlaps('zone', [[[1, 1], [1, 3], [3, 3], [3, 1], [1, 1]]])), ['flat']);
    assert.deepEqual(await ids(Query.touches('zone', [2, 1])), ['diag']);
    assert.deepEqual(await ids(Query.notTouches('zone', [2, 1])), ['flat']);
    assert.deepEqual(await ids(Query.intersects('zone', [[1, 1], [5, 5]])), ['diag']);
    assert.deepEqual(await ids(Query.intersects('at', [[[9, 9], [9, 12], [12, 12], [12, 9], [9, 9]]])), ['flat']);
    // equal and contains on a geometry compare geometries, as utopia's MariaDB adapter does.
    assert.deepEqual(await ids(Query.equal('at', [[10, 10]])), ['flat']);
    assert.deepEqual(await ids(Query.notEqual('at', [[10, 10]])), ['diag']);
    assert.deepEqual(await ids(Query.contains('zone', [[1, 1]])), ['diag']);
    assert.deepEqual(await ids(Query.notContains('zone', [[1, 1]])), ['flat']);
    // Without meters the distance is in coordinate units; meters are for two points only.
    assert.deepEqual(await ids(Query.distanceLessThan('at', [1, 1], 1.5, false)), ['diag']);
    assert.deepEqual(await ids(Query.distanceLessThan('path', [1, 0], 1, false)), ['diag']);
    assert.deepEqual(await ids(Query.distanceGreaterThan('at', [0, 0], 1000000)), ['flat']);
    await expectAppwriteError(assert, () => ids(Query.distanceLessThan('zone', [0, 0], 10)), 400, 'general_query_invalid');
    await expectAppwriteError(assert, () => ids(Query.lessThan('at', [[1, 1]])), 400, 'general_query_invalid');
    await expectAppwriteError(assert, () => ids(Query.intersects('at', [1, 2, 3])), 400, 'general_query_invalid');
    // Renamed, the geometry keeps its index; deleted, takes it along.
    await dbs.updatePointAttribute({ databaseId, collectionId, key: 'at', required: true, xdefault: null, newKey: 'where' });
    assert.deepEqual((await dbs.getIndex({ databaseId, collectionId, key: 'at_sp' })).attributes, ['where']);
    assert.deepEqual(await ids(Query.distanceLessThan('where', [10, 10], 1)), ['flat']);
    await dbs.deleteAttribute({ databaseId, collectionId, key: 'where' });
    await expectAppwriteError(assert, () => dbs.getIndex({ databaseId, collectionId, key: 'at_sp' }), 404, 'index_not_found');
});

// Missing things, transactions ----------------------------------------------------------------

test('every route answers 404 with its type for a missing database, collection, document', async () => {
    const databaseId = await newDatabase();
    const collectionId = await newCollection(databaseId);
    await dbs.createIntegerAttribute({ databaseId, collectionId, key: 'n', required: false });
    await attribute(databaseId, collectionId, 'n');
    await dbs.createDocument({ databaseId, collectionId, documentId: 'doc', data: { n: 1 } });
    const routes = [
        ['GET', '/collections'], ['POST', '/collections', { collectionId: 'x', name: 'x' }],
        ['GET', '/collections/C'], ['PUT', '/collections/C', { name: 'x' }], ['DELETE', '/collections/C'],
        ['GET', '/collections/C/attributes'], ['GET', '/collections/C/attributes/n'], ['DELETE', '/collections/C/attributes/n'],
        ['POST', '/collections/C/attributes/string', { key: 'k', size: 5, required: false }],
        ['PATCH', '/collections/C/attributes/integer/n', { required: false, default: null }],
        ['GET', '/collections/C/indexes'], ['POST', '/collections/C/indexes', { key: 'i', type: 'key', attributes: ['n'] }],
        ['GET', '/collections/C/indexes/i'], ['DELETE', '/collections/C/indexes/i'],
        ['GET', '/collections/C/documents'], ['POST', '/collections/C/documents', { documentId: 'x', data: { n: 1 } }],
        ['PUT', '/collections/C/documents', { documents: [{ n: 1 }] }], ['PATCH', '/collections/C/documents', { data: { n: 2 } }],
        ['DELETE', '/collections/C/documents', {}],
        ['GET', '/collections/C/documents/doc'], ['PUT', '/collections/C/documents/doc', { data: { n: 2 } }],
        ['PATCH', '/collections/C/documents/doc', { data: { n: 2 } }], ['DELETE', '/collections/C/documents/doc'],
        ['PATCH', '/collections/C/documents/doc/n/increment', {}], ['PATCH', '/collections/C/documents/doc/n/decrement', {}],
    ];
    for (const [method, path, body] of routes) {
        const noDb = await raw(method, `/databases/nodb${path.replace('C', collectionId)}`, body);
        expectRaw(noDb, 404, 'database_not_found');
        if (path.includes('/C')) {
            const noCol = await raw(method, `/databases/${databaseId}${path.replace('C', 'nocol')}`, body);
            expectRaw(noCol, 404, 'collection_not_found');
        }
    }
    for (const [method, body] of [['GET'], ['PATCH', { data: { n: 3 } }], ['DELETE']]) {
        const r = await raw(method, `/databases/${databaseId}/collections/${collectionId}/documents/nodoc`, body);
        expectRaw(r, 404, 'document_not_found');
    }
    for (const [method, path] of [['GET', '/attributes/none'], ['DELETE', '/attributes/none'], ['GET', '/indexes/none'], ['DELETE', '/indexes/none']]) {
        const r = await raw(method, `/databases/${databaseId}/collections/${collectionId}${path}`);
        expectRaw(r, 404, path.startsWith('/attributes') ? 'attribute_not_found' : 'index_not_found');
    }
});

// transactions.test.mjs has the rest; here the routes' 404s and the parameter's rule.
test('transactions: missing transactions, and transactionId on the document routes', async () => {
    await expectAppwriteError(assert, () => dbs.getTransaction({ transactionId: 't' }), 404, 'transaction_not_found');
    await expectAppwriteError(assert, () => dbs.updateTransaction({ transactionId: 't', commit: true }), 404, 'transaction_not_found');
    await expectAppwriteError(assert, () => dbs.deleteTransaction({ transactionId: 't' }), 404, 'transaction_not_found');
    await expectAppwriteError(assert, () => dbs.createOperations({ transactionId: 't', operations: [] }), 400, 'general_bad_request');
    const { databaseId, collectionId } = await productCollection();
    const r = await raw('POST', `/databases/${databaseId}/collections/${collectionId}/documents`, { documentId: 'd', data: { name: 'x' }, transactionId: 't1' });
    expectRaw(r, 404, 'transaction_not_found');
    expectRaw(await raw('POST', '/databases/x/collections/y/documents', { documentId: 'd', data: { a: 1 }, transactionId: '_bad' }), 400, 'general_argument_invalid');
    const t = await dbs.createTransaction({});
    assert.equal(t.status, 'pending');
    assert.equal((await dbs.listTransactions({})).total >= 1, true);
});
