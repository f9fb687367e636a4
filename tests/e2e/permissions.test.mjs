// The permission matrix, from the outside through node-appwrite: three users (alice: verified,
// label "vip", owner of team "crew"; bob: unverified, "editor" of crew; carol: in no team), a guest
// and alice through a JWT, against collections (Databases) and tables (TablesDB) whose permissions
// name one role each, and a collection/table with document (row) security whose documents name one
// role each. Every operation (get, list with total, queries, cursors and select, create, update,
// upsert, increment, decrement, delete and the bulk forms) either works or fails with Appwrite's
// type and code, as utopia-php/database decides: no read on get is document_not_found, no read on
// list without document security is user_unauthorized, a write without the permission is
// user_unauthorized, bulk create needs an API key. Then: membership, role, label and verification
// changes take effect on the next request; blocked users are refused everywhere, also with a
// session or JWT made before (403 user_blocked, also on routes that need no database);
// users.createJWT picks the session and dies with it; accessedAt moves at most once a day.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, serverClient, expectAppwriteError, sdkCall } from './lib/server.mjs';

let server;
let sdk;
let key; // node-appwrite client with the API key
let users;
let teams;
let P;
let R;
let Q;
const memberships = {};
const actors = {}; // name -> { client, roles: Set }

const DB = { docs: 'mdocs', rows: 'mrows' };

/** The roles each collection/table of the matrix grants, by a short name usable in IDs. */
const ROLE_NAMES = ['any', 'users', 'ualice', 'team', 'teameditor', 'memberbob', 'vip', 'guests',
    'aliceverified', 'usersunverified'];
function roleString(name) {
    return {
        any: 'any', users: 'users', ualice: 'user:alice', team: 'team:crew',
        teameditor: 'team:crew/editor', memberbob: `member:${memberships.bob}`, vip: 'label:vip',
        guests: 'guests', aliceverified: 'user:alice/verified', usersunverified: 'users/unverified',
    }[name];
}

function perm(action, role) {
    return `${action}("${role}")`;
}

/** One family's calls, with its error types and list key, for a client. */
function family(kind, client) {
    if (kind === 'docs') {
        const d = new sdk.Databases(client);
        const base = (c) => ({ databaseId: DB.docs, collectionId: c });
        return {
            kind, notFound: 'document_not_found', parentNotFound: 'collection_not_found', items: 'documents',
            get: (c, id, queries) => d.getDocument({ ...base(c), documentId: id, queries }),
            list: (c, queries) => d.listDocuments({ ...base(c), queries }),
            create: (c, id, data, permissions) => d.createDocument({ ...base(c), documentId: id, data, permissions }),
            update: (c, id, data, permissions) => d.updateDocument({ ...base(c), documentId: id, data, permissions }),
            upsert: (c, id, data, permissions) => d.upsertDocument({ ...base(c), documentId: id, data, permissions }),
            del: (c, id) => d.deleteDocument({ ...base(c), documentId: id }),
            inc: (c, id) => d.incrementDocumentAttribute({ ...base(c), documentId: id, attribute: 'n', value: 1 }),
            dec: (c, id) => d.decrementDocumentAttribute({ ...base(c), documentId: id, attribute: 'n', value: 1 }),
            bulkCreate: (c, items) => d.createDocuments({ ...base(c), documents: items }),
            bulkUpsert: (c, items) => d.upsertDocuments({ ...base(c), documents: items }),
            bulkUpdate: (c, data, queries) => d.updateDocuments({ ...base(c), data, queries }),
            bulkDelete: (c, queries) => d.deleteDocuments({ ...base(c), queries }),
            parent: (c, permissions, security) => d.createCollection({ databaseId: DB.docs, collectionId: c,
                name: c, permissions, documentSecurity: security }),
            string: (c, k) => d.createStringAttribute({ ...base(c), key: k, size: 64, required: false }),
            integer: (c, k) => d.createIntegerAttribute({ ...base(c), key: k, required: false }),
            getParent: (c) => d.getCollection({ ...base(c) }),
        };
    }
    const t = new sdk.TablesDB(client);
    const base = (c) => ({ databaseId: DB.rows, tableId: c });
    return {
        kind, notFound: 'row_not_found', parentNotFound: 'table_not_found', items: 'rows',
        get: (c, id, queries) => t.getRow({ ...base(c), rowId: id, queries }),
        list: (c, queries) => t.listRows({ ...base(c), queries }),
        create: (c, id, data, permissions) => t.createRow({ ...base(c), rowId: id, data, permissions }),
        update: (c, id, data, permissions) => t.updateRow({ ...base(c), rowId: id, data, permissions }),
        upsert: (c, id, data, permissions) => t.upsertRow({ ...base(c), rowId: id, data, permissions }),
        del: (c, id) => t.deleteRow({ ...base(c), rowId: id }),
        inc: (c, id) => t.incrementRowColumn({ ...base(c), rowId: id, column: 'n', value: 1 }),
        dec: (c, id) => t.decrementRowColumn({ ...base(c), rowId: id, column: 'n', value: 1 }),
        bulkCreate: (c, items) => t.createRows({ ...base(c), rows: items }),
        bulkUpsert: (c, items) => t.upsertRows({ ...base(c), rows: items }),
        bulkUpdate: (c, data, queries) => t.updateRows({ ...base(c), data, queries }),
        bulkDelete: (c, queries) => t.deleteRows({ ...base(c), queries }),
        parent: (c, permissions, security) => t.createTable({ databaseId: DB.rows, tableId: c, name: c,
            permissions, rowSecurity: security }),
        string: (c, k) => t.createStringColumn({ ...base(c), key: k, size: 64, required: false }),
        integer: (c, k) => t.createIntegerColumn({ ...base(c), key: k, required: false }),
        getParent: (c) => t.getTable({ ...base(c) }),
    };
}

