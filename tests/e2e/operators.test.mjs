// Update operators (node-appwrite's Operator helper) inside the data of row and document updates
// and upserts, single and bulk: each method's result, bounds that keep the value, the refusals
// with Appwrite's error types, all-or-nothing when one operator of a write fails, and increments
// that race each other all counting.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, serverClient, expectAppwriteError } from './lib/server.mjs';

let server;
let sdk;
let tdb;
let dbs;
let Operator;
let Condition;
let Query;

before(async () => {
    server = await startServer();
    let client;
    ({ sdk, client } = await serverClient(server));
    ({ Operator, Condition, Query } = sdk);
    tdb = new sdk.TablesDB(client);
    dbs = new sdk.Databases(client);
});
after(async () => { await server.stop(); });

let seq = 0;
const uid = (p) => `${p}${Date.now().toString(36)}${(seq++).toString(36)}`;

async function raw(method, path, body) {
    const r = await fetch(server.endpoint + path, {
        method,
        headers: {
            accept: 'application/json',
            'content-type': 'application/json',
            'x-appwrite-project': server.projectId,
            'x-appwrite-key': server.key,
        },
        body: JSON.stringify(body),
    });
    return { status: r.status, body: await r.json() };
}

/** A table with a column of every kind the operators work on. */
async function table() {
    const databaseId = uid('db');
    const tableId = uid('t');
    await tdb.create({ databaseId, name: databaseId });
    await tdb.createTable({
        databaseId,
        tableId,
        name: tableId,
        columns: [
            { key: 'count', type: 'integer', required: false, default: 10 },
            { key: 'big', type: 'bigint', required: false },
            { key: 'score', type: 'double', required: false },
            { key: 'title', type: 'string', size: 20, required: false },
            { key: 'tags', type: 'string', size: 10, required: false, array: true },
            { key: 'nums', type: 'integer', required: false, array: true },
            { key: 'active', type: 'boolean', required: false },
            { key: 'due', type: 'datetime', required: false },
        ],
    });
    return { databaseId, tableId };
}

test('numeric operators: increment, decrement, multiply, divide, modulo, power, with bounds', async () => {
    const { databaseId, tableId } = await table();
    await tdb.createRow({ databaseId, tableId, rowId: 'r', data: { count: 5, score: 1.5 } });
    const update = (data) => tdb.updateRow({ databaseId, tableId, rowId: 'r', data });

    let r = await update({ count: Operator.increment(3), score: Operator.increment(0.25) });
    assert.equal(r.count, 8);
    assert.equal(r.score, 1.75);
    r = await update({ count: Operator.increment(5, 10) }); // 13 would cross the max: unchanged
    assert.equal(r.count, 8);
    r = await update({ count: Operator.increment(2, 10) });
    assert.equal(r.count, 10);
    r = await update({ count: Operator.decrement(4) });
    assert.equal(r.count, 6);
    r = await update({ count: Operator.decrement(7, 0) }); // would go below 0: unchanged
    assert.equal(r.count, 6);
    r = await update({ count: Operator.multiply(3), score: Operator.divide(2) });
    assert.equal(r.count, 18);
    assert.equal(r.score, 0.875);
    r = await update({ count: Operator.modulo(5) });
    assert.equal(r.count, 3);
    r = await update({ count: Operator.power(2) });
    assert.equal(r.count, 9);
    r = await update({ count: Operator.power(3, 100) }); // 729 > 100: unchanged
    assert.equal(r.count, 9);
    // A missing value counts as 0.
    r = await update({ big: Operator.increment(2147483648) });
    assert.equal(r.big, 2147483648);
    // Stored, not just answered.
    const got = await tdb.getRow({ databaseId, tableId, rowId: 'r' });
    assert.equal(got.count, 9);
    assert.equal(got.score, 0.875);
});

