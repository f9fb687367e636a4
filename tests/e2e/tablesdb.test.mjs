// The TablesDB service (/v1/tablesdb: tables, columns, indexes, rows) through node-appwrite's
// TablesDB class: every route, what it answers and how it fails, with the tables family's names
// and error types. Raw fetch where the status code matters or the SDK would refuse to send.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, serverClient, expectAppwriteError } from './lib/server.mjs';

let server;
let sdk;
let tdb; // TablesDB with the API key
let legacy; // Databases, for what the two families share
let guest; // TablesDB without a key
let Query;
let ID;
let Permission;
let Role;

before(async () => {
    server = await startServer();
    let client;
    ({ sdk, client } = await serverClient(server));
    ({ Query, ID, Permission, Role } = sdk);
    tdb = new sdk.TablesDB(client);
    legacy = new sdk.Databases(client);
    guest = new sdk.TablesDB((await serverClient(server, { key: null })).client);
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

/** Columns and indexes are made in the background in Appwrite: wait until they are usable. */
async function settle(get) {
    for (let i = 0; i < 100; i++) {
        const a = await get();
        if (a.status !== 'processing') return a;
        await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('still processing');
}
const column = (databaseId, tableId, key) => settle(() => tdb.getColumn({ databaseId, tableId, key }));
const index = (databaseId, tableId, key) => settle(() => tdb.getIndex({ databaseId, tableId, key }));

async function newDatabase() {
    const databaseId = uid('tdb');
    await tdb.create({ databaseId, name: databaseId });
    return databaseId;
}

async function newTable(databaseId, opts = {}) {
    const tableId = uid('tbl');
    await tdb.createTable({
        databaseId,
        tableId,
        name: tableId,
        permissions: opts.permissions ?? [],
        rowSecurity: opts.rowSecurity ?? false,
    });
    return tableId;
}

// Databases -----------------------------------------------------------------------------------

test('databases: create (201), get, list, update, delete', async () => {
    const r = await raw('POST', '/tablesdb', { databaseId: 'crm', name: 'CRM' });
    expectRaw(r, 201);
    assert.equal(r.body.$id, 'crm');
    assert.equal(r.body.name, 'CRM');
    assert.equal(r.body.enabled, true);
    assert.equal(r.body.type, 'tablesdb');
    assert.match(r.body.$createdAt, iso);

    const u = await tdb.create({ databaseId: ID.unique(), name: 'Other store' });
    assert.match(u.$id, /^[0-9a-f]{20}$/);
    await expectAppwriteError(assert, () => tdb.create({ databaseId: 'crm', name: 'Again' }), 409, 'database_already_exists');
    await expectAppwriteError(assert, () => tdb.create({ databaseId: '_x', name: 'x' }), 400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => tdb.create({ databaseId: 'x', name: 'n'.repeat(129) }), 400, 'general_argument_invalid');

    assert.equal((await tdb.get({ databaseId: 'crm' })).name, 'CRM');
    const list = await tdb.list({ queries: [Query.equal('$id', ['crm', u.$id]), Query.orderAsc('name')] });
    assert.equal(list.total, 2);
    assert.deepEqual(list.databases.map((d) => d.$id), ['crm', u.$id]);
    assert.deepEqual((await tdb.list({ search: 'Other' })).databases.map((d) => d.$id), [u.$id]);
    const noTotal = await tdb.list({ queries: [Query.limit(1)], total: false });
    assert.equal(noTotal.total, 0);
    assert.equal(noTotal.databases.length, 1);
    await expectAppwriteError(assert, () => tdb.list({ queries: [Query.equal('nope', 'x')] }), 400, 'general_query_invalid');

    const up = await tdb.update({ databaseId: 'crm', name: 'Customers', enabled: false });
    assert.equal(up.name, 'Customers');
    assert.equal(up.enabled, false);
    const del = await raw('DELETE', '/tablesdb/crm');
    assert.equal(del.status, 204);
    await expectAppwriteError(assert, () => tdb.get({ databaseId: 'crm' }), 404, 'database_not_found');
    await expectAppwriteError(assert, () => tdb.update({ databaseId: 'crm', name: 'x' }), 404, 'database_not_found');
    await expectAppwriteError(assert, () => tdb.delete({ databaseId: 'crm' }), 404, 'database_not_found');
    await expectAppwriteError(assert, () => guest.list(), 401, 'general_unauthorized_scope');
});

test('the two families share databases: a table is a collection, a row a document', async () => {
    const databaseId = await newDatabase();
    const viaLegacy = await legacy.get({ databaseId });
    assert.equal(viaLegacy.type, 'tablesdb');
    const tableId = await newTable(databaseId);
    const asCollection = await legacy.getCollection({ databaseId, collectionId: tableId });
    assert.equal(asCollection.$id, tableId);
    assert.equal('documentSecurity' in asCollection, true);
    const asTable = await tdb.getTable({ databaseId, tableId });
    assert.equal('rowSecurity' in asTable, true);
    assert.deepEqual(asTable.columns, []);

    const legacyDb = uid('legacy');
    await legacy.create({ databaseId: legacyDb, name: 'Legacy' });
    assert.equal((await tdb.get({ databaseId: legacyDb })).type, 'legacy');
});

// Tables --------------------------------------------------------------------------------------

test('tables: create, get, list, update, delete and their errors', async () => {
    const databaseId = await newDatabase();
    const r = await raw('POST', `/tablesdb/${databaseId}/tables`, {
        tableId: 'people',
        name: 'People',
        permissions: [Permission.read(Role.any()), Permission.write(Role.users())],
        rowSecurity: true,
    });
    expectRaw(r, 201);
    const t = r.body;
    assert.equal(t.$id, 'people');
    assert.equal(t.databaseId, databaseId);
    assert.equal(t.rowSecurity, true);
    assert.equal(t.enabled, true);
    assert.deepEqual(t.columns, []);
    assert.deepEqual(t.indexes, []);
    for (const p of ['read("any")', 'create("users")', 'update("users")', 'delete("users")']) {
        assert.ok(t.$permissions.includes(p), `${p} in ${t.$permissions}`);
    }

    await tdb.createTable({ databaseId, tableId: 'places', name: 'Places' });
    const list = await tdb.listTables({ databaseId });
    assert.equal(list.total, 2);
    assert.deepEqual(list.tables.map((x) => x.$id).sort(), ['people', 'places']);
    assert.deepEqual((await tdb.listTables({ databaseId, search: 'Plac' })).tables.map((x) => x.$id), ['places']);
    assert.deepEqual((await tdb.listTables({ databaseId, queries: [Query.equal('name', 'People')] })).tables.map((x) => x.$id), ['people']);
    assert.equal((await tdb.listTables({ databaseId, total: false })).total, 0);

    const up = await tdb.updateTable({ databaseId, tableId: 'people', name: 'Persons', rowSecurity: false, enabled: false, permissions: [] });
    assert.equal(up.name, 'Persons');
    assert.equal(up.rowSecurity, false);
    assert.equal(up.enabled, false);

    await expectAppwriteError(assert, () => tdb.createTable({ databaseId, tableId: 'people', name: 'dup' }), 409, 'table_already_exists');
    await expectAppwriteError(assert, () => tdb.createTable({ databaseId, tableId: '-x', name: 'x' }), 400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => tdb.createTable({ databaseId, tableId: 'x', name: 'x', permissions: ['read("nobody")'] }), 400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => tdb.createTable({ databaseId: 'nodb', tableId: 'x', name: 'x' }), 404, 'database_not_found');

    expectRaw(await raw('DELETE', `/tablesdb/${databaseId}/tables/people`), 204);
    await expectAppwriteError(assert, () => tdb.getTable({ databaseId, tableId: 'people' }), 404, 'table_not_found');
    await expectAppwriteError(assert, () => tdb.updateTable({ databaseId, tableId: 'people', name: 'x' }), 404, 'table_not_found');
    await expectAppwriteError(assert, () => tdb.deleteTable({ databaseId, tableId: 'people' }), 404, 'table_not_found');
});

test('tables: columns and indexes given inline at create', async () => {
    const databaseId = await newDatabase();
    const t = await tdb.createTable({
        databaseId,
        tableId: 'inline',
        name: 'Inline',
        columns: [
            { key: 'title', type: 'string', size: 64, required: true },
            { key: 'score', type: 'double', required: false },
        ],
        indexes: [{ key: 'by_title', type: 'unique', attributes: ['title'] }],
    });
    assert.deepEqual(t.columns.map((c) => c.key), ['title', 'score']);
    assert.deepEqual(t.indexes.map((i) => i.key), ['by_title']);
    await tdb.createRow({ databaseId, tableId: 'inline', rowId: 'r1', data: { title: 'T', score: 1.5 } });
    await expectAppwriteError(assert, () => tdb.createRow({ databaseId, tableId: 'inline', rowId: 'r2', data: { title: 'T' } }), 409, 'row_unique_constraint_violation');
    await expectAppwriteError(assert, () => tdb.createTable({
        databaseId, tableId: 'broken', name: 'Broken', columns: [{ key: 'bad key', type: 'string', size: 5 }],
    }), 400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => tdb.getTable({ databaseId, tableId: 'broken' }), 404, 'table_not_found');
    // A column the database refuses after others were made: the table, its first columns and its
    // storage are all undone, so the same ID can be made again with another schema.
    await expectAppwriteError(assert, () => tdb.createTable({
        databaseId, tableId: 'broken', name: 'Broken',
        columns: [{ key: 'a', type: 'string', size: 5, required: false }, { key: 'b', type: 'integer', required: true, default: 3 }],
    }), 400, 'column_default_unsupported');
    await expectAppwriteError(assert, () => tdb.getTable({ databaseId, tableId: 'broken' }), 404, 'table_not_found');
    const again = await tdb.createTable({ databaseId, tableId: 'broken', name: 'Fixed', columns: [{ key: 'b', type: 'integer', required: true }] });
    assert.deepEqual(again.columns.map((c) => c.key), ['b']);
    await tdb.createRow({ databaseId, tableId: 'broken', rowId: 'r', data: { b: 1 } });
});

// Columns -------------------------------------------------------------------------------------

test('columns: every type is created (202), read back and usable in rows', async () => {
    const databaseId = await newDatabase();
    const tableId = await newTable(databaseId);
    const base = `/tablesdb/${databaseId}/tables/${tableId}/columns`;
    const specs = [
        ['string', { key: 'str', size: 16, required: false, default: 'dflt' }, { size: 16, default: 'dflt' }],
        ['varchar', { key: 'vc', size: 100, required: false }, { size: 100 }],
        ['text', { key: 'txt', required: false }, {}],
        ['mediumtext', { key: 'mtxt', required: false }, {}],
        ['longtext', { key: 'ltxt', required: false }, {}],
        ['email', { key: 'mail', required: false }, { format: 'email' }],
        ['enum', { key: 'color', elements: ['red', 'green'], required: false, default: 'green' }, { format: 'enum', elements: ['red', 'green'] }],
        ['ip', { key: 'addr', required: false }, { format: 'ip' }],
        ['url', { key: 'link', required: false }, { format: 'url' }],
        ['datetime', { key: 'when', required: false }, {}],
        ['integer', { key: 'count', required: false, min: -5, max: 5 }, { min: -5, max: 5 }],
        ['bigint', { key: 'big', required: false }, {}],
        ['float', { key: 'ratio', required: false, default: 0.5 }, { default: 0.5 }],
        ['boolean', { key: 'flag', required: false }, {}],
        ['integer', { key: 'scores', required: false, array: true }, { array: true }],
    ];
    for (const [type, body, expect] of specs) {
        const r = await raw('POST', `${base}/${type}`, body);
        expectRaw(r, 202);
        assert.equal(r.body.key, body.key);
        const c = await column(databaseId, tableId, body.key);
        assert.equal(c.status, 'available', `${type}: ${c.error}`);
        for (const [k, v] of Object.entries(expect)) assert.deepEqual(c[k], v, `${type}.${k}`);
    }
    const list = await tdb.listColumns({ databaseId, tableId });
    assert.equal(list.total, specs.length);
    assert.deepEqual(list.columns.map((c) => c.key), specs.map((s) => s[1].key));
    assert.equal((await tdb.listColumns({ databaseId, tableId, total: false })).total, 0);

    const row = await tdb.createRow({
        databaseId, tableId, rowId: 'all',
        data: { mail: 'x@example.org', addr: '::1', link: 'http://example.org', when: '1999-12-31T23:59:59.999-01:00', count: -5, flag: false, scores: [1, 2, 3] },
    });
    assert.equal(row.$tableId, tableId);
    assert.equal(row.$databaseId, databaseId);
    assert.equal(row.str, 'dflt');
    assert.equal(row.color, 'green');
    assert.equal(row.ratio, 0.5);
    assert.equal(row.when, '2000-01-01T00:59:59.999+00:00');
    assert.deepEqual(row.scores, [1, 2, 3]);
});

test('columns: point, line and polygon', async () => {
    const databaseId = await newDatabase();
    const tableId = await newTable(databaseId);
    await tdb.createPointColumn({ databaseId, tableId, key: 'spot', required: false, xdefault: [1, 1] });
    await tdb.createLineColumn({ databaseId, tableId, key: 'route', required: false });
    await tdb.createPolygonColumn({ databaseId, tableId, key: 'area', required: false });
    for (const key of ['spot', 'route', 'area']) {
        const c = await column(databaseId, tableId, key);
        assert.equal(c.status, 'available', c.error);
    }
    const row = await tdb.createRow({ databaseId, tableId, rowId: 'geo', data: { route: [[0, 0], [2, 2]], area: [[[0, 0], [0, 3], [3, 3], [0, 0]]] } });
    assert.deepEqual(row.spot, [1, 1]);
    assert.deepEqual(row.route, [[0, 0], [2, 2]]);
    const up = await tdb.updatePolygonColumn({ databaseId, tableId, key: 'area', required: false, xdefault: null, newKey: 'zone' });
    assert.equal(up.key, 'zone');
    await expectAppwriteError(assert, () => tdb.createRow({ databaseId, tableId, rowId: 'bad', data: { spot: ['a', 'b'] } }), 400, 'row_invalid_structure');
    const near = await tdb.listRows({ databaseId, tableId, queries: [Query.distanceLessThan('spot', [1, 1], 10)] });
    assert.deepEqual(near.rows.map((r) => r.$id), ['geo']);
});

test('columns: spatial indexes, queries over rows, and the row errors', async () => {
    const databaseId = await newDatabase();
    const tableId = await newTable(databaseId);
    await tdb.createPointColumn({ databaseId, tableId, key: 'spot', required: true });
    await tdb.createPolygonColumn({ databaseId, tableId, key: 'area', required: false });
    for (const key of ['spot', 'area']) assert.equal((await column(databaseId, tableId, key)).status, 'available');
    await expectAppwriteError(assert, () => tdb.createIndex({ databaseId, tableId, key: 'a', type: 'spatial', columns: ['area'] }), 400, 'column_index_invalid');
    await expectAppwriteError(assert, () => tdb.createIndex({ databaseId, tableId, key: 'u', type: 'unique', columns: ['spot'] }), 400, 'column_index_invalid');
    const made = await tdb.createIndex({ databaseId, tableId, key: 'spot_sp', type: 'spatial', columns: ['spot'] });
    assert.equal(made.type, 'spatial');
    assert.deepEqual(made.columns, ['spot']);
    assert.equal((await index(databaseId, tableId, 'spot_sp')).status, 'available');
    const places = { paris: [2.35, 48.86], london: [-0.13, 51.51], berlin: [13.4, 52.52], sydney: [151.21, -33.87] };
    for (const [rowId, spot] of Object.entries(places)) await tdb.createRow({ databaseId, tableId, rowId, data: { spot } });
    await tdb.updateRow({ databaseId, tableId, rowId: 'sydney', data: { area: [[[150, -35], [150, -33], [152, -33], [152, -35], [150, -35]]] } });
    const ids = async (...queries) => (await tdb.listRows({ databaseId, tableId, queries })).rows.map((r) => r.$id).sort();
    // Paris to London is about 344 km, to Berlin about 878 km.
    assert.deepEqual(await ids(Query.distanceLessThan('spot', places.paris, 400000)), ['london', 'paris']);
    assert.deepEqual(await ids(Query.distanceLessThan('spot', places.paris, 900000)), ['berlin', 'london', 'paris']);
    assert.deepEqual(await ids(Query.distanceGreaterThan('spot', places.paris, 900000)), ['sydney']);
    assert.deepEqual(await ids(Query.intersects('spot', [[[-5, 45], [-5, 55], [5, 55], [5, 45], [-5, 45]]])), ['london', 'paris']);
    assert.deepEqual(await ids(Query.contains('area', [[151.21, -33.87]])), ['sydney']);
    assert.deepEqual(await ids(Query.isNull('area'), Query.orderAsc('$id')), ['berlin', 'london', 'paris']);
    const missing = await expectAppwriteError(assert, () => tdb.createRow({ databaseId, tableId, rowId: 'nowhere', data: { area: [[[0, 0], [0, 1], [1, 1], [0, 0]]] } }), 400, 'row_invalid_structure');
    assert.match(missing.message, /Missing required attribute "spot"/);
    await expectAppwriteError(assert, () => tdb.createRow({ databaseId, tableId, rowId: 'bad', data: { spot: [0, 0], area: [[0, 0], [1, 1]] } }), 400, 'row_invalid_structure');
    await expectAppwriteError(assert, () => tdb.createPolygonColumn({ databaseId, tableId, key: 'must', required: true }), 400, 'row_invalid_structure');
    await tdb.deleteRow({ databaseId, tableId, rowId: 'london' });
    assert.deepEqual(await ids(Query.distanceLessThan('spot', places.paris, 400000)), ['paris']);
});

test('columns: invalid definitions, updates, renames, deletes', async () => {
    const databaseId = await newDatabase();
    const tableId = await newTable(databaseId);
    const base = `/tablesdb/${databaseId}/tables/${tableId}/columns`;
    expectRaw(await raw('POST', `${base}/string`, { key: 's', size: 0, required: false }), 400, 'general_argument_invalid');
    expectRaw(await raw('POST', `${base}/integer`, { key: 'i', required: false, default: 'x' }), 400, 'general_argument_invalid');
    expectRaw(await raw('POST', `${base}/integer`, { key: 'i', required: false, min: 3, max: 1 }), 400, 'column_value_invalid');
    expectRaw(await raw('POST', `${base}/enum`, { key: 'e', elements: ['a'], required: false, default: 'z' }), 400, 'column_value_invalid');
    expectRaw(await raw('POST', `${base}/string`, { key: 's', size: 5, required: true, default: 'x' }), 400, 'column_default_unsupported');
    expectRaw(await raw('POST', `${base}/email`, { key: 'm', required: false, default: 'nope' }), 400, 'general_argument_invalid');
    expectRaw(await raw('POST', `${base}/boolean`, { key: 'b', required: false, default: 1 }), 400, 'general_argument_invalid');

    await tdb.createStringColumn({ databaseId, tableId, key: 'name', size: 10, required: true });
    await column(databaseId, tableId, 'name');
    await expectAppwriteError(assert, () => tdb.createStringColumn({ databaseId, tableId, key: 'name', size: 10, required: true }), 409, 'column_already_exists');
    const up = await tdb.updateStringColumn({ databaseId, tableId, key: 'name', required: false, xdefault: 'anon', size: 30 });
    assert.equal(up.required, false);
    assert.equal(up.default, 'anon');
    assert.equal(up.size, 30);
    const enumCol = await tdb.createEnumColumn({ databaseId, tableId, key: 'kind', elements: ['a'], required: false });
    assert.equal(enumCol.key, 'kind');
    await column(databaseId, tableId, 'kind');
    const widened = await tdb.updateEnumColumn({ databaseId, tableId, key: 'kind', elements: ['a', 'b'], required: false, xdefault: 'b' });
    assert.deepEqual(widened.elements, ['a', 'b']);
    const renamed = await tdb.updateEnumColumn({ databaseId, tableId, key: 'kind', elements: ['a', 'b'], required: false, xdefault: null, newKey: 'sort' });
    assert.equal(renamed.key, 'sort');
    expectRaw(await raw('PATCH', `${base}/string/name`, { required: false }), 400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => tdb.updateBooleanColumn({ databaseId, tableId, key: 'missing', required: false, xdefault: null }), 404, 'column_not_found');
    await expectAppwriteError(assert, () => tdb.getColumn({ databaseId, tableId, key: 'kind' }), 404, 'column_not_found');
    expectRaw(await raw('DELETE', `${base}/sort`), 204);
    await expectAppwriteError(assert, () => tdb.deleteColumn({ databaseId, tableId, key: 'sort' }), 404, 'column_not_found');
    await expectAppwriteError(assert, () => tdb.listColumns({ databaseId, tableId: 'nope' }), 404, 'table_not_found');
    await expectAppwriteError(assert, () => tdb.createIntegerColumn({ databaseId, tableId: 'nope', key: 'x', required: false }), 404, 'table_not_found');
});

test('columns: relationships between tables', async () => {
    const databaseId = await newDatabase();
    const teams = await newTable(databaseId);
    const players = await newTable(databaseId);
    await tdb.createStringColumn({ databaseId, tableId: teams, key: 'name', size: 20, required: false });
    await tdb.createStringColumn({ databaseId, tableId: players, key: 'name', size: 20, required: false });
    const r = await raw('POST', `/tablesdb/${databaseId}/tables/${players}/columns/relationship`, {
        relatedTableId: teams, type: 'manyToOne', twoWay: true, key: 'team', twoWayKey: 'players', onDelete: 'setNull',
    });
    expectRaw(r, 202);
    const rel = await column(databaseId, players, 'team');
    assert.equal(rel.relatedTable, teams);
    assert.equal(rel.relationType, 'manyToOne');
    assert.equal(rel.onDelete, 'setNull');

    await tdb.createRow({ databaseId, tableId: teams, rowId: 'reds', data: { name: 'Reds' } });
    await tdb.createRow({ databaseId, tableId: players, rowId: 'ann', data: { name: 'Ann', team: 'reds' } });
    const ann = await tdb.getRow({ databaseId, tableId: players, rowId: 'ann', queries: [Query.select(['name', 'team.name'])] });
    assert.equal(ann.team.name, 'Reds');
    await tdb.deleteRow({ databaseId, tableId: teams, rowId: 'reds' });
    const alone = await tdb.getRow({ databaseId, tableId: players, rowId: 'ann', queries: [Query.select(['*', 'team.*'])] });
    assert.equal(alone.team, null);

    const up = await tdb.updateRelationshipColumn({ databaseId, tableId: players, key: 'team', onDelete: 'restrict' });
    assert.equal(up.onDelete, 'restrict');
    await tdb.createRow({ databaseId, tableId: teams, rowId: 'blues', data: { name: 'Blues', players: ['ann'] } });
    await expectAppwriteError(assert, () => tdb.deleteRow({ databaseId, tableId: teams, rowId: 'blues' }), 403, 'row_delete_restricted');
    await expectAppwriteError(assert, () => tdb.createRelationshipColumn({ databaseId, tableId: players, relatedTableId: 'nope', type: 'oneToOne' }), 404, 'table_not_found');

    // manyToMany, linked by ID and by nested row, read from both sides.
    const tags = await newTable(databaseId);
    await tdb.createStringColumn({ databaseId, tableId: tags, key: 'label', size: 20, required: false });
    await tdb.createRelationshipColumn({ databaseId, tableId: players, relatedTableId: tags, type: 'manyToMany', twoWay: true, key: 'tags', twoWayKey: 'players', onDelete: 'setNull' });
    await tdb.createRow({ databaseId, tableId: tags, rowId: 'fast', data: { label: 'Fast' } });
    await tdb.updateRow({ databaseId, tableId: players, rowId: 'ann', data: { tags: ['fast', { $id: 'tall', label: 'Tall' }] } });
    const tagged = await tdb.getRow({ databaseId, tableId: players, rowId: 'ann', queries: [Query.select(['name', 'tags.label'])] });
    assert.deepEqual(tagged.tags.map((t) => t.label), ['Fast', 'Tall']);
    const fast = await tdb.listRows({ databaseId, tableId: tags, queries: [Query.equal('players.name', ['Ann']), Query.select(['*', 'players.$id'])] });
    assert.equal(fast.total, 2);
    assert.deepEqual(fast.rows[0].players.map((p) => p.$id), ['ann']);
    await tdb.deleteRow({ databaseId, tableId: tags, rowId: 'fast' });
    const left = await tdb.getRow({ databaseId, tableId: players, rowId: 'ann', queries: [Query.select(['tags.$id'])] });
    assert.deepEqual(left.tags.map((t) => t.$id), ['tall']);
    // Deleting one side of a two-way relationship removes both.
    expectRaw(await raw('DELETE', `/tablesdb/${databaseId}/tables/${tags}/columns/players`), 204);
    await expectAppwriteError(assert, () => tdb.getColumn({ databaseId, tableId: players, key: 'tags' }), 404, 'column_not_found');
    expectRaw(await raw('POST', `/tablesdb/${databaseId}/tables/${players}/columns/relationship`, { relatedTableId: teams, type: 'many' }), 400, 'general_argument_invalid');
});

// Indexes -------------------------------------------------------------------------------------

test('indexes: create (202), get, list, delete, and unique violations', async () => {
    const databaseId = await newDatabase();
    const tableId = await newTable(databaseId);
    await tdb.createEmailColumn({ databaseId, tableId, key: 'email', required: true });
    await column(databaseId, tableId, 'email');
    const base = `/tablesdb/${databaseId}/tables/${tableId}/indexes`;
    const r = await raw('POST', base, { key: 'uniq_email', type: 'unique', columns: ['email'] });
    expectRaw(r, 202);
    assert.deepEqual(r.body.columns, ['email']);
    assert.equal((await index(databaseId, tableId, 'uniq_email')).status, 'available');
    const list = await tdb.listIndexes({ databaseId, tableId });
    assert.equal(list.total, 1);
    assert.deepEqual(list.indexes.map((i) => i.key), ['uniq_email']);

    await tdb.createRow({ databaseId, tableId, rowId: 'a', data: { email: 'a@example.com' } });
    await expectAppwriteError(assert, () => tdb.createRow({ databaseId, tableId, rowId: 'b', data: { email: 'a@example.com' } }), 409, 'row_unique_constraint_violation');
    await expectAppwriteError(assert, () => tdb.upsertRow({ databaseId, tableId, rowId: 'b', data: { email: 'a@example.com' } }), 409, 'row_unique_constraint_violation');

    await expectAppwriteError(assert, () => tdb.createIndex({ databaseId, tableId, key: 'uniq_email', type: 'key', columns: ['email'] }), 409, 'column_index_already_exists');
    await expectAppwriteError(assert, () => tdb.createIndex({ databaseId, tableId, key: 'x', type: 'key', columns: ['missing'] }), 400, 'column_unknown');
    expectRaw(await raw('POST', base, { key: 'x', type: 'key', attributes: ['email'] }), 400, 'general_argument_invalid');
    expectRaw(await raw('DELETE', `${base}/uniq_email`), 204);
    await expectAppwriteError(assert, () => tdb.getIndex({ databaseId, tableId, key: 'uniq_email' }), 404, 'column_index_not_found');
    await expectAppwriteError(assert, () => tdb.deleteIndex({ databaseId, tableId, key: 'uniq_email' }), 404, 'column_index_not_found');
    await expectAppwriteError(assert, () => tdb.listIndexes({ databaseId, tableId: 'nope' }), 404, 'table_not_found');
});

// Rows ----------------------------------------------------------------------------------------

async function scoreTable(opts) {
    const databaseId = await newDatabase();
    const tableId = await newTable(databaseId, opts);
    await tdb.createStringColumn({ databaseId, tableId, key: 'player', size: 12, required: true });
    await tdb.createIntegerColumn({ databaseId, tableId, key: 'score', required: false, min: 0, max: 1000 });
    await tdb.createFloatColumn({ databaseId, tableId, key: 'avg', required: false });
    await tdb.createStringColumn({ databaseId, tableId, key: 'badges', size: 12, required: false, array: true });
    await tdb.createBooleanColumn({ databaseId, tableId, key: 'pro', required: false });
    for (const key of ['player', 'score', 'avg', 'badges', 'pro']) await column(databaseId, tableId, key);
    return { databaseId, tableId };
}

test('rows: create (201), get, update, upsert, delete and their errors', async () => {
    const { databaseId, tableId } = await scoreTable();
    const base = `/tablesdb/${databaseId}/tables/${tableId}/rows`;
    const r = await raw('POST', base, { rowId: 'r1', data: { player: 'Ann', score: 10 }, permissions: [Permission.read(Role.any())] });
    expectRaw(r, 201);
    assert.equal(r.body.$id, 'r1');
    assert.equal(r.body.$tableId, tableId);
    assert.equal(r.body.$databaseId, databaseId);
    assert.equal(typeof r.body.$sequence, 'string');
    assert.deepEqual(r.body.$permissions, ['read("any")']);
    assert.equal(r.body.score, 10);

    const gen = await tdb.createRow({ databaseId, tableId, rowId: ID.unique(), data: { player: 'Bo' } });
    assert.match(gen.$id, /^[0-9a-f]{20}$/);
    assert.equal((await tdb.getRow({ databaseId, tableId, rowId: 'r1' })).player, 'Ann');
    const sel = await tdb.getRow({ databaseId, tableId, rowId: 'r1', queries: [Query.select(['score'])] });
    assert.equal(sel.score, 10);
    assert.equal('player' in sel, false);
    assert.equal((await tdb.updateRow({ databaseId, tableId, rowId: 'r1', data: { score: 11 } })).score, 11);
    const up = await raw('PUT', `${base}/r9`, { data: { player: 'Cy', score: 1 } });
    expectRaw(up, 200);
    assert.equal((await tdb.upsertRow({ databaseId, tableId, rowId: 'r9', data: { player: 'Cy', score: 2 } })).score, 2);

    await expectAppwriteError(assert, () => tdb.createRow({ databaseId, tableId, rowId: 'r1', data: { player: 'Dup' } }), 409, 'row_already_exists');
    await expectAppwriteError(assert, () => tdb.createRow({ databaseId, tableId, rowId: 'x', data: { score: 1 } }), 400, 'row_invalid_structure');
    await expectAppwriteError(assert, () => tdb.createRow({ databaseId, tableId, rowId: 'x', data: { player: 'P', score: 1001 } }), 400, 'row_invalid_structure');
    await expectAppwriteError(assert, () => tdb.createRow({ databaseId, tableId, rowId: 'x', data: { player: 'P', nope: 1 } }), 400, 'row_invalid_structure');
    expectRaw(await raw('POST', base, { rowId: 'x' }), 400, 'row_missing_data');
    expectRaw(await raw('POST', base, { data: { player: 'P' } }), 400, 'row_missing_data');
    expectRaw(await raw('PATCH', `${base}/r1`, {}), 400, 'row_missing_payload');
    expectRaw(await raw('POST', base, { rowId: 'x', data: { player: 'P' }, rows: [{ player: 'Q' }] }), 400, 'general_bad_request');

    expectRaw(await raw('DELETE', `${base}/r1`), 204);
    await expectAppwriteError(assert, () => tdb.getRow({ databaseId, tableId, rowId: 'r1' }), 404, 'row_not_found');
    await expectAppwriteError(assert, () => tdb.updateRow({ databaseId, tableId, rowId: 'r1', data: { score: 1 } }), 404, 'row_not_found');
    await expectAppwriteError(assert, () => tdb.deleteRow({ databaseId, tableId, rowId: 'r1' }), 404, 'row_not_found');
    await expectAppwriteError(assert, () => tdb.listRows({ databaseId, tableId: 'nope' }), 404, 'table_not_found');
    await expectAppwriteError(assert, () => tdb.listRows({ databaseId: 'nope', tableId }), 404, 'database_not_found');
});

test('rows: guests see what permissions allow', async () => {
    const { databaseId, tableId } = await scoreTable({ permissions: [Permission.read(Role.any()), Permission.create(Role.guests())], rowSecurity: true });
    await tdb.createRow({ databaseId, tableId, rowId: 'pub', data: { player: 'Pub' } });
    const mine = await guest.createRow({ databaseId, tableId, rowId: 'g', data: { player: 'Guest' }, permissions: [Permission.read(Role.guests())] });
    assert.deepEqual(mine.$permissions, ['read("guests")']);
    assert.equal((await guest.listRows({ databaseId, tableId })).total, 2);
    await expectAppwriteError(assert, () => guest.updateRow({ databaseId, tableId, rowId: 'pub', data: { score: 1 } }), 401, 'user_unauthorized');
    await expectAppwriteError(assert, () => guest.createRows({ databaseId, tableId, rows: [{ player: 'x' }] }), 401, 'general_unauthorized_scope');
});

test('rows: bulk create, upsert, update and delete', async () => {
    const { databaseId, tableId } = await scoreTable();
    const base = `/tablesdb/${databaseId}/tables/${tableId}/rows`;
    const r = await raw('POST', base, { rows: [{ $id: 'a', player: 'A', score: 1 }, { $id: 'b', player: 'B', score: 2 }, { $id: 'c', player: 'C', score: 3 }] });
    expectRaw(r, 201);
    assert.equal(r.body.total, 3);
    assert.deepEqual(r.body.rows.map((x) => x.$id), ['a', 'b', 'c']);
    await expectAppwriteError(assert, () => tdb.createRows({ databaseId, tableId, rows: [{ $id: 'd', player: 'D' }, { $id: 'a', player: 'A again' }] }), 409, 'row_already_exists');
    await expectAppwriteError(assert, () => tdb.getRow({ databaseId, tableId, rowId: 'd' }), 404, 'row_not_found');

    const up = await tdb.upsertRows({ databaseId, tableId, rows: [{ $id: 'a', player: 'A', score: 100 }, { $id: 'e', player: 'E', score: 5 }] });
    assert.equal(up.total, 2);
    assert.deepEqual(up.rows.map((x) => x.score), [100, 5]);
    const changed = await tdb.updateRows({ databaseId, tableId, data: { pro: true }, queries: [Query.greaterThan('score', 4)] });
    assert.deepEqual(changed.rows.map((x) => x.$id).sort(), ['a', 'e']);
    assert.ok(changed.rows.every((x) => x.pro === true));
    const gone = await tdb.deleteRows({ databaseId, tableId, queries: [Query.equal('pro', true)] });
    assert.equal(gone.total, 2);
    assert.deepEqual((await tdb.listRows({ databaseId, tableId })).rows.map((x) => x.$id), ['b', 'c']);
    expectRaw(await raw('PUT', base, { rows: 'nope' }), 400, 'general_argument_invalid');
    expectRaw(await raw('PATCH', base, {}), 400, 'row_missing_payload');
    expectRaw(await raw('POST', base, { rowId: 'z', rows: [{ player: 'Z' }] }), 400, 'general_bad_request');
});

test('rows: a bulk write with one bad row writes nothing', async () => {
    const { databaseId, tableId } = await scoreTable();
    await tdb.createRows({ databaseId, tableId, rows: [{ $id: 'a', player: 'A', score: 1 }, { $id: 'b', player: 'B', score: 2 }] });
    const state = async () => (await tdb.listRows({ databaseId, tableId, queries: [Query.orderAsc('$id')] })).rows.map((r) => `${r.$id}:${r.player}:${r.score}`);
    const before = await state();

    await expectAppwriteError(assert, () => tdb.createRows({ databaseId, tableId, rows: [{ $id: 'c', player: 'C' }, { $id: 'd', player: 'D', score: -1 }] }), 400, 'row_invalid_structure');
    assert.deepEqual(await state(), before);
    await expectAppwriteError(assert, () => tdb.upsertRows({ databaseId, tableId, rows: [{ $id: 'a', player: 'A2', score: 7 }, { $id: 'e', player: 'E' }, { $id: 'b', player: 'B', score: 5000 }] }), 400, 'row_invalid_structure');
    assert.deepEqual(await state(), before);
    await tdb.createIndex({ databaseId, tableId, key: 'uniq_player', type: 'unique', columns: ['player'] });
    await index(databaseId, tableId, 'uniq_player');
    await expectAppwriteError(assert, () => tdb.updateRows({ databaseId, tableId, data: { player: 'Same' } }), 409, 'row_unique_constraint_violation');
    assert.deepEqual(await state(), before);
    await expectAppwriteError(assert, () => tdb.deleteRows({ databaseId, tableId, queries: [Query.equal('nope', ['x'])] }), 400, 'general_query_invalid');
    assert.deepEqual(await state(), before);
});

test('rows: increment and decrement with bounds', async () => {
    const { databaseId, tableId } = await scoreTable();
    await tdb.createRow({ databaseId, tableId, rowId: 'p', data: { player: 'P', score: 10, avg: 2 } });
    let row = await tdb.incrementRowColumn({ databaseId, tableId, rowId: 'p', column: 'score', value: 5 });
    assert.equal(row.score, 15);
    row = await tdb.decrementRowColumn({ databaseId, tableId, rowId: 'p', column: 'score', value: 5, min: 10 });
    assert.equal(row.score, 10);
    await expectAppwriteError(assert, () => tdb.decrementRowColumn({ databaseId, tableId, rowId: 'p', column: 'score', value: 1, min: 10 }), 400, 'column_limit_exceeded');
    await expectAppwriteError(assert, () => tdb.incrementRowColumn({ databaseId, tableId, rowId: 'p', column: 'score', value: 1, max: 10 }), 400, 'column_limit_exceeded');
    row = await tdb.decrementRowColumn({ databaseId, tableId, rowId: 'p', column: 'avg', value: 0.5 });
    assert.equal(row.avg, 1.5);
    await expectAppwriteError(assert, () => tdb.incrementRowColumn({ databaseId, tableId, rowId: 'p', column: 'player' }), 400, 'column_type_invalid');
    await expectAppwriteError(assert, () => tdb.incrementRowColumn({ databaseId, tableId, rowId: 'p', column: 'nope' }), 404, 'column_not_found');
    // As in Appwrite, whose database reports a missing row and a missing column alike.
    await expectAppwriteError(assert, () => tdb.incrementRowColumn({ databaseId, tableId, rowId: 'nope', column: 'score' }), 404, 'column_not_found');
    expectRaw(await raw('PATCH', `/tablesdb/${databaseId}/tables/${tableId}/rows/p/score/increment`, { value: -2 }), 400, 'general_argument_invalid');
});

test('rows: queries, cursors in both orders, total=false', async () => {
    const { databaseId, tableId } = await scoreTable();
    const data = [['r1', 'ann', 50, ['gold']], ['r2', 'bob', 20, []], ['r3', 'cat', 80, ['gold', 'silver']], ['r4', 'dan', 20, ['silver']]];
    for (const [rowId, player, score, badges] of data) {
        await tdb.createRow({ databaseId, tableId, rowId, data: { player, score, badges } });
    }
    const ids = async (...queries) => (await tdb.listRows({ databaseId, tableId, queries })).rows.map((x) => x.$id);
    assert.deepEqual(await ids(Query.equal('score', 20)), ['r2', 'r4']);
    assert.deepEqual(await ids(Query.notEqual('score', 20)), ['r1', 'r3']);
    assert.deepEqual(await ids(Query.lessThan('score', 50)), ['r2', 'r4']);
    assert.deepEqual(await ids(Query.greaterThanEqual('score', 50)), ['r1', 'r3']);
    assert.deepEqual(await ids(Query.between('score', 21, 80)), ['r1', 'r3']);
    assert.deepEqual(await ids(Query.startsWith('player', 'd')), ['r4']);
    assert.deepEqual(await ids(Query.contains('badges', 'silver')), ['r3', 'r4']);
    assert.deepEqual(await ids(Query.isNull('avg')), ['r1', 'r2', 'r3', 'r4']);
    assert.deepEqual(await ids(Query.or([Query.equal('player', 'ann'), Query.and([Query.equal('score', 20), Query.startsWith('player', 'b')])])), ['r1', 'r2']);
    assert.deepEqual(await ids(Query.orderDesc('score'), Query.orderAsc('player')), ['r3', 'r1', 'r2', 'r4']);
    assert.deepEqual(await ids(Query.orderAsc('score'), Query.orderAsc('$id'), Query.cursorAfter('r2'), Query.limit(2)), ['r4', 'r1']);
    assert.deepEqual(await ids(Query.orderAsc('score'), Query.orderAsc('$id'), Query.cursorBefore('r3')), ['r2', 'r4', 'r1']);
    assert.deepEqual(await ids(Query.orderDesc('score'), Query.cursorAfter('r3'), Query.limit(1)), ['r1']);
    assert.deepEqual(await ids(Query.orderDesc('score'), Query.cursorBefore('r1')), ['r3']);
    assert.deepEqual(await ids(Query.limit(2), Query.offset(1)), ['r2', 'r3']);
    const sel = await tdb.listRows({ databaseId, tableId, queries: [Query.select(['player']), Query.limit(1)] });
    assert.deepEqual(Object.keys(sel.rows[0]).filter((k) => !k.startsWith('$')), ['player']);
    const noTotal = await tdb.listRows({ databaseId, tableId, total: false });
    assert.equal(noTotal.total, 0);
    assert.equal(noTotal.rows.length, 4);
    await expectAppwriteError(assert, () => ids(Query.equal('nope', 1)), 400, 'general_query_invalid');
    await expectAppwriteError(assert, () => ids(Query.cursorAfter('nope')), 400, 'general_cursor_not_found');
    await expectAppwriteError(assert, () => ids(...Array.from({ length: 101 }, () => Query.limit(1))), 400, 'general_argument_invalid');
});

// Missing things, transactions ----------------------------------------------------------------

test('every route answers 404 with its type for a missing database, table, row', async () => {
    const databaseId = await newDatabase();
    const tableId = await newTable(databaseId);
    await tdb.createIntegerColumn({ databaseId, tableId, key: 'n', required: false });
    await column(databaseId, tableId, 'n');
    await tdb.createRow({ databaseId, tableId, rowId: 'row', data: { n: 1 } });
    const routes = [
        ['GET', '/tables'], ['POST', '/tables', { tableId: 'x', name: 'x' }],
        ['GET', '/tables/T'], ['PUT', '/tables/T', { name: 'x' }], ['DELETE', '/tables/T'],
        ['GET', '/tables/T/columns'], ['GET', '/tables/T/columns/n'], ['DELETE', '/tables/T/columns/n'],
        ['POST', '/tables/T/columns/boolean', { key: 'k', required: false }],
        ['PATCH', '/tables/T/columns/integer/n', { required: false, default: null }],
        ['GET', '/tables/T/indexes'], ['POST', '/tables/T/indexes', { key: 'i', type: 'key', columns: ['n'] }],
        ['GET', '/tables/T/indexes/i'], ['DELETE', '/tables/T/indexes/i'],
        ['GET', '/tables/T/rows'], ['POST', '/tables/T/rows', { rowId: 'x', data: { n: 1 } }],
        ['PUT', '/tables/T/rows', { rows: [{ n: 1 }] }], ['PATCH', '/tables/T/rows', { data: { n: 2 } }],
        ['DELETE', '/tables/T/rows', {}],
        ['GET', '/tables/T/rows/row'], ['PUT', '/tables/T/rows/row', { data: { n: 2 } }],
        ['PATCH', '/tables/T/rows/row', { data: { n: 2 } }], ['DELETE', '/tables/T/rows/row'],
        ['PATCH', '/tables/T/rows/row/n/increment', {}], ['PATCH', '/tables/T/rows/row/n/decrement', {}],
    ];
    for (const [method, path, body] of routes) {
        expectRaw(await raw(method, `/tablesdb/nodb${path.replace('T', tableId)}`, body), 404, 'database_not_found');
        if (path.includes('/T')) {
            expectRaw(await raw(method, `/tablesdb/${databaseId}${path.replace('T', 'notable')}`, body), 404, 'table_not_found');
        }
    }
    for (const [method, suffix, body] of [['GET', ''], ['PATCH', '', { data: { n: 3 } }], ['DELETE', '']]) {
        expectRaw(await raw(method, `/tablesdb/${databaseId}/tables/${tableId}/rows/norow${suffix}`, body), 404, 'row_not_found');
    }
    for (const [method, path] of [['GET', '/columns/none'], ['DELETE', '/columns/none'], ['GET', '/indexes/none'], ['DELETE', '/indexes/none']]) {
        const r = await raw(method, `/tablesdb/${databaseId}/tables/${tableId}${path}`);
        expectRaw(r, 404, path.startsWith('/columns') ? 'column_not_found' : 'column_index_not_found');
    }
});

// transactions.test.mjs has the rest; here the routes' 404s and who may use them.
test('transactions: missing transactions, and guests', async () => {
    await expectAppwriteError(assert, () => tdb.getTransaction({ transactionId: 't' }), 404, 'transaction_not_found');
    await expectAppwriteError(assert, () => tdb.updateTransaction({ transactionId: 't', rollback: true }), 404, 'transaction_not_found');
    await expectAppwriteError(assert, () => tdb.deleteTransaction({ transactionId: 't' }), 404, 'transaction_not_found');
    await expectAppwriteError(assert, () => tdb.createOperations({ transactionId: 't', operations: [] }), 400, 'general_bad_request');
    // A read through a transaction that is not there reads what is committed, as in Appwrite.
    expectRaw(await raw('GET', '/tablesdb/x/tables/y/rows?transactionId=t1'), 404, 'database_not_found');
    // Guests hold rows.read and rows.write, so they reach the routes; a transaction made without
    // a signed-in user belongs to API keys alone, as in Appwrite, so they never see one.
    const t = await guest.createTransaction({ ttl: 60 });
    assert.equal(t.status, 'pending');
    await expectAppwriteError(assert, () => guest.getTransaction({ transactionId: t.$id }), 404, 'transaction_not_found');
    assert.equal((await guest.listTransactions({})).total, 0);
    assert.equal((await tdb.getTransaction({ transactionId: t.$id })).$id, t.$id);
});