function userClient({ session, jwt } = {}) {
    const client = new sdk.Client().setEndpoint(server.endpoint).setProject(server.projectId);
    if (session) client.setSession(session);
    if (jwt) client.setJWT(jwt);
    return client;
}

/** Resolves to [ok, value|error] instead of throwing. */
async function attempt(fn) {
    try {
        return [true, await fn()];
    } catch (e) {
        if (e.code === undefined || e.type === undefined) throw e;
        return [false, e];
    }
}

/** Expects fn to succeed when allowed, else to fail with this code and type. */
async function expectGate(allowed, fn, code, type, what) {
    const [ok, v] = await attempt(fn);
    if (allowed) {
        assert.ok(ok, `${what}: expected success, got ${v.code} ${v.type}: ${v.message}`);
    } else {
        assert.ok(!ok, `${what}: expected ${code} ${type}, but it succeeded`);
        assert.equal(`${v.code} ${v.type}`, `${code} ${type}`, `${what}: ${v.message}`);
    }
    return v;
}

const SEC = 'sec'; // the collection/table with document security and no collection permissions
const ACTOR_NAMES = ['alice', 'bob', 'carol', 'guest', 'alicejwt'];

before(async () => {
    server = await startServer();
    const c = await serverClient(server);
    sdk = c.sdk;
    key = c.client;
    ({ Permission: P, Role: R, Query: Q } = sdk);
    users = new sdk.Users(key);
    teams = new sdk.Teams(key);

    for (const [id, email] of [['alice', 'alice@example.com'], ['bob', 'bob@example.com'], ['carol', 'carol@example.com']]) {
        await users.create({ userId: id, email, password: 'password123', name: id });
    }
    await users.updateLabels({ userId: 'alice', labels: ['vip'] });
    await users.updateEmailVerification({ userId: 'alice', emailVerification: true });
    await teams.create({ teamId: 'crew', name: 'Crew' });
    memberships.alice = (await teams.createMembership({ teamId: 'crew', roles: ['owner'], userId: 'alice' })).$id;
    memberships.bob = (await teams.createMembership({ teamId: 'crew', roles: ['editor'], userId: 'bob' })).$id;

    // alice signs in herself; bob and carol get server-made sessions.
    const signIn = await sdkCall(userClient(), 'post', '/account/sessions/email',
        { email: 'alice@example.com', password: 'password123' });
    assert.equal(signIn.userId, 'alice');
    const aliceSession = (await users.createSession({ userId: 'alice' })).secret;
    const aliceClient = userClient({ session: aliceSession });
    const { jwt } = await new sdk.Account(aliceClient).createJWT();
    const aliceRoles = ['any', 'users', 'user:alice', 'user:alice/verified', 'users/verified', 'team:crew',
        `member:${memberships.alice}`, 'team:crew/owner', 'label:vip'];
    actors.alice = { client: aliceClient, roles: new Set(aliceRoles), userId: 'alice' };
    actors.alicejwt = { client: userClient({ jwt }), roles: new Set(aliceRoles), userId: 'alice' };
    actors.bob = {
        client: userClient({ session: (await users.createSession({ userId: 'bob' })).secret }),
        roles: new Set(['any', 'users', 'user:bob', 'user:bob/unverified', 'users/unverified', 'team:crew',
            `member:${memberships.bob}`, 'team:crew/editor']),
        userId: 'bob',
    };
    actors.carol = {
        client: userClient({ session: (await users.createSession({ userId: 'carol' })).secret }),
        roles: new Set(['any', 'users', 'user:carol', 'user:carol/unverified', 'users/unverified']),
        userId: 'carol',
    };
    actors.guest = { client: userClient(), roles: new Set(['any', 'guests']), userId: null };

    // The structure, made with the key.
    await new sdk.Databases(key).create({ databaseId: DB.docs, name: 'Matrix documents' });
    await new sdk.TablesDB(key).create({ databaseId: DB.rows, name: 'Matrix rows' });
    for (const kind of ['docs', 'rows']) {
        const f = family(kind, key);
        const parents = [...ROLE_NAMES.map((r) => [`c_${r}`, ['read', 'create', 'update', 'delete']
            .map((a) => perm(a, roleString(r))), false]), [SEC, [], true], ['none', [], false]];
        for (const [id, permissions, security] of parents) {
            await f.parent(id, permissions, security);
            await f.string(id, 'title');
            await f.string(id, 'note');
            await f.integer(id, 'n');
        }
        for (const r of ROLE_NAMES) {
            // Two documents with no permissions of their own in each role's collection, and
            // throwaway ones each actor may try to delete.
            const items = [{ $id: 'd1', title: 'one', n: 10 }, { $id: 'd2', title: 'two', n: 20 }];
            for (const a of ACTOR_NAMES) {
                items.push({ $id: `del_${a}`, title: 'del', n: 0 }, { $id: `bdel_${a}`, title: 'bdel', n: 0 });
            }
            await f.bulkCreate(`c_${r}`, items);
        }
        const sec = ROLE_NAMES.map((r, i) => ({
            $id: `s_${r}`, title: r, n: i,
            $permissions: ['read', 'update', 'delete'].map((a) => perm(a, roleString(r))),
        }));
        for (const a of ACTOR_NAMES) {
            for (const r of ROLE_NAMES) {
                const p = ['read', 'update', 'delete'].map((x) => perm(x, roleString(r)));
                sec.push({ $id: `sd_${a}_${r}`, title: 'sd', n: 0, $permissions: p },
                    { $id: `sb_${a}_${r}`, title: 'sb', n: 0, $permissions: p });
            }
        }
        for (let i = 0; i < sec.length; i += 100) await f.bulkCreate(SEC, sec.slice(i, i + 100));
        await f.bulkCreate('none', [{ $id: 'd1', title: 'one', n: 1 }]);
    }
});
after(async () => { await server.stop(); });