test('array, string, boolean and date operators', async () => {
    const { databaseId, tableId } = await table();
    await tdb.createRow({
        databaseId, tableId, rowId: 'r',
        data: { title: 'hello world', tags: ['a', 'b', 'a'], nums: [1, 5, 8, 2], active: false, due: '2026-01-30T10:00:00.000+00:00' },
    });
    const update = (data) => tdb.updateRow({ databaseId, tableId, rowId: 'r', data });

    let r = await update({ tags: Operator.arrayAppend(['c']), nums: Operator.arrayInsert(1, 99) });
    assert.deepEqual(r.tags, ['a', 'b', 'a', 'c']);
    assert.deepEqual(r.nums, [1, 99, 5, 8, 2]);
    r = await update({ tags: Operator.arrayPrepend(['z']) });
    assert.deepEqual(r.tags, ['z', 'a', 'b', 'a', 'c']);
    r = await update({ tags: Operator.arrayUnique() });
    assert.deepEqual(r.tags, ['z', 'a', 'b', 'c']);
    r = await update({ tags: Operator.arrayRemove('z') });
    assert.deepEqual(r.tags, ['a', 'b', 'c']);
    r = await update({ tags: Operator.arrayIntersect(['b', 'c', 'd']) });
    assert.deepEqual(r.tags, ['b', 'c']);
    r = await update({ tags: Operator.arrayDiff(['c']) });
    assert.deepEqual(r.tags, ['b']);
    r = await update({ nums: Operator.arrayFilter(Condition.GreaterThan, 4) });
    assert.deepEqual(r.nums, [99, 5, 8]);

    r = await update({ title: Operator.stringConcat('!') });
    assert.equal(r.title, 'hello world!');
    r = await update({ title: Operator.stringReplace('world', 'there') });
    assert.equal(r.title, 'hello there!');

    r = await update({ active: Operator.toggle() });
    assert.equal(r.active, true);

    r = await update({ due: Operator.dateAddDays(3) });
    assert.equal(r.due, '2026-02-02T10:00:00.000+00:00');
    r = await update({ due: Operator.dateSubDays(33) });
    assert.equal(r.due, '2025-12-31T10:00:00.000+00:00');
    const before = Date.now();
    r = await update({ due: Operator.dateSetNow() });
    assert.ok(Math.abs(Date.parse(r.due) - before) < 60000, r.due);
});

test('upserts apply operators to the stored row, or to the defaults of a new one', async () => {
    const { databaseId, tableId } = await table();
    let r = await tdb.upsertRow({ databaseId, tableId, rowId: 'n', data: { count: Operator.increment(5), tags: Operator.arrayAppend(['x']) } });
    assert.equal(r.count, 15); // the default 10, plus 5
    assert.deepEqual(r.tags, ['x']);
    r = await tdb.upsertRow({ databaseId, tableId, rowId: 'n', data: { count: Operator.multiply(2) } });
    assert.equal(r.count, 30);
    // Bulk upsert, and creating a row: a create stores the value as it was sent.
    await tdb.createRow({ databaseId, tableId, rowId: 'c', data: { title: '{"method":"toggle"}' } });
    assert.equal((await tdb.getRow({ databaseId, tableId, rowId: 'c' })).title, '{"method":"toggle"}');
    const up = await tdb.upsertRows({ databaseId, tableId, rows: [{ $id: 'n', count: Operator.decrement(1) }, { $id: 'm', count: Operator.decrement(1) }] });
    assert.deepEqual(up.rows.map((x) => `${x.$id}:${x.count}`).sort(), ['m:9', 'n:29']);
});

test('bulk updates apply an operator to each matched document from its own value', async () => {
    const databaseId = uid('db');
    const collectionId = uid('c');
    await dbs.create({ databaseId, name: databaseId });
    await dbs.createCollection({
        databaseId, collectionId, name: collectionId,
        attributes: [{ key: 'stock', type: 'integer', required: false }, { key: 'labels', type: 'string', size: 10, required: false, array: true }],
    });
    await dbs.createDocuments({ databaseId, collectionId, documents: [{ $id: 'a', stock: 1 }, { $id: 'b', stock: 5 }, { $id: 'c', stock: 9, labels: ['old'] }] });
    const changed = await dbs.updateDocuments({ databaseId, collectionId, data: { stock: Operator.increment(10), labels: Operator.arrayAppend(['sale']) }, queries: [Query.greaterThan('stock', 2)] });
    assert.deepEqual(changed.documents.map((d) => `${d.$id}:${d.stock}`).sort(), ['b:15', 'c:19']);
    const c = await dbs.getDocument({ databaseId, collectionId, documentId: 'c' });
    assert.deepEqual(c.labels, ['old', 'sale']);
    assert.equal((await dbs.getDocument({ databaseId, collectionId, documentId: 'a' })).stock, 1);
    const d = await dbs.updateDocument({ databaseId, collectionId, documentId: 'a', data: { stock: Operator.decrement(1) } });
    assert.equal(d.stock, 0);
});

