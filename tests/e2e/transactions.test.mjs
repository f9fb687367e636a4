// Transactions of the TablesDB and Databases services through node-appwrite: create, get, list,
// delete; writes staged by createOperations or by a row/document route given a transactionId,
// invisible to others until the commit and visible through the transaction; commit (all or
// nothing), rollback, conflicts, expiry (a real minute: the shortest TTL Appwrite allows is 60
// seconds), limits, and staged writes surviving a restart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, serverClient, expectAppwriteError } from './lib/server.mjs';

let server;
let sdk;
let tdb;
let dbs;
let guestTdb;
let Query;
let Permission;
let Role;
let Operator;
let expiring; // transactions made at the start with the shortest TTL, checked at the end

before(async () => {
    server = await startServer();
    let client;
    ({ sdk, client } = await serverClient(server));
    ({ Query, Permission, Role, Operator } = sdk);
    tdb = new sdk.TablesDB(client);
    dbs = new sdk.Databases(client);
    guestTdb = new sdk.TablesDB((await serverClient(server, { key: null })).client);

    // Expiry needs a minute to pass: these are made first and looked at by the last test.
    const { databaseId, tableId } = await table();
    const t = await tdb.createTransaction({ ttl: 60 });
    await tdb.createRow({ databaseId, tableId, rowId: 'late', data: { name: 'Late' }, transactionId: t.$id });
    const d = await dbs.createTransaction({ ttl: 60 });
    // The later expiry of the two (the server's own clock), so the last test waits long enough.
    expiring = { databaseId, tableId, tables: t.$id, databases: d.$id, expiresAt: Date.parse(d.expiresAt) };
});
after(async () => { await server.stop(); });