function can(actor, roleName) {
    return actors[actor].roles.has(roleString(roleName));
}

/** Collection/table permissions, one role at a time. */
async function collectionMatrix(kind, actor) {
    const f = family(kind, actors[actor].client);
    const admin = family(kind, key);
    const UNAUTH = [401, 'user_unauthorized'];
    for (const r of ROLE_NAMES) {
        const c = `c_${r}`;
        const ok = can(actor, r);
        const what = (op) => `${kind} ${actor} ${op} on ${c}`;
        await expectGate(ok, () => f.get(c, 'd1'), 404, f.notFound, what('get'));
        const list = await expectGate(ok, () => f.list(c), ...UNAUTH, what('list'));
        if (ok) {
            assert.equal(list.total, 2 + 2 * ACTOR_NAMES.length - countDeleted(kind, c), what('list total'));
            const q = await f.list(c, [Q.equal('title', ['one']), Q.select(['title'])]);
            assert.equal(q.total, 1, what('list equal'));
            assert.equal(q[f.items][0].title, 'one');
        }
        await expectGate(ok, () => f.list(c, [Q.equal('title', ['one'])]), ...UNAUTH, what('list query'));
        // Without the collection's read the document looks absent even by its own ID query.
        await expectGate(false, () => f.get(c, 'nope'), 404, f.notFound, what('get missing'));
        const created = await expectGate(ok, () => f.create(c, `new_${actor}`, { title: 'mine', n: 1 }),
            ...UNAUTH, what('create'));
        if (ok) {
            // What a user makes without permissions is theirs; a guest's gets none.
            const uid = actors[actor].userId;
            assert.deepEqual([...created.$permissions].sort(), uid
                ? [perm('delete', `user:${uid}`), perm('read', `user:${uid}`), perm('update', `user:${uid}`)]
                : []);
        }
        await expectGate(ok, () => f.update(c, 'd2', { note: actor }), ...UNAUTH, what('update'));
        await expectGate(ok, () => f.upsert(c, 'd2', { note: `${actor}!` }), ...UNAUTH, what('upsert existing'));
        await expectGate(ok, () => f.upsert(c, `up_${actor}`, { title: 'up' }), ...UNAUTH, what('upsert new'));
        await expectGate(ok, () => f.inc(c, 'd1'), ...UNAUTH, what('increment'));
        await expectGate(ok, () => f.dec(c, 'd1'), ...UNAUTH, what('decrement'));
        await expectGate(false, () => f.update(c, 'ghost', { note: 'x' }), 404, f.notFound, what('update missing'));
        await expectGate(ok, () => f.del(c, `del_${actor}`), ...UNAUTH, what('delete'));
        assert.equal((await attempt(() => admin.get(c, `del_${actor}`)))[0], !ok, what('deleted?'));
        // Bulk: create needs a key (general_unauthorized_scope); update, upsert and delete read
        // the database's metadata with the caller's roles, so only a key finds the database.
        await expectGate(false, () => f.bulkCreate(c, [{ title: 'bulk' }]), 401, 'general_unauthorized_scope', what('bulk create'));
        await expectGate(false, () => f.bulkUpdate(c, { note: 'bulk' }, [Q.equal('$id', ['d2'])]),
            404, 'database_not_found', what('bulk update'));
        await expectGate(false, () => f.bulkUpsert(c, [{ $id: 'd2', note: `bulk ${actor}` }]), 404, 'database_not_found', what('bulk upsert'));
        await expectGate(false, () => f.bulkDelete(c, [Q.equal('$id', [`bdel_${actor}`])]), 404, 'database_not_found', what('bulk delete'));
        assert.ok((await attempt(() => admin.get(c, `bdel_${actor}`)))[0], what('bulk deleted nothing'));
        if (ok) deleted(kind, c, 1);
        // The key cleans up what the actor made so the totals of later actors stay known.
        for (const id of [`new_${actor}`, `up_${actor}`]) await attempt(() => admin.del(c, id));
    }
    // A collection that grants nothing; one that does not exist.
    await expectGate(false, () => f.get('none', 'd1'), 404, f.notFound, `${kind} ${actor} get none`);
    await expectGate(false, () => f.list('none'), ...UNAUTH, `${kind} ${actor} list none`);
    await expectGate(false, () => f.create('none', 'x', { title: 'x' }), ...UNAUTH, `${kind} ${actor} create none`);
    await expectGate(false, () => f.update('none', 'd1', { title: 'x' }), ...UNAUTH, `${kind} ${actor} update none`);
    await expectGate(false, () => f.get('ghost', 'd1'), 404, f.parentNotFound, `${kind} ${actor} ghost`);
    await expectGate(false, () => f.list('ghost'), 404, f.parentNotFound, `${kind} ${actor} list ghost`);
    // Reading the collection itself needs collections.read / tables.read, which no user holds.
    await expectGate(false, () => f.getParent('c_any'), 401, 'general_unauthorized_scope', `${kind} ${actor} getParent`);
}