test('refusals: malformed operators, operators that do not fit, and nothing written when one fails', async () => {
    const { databaseId, tableId } = await table();
    await tdb.createRow({ databaseId, tableId, rowId: 'r', data: { count: 1, title: 'abc', tags: ['a'] } });
    const path = `/tablesdb/${databaseId}/tables/${tableId}/rows/r`;

    let r = await raw('PATCH', path, { data: { count: '{"method":"increment","values":5}' } });
    assert.equal(r.status, 400);
    assert.equal(r.body.type, 'general_bad_request');
    assert.match(r.body.message, /Invalid operator for attribute "count"/);

    const refuse = async (data, pattern) => {
        const e = await expectAppwriteError(assert, () => tdb.updateRow({ databaseId, tableId, rowId: 'r', data }), 400, 'row_invalid_structure');
        assert.match(e.message, pattern);
    };
    await refuse({ title: Operator.increment(1) }, /Cannot apply increment operator to non-numeric field 'title'/);
    await refuse({ count: '{"method":"divide","values":[0]}' }, /division by zero/);
    await refuse({ count: Operator.arrayAppend(['x']) }, /Cannot apply arrayAppend operator to non-array field 'count'/);
    await refuse({ tags: Operator.arrayInsert(5, 'x') }, /index 5 is out of bounds for array of length 1/);
    await refuse({ title: Operator.stringConcat('x'.repeat(18)) }, /exceed maximum length of 20/);
    await refuse({ active: Operator.dateSetNow() }, /non-datetime field 'active'/);
    await refuse({ count: Operator.increment(2147483647) }, /would overflow maximum value of 2147483647/);

    // Several operators in one write: the one that fails undoes the others.
    await refuse({ count: Operator.increment(1), tags: Operator.arrayAppend(['b']), title: Operator.toggle() }, /non-boolean field 'title'/);
    const row = await tdb.getRow({ databaseId, tableId, rowId: 'r' });
    assert.equal(row.count, 1);
    assert.deepEqual(row.tags, ['a']);

    // The documents family says document_invalid_structure; an unknown key stays unknown.
    const c = uid('c');
    await dbs.createCollection({ databaseId, collectionId: c, name: c, attributes: [{ key: 'n', type: 'string', size: 5, required: false }] });
    await dbs.createDocument({ databaseId, collectionId: c, documentId: 'd', data: { n: 'x' } });
    await expectAppwriteError(assert, () => dbs.updateDocument({ databaseId, collectionId: c, documentId: 'd', data: { n: Operator.toggle() } }), 400, 'document_invalid_structure');
    const e = await expectAppwriteError(assert, () => dbs.updateDocument({ databaseId, collectionId: c, documentId: 'd', data: { missing: Operator.increment(1) } }), 400, 'document_invalid_structure');
    assert.match(e.message, /Unknown attribute/);
});

test('operators that race: every concurrent increment counts', async () => {
    const { databaseId, tableId } = await table();
    await tdb.createRow({ databaseId, tableId, rowId: 'hits', data: { count: 0, tags: [] } });
    const n = 40;
    await Promise.all(Array.from({ length: n }, (_, i) => tdb.updateRow({ databaseId, tableId, rowId: 'hits', data: { count: Operator.increment(1), nums: Operator.arrayAppend([i]) } })));
    const row = await tdb.getRow({ databaseId, tableId, rowId: 'hits' });
    assert.equal(row.count, n);
    assert.deepEqual([...row.nums].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i));
});
