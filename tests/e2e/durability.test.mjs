// A write answered 2xx survives kill -9: rows are created from several clients at once, the
// server is killed in the middle, started again on the same folder, and every acknowledged row
// must be there, whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, serverClient } from './lib/server.mjs';

test('acknowledged rows survive SIGKILL', async () => {
    const first = await startServer();
    const { dataDir, key, projectId } = first;
    let { sdk, client } = await serverClient(first);
    let tdb = new sdk.TablesDB(client);
    await tdb.create({ databaseId: 'main', name: 'Main' });
    await tdb.createTable({ databaseId: 'main', tableId: 'events', name: 'Events' });
    await tdb.createStringColumn({ databaseId: 'main', tableId: 'events', key: 'body', size: 64, required: true });
    await tdb.createIntegerColumn({ databaseId: 'main', tableId: 'events', key: 'n', required: true });

    const acked = new Map();
    let stop = false;
    const writer = async (w) => {
        for (let i = 0; !stop; i++) {
            const rowId = `w${w}r${i}`;
            try {
                await tdb.createRow({ databaseId: 'main', tableId: 'events', rowId, data: { body: `row ${rowId}`, n: i } });
                acked.set(rowId, i);
            } catch {
                return; // the server is gone
            }
        }
    };
    const writers = Array.from({ length: 8 }, (_, w) => writer(w));
    await new Promise((r) => setTimeout(r, 1500));
    first.proc.kill('SIGKILL');
    stop = true;
    await Promise.all(writers);
    await first.exited;
    assert.ok(acked.size > 20, `only ${acked.size} rows were acknowledged before the kill`);

    const second = await startServer({ dataDir });
    try {
        ({ sdk, client } = await serverClient(second, { key, project: projectId }));
        tdb = new sdk.TablesDB(client);
        const { Query } = sdk;
        const all = new Map();
        let cursor = null;
        for (;;) {
            const queries = [Query.limit(500), Query.orderAsc('$sequence')];
            if (cursor) queries.push(Query.cursorAfter(cursor));
            const page = await tdb.listRows({ databaseId: 'main', tableId: 'events', queries, total: false });
            for (const row of page.rows) all.set(row.$id, row);
            if (page.rows.length < 500) break;
            cursor = page.rows[page.rows.length - 1].$id;
        }
        for (const [rowId, n] of acked) {
            const row = all.get(rowId);
            assert.ok(row, `acknowledged row ${rowId} is missing after the kill`);
            assert.equal(row.n, n);
            assert.equal(row.body, `row ${rowId}`);
        }
        // Nothing half-written: every row there is whole.
        for (const row of all.values()) assert.equal(row.body, `row ${row.$id}`);
    } finally {
        await second.stop();
        const { rmSync } = await import('node:fs');
        rmSync(dataDir, { recursive: true, force: true });
    }
});