const deletedCounts = new Map();
function deleted(kind, c, n) {
    deletedCounts.set(`${kind}/${c}`, (deletedCounts.get(`${kind}/${c}`) || 0) + n);
}
function countDeleted(kind, c) {
    return deletedCounts.get(`${kind}/${c}`) || 0;
}

/** Document (row) security: permissions on each document, none on the collection. */
async function documentMatrix(kind, actor) {
    const f = family(kind, actors[actor].client);
    const admin = family(kind, key);
    const what = (op) => `${kind} ${actor} ${op} on ${SEC}`;
    const readable = ROLE_NAMES.filter((r) => can(actor, r));
    const hidden = ROLE_NAMES.filter((r) => !can(actor, r));

    for (const r of ROLE_NAMES) {
        await expectGate(can(actor, r), () => f.get(SEC, `s_${r}`), 404, f.notFound, what(`get s_${r}`));
    }
    // The list shows the readable documents only, and total counts only them.
    const mine = [Q.startsWith('$id', 's_'), Q.limit(100)];
    const list = await f.list(SEC, mine);
    assert.deepEqual(list[f.items].map((d) => d.$id).sort(), readable.map((r) => `s_${r}`).sort(), what('list'));
    assert.equal(list.total, readable.length, what('list total'));
    const all = await f.list(SEC, [Q.limit(1)]);
    assert.equal(all.total, readable.length * (1 + 2 * ACTOR_NAMES.length) - docsecGone(kind, actor), what('total of all'));
    // A query that names an unreadable document finds nothing, and counts nothing.
    for (const r of hidden) {
        const q = await f.list(SEC, [Q.equal('title', [r])]);
        assert.equal(q.total, 0, what(`equal ${r}`));
        assert.equal(q[f.items].length, 0);
        const byId = await f.list(SEC, [Q.equal('$id', [`s_${r}`])]);
        assert.equal(byId.total, 0, what(`by id ${r}`));
        const or = await f.list(SEC, [Q.or([Q.equal('title', [r]), Q.equal('$id', [`s_${r}`])])]);
        assert.equal(or.total, 0, what(`or ${r}`));
    }
    // Select and ordering do not widen what is seen.
    const sel = await f.list(SEC, [...mine, Q.select(['title', '$id']), Q.orderDesc('n')]);
    assert.deepEqual(sel[f.items].map((d) => d.title), readable.slice().reverse(), what('select'));
    // A cursor on a hidden document works as in Appwrite (the cursor is looked up without
    // permissions) but only readable documents come back.
    for (const r of hidden) {
        const page = await f.list(SEC, [...mine, Q.orderAsc('n'), Q.cursorAfter(`s_${r}`)]);
        const idx = ROLE_NAMES.indexOf(r);
        assert.deepEqual(page[f.items].map((d) => d.$id), readable.filter((x) => ROLE_NAMES.indexOf(x) > idx)
            .map((x) => `s_${x}`), what(`cursor after ${r}`));
    }
    await expectGate(false, () => f.list(SEC, [Q.cursorAfter('ghost')]), 400, 'general_cursor_not_found', what('cursor ghost'));
    // Writes.
    for (const r of ROLE_NAMES) {
        const ok = can(actor, r);
        await expectGate(ok, () => f.update(SEC, `s_${r}`, { note: actor }), 401, 'user_unauthorized', what(`update s_${r}`));
        await expectGate(ok, () => f.upsert(SEC, `s_${r}`, { note: `${actor}+` }), 401, 'user_unauthorized', what(`upsert s_${r}`));
        await expectGate(ok, () => f.inc(SEC, `s_${r}`), 401, 'user_unauthorized', what(`increment s_${r}`));
        await expectGate(ok, () => f.dec(SEC, `s_${r}`), 401, 'user_unauthorized', what(`decrement s_${r}`));
        if (ok) {
            // Permissions the caller does not hold cannot be given, even by a document's editor.
            await expectGate(false, () => f.update(SEC, `s_${r}`, {}, [perm('read', 'user:nobody')]),
                401, 'user_unauthorized', what(`grant other s_${r}`));
        }
        await expectGate(ok, () => f.del(SEC, `sd_${actor}_${r}`), 401, 'user_unauthorized', what(`delete sd_${r}`));
    }
    // No create permission on the collection: nobody but the key creates.
    await expectGate(false, () => f.create(SEC, `x_${actor}`, { title: 'x' }), 401, 'user_unauthorized', what('create'));
    await expectGate(false, () => f.upsert(SEC, `x_${actor}`, { title: 'x' }), 401, 'user_unauthorized', what('upsert new'));
    // Bulk writes: no database for a caller without a key; the key's reach everything.
    await expectGate(false, () => f.bulkUpdate(SEC, { note: 'x' }, [Q.startsWith('$id', `sb_${actor}_`)]), 404, 'database_not_found', what('bulk update'));
    await expectGate(false, () => f.bulkDelete(SEC, []), 404, 'database_not_found', what('bulk delete'));
    await expectGate(false, () => f.bulkUpsert(SEC, [{ $id: `s_${ROLE_NAMES[0]}`, note: 'sneak' }]), 404, 'database_not_found', what('bulk upsert'));
    const bd = await admin.bulkDelete(SEC, [Q.startsWith('$id', `sb_${actor}_`), Q.limit(100)]);
    assert.equal(bd.total, ROLE_NAMES.length, what('key bulk delete'));
    const bds = bd[f.items].map((d) => d.$id).filter((id) => readable.some((r) => id === `sb_${actor}_${r}`));
    assert.equal(bds.length, readable.length);
    docsecRemoved(kind, actor, readable.length * 2);
}