let seq = 0;
const uid = (p) => `${p}${Date.now().toString(36)}${(seq++).toString(36)}`;
const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function raw(method, path, body, { key = server.key } = {}) {
    const headers = { accept: 'application/json', 'x-appwrite-project': server.projectId };
    if (key) headers['x-appwrite-key'] = key;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const r = await fetch(server.endpoint + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
}

/** A table (and the same thing seen as a collection) with a name, a score and a unique code. */
async function table() {
    const databaseId = uid('db');
    const tableId = uid('t');
    await tdb.create({ databaseId, name: databaseId });
    await tdb.createTable({
        databaseId,
        tableId,
        name: tableId,
        permissions: [Permission.read(Role.any()), Permission.create(Role.any()), Permission.update(Role.any()), Permission.delete(Role.any())],
        columns: [
            { key: 'name', type: 'string', size: 20, required: true },
            { key: 'score', type: 'integer', required: false, min: 0, max: 1000 },
            { key: 'code', type: 'string', size: 10, required: false },
            { key: 'tags', type: 'string', size: 10, required: false, array: true },
        ],
        indexes: [{ key: 'uniq_code', type: 'unique', attributes: ['code'] }],
    });
    return { databaseId, tableId };
}

const ids = async (databaseId, tableId, extra = {}) =>
    (await tdb.listRows({ databaseId, tableId, queries: [Query.orderAsc('$id')], ...extra })).rows.map((r) => r.$id);

test('transactions: create, get, list, delete, and their errors', async () => {
    const t = await tdb.createTransaction();
    assert.equal(t.status, 'pending');
    assert.equal(t.operations, 0);
    assert.match(t.$id, /^[0-9a-f]{20}$/);
    assert.match(t.$createdAt, iso);
    assert.match(t.expiresAt, iso);
    const left = (Date.parse(t.expiresAt) - Date.now()) / 1000;
    assert.ok(left > 280 && left <= 300, `default TTL: ${left}`);
    const long = await tdb.createTransaction({ ttl: 900 });
    const longLeft = (Date.parse(long.expiresAt) - Date.now()) / 1000;
    assert.ok(longLeft > 880 && longLeft <= 900, `ttl 900: ${longLeft}`);
    await expectAppwriteError(assert, () => tdb.createTransaction({ ttl: 30 }), 400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => tdb.createTransaction({ ttl: 4000 }), 400, 'general_argument_invalid');

    assert.deepEqual(await tdb.getTransaction({ transactionId: t.$id }), t);
    // The families share transactions, as Appwrite's do.
    assert.equal((await dbs.getTransaction({ transactionId: t.$id })).$id, t.$id);
    const all = await tdb.listTransactions();
    assert.ok(all.total >= 2);
    assert.ok(all.transactions.some((x) => x.$id === long.$id));
    const pending = await tdb.listTransactions({ queries: [Query.equal('status', ['pending']), Query.limit(100)] });
    assert.ok(pending.transactions.every((x) => x.status === 'pending'));
    const soon = await dbs.listTransactions({ queries: [Query.lessThan('expiresAt', long.expiresAt), Query.limit(100)] });
    assert.ok(soon.transactions.some((x) => x.$id === t.$id));
    assert.ok(!soon.transactions.some((x) => x.$id === long.$id));
    await expectAppwriteError(assert, () => tdb.listTransactions({ queries: [Query.equal('operations', [0])] }), 400, 'general_query_invalid');

    await tdb.deleteTransaction({ transactionId: long.$id });
    await expectAppwriteError(assert, () => tdb.getTransaction({ transactionId: long.$id }), 404, 'transaction_not_found');
    await expectAppwriteError(assert, () => dbs.deleteTransaction({ transactionId: 'missing' }), 404, 'transaction_not_found');
    await expectAppwriteError(assert, () => tdb.updateTransaction({ transactionId: 'missing', commit: true }), 404, 'transaction_not_found');
    const r = await raw('PATCH', `/tablesdb/transactions/${t.$id}`, {});
    assert.equal(r.status, 400);
    assert.equal(r.body.type, 'general_bad_request');
    await expectAppwriteError(assert, () => tdb.updateTransaction({ transactionId: t.$id, commit: true, rollback: true }), 400, 'general_bad_request');
    // A transaction an API key made is the keys' alone.
    await expectAppwriteError(assert, () => guestTdb.getTransaction({ transactionId: t.$id }), 404, 'transaction_not_found');
    assert.equal((await guestTdb.listTransactions()).total, 0);
});

test('tablesDB: staged row writes are invisible until the commit, and visible through the transaction', async () => {
    const { databaseId, tableId } = await table();
    await tdb.createRows({ databaseId, tableId, rows: [{ $id: 'keep', name: 'Keep', score: 10 }, { $id: 'gone', name: 'Gone', score: 1 }] });
    const t = await tdb.createTransaction();
    const transactionId = t.$id;

    const created = await tdb.createRow({ databaseId, tableId, rowId: 'new', data: { name: 'New', score: 5 }, transactionId });
    assert.equal(created.$id, 'new');
    assert.equal(created.name, 'New');
    assert.equal(created.$tableId, tableId);
    assert.equal(created.$sequence, '');
    assert.equal(created.$createdAt, '');
    const updated = await tdb.updateRow({ databaseId, tableId, rowId: 'keep', data: { name: 'Kept' }, transactionId });
    assert.equal(updated.name, 'Kept');
    assert.equal(updated.score, 10);
    await tdb.incrementRowColumn({ databaseId, tableId, rowId: 'keep', column: 'score', value: 5, transactionId });
    const r = await raw('DELETE', `/tablesdb/${databaseId}/tables/${tableId}/rows/gone`, { transactionId });
    assert.equal(r.status, 204);
    const up = await raw('PUT', `/tablesdb/${databaseId}/tables/${tableId}/rows/ups`, { data: { name: 'Ups' }, transactionId });
    assert.equal(up.status, 201);
    const bulk = await tdb.createRows({ databaseId, tableId, rows: [{ $id: 'b1', name: 'B1' }, { $id: 'b2', name: 'B2' }], transactionId });
    assert.equal(bulk.total, 2);
    assert.deepEqual(bulk.rows, []);
    // An update of a row the transaction made, and an operator, staged too.
    await tdb.updateRow({ databaseId, tableId, rowId: 'new', data: { score: Operator.increment(2), tags: Operator.arrayAppend(['x']) }, transactionId });
    assert.equal((await tdb.getTransaction({ transactionId })).operations, 7);

    // Outside the transaction nothing happened.
    assert.deepEqual(await ids(databaseId, tableId), ['gone', 'keep']);
    await expectAppwriteError(assert, () => tdb.getRow({ databaseId, tableId, rowId: 'new' }), 404, 'row_not_found');
    assert.equal((await tdb.getRow({ databaseId, tableId, rowId: 'keep' })).name, 'Keep');

    // Through it, everything did.
    assert.deepEqual(await ids(databaseId, tableId, { transactionId }), ['b1', 'b2', 'keep', 'new', 'ups']);
    const seen = await tdb.getRow({ databaseId, tableId, rowId: 'keep', transactionId });
    assert.equal(seen.name, 'Kept');
    assert.equal(seen.score, 15);
    const fresh = await tdb.getRow({ databaseId, tableId, rowId: 'new', transactionId });
    assert.equal(fresh.score, 7);
    assert.deepEqual(fresh.tags, ['x']);
    await expectAppwriteError(assert, () => tdb.getRow({ databaseId, tableId, rowId: 'gone', transactionId }), 404, 'row_not_found');
    const counted = await tdb.listRows({ databaseId, tableId, queries: [Query.greaterThan('score', 4)], transactionId });
    assert.deepEqual(counted.rows.map((x) => x.$id).sort(), ['keep', 'new']);
    assert.equal(counted.total, 2);

    const done = await tdb.updateTransaction({ transactionId, commit: true });
    assert.equal(done.status, 'committed');
    assert.equal(done.$id, transactionId);
    assert.deepEqual(await ids(databaseId, tableId), ['b1', 'b2', 'keep', 'new', 'ups']);
    const kept = await tdb.getRow({ databaseId, tableId, rowId: 'keep' });
    assert.equal(kept.name, 'Kept');
    assert.equal(kept.score, 15);
    assert.equal((await tdb.getRow({ databaseId, tableId, rowId: 'new' })).score, 7);
    assert.equal((await tdb.getTransaction({ transactionId })).status, 'committed');

    // Reading through a transaction that is missing or finished reads what is committed.
    assert.deepEqual(await ids(databaseId, tableId, { transactionId: 'missing' }), ['b1', 'b2', 'keep', 'new', 'ups']);
    assert.equal((await tdb.getRow({ databaseId, tableId, rowId: 'keep', transactionId })).name, 'Kept');

    // A finished transaction takes nothing more.
    await expectAppwriteError(assert, () => tdb.updateTransaction({ transactionId, commit: true }), 400, 'transaction_not_ready');
    await expectAppwriteError(assert, () => tdb.updateTransaction({ transactionId, rollback: true }), 400, 'transaction_not_ready');
    await expectAppwriteError(assert, () => tdb.createRow({ databaseId, tableId, rowId: 'late', data: { name: 'L' }, transactionId }), 400, 'transaction_not_ready');
    await expectAppwriteError(assert, () => tdb.createOperations({ transactionId, operations: [{ action: 'delete', databaseId, tableId, rowId: 'keep' }] }), 400, 'general_bad_request');
});

test('rows staged without an ID get one when staged: reads through the transaction and the commit agree', async () => {
    const { databaseId, tableId } = await table();
    const t = await tdb.createTransaction();
    await tdb.createRows({ databaseId, tableId, rows: [{ name: 'G1' }, { $id: 'unique()', name: 'G2' }], transactionId: t.$id });
    await tdb.upsertRows({ databaseId, tableId, rows: [{ name: 'G3' }], transactionId: t.$id });
    const first = await ids(databaseId, tableId, { transactionId: t.$id });
    assert.equal(first.length, 3);
    assert.deepEqual(await ids(databaseId, tableId, { transactionId: t.$id }), first);
    await tdb.updateTransaction({ transactionId: t.$id, commit: true });
    assert.deepEqual(await ids(databaseId, tableId), first);
});

test('databases: staged document writes, commit and rollback', async () => {
    const { databaseId, tableId: collectionId } = await table();
    await dbs.createDocument({ databaseId, collectionId, documentId: 'd1', data: { name: 'One', score: 1 } });
    let t = await dbs.createTransaction();
    let d = await dbs.createDocument({ databaseId, collectionId, documentId: 'd2', data: { name: 'Two' }, permissions: [Permission.read(Role.any())], transactionId: t.$id });
    assert.equal(d.$collectionId, collectionId);
    assert.deepEqual(d.$permissions, ['read("any")']);
    await dbs.updateDocument({ databaseId, collectionId, documentId: 'd1', data: { score: 50 }, transactionId: t.$id });
    await dbs.decrementDocumentAttribute({ databaseId, collectionId, documentId: 'd1', attribute: 'score', value: 8, min: 0, transactionId: t.$id });
    await dbs.updateDocuments({ databaseId, collectionId, data: { code: 'bulk' }, queries: [Query.equal('$id', ['d1'])], transactionId: t.$id });
    const seen = await dbs.getDocument({ databaseId, collectionId, documentId: 'd1', transactionId: t.$id });
    assert.equal(seen.score, 42);
    assert.equal(seen.code, 'bulk');
    await expectAppwriteError(assert, () => dbs.getDocument({ databaseId, collectionId, documentId: 'd2' }), 404, 'document_not_found');
    assert.equal((await dbs.updateTransaction({ transactionId: t.$id, commit: true })).status, 'committed');
    d = await dbs.getDocument({ databaseId, collectionId, documentId: 'd1' });
    assert.equal(d.score, 42);
    assert.equal(d.code, 'bulk');
    assert.deepEqual((await dbs.getDocument({ databaseId, collectionId, documentId: 'd2' })).$permissions, ['read("any")']);

    // Rollback: the staged writes are dropped, and the transaction is failed, as Appwrite marks it.
    t = await dbs.createTransaction();
    await dbs.createDocument({ databaseId, collectionId, documentId: 'd3', data: { name: 'Three' }, transactionId: t.$id });
    await dbs.deleteDocument({ databaseId, collectionId, documentId: 'd1', transactionId: t.$id });
    await dbs.deleteDocuments({ databaseId, collectionId, transactionId: t.$id });
    const rolled = await dbs.updateTransaction({ transactionId: t.$id, rollback: true });
    assert.equal(rolled.status, 'failed');
    assert.equal((await dbs.listDocuments({ databaseId, collectionId })).total, 2);
    await expectAppwriteError(assert, () => dbs.getDocument({ databaseId, collectionId, documentId: 'd3' }), 404, 'document_not_found');
    await expectAppwriteError(assert, () => dbs.updateTransaction({ transactionId: t.$id, rollback: true }), 400, 'transaction_not_ready');
    // Reads through a finished transaction see what is committed.
    assert.equal((await dbs.listDocuments({ databaseId, collectionId, transactionId: t.$id })).total, 2);
});

test('createOperations: every action, in both families', async () => {
    const { databaseId, tableId } = await table();
    await tdb.createRows({ databaseId, tableId, rows: [{ $id: 'a', name: 'A', score: 1 }, { $id: 'b', name: 'B', score: 2 }, { $id: 'c', name: 'C', score: 3 }] });
    const t = await tdb.createTransaction();
    const staged = await tdb.createOperations({
        transactionId: t.$id,
        operations: [
            { action: 'create', databaseId, tableId, rowId: 'n', data: { name: 'N', score: 7 } },
            { action: 'update', databaseId, tableId, rowId: 'n', data: { name: 'N2' } },
            { action: 'increment', databaseId, tableId, rowId: 'a', data: { column: 'score', value: 10 } },
            { action: 'decrement', databaseId, tableId, rowId: 'b', data: { column: 'score', value: 2, min: 0 } },
            { action: 'upsert', databaseId, tableId, rowId: 'u', data: { name: 'U' } },
            { action: 'delete', databaseId, tableId, rowId: 'c' },
            { action: 'bulkCreate', databaseId, tableId, data: [{ $id: 'x1', name: 'X1' }, { $id: 'x2', name: 'X2' }] },
            { action: 'bulkUpdate', databaseId, tableId, data: { queries: [Query.startsWith('name', 'X')], data: { score: 99 } } },
            { action: 'bulkUpsert', databaseId, tableId, data: [{ $id: 'x2', name: 'X2', score: 98 }, { $id: 'y', name: 'Y' }] },
            { action: 'bulkDelete', databaseId, tableId, data: { queries: [Query.equal('$id', ['y'])] } },
        ],
    });
    assert.equal(staged.status, 'pending');
    assert.equal(staged.operations, 10);
    assert.deepEqual(await ids(databaseId, tableId), ['a', 'b', 'c']);
    await tdb.updateTransaction({ transactionId: t.$id, commit: true });
    const rows = (await tdb.listRows({ databaseId, tableId, queries: [Query.orderAsc('$id')] })).rows;
    assert.deepEqual(rows.map((r) => `${r.$id}:${r.name}:${r.score}`), ['a:A:11', 'b:B:0', 'n:N2:7', 'u:U:null', 'x1:X1:99', 'x2:X2:98']);

    // The databases family names collections and documents.
    const d = await dbs.createTransaction();
    await dbs.createOperations({ transactionId: d.$id, operations: [{ action: 'update', databaseId, collectionId: tableId, documentId: 'a', data: { score: 12 } }, { action: 'increment', databaseId, collectionId: tableId, documentId: 'a', data: { attribute: 'score' } }] });
    await dbs.updateTransaction({ transactionId: d.$id, commit: true });
    assert.equal((await dbs.getDocument({ databaseId, collectionId: tableId, documentId: 'a' })).score, 13);
});

test('createOperations: what staging refuses', async () => {
    const { databaseId, tableId } = await table();
    await tdb.createRow({ databaseId, tableId, rowId: 'a', data: { name: 'A' } });
    const t = await tdb.createTransaction();
    const transactionId = t.$id;
    const ops = (operations) => tdb.createOperations({ transactionId, operations });
    await expectAppwriteError(assert, () => ops([]), 400, 'general_bad_request');
    await expectAppwriteError(assert, () => ops([{ action: 'explode', databaseId, tableId, rowId: 'a', data: {} }]), 400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => ops([{ action: 'update', databaseId, tableId, data: {} }]), 400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => ops([{ action: 'update', databaseId, tableId, rowId: 'a' }]), 400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => ops([{ action: 'increment', databaseId, tableId, rowId: 'a', data: { value: 1 } }]), 400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => ops([{ action: 'bulkUpdate', databaseId, tableId, data: { data: {} } }]), 400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => ops([{ action: 'update', databaseId, tableId, rowId: 'nope', data: { name: 'x' } }]), 404, 'document_not_found');
    await expectAppwriteError(assert, () => ops([{ action: 'delete', databaseId, tableId, rowId: 'nope' }]), 404, 'document_not_found');
    await expectAppwriteError(assert, () => ops([{ action: 'create', databaseId: 'nope', tableId, rowId: 'x', data: {} }]), 404, 'database_not_found');
    await expectAppwriteError(assert, () => ops([{ action: 'create', databaseId, tableId: 'nope', rowId: 'x', data: {} }]), 404, 'collection_not_found');
    // The routes say it in the family's words.
    await expectAppwriteError(assert, () => tdb.updateRow({ databaseId, tableId, rowId: 'nope', data: { name: 'x' }, transactionId }), 404, 'row_not_found');
    await expectAppwriteError(assert, () => tdb.createRow({ databaseId, tableId: 'nope', rowId: 'x', data: { name: 'x' }, transactionId }), 404, 'table_not_found');
    await expectAppwriteError(assert, () => tdb.createRow({ databaseId, tableId, rowId: 'x', data: { name: 'x' }, transactionId: 'nope' }), 404, 'transaction_not_found');
    // An update of a row created earlier in the same request is fine; nothing above was staged.
    const ok = await ops([{ action: 'create', databaseId, tableId, rowId: 'fresh', data: { name: 'F' } }, { action: 'update', databaseId, tableId, rowId: 'fresh', data: { score: 1 } }]);
    assert.equal(ok.operations, 2);

    // At most 100 operations per transaction.
    const many = Array.from({ length: 98 }, (_, i) => ({ action: 'create', databaseId, tableId, rowId: `m${i}`, data: { name: 'M' } }));
    assert.equal((await ops(many)).operations, 100);
    const e = await expectAppwriteError(assert, () => ops([{ action: 'delete', databaseId, tableId, rowId: 'a' }]), 400, 'transaction_limit_exceeded');
    assert.match(e.message, /100/);
    await tdb.updateTransaction({ transactionId, commit: true });
    assert.equal((await tdb.listRows({ databaseId, tableId, total: true })).total, 100);

    // A guest may not stage bulk writes, nor write where the table does not let it.
    const { databaseId: db2, tableId: t2 } = await table();
    await tdb.updateTable({ databaseId: db2, tableId: t2, name: t2, permissions: [Permission.read(Role.any())] });
    const gt = await tdb.createTransaction(); // a key's transaction: a guest cannot even find it
    await expectAppwriteError(assert, () => guestTdb.createRow({ databaseId: db2, tableId: t2, rowId: 'g', data: { name: 'G' }, transactionId: gt.$id }), 404, 'transaction_not_found');
});

test('a commit is all or nothing: the first failing operation undoes the others', async () => {
    const { databaseId, tableId } = await table();
    await tdb.createRow({ databaseId, tableId, rowId: 'a', data: { name: 'A', code: 'taken', score: 1 } });
    const before = await ids(databaseId, tableId);

    // A structure error in the last operation.
    let t = await tdb.createTransaction();
    await tdb.createOperations({ transactionId: t.$id, operations: [
        { action: 'create', databaseId, tableId, rowId: 'v1', data: { name: 'V1' } },
        { action: 'update', databaseId, tableId, rowId: 'a', data: { score: 2 } },
        { action: 'create', databaseId, tableId, rowId: 'bad', data: { name: 'Bad', score: 5000 } },
    ] });
    await expectAppwriteError(assert, () => tdb.updateTransaction({ transactionId: t.$id, commit: true }), 400, 'document_invalid_structure');
    assert.deepEqual(await ids(databaseId, tableId), before);
    assert.equal((await tdb.getRow({ databaseId, tableId, rowId: 'a' })).score, 1);
    assert.equal((await tdb.getTransaction({ transactionId: t.$id })).status, 'failed');
    await expectAppwriteError(assert, () => tdb.updateTransaction({ transactionId: t.$id, commit: true }), 400, 'transaction_not_ready');

    // A unique value already taken: Appwrite's transaction_conflict.
    t = await tdb.createTransaction();
    await tdb.createRow({ databaseId, tableId, rowId: 'v2', data: { name: 'V2' }, transactionId: t.$id });
    await tdb.createRow({ databaseId, tableId, rowId: 'dup', data: { name: 'Dup', code: 'taken' }, transactionId: t.$id });
    await expectAppwriteError(assert, () => tdb.updateTransaction({ transactionId: t.$id, commit: true }), 409, 'transaction_conflict');
    assert.deepEqual(await ids(databaseId, tableId), before);

    // An operator that does not fit fails the commit too.
    t = await tdb.createTransaction();
    await tdb.updateRow({ databaseId, tableId, rowId: 'a', data: { name: Operator.increment(1) }, transactionId: t.$id });
    await expectAppwriteError(assert, () => tdb.updateTransaction({ transactionId: t.$id, commit: true }), 400, 'document_invalid_structure');
    assert.equal((await tdb.getRow({ databaseId, tableId, rowId: 'a' })).name, 'A');
});

test('conflicts: a document changed after the write was staged fails the commit', async () => {
    const { databaseId, tableId } = await table();
    await tdb.createRows({ databaseId, tableId, rows: [{ $id: 'a', name: 'A', score: 1 }, { $id: 'b', name: 'B', score: 2 }] });

    // Update staged, then someone else updates the row: conflict, nothing of the transaction lands.
    let t = await tdb.createTransaction();
    await tdb.createRow({ databaseId, tableId, rowId: 'side', data: { name: 'Side' }, transactionId: t.$id });
    await tdb.updateRow({ databaseId, tableId, rowId: 'a', data: { score: 10 }, transactionId: t.$id });
    await sleep(5);
    await tdb.updateRow({ databaseId, tableId, rowId: 'a', data: { score: 20 } });
    await expectAppwriteError(assert, () => tdb.updateTransaction({ transactionId: t.$id, commit: true }), 409, 'transaction_conflict');
    assert.equal((await tdb.getRow({ databaseId, tableId, rowId: 'a' })).score, 20);
    await expectAppwriteError(assert, () => tdb.getRow({ databaseId, tableId, rowId: 'side' }), 404, 'row_not_found');
    assert.equal((await tdb.getTransaction({ transactionId: t.$id })).status, 'failed');

    // The same for a staged delete and a staged bulk update.
    t = await tdb.createTransaction();
    await tdb.deleteRow({ databaseId, tableId, rowId: 'b', transactionId: t.$id });
    await sleep(5);
    await tdb.incrementRowColumn({ databaseId, tableId, rowId: 'b', column: 'score' });
    await expectAppwriteError(assert, () => tdb.updateTransaction({ transactionId: t.$id, commit: true }), 409, 'transaction_conflict');
    t = await tdb.createTransaction();
    await tdb.updateRows({ databaseId, tableId, data: { code: 'c' }, queries: [Query.greaterThan('score', 0)], transactionId: t.$id });
    await sleep(5);
    await tdb.updateRow({ databaseId, tableId, rowId: 'b', data: { name: 'B2' } });
    await expectAppwriteError(assert, () => tdb.updateTransaction({ transactionId: t.$id, commit: true }), 409, 'transaction_conflict');

    // A row created outside under an ID the transaction means to create.
    t = await tdb.createTransaction();
    await tdb.createRow({ databaseId, tableId, rowId: 'race', data: { name: 'Mine' }, transactionId: t.$id });
    await tdb.createRow({ databaseId, tableId, rowId: 'race', data: { name: 'Theirs' } });
    await expectAppwriteError(assert, () => tdb.updateTransaction({ transactionId: t.$id, commit: true }), 409, 'transaction_conflict');
    assert.equal((await tdb.getRow({ databaseId, tableId, rowId: 'race' })).name, 'Theirs');

    // Without interference, an update after an earlier staged write to the same row is no conflict.
    t = await tdb.createTransaction();
    await tdb.updateRow({ databaseId, tableId, rowId: 'a', data: { score: 30 }, transactionId: t.$id });
    await sleep(5);
    await tdb.updateRow({ databaseId, tableId, rowId: 'a', data: { score: Operator.increment(1) }, transactionId: t.$id });
    await tdb.updateTransaction({ transactionId: t.$id, commit: true });
    assert.equal((await tdb.getRow({ databaseId, tableId, rowId: 'a' })).score, 31);
});

test('staged operations survive a restart', async () => {
    const other = await startServer();
    try {
        const { client } = await serverClient(other);
        const t2 = new sdk.TablesDB(client);
        const databaseId = uid('db');
        const tableId = uid('t');
        await t2.create({ databaseId, name: databaseId });
        await t2.createTable({ databaseId, tableId, name: tableId, columns: [{ key: 'name', type: 'string', size: 10, required: true }] });
        const t = await t2.createTransaction();
        await t2.createRow({ databaseId, tableId, rowId: 'r', data: { name: 'Durable' }, transactionId: t.$id });
        await other.stop({ keepData: true });
        const again = await startServer({ dataDir: other.dataDir });
        try {
            const { client: c2 } = await serverClient(again, { key: other.key, project: other.projectId });
            const t3 = new sdk.TablesDB(c2);
            assert.equal((await t3.getTransaction({ transactionId: t.$id })).operations, 1);
            await t3.updateTransaction({ transactionId: t.$id, commit: true });
            assert.equal((await t3.getRow({ databaseId, tableId, rowId: 'r' })).name, 'Durable');
        } finally {
            await again.stop();
        }
    } finally {
        if (other.proc.exitCode === null) await other.stop();
    }
});

test('expiry: an expired transaction can neither take operations nor commit', async () => {
    const wait = expiring.expiresAt + 1000 - Date.now();
    if (wait > 0) await sleep(wait);
    const { databaseId, tableId, tables, databases } = expiring;
    await expectAppwriteError(assert, () => tdb.updateTransaction({ transactionId: tables, commit: true }), 410, 'transaction_expired');
    await expectAppwriteError(assert, () => tdb.updateTransaction({ transactionId: tables, rollback: true }), 410, 'transaction_expired');
    await expectAppwriteError(assert, () => tdb.createRow({ databaseId, tableId, rowId: 'later', data: { name: 'X' }, transactionId: tables }), 410, 'transaction_expired');
    await expectAppwriteError(assert, () => dbs.createOperations({ transactionId: databases, operations: [{ action: 'create', databaseId, collectionId: tableId, documentId: 'later', data: { name: 'X' } }] }), 410, 'transaction_expired');
    await expectAppwriteError(assert, () => tdb.getRow({ databaseId, tableId, rowId: 'late' }), 404, 'row_not_found');
    assert.equal((await tdb.getTransaction({ transactionId: tables })).status, 'pending');
});