// Documents of SEC deleted so far, per family, by the roles that could see them (tracked as a
// count per actor-visible set: each actor deletes readable.length * 2 of its own).
const secGone = new Map();
function docsecRemoved(kind, actor, n) {
    secGone.set(kind, [...(secGone.get(kind) || []), actor]);
}
function docsecGone(kind, actor) {
    // Every earlier actor deleted its own sd_/sb_ documents for the roles it could see; count
    // those this actor can see too.
    let n = 0;
    for (const a of secGone.get(kind) || []) {
        for (const r of ROLE_NAMES) {
            if (can(a, r) && can(actor, r)) n += 1; // its sd_ document
            if (can(actor, r)) n += 1; // its sb_ document, deleted by the key
        }
    }
    return n;
}

for (const kind of ['docs', 'rows']) {
    for (const actor of ACTOR_NAMES) {
        test(`${kind}: ${actor} against collection-level permissions`, async () => {
            await collectionMatrix(kind, actor);
        });
    }
    for (const actor of ACTOR_NAMES) {
        test(`${kind}: ${actor} against document-level permissions`, async () => {
            await documentMatrix(kind, actor);
        });
    }
}

/** Whether actor can get document d1 of the role's collection (Databases). */
async function sees(client, roleName) {
    const [ok, v] = await attempt(() => family('docs', client).get(`c_${roleName}`, 'd1'));
    if (!ok) assert.equal(`${v.code} ${v.type}`, '404 document_not_found');
    return ok;
}

test('team, role, label and verification changes take effect on the next request', async () => {
    const bob = actors.bob.client;
    assert.ok(await sees(bob, 'teameditor'));
    await teams.updateMembership({ teamId: 'crew', membershipId: memberships.bob, roles: ['viewer'] });
    assert.ok(!(await sees(bob, 'teameditor')), 'role editor taken');
    assert.ok(await sees(bob, 'team'));
    assert.ok(await sees(bob, 'memberbob'));

    await teams.deleteMembership({ teamId: 'crew', membershipId: memberships.bob });
    assert.ok(!(await sees(bob, 'team')), 'out of the team');
    assert.ok(!(await sees(bob, 'memberbob')));
    await expectAppwriteError(assert, () => family('docs', bob).list('c_team'), 401, 'user_unauthorized');
    await expectAppwriteError(assert, () => family('rows', bob).list('c_team'), 401, 'user_unauthorized');

    // Back in with a new membership: the old member: role stays dead.
    await teams.createMembership({ teamId: 'crew', roles: ['editor'], userId: 'bob' });
    assert.ok(await sees(bob, 'team'));
    assert.ok(await sees(bob, 'teameditor'));
    assert.ok(!(await sees(bob, 'memberbob')));

    const alice = actors.alice.client;
    const jwt = actors.alicejwt.client;
    assert.ok(await sees(alice, 'vip'));
    await users.updateLabels({ userId: 'alice', labels: [] });
    assert.ok(!(await sees(alice, 'vip')));
    assert.ok(!(await sees(jwt, 'vip')), 'a JWT carries no roles of its own');
    await users.updateLabels({ userId: 'alice', labels: ['vip'] });
    assert.ok(await sees(jwt, 'vip'));

    await users.updateEmailVerification({ userId: 'alice', emailVerification: false });
    assert.ok(!(await sees(alice, 'aliceverified')));
    assert.ok(await sees(alice, 'usersunverified'));
    await users.updateEmailVerification({ userId: 'alice', emailVerification: true });
    assert.ok(await sees(alice, 'aliceverified'));
    assert.ok(!(await sees(alice, 'usersunverified')));
});

test('a blocked user is refused everywhere, with a session or a JWT made before', async () => {
    const carol = actors.carol.client;
    const { jwt } = await new sdk.Account(carol).createJWT();
    const viaJwt = userClient({ jwt });
    const { jwt: serverJwt } = await users.createJWT({ userId: 'carol' });
    const viaServerJwt = userClient({ jwt: serverJwt });
    assert.ok(await sees(carol, 'users'));
    await users.updateStatus({ userId: 'carol', status: false });
    for (const client of [carol, viaJwt, viaServerJwt]) {
        const blocked = (fn) => expectAppwriteError(assert, fn, 403, 'user_blocked');
        await blocked(() => new sdk.Account(client).get());
        await blocked(() => family('docs', client).get('c_users', 'd1'));
        await blocked(() => family('rows', client).list('c_users'));
        await blocked(() => family('docs', client).create('c_any', 'blocked', { title: 'x' }));
        await blocked(() => new sdk.Teams(client).list());
        // Routes that need no database still look the user up.
        await blocked(() => new sdk.Locale(client).listContinents());
        await blocked(() => sdkCall(client, 'get', '/locale'));
    }
    // A blocked user cannot sign in again either.
    await expectAppwriteError(assert, () => sdkCall(userClient(), 'post', '/account/sessions/email',
        { email: 'carol@example.com', password: 'password123' }), 403, 'user_blocked');
    // Guests and other users go on as before.
    assert.ok((await new sdk.Locale(userClient()).listContinents()).total > 0);
    assert.ok(await sees(actors.bob.client, 'users'));

    await users.updateStatus({ userId: 'carol', status: true });
    assert.ok(await sees(carol, 'users'), 'unblocked: the same session works again');
    assert.ok(await sees(viaJwt, 'users'));
});

test('users.createJWT: the newest session by default, a chosen one, none; it dies with its session', async () => {
    const claims = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url'));
    await users.create({ userId: 'dave', email: 'dave@example.com', password: 'password123' });
    const none = await users.createJWT({ userId: 'dave' });
    assert.equal(claims(none.jwt).sessionId, '');
    assert.equal(claims(none.jwt).userId, 'dave');
    // A JWT bound to no session still acts as the user.
    assert.equal((await new sdk.Account(userClient({ jwt: none.jwt })).get()).$id, 'dave');

    const s1 = await users.createSession({ userId: 'dave' });
    const s2 = await users.createSession({ userId: 'dave' });
    const recent = await users.createJWT({ userId: 'dave' });
    assert.equal(claims(recent.jwt).sessionId, s2.$id);
    assert.equal(claims((await users.createJWT({ userId: 'dave', sessionId: 'recent' })).jwt).sessionId, s2.$id);
    const first = await users.createJWT({ userId: 'dave', sessionId: s1.$id, duration: 60 });
    const c = claims(first.jwt);
    assert.equal(c.sessionId, s1.$id);
    assert.ok(Math.abs(c.exp - (Date.now() / 1000 + 60)) < 5, 'exp is now + duration');
    // A session that is not the user's gives a JWT bound to none, as in Appwrite.
    assert.equal(claims((await users.createJWT({ userId: 'dave', sessionId: actors.bob.userId })).jwt).sessionId, '');
    await expectAppwriteError(assert, () => users.createJWT({ userId: 'dave', duration: 3601 }), 400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => users.createJWT({ userId: 'dave', sessionId: '_bad' }), 400, 'general_argument_invalid');
    await expectAppwriteError(assert, () => users.createJWT({ userId: 'nobody' }), 404, 'user_not_found');
    const noKey = userClient({ jwt: recent.jwt });
    await expectAppwriteError(assert, () => sdkCall(noKey, 'post', '/users/dave/jwts', {}), 401, 'general_unauthorized_scope');

    const viaRecent = new sdk.Account(userClient({ jwt: recent.jwt }));
    assert.equal((await viaRecent.get()).$id, 'dave');
    await users.deleteSession({ userId: 'dave', sessionId: s2.$id });
    // The session is gone: the JWT names nobody and the request is a guest's.
    await expectAppwriteError(assert, () => viaRecent.get(), 401, 'general_unauthorized_scope');
    assert.ok(!(await sees(userClient({ jwt: recent.jwt }), 'users')));
    assert.equal((await new sdk.Account(userClient({ jwt: first.jwt })).get()).$id, 'dave');
});

test('accessedAt: a signed-in request refreshes it, at most once a day', async () => {
    const u = await users.create({ userId: 'erin', email: 'erin@example.com', password: 'password123' });
    assert.equal(u.accessedAt, '');
    const s = await users.createSession({ userId: 'erin' });
    assert.equal((await users.get({ userId: 'erin' })).accessedAt, '', 'the key does not count as the user');
    const before = Date.now();
    const me = await new sdk.Account(userClient({ session: s.secret })).get();
    assert.ok(Date.parse(me.accessedAt) >= before - 1000, `fresh: ${me.accessedAt}`);
    const stored = (await users.get({ userId: 'erin' })).accessedAt;
    assert.equal(stored, me.accessedAt);
    await new Promise((r) => setTimeout(r, 20));
    await new sdk.Account(userClient({ session: s.secret })).get();
    assert.equal((await users.get({ userId: 'erin' })).accessedAt, stored, 'not again within the day');
});

test('a session secret that names nobody, or a broken one, leaves the request a guest', async () => {
    const stranger = userClient({ session: 'x'.repeat(40) });
    await expectAppwriteError(assert, () => new sdk.Account(stranger).get(), 401, 'general_unauthorized_scope');
    assert.ok(await sees(stranger, 'any'));
    assert.ok(!(await sees(stranger, 'users')));
    assert.ok(await sees(stranger, 'guests'));
});

test('teams: only members read a team and its memberships; only owners change it', async () => {
    await teams.create({ teamId: 'squad', name: 'Squad' });
    const owner = await teams.createMembership({ teamId: 'squad', roles: ['owner'], userId: 'alice' });
    const member = await teams.createMembership({ teamId: 'squad', roles: ['editor'], userId: 'bob' });
    await teams.create({ teamId: 'lonely', name: 'Nobody here' });
    const T = (a) => new sdk.Teams(actors[a].client);
    for (const a of ['alice', 'bob', 'alicejwt']) {
        assert.equal((await T(a).get({ teamId: 'squad' })).name, 'Squad');
        const mine = await T(a).list();
        assert.ok(mine.teams.every((t) => t.$id !== 'lonely'), `${a} lists only its teams`);
        assert.equal(mine.total, mine.teams.length);
        assert.equal((await T(a).listMemberships({ teamId: 'squad' })).total, 2);
    }
    for (const a of ['carol', 'guest']) {
        const scope = a === 'guest';
        const code = scope ? [401, 'general_unauthorized_scope'] : [404, 'team_not_found'];
        await expectAppwriteError(assert, () => T(a).get({ teamId: 'squad' }), ...code);
        await expectAppwriteError(assert, () => T(a).listMemberships({ teamId: 'squad' }), ...code);
        await expectAppwriteError(assert, () => T(a).getMembership({ teamId: 'squad', membershipId: member.$id }), ...code);
        await expectAppwriteError(assert, () => T(a).getPrefs({ teamId: 'squad' }), ...code);
        await expectAppwriteError(assert, () => T(a).updateName({ teamId: 'squad', name: 'Mine' }), ...code);
        await expectAppwriteError(assert, () => T(a).delete({ teamId: 'squad' }), ...code);
        await expectAppwriteError(assert, () => T(a).deleteMembership({ teamId: 'squad', membershipId: member.$id }), ...code);
        if (!scope) {
            const l = await T(a).list({ queries: [Q.equal('name', ['Squad'])] });
            assert.deepEqual([l.total, l.teams.length], [0, 0], 'a query finds no team of others');
            assert.equal((await T(a).list({ search: 'Squad' })).total, 0);
        }
    }
    // A member who is not an owner reads but does not change.
    await expectAppwriteError(assert, () => T('bob').updateName({ teamId: 'squad', name: 'Bob' }), 401, 'user_unauthorized');
    await expectAppwriteError(assert, () => T('bob').updatePrefs({ teamId: 'squad', prefs: { a: 1 } }), 401, 'user_unauthorized');
    await expectAppwriteError(assert, () => T('bob').delete({ teamId: 'squad' }), 401, 'user_unauthorized');
    await expectAppwriteError(assert, () => T('bob').deleteMembership({ teamId: 'squad', membershipId: owner.$id }), 401, 'user_unauthorized');
    await expectAppwriteError(assert, () => T('bob').updateMembership({ teamId: 'squad', membershipId: member.$id, roles: ['owner'] }),
        401, 'user_unauthorized');
    assert.equal((await teams.get({ teamId: 'squad' })).name, 'Squad');
    // The owner does.
    assert.equal((await T('alice').updateName({ teamId: 'squad', name: 'Squad 2' })).name, 'Squad 2');
    await T('alice').updatePrefs({ teamId: 'squad', prefs: { a: 1 } });
    // A member may leave.
    await T('bob').deleteMembership({ teamId: 'squad', membershipId: member.$id });
    await expectAppwriteError(assert, () => T('bob').get({ teamId: 'squad' }), 404, 'team_not_found');
    await T('alice').delete({ teamId: 'squad' });
    await expectAppwriteError(assert, () => teams.get({ teamId: 'squad' }), 404, 'team_not_found');
});
