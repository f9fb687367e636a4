// Appwrite's own command line tool (npm appwrite-cli, pinned in package.json) against cwrite, the
// way an operator uses it: an account, an organisation and a project made in the console (here
// through the console SDK), then `appwrite login` with e-mail and password, an appwrite.json with
// a TablesDB database and a Databases database, `push tables` and `push collections`, rows and
// documents written by the CLI and by node-appwrite with an API key, `pull` into a fresh folder,
// a push of the pulled file that changes nothing, a push that changes the schema, the default
// project claimed for the organisation with `projects update-team`, `push settings` (the project
// name, services, auth methods and security through the older /v1/projects/{id}/… paths), logout,
// and a sign-in with a TOTP second factor (a session short of it may not act on projects).
// The CLI runs in a temporary HOME with no terminal (a question it asked would end it) and with
// every connection beyond loopback refused and recorded (lib/loopback-only.cjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { startServer, serverClient, expectAppwriteError, cli } from './lib/server.mjs';
import { freshCode } from './lib/totp.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const CLI = createRequire(import.meta.url).resolve('appwrite-cli/index.js');
const GUARD = resolve(here, 'lib/loopback-only.cjs');
const EMAIL = 'dev@example.com';
const PASSWORD = 'password-123';

const realFetch = globalThis.fetch;
let server;
let root;
let home;
let outsideLog;
let key;

/** Runs `appwrite ARGS…` in folder cwd; resolves with {code, stdout, stderr}. */
function appwrite(args, cwd) {
    return new Promise((ok) => {
        const env = {
            PATH: process.env.PATH,
            HOME: home,
            NO_COLOR: '1',
            NODE_OPTIONS: `--require ${GUARD}`,
            CW_OUTSIDE_LOG: outsideLog,
        };
        const proc = spawn(process.execPath, [CLI, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        proc.stdout.on('data', (d) => { stdout += d; });
        proc.stderr.on('data', (d) => { stderr += d; });
        const timer = setTimeout(() => proc.kill('SIGKILL'), 60000);
        proc.on('exit', (code) => {
            clearTimeout(timer);
            ok({ code, stdout, stderr });
        });
    });
}

/** Like appwrite(), and fails the test unless the command succeeded. */
async function appwriteOk(args, cwd) {
    const r = await appwrite(args, cwd);
    assert.equal(r.code, 0, `appwrite ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`);
    assert.doesNotMatch(r.stdout + r.stderr, /✗ Error/, `appwrite ${args.join(' ')}`);
    return r;
}

/** The access log lines cwrite wrote since mark (a length of its stdout), as "METHOD path status". */
function requestsSince(mark) {
    return server.output().stdout.slice(mark).split('\n')
        .map((l) => l.match(/ (GET|POST|PUT|PATCH|DELETE) (\S+) (\d{3}) /))
        .filter(Boolean)
        .map((m) => `${m[1]} ${m[2]} ${m[3]}`);
}

// A pulled appwrite.json holds 64-bit integer bounds that a JS number cannot keep; carry them as
// text while a test edits the file.
const parseConfig = (text) => JSON.parse(text.replace(/(-?\d{16,})(?=\s*[,\n}\]])/g, '"#int:$1"'));
const writeConfig = (file, config) =>
    writeFileSync(file, JSON.stringify(config, null, 4).replace(/"#int:(-?\d+)"/g, '$1'));

let con;

/** A console SDK client signed in as the operator. The console SDK in node has no cookie jar: the
 * session's Set-Cookie line is taken from the answer. */
async function consoleSignIn() {
    let lastSetCookies = [];
    globalThis.fetch = async (url, options) => {
        const res = await realFetch(url, options);
        lastSetCookies = res.headers.getSetCookie();
        return res;
    };
    try {
        const client = new con.Client().setEndpoint(server.endpoint).setProject('console');
        await new con.Account(client).createEmailPasswordSession({ email: EMAIL, password: PASSWORD });
        return client.setCookie(lastSetCookies.find((l) => l.startsWith('a_session_console=')).split(';')[0]);
    } finally {
        globalThis.fetch = realFetch;
    }
}

before(async () => {
    root = mkdtempSync(join(tmpdir(), 'cwrite-cli-'));
    home = join(root, 'home');
    mkdirSync(home);
    outsideLog = join(root, 'outside.log');
    server = await startServer({ env: { CWRITE_ACCESS_LOG: '1' } });

    // What an operator does in the console: sign up (the first account is free), an organisation,
    // a project in it.
    con = await import('@appwrite.io/console');
    const guest = new con.Client().setEndpoint(server.endpoint).setProject('console');
    await new con.Account(guest).create({ userId: con.ID.unique(), email: EMAIL, password: PASSWORD, name: 'Dev' });
    const client = await consoleSignIn();
    await new con.Teams(client).create({ teamId: 'acme', name: 'Acme' });
    await new con.Projects(client).create({ projectId: 'shop', name: 'Shop', teamId: 'acme' });

    const made = await cli(['keys', 'create', '--project', 'shop', '--name', 'checks', '--scopes',
        'databases.read,tables.read,columns.read,indexes.read,rows.read,rows.write,' +
        'collections.read,attributes.read,documents.read,documents.write', '--data', server.dataDir]);
    key = made.stdout.trim();
    assert.ok(key, made.stderr);
});

after(async () => {
    globalThis.fetch = realFetch;
    await server?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
});

test('appwrite login signs in to the console project and keeps the session cookie', async () => {
    const mark = server.output().stdout.length;
    const r = await appwriteOk(['login', '--endpoint', server.endpoint, '--email', EMAIL, '--password', PASSWORD],
        root);
    assert.match(r.stdout, /Successfully signed in as dev@example\.com/);
    assert.deepEqual(requestsSince(mark), ['POST /v1/account/sessions/email 201', 'GET /v1/account 200']);
    const prefs = JSON.parse(readFileSync(join(home, '.appwrite/prefs.json'), 'utf8'));
    const session = prefs[prefs.current];
    assert.equal(session.endpoint, server.endpoint);
    // The CLI keeps the whole Set-Cookie line and sends it back as its Cookie header.
    assert.match(session.cookie, /^a_session_console=[^;]+; expires=/);
    const who = await appwriteOk(['whoami'], root);
    assert.match(who.stdout, /dev@example\.com/);

    const bad = await appwrite(['login', '--endpoint', server.endpoint, '--email', EMAIL,
        '--password', 'not-the-password'], root);
    assert.equal(bad.code, 1);
    // The CLI prints this hint only for the error type user_invalid_credentials.
    assert.match(bad.stdout + bad.stderr, /Use the --endpoint option for self-hosted instances/);
});

const schema = (endpoint) => ({
    projectId: 'shop',
    endpoint,
    databases: [{ $id: 'catalog', name: 'Catalog', enabled: true }],
    collections: [{
        $id: 'products',
        $permissions: ['read("any")'],
        databaseId: 'catalog',
        name: 'Products',
        enabled: true,
        documentSecurity: false,
        attributes: [
            { key: 'title', type: 'string', required: true, array: false, size: 128 },
            { key: 'price', type: 'double', required: true, array: false, min: 0, max: 100000 },
            { key: 'stock', type: 'integer', required: false, array: false, min: 0, max: 1000000, default: 0 },
            { key: 'active', type: 'boolean', required: false, array: false, default: true },
            { key: 'contact', type: 'string', format: 'email', required: false, array: false },
            { key: 'color', type: 'string', format: 'enum', elements: ['red', 'green'], required: false, array: false },
            { key: 'tags', type: 'string', required: false, array: true, size: 32 },
            { key: 'releasedAt', type: 'datetime', required: false, array: false },
        ],
        indexes: [
            { key: 'by_title', type: 'unique', attributes: ['title'], orders: ['ASC'] },
            { key: 'by_price', type: 'key', attributes: ['price', 'stock'], orders: ['DESC', 'ASC'] },
        ],
    }],
    tablesDB: [{ $id: 'shopdb', name: 'Shop DB', enabled: true }],
    tables: [{
        $id: 'orders',
        $permissions: [],
        databaseId: 'shopdb',
        name: 'Orders',
        enabled: true,
        rowSecurity: true,
        columns: [
            { key: 'number', type: 'integer', required: true, array: false },
            { key: 'site', type: 'string', format: 'url', required: false, array: false },
            { key: 'addr', type: 'string', format: 'ip', required: false, array: false },
            { key: 'note', type: 'string', required: false, array: false, size: 2000 },
            { key: 'spot', type: 'point', required: true, array: false },
        ],
        indexes: [
            { key: 'by_number', type: 'unique', columns: ['number'], orders: ['ASC'] },
            { key: 'ft_note', type: 'fulltext', columns: ['note'] },
            { key: 'sp_spot', type: 'spatial', columns: ['spot'] },
        ],
    }],
});

let project;

test('push tables, then push collections: the schema appears as written', async () => {
    project = join(root, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'appwrite.json'), JSON.stringify(schema(server.endpoint), null, 4));

    // Tables first: `push tables` deletes any database of the project that its file does not list,
    // and TablesDB lists the Databases ones too, as Appwrite does.
    let mark = server.output().stdout.length;
    const tables = await appwriteOk(['push', 'tables', '--all', '--force'], project);
    assert.match(tables.stdout, /Successfully pushed 1 tables/);
    const tableCalls = requestsSince(mark);
    for (const call of ['POST /v1/tablesdb 201', 'POST /v1/tablesdb/shopdb/tables 201',
        'POST /v1/databases/shopdb/collections/orders/attributes/integer 202',
        'POST /v1/databases/shopdb/collections/orders/attributes/url 202',
        'POST /v1/databases/shopdb/collections/orders/attributes/ip 202',
        'POST /v1/databases/shopdb/collections/orders/attributes/string 202',
        'POST /v1/databases/shopdb/collections/orders/attributes/point 202',
        'POST /v1/databases/shopdb/collections/orders/indexes 202']) {
        assert.ok(tableCalls.includes(call), `${call} in ${tableCalls.join('\n')}`);
    }

    mark = server.output().stdout.length;
    const collections = await appwriteOk(['push', 'collections', '--all', '--force'], project);
    assert.match(collections.stdout, /Successfully pushed 1 collections/);
    const collectionCalls = requestsSince(mark);
    for (const type of ['string', 'float', 'integer', 'boolean', 'email', 'enum', 'datetime']) {
        const call = `POST /v1/databases/catalog/collections/products/attributes/${type} 202`;
        assert.ok(collectionCalls.includes(call), `${call} in ${collectionCalls.join('\n')}`);
    }
    assert.ok(collectionCalls.includes('POST /v1/databases 201'));
    assert.ok(collectionCalls.every((c) => c.endsWith(' 404') ? c.startsWith('GET ') : /[^45]\d\d$/.test(c)),
        collectionCalls.join('\n'));

    const { sdk, client } = await serverClient(server, { key, project: 'shop' });
    const tdb = new sdk.TablesDB(client);
    const columns = (await tdb.listColumns({ databaseId: 'shopdb', tableId: 'orders' })).columns;
    assert.deepEqual(columns.map((c) => [c.key, c.type, c.format ?? '', c.status]), [
        ['number', 'integer', '', 'available'],
        ['site', 'string', 'url', 'available'],
        ['addr', 'string', 'ip', 'available'],
        ['note', 'string', '', 'available'],
        ['spot', 'point', '', 'available'],
    ]);
    const tableIndexes = (await tdb.listIndexes({ databaseId: 'shopdb', tableId: 'orders' })).indexes;
    assert.deepEqual(tableIndexes.map((i) => [i.key, i.type, i.columns, i.status]), [
        ['by_number', 'unique', ['number'], 'available'],
        ['ft_note', 'fulltext', ['note'], 'available'],
        ['sp_spot', 'spatial', ['spot'], 'available'],
    ]);
    assert.equal((await tdb.getTable({ databaseId: 'shopdb', tableId: 'orders' })).rowSecurity, true);

    const db = new sdk.Databases(client);
    const collection = await db.getCollection({ databaseId: 'catalog', collectionId: 'products' });
    assert.deepEqual(collection.$permissions, ['read("any")']);
    const attrs = Object.fromEntries(collection.attributes.map((a) => [a.key, a]));
    assert.deepEqual(Object.keys(attrs), ['title', 'price', 'stock', 'active', 'contact', 'color', 'tags',
        'releasedAt']);
    assert.ok(collection.attributes.every((a) => a.status === 'available'));
    assert.equal(attrs.title.size, 128);
    assert.equal(attrs.title.required, true);
    assert.equal(attrs.price.type, 'double');
    assert.equal(attrs.price.max, 100000);
    assert.equal(attrs.stock.default, 0);
    assert.equal(attrs.active.default, true);
    assert.equal(attrs.contact.format, 'email');
    assert.deepEqual(attrs.color.elements, ['red', 'green']);
    assert.equal(attrs.tags.array, true);
    assert.equal(attrs.releasedAt.type, 'datetime');
    assert.deepEqual(collection.indexes.map((i) => [i.key, i.type, i.attributes, i.orders]), [
        ['by_title', 'unique', ['title'], ['ASC']],
        ['by_price', 'key', ['price', 'stock'], ['DESC', 'ASC']],
    ]);
});

test('rows and documents are written through the pushed schema, by node-appwrite and by the CLI', async () => {
    const { sdk, client } = await serverClient(server, { key, project: 'shop' });
    const tdb = new sdk.TablesDB(client);
    const row = await tdb.createRow({ databaseId: 'shopdb', tableId: 'orders', rowId: 'o1',
        data: { number: 1, site: 'https://shop.example', addr: '10.0.0.1', note: 'blue lamp', spot: [1, 2] } });
    assert.equal(row.number, 1);
    await expectAppwriteError(assert, () => tdb.createRow({ databaseId: 'shopdb', tableId: 'orders',
        rowId: 'o2', data: { number: 1, spot: [0, 0] } }), 409, 'row_unique_constraint_violation');
    await expectAppwriteError(assert, () => tdb.createRow({ databaseId: 'shopdb', tableId: 'orders',
        rowId: 'o3', data: { number: 3, addr: 'nowhere', spot: [0, 0] } }), 400, 'row_invalid_structure');

    const db = new sdk.Databases(client);
    const doc = await db.createDocument({ databaseId: 'catalog', collectionId: 'products', documentId: 'p1',
        data: { title: 'Lamp', price: 12.5, tags: ['home'], color: 'red' } });
    assert.equal(doc.stock, 0, 'the default pushed in appwrite.json');
    assert.equal(doc.active, true);
    await expectAppwriteError(assert, () => db.createDocument({ databaseId: 'catalog', collectionId: 'products',
        documentId: 'p2', data: { title: 'Chair', price: 5, color: 'blue' } }), 400, 'document_invalid_structure');

    // The CLI writes as the signed-in console member (X-Appwrite-Mode: admin with its cookie).
    const created = await appwriteOk(['tables-db', 'create-row', '--database-id', 'shopdb', '--table-id', 'orders',
        '--row-id', 'o4', '--data', JSON.stringify({ number: 4, note: 'red chair', spot: [3, 4] }), '--json'], project);
    assert.match(created.stdout, /"\$id": "o4"/);
    const listed = await appwriteOk(['tables-db', 'list-rows', '--database-id', 'shopdb', '--table-id', 'orders',
        '--queries', JSON.stringify({ method: 'search', attribute: 'note', values: ['chair'] }), '--json'], project);
    assert.equal(JSON.parse(listed.stdout).total, 1);
    assert.equal(JSON.parse(listed.stdout).rows[0].$id, 'o4');
    await appwriteOk(['databases', 'create-document', '--database-id', 'catalog', '--collection-id', 'products',
        '--document-id', 'p3', '--data', JSON.stringify({ title: 'Desk', price: 99 }), '--json'], project);
    assert.equal((await db.getDocument({ databaseId: 'catalog', collectionId: 'products', documentId: 'p3' })).price,
        99);
});

let pulled;

test('pull into a fresh folder, then push the pulled file: nothing to change', async () => {
    pulled = join(root, 'pulled');
    mkdirSync(pulled);
    writeFileSync(join(pulled, 'appwrite.json'), JSON.stringify({ projectId: 'shop', endpoint: server.endpoint }));
    await appwriteOk(['pull', 'tables', '--all'], pulled);
    await appwriteOk(['pull', 'collections', '--all'], pulled);
    const config = parseConfig(readFileSync(join(pulled, 'appwrite.json'), 'utf8'));
    // TablesDB and Databases are two views of the same databases, as in Appwrite.
    assert.deepEqual(config.tablesDB.map((d) => d.$id).sort(), ['catalog', 'shopdb']);
    assert.deepEqual(config.databases.map((d) => d.$id).sort(), ['catalog', 'shopdb']);
    const orders = config.tables.find((t) => t.$id === 'orders');
    assert.deepEqual(orders.columns.map((c) => c.key), ['number', 'site', 'addr', 'note', 'spot']);
    assert.equal(orders.columns[0].min, '#int:-9223372036854775808');
    assert.deepEqual(orders.indexes.map((i) => [i.key, i.columns]),
        [['by_number', ['number']], ['ft_note', ['note']], ['sp_spot', ['spot']]]);
    const products = config.collections.find((c) => c.$id === 'products');
    assert.equal(products.attributes.length, 8);
    assert.deepEqual(products.attributes.find((a) => a.key === 'color').elements, ['red', 'green']);

    const mark = server.output().stdout.length;
    const tables = await appwriteOk(['push', 'tables', '--all', '--force'], pulled);
    assert.match(tables.stdout, /No changes found in tablesDB resource/);
    assert.match(tables.stdout, /Successfully pushed 0 tables/);
    const collections = await appwriteOk(['push', 'collections', '--all', '--force'], pulled);
    assert.match(collections.stdout, /Successfully pushed 0 collections/);
    const calls = requestsSince(mark);
    assert.ok(calls.length > 0);
    assert.deepEqual(calls.filter((c) => !/^GET .* 200$/.test(c)), [], 'a push of the pulled schema only reads');
});

test('a push that changes the schema: a column added, one removed, a default changed, an index added', async () => {
    const file = join(pulled, 'appwrite.json');
    const config = parseConfig(readFileSync(file, 'utf8'));
    const orders = config.tables.find((t) => t.$id === 'orders');
    orders.name = 'Orders 2026';
    orders.columns = orders.columns.filter((c) => c.key !== 'addr');
    orders.columns.find((c) => c.key === 'note').default = 'none';
    orders.columns.push({ key: 'total', type: 'double', required: false, array: false, min: 0, max: 1e9,
        default: 1.5 });
    orders.indexes.push({ key: 'by_total', type: 'key', columns: ['total'], orders: ['DESC'] });
    writeConfig(file, config);

    const mark = server.output().stdout.length;
    const r = await appwriteOk(['push', 'tables', '--all', '--force'], pulled);
    assert.match(r.stdout, /Successfully pushed 1 tables/);
    const calls = requestsSince(mark);
    for (const call of ['PUT /v1/tablesdb/shopdb/tables/orders 200',
        'DELETE /v1/databases/shopdb/collections/orders/attributes/addr 204',
        'PATCH /v1/databases/shopdb/collections/orders/attributes/string/note 200',
        'POST /v1/databases/shopdb/collections/orders/attributes/float 202',
        'POST /v1/databases/shopdb/collections/orders/indexes 202']) {
        assert.ok(calls.includes(call), `${call} in ${calls.join('\n')}`);
    }

    const { sdk, client } = await serverClient(server, { key, project: 'shop' });
    const tdb = new sdk.TablesDB(client);
    const table = await tdb.getTable({ databaseId: 'shopdb', tableId: 'orders' });
    assert.equal(table.name, 'Orders 2026');
    assert.deepEqual(table.columns.map((c) => c.key), ['number', 'site', 'note', 'spot', 'total']);
    assert.equal(table.columns.find((c) => c.key === 'note').default, 'none');
    assert.deepEqual(table.indexes.map((i) => i.key), ['by_number', 'ft_note', 'sp_spot', 'by_total']);
    const row = await tdb.createRow({ databaseId: 'shopdb', tableId: 'orders', rowId: 'o5',
        data: { number: 5, spot: [5, 5] } });
    assert.equal(row.note, 'none');
    assert.equal(row.total, 1.5);
    assert.equal('addr' in row, false);
});

test('the default project of the first start: claimed for an organisation by the CLI, then pushed to', async () => {
    const folder = join(root, 'default');
    mkdirSync(folder);
    writeFileSync(join(folder, 'appwrite.json'), JSON.stringify({
        projectId: server.projectId,
        endpoint: server.endpoint,
        tablesDB: [{ $id: 'notes', name: 'Notes', enabled: true }],
        tables: [{ $id: 'notes', $permissions: [], databaseId: 'notes', name: 'Notes', enabled: true,
            rowSecurity: false, indexes: [],
            columns: [{ key: 'text', type: 'string', required: true, array: false, size: 500 }] }],
    }, null, 4));
    // No organisation owns it yet: a console user sees it but may not administer it.
    let mark = server.output().stdout.length;
    const refused = await appwrite(['push', 'tables', '--all', '--force'], folder);
    assert.equal(refused.code, 1);
    assert.deepEqual(requestsSince(mark), [`GET /v1/tablesdb 401`]);

    mark = server.output().stdout.length;
    const claimed = await appwriteOk(['projects', 'update-team', '--project-id', server.projectId,
        '--team-id', 'acme', '--json'], folder);
    assert.equal(JSON.parse(claimed.stdout).teamId, 'acme');
    assert.deepEqual(requestsSince(mark), [`PATCH /v1/projects/${server.projectId}/team 200`]);
    const pushed = await appwriteOk(['push', 'tables', '--all', '--force'], folder);
    assert.match(pushed.stdout, /Successfully pushed 1 tables/);
    const { sdk, client } = await serverClient(server);
    const row = await new sdk.TablesDB(client).createRow({ databaseId: 'notes', tableId: 'notes', rowId: 'n1',
        data: { text: 'hello' } });
    assert.equal(row.text, 'hello');
});

test('push settings: the project name, services, auth security and methods through the older paths', async () => {
    const folder = join(root, 'settings');
    mkdirSync(folder);
    const services = { account: true, avatars: true, databases: true, locale: false, health: true,
        storage: true, teams: true, users: true, sites: true, functions: true, graphql: false,
        messaging: true };
    writeFileSync(join(folder, 'appwrite.json'), JSON.stringify({
        projectId: 'shop',
        projectName: 'Shop Settings',
        endpoint: server.endpoint,
        settings: {
            services,
            auth: {
                methods: { jwt: true, phone: true, invites: true, anonymous: false, 'email-otp': true,
                    'magic-url': false, 'email-password': true },
                security: { duration: 3600, limit: 100, sessionsLimit: 5, passwordHistory: 3,
                    passwordDictionary: true, personalDataCheck: true, sessionAlerts: true,
                    mockNumbers: [{ phone: '+15550001111', otp: '123456' }] },
            },
        },
    }, null, 4));
    const mark = server.output().stdout.length;
    const r = await appwriteOk(['push', 'settings', '--force'], folder);
    assert.match(r.stdout, /Successfully pushed all project settings/);
    const calls = requestsSince(mark);
    assert.ok(calls.every((c) => /[^45]\d\d$/.test(c)), calls.join('\n'));
    assert.ok(calls.includes('PATCH /v1/projects/shop/service 200'));
    assert.ok(calls.includes('PATCH /v1/projects/shop/auth/mock-numbers 200'));
    assert.ok(calls.includes('PATCH /v1/projects/shop/auth/anonymous 200'));

    const p = await new con.Projects(await consoleSignIn()).get({ projectId: 'shop' });
    assert.equal(p.name, 'Shop Settings');
    assert.equal(p.serviceStatusForLocale, false);
    assert.equal(p.serviceStatusForGraphql, false);
    assert.equal(p.serviceStatusForDatabases, true);
    assert.equal(p.authAnonymous, false);
    assert.equal(p.authUsersAuthMagicURL, false);
    assert.equal(p.authEmailPassword, true);
    assert.equal(p.authDuration, 3600);
    assert.equal(p.authLimit, 100);
    assert.equal(p.authSessionsLimit, 5);
    assert.equal(p.authPasswordHistory, 3);
    assert.equal(p.authPasswordDictionary, true);
    assert.equal(p.authPersonalDataCheck, true);
    assert.equal(p.authSessionAlerts, true);
    assert.deepEqual(p.authMockNumbers.map((m) => [m.phone, m.otp]), [['+15550001111', '123456']]);

    // A second push of the same file finds nothing to change and sets the same values again.
    const again = await appwriteOk(['push', 'settings', '--force'], folder);
    assert.match(again.stdout, /Successfully pushed all project settings/);

    // The locale service is off for the project now; it is turned back on for the tests after.
    const continents = () => realFetch(`${server.endpoint}/locale/continents`,
        { headers: { 'x-appwrite-project': 'shop' } });
    let res = await continents();
    assert.equal(res.status, 403);
    assert.equal((await res.json()).type, 'general_service_disabled');
    services.locale = true;
    services.graphql = true;
    const cfg = JSON.parse(readFileSync(join(folder, 'appwrite.json'), 'utf8'));
    cfg.projectName = 'Shop';
    cfg.settings.services = services;
    cfg.settings.auth.methods.anonymous = true;
    cfg.settings.auth.methods['magic-url'] = true;
    writeFileSync(join(folder, 'appwrite.json'), JSON.stringify(cfg, null, 4));
    await appwriteOk(['push', 'settings', '--force'], folder);
    res = await continents();
    assert.equal(res.status, 200);
    assert.equal((await res.json()).total, 7);
    assert.equal((await new con.Projects(await consoleSignIn()).get({ projectId: 'shop' })).name, 'Shop');
});

test('projects list as `appwrite init project` reads it: by organisation, orderDesc("$id")', async () => {
    const made = await appwriteOk(['projects', 'create', '--project-id', 'zeta', '--name', 'Zeta', '--team-id', 'acme',
        '--json'], root);
    assert.equal(JSON.parse(made.stdout).teamId, 'acme');
    const list = async (...queries) => JSON.parse((await appwriteOk(['projects', 'list', '--queries',
        ...queries.map((q) => JSON.stringify(q)), '--json'], root)).stdout);
    const inAcme = { method: 'equal', attribute: 'teamId', values: ['acme'] };
    let r = await list(inAcme, { method: 'orderDesc', attribute: '$id' },
        { method: 'limit', values: [100] }, { method: 'offset', values: [0] });
    assert.deepEqual(r.projects.map((p) => p.$id), ['zeta', 'shop', server.projectId]);
    assert.equal(r.total, 3);
    r = await list(inAcme, { method: 'orderAsc', attribute: 'name' }, { method: 'limit', values: [2] });
    assert.deepEqual(r.projects.map((p) => p.name), ['Default', 'Shop']);
    assert.equal(r.total, 3);
    r = await list({ method: 'orderDesc', attribute: '$createdAt' }, { method: 'offset', values: [1] });
    assert.deepEqual(r.projects.map((p) => p.$id), ['shop', server.projectId]);
    const noTotal = await appwriteOk(['projects', 'list', '--total', 'false', '--json'], root);
    assert.equal(JSON.parse(noTotal.stdout).total, 0);
    const bad = await appwrite(['projects', 'list', '--queries', JSON.stringify({ method: 'orderAsc',
        attribute: 'secret' })], root);
    assert.equal(bad.code, 1);
});

test('appwrite logout ends the console session', async () => {
    const prefs = JSON.parse(readFileSync(join(home, '.appwrite/prefs.json'), 'utf8'));
    const cookie = prefs[prefs.current].cookie;
    const mark = server.output().stdout.length;
    await appwriteOk(['logout'], root);
    assert.deepEqual(requestsSince(mark), ['DELETE /v1/account/sessions/current 204']);
    const res = await realFetch(`${server.endpoint}/account`, { headers: { 'x-appwrite-project': 'console', cookie } });
    assert.equal(res.status, 401);
    const after = await appwrite(['push', 'tables', '--all', '--force'], project);
    assert.equal(after.code, 1);
    assert.match(after.stdout + after.stderr, /Session not found/);
});

test('appwrite login --mfa totp --code: an operator with a second factor signs in', async () => {
    const client = await consoleSignIn();
    const account = new con.Account(client);
    const { secret } = await account.createMFAAuthenticator({ type: con.AuthenticatorType.Totp });
    await account.updateMFAAuthenticator({ type: con.AuthenticatorType.Totp, otp: await freshCode(secret) });
    await account.updateMFA({ mfa: true });

    const args = ['login', '--endpoint', server.endpoint, '--email', EMAIL, '--password', PASSWORD, '--mfa', 'totp'];
    const code = await freshCode(secret);
    let mark = server.output().stdout.length;
    const wrong = await appwrite([...args, '--code', String((Number(code) + 1) % 1e6).padStart(6, '0')], root);
    assert.equal(wrong.code, 1);
    assert.ok(requestsSince(mark).includes('PUT /v1/account/mfa/challenges 401'));
    // That attempt left the CLI a session that passed the password alone. Admin mode refuses it
    // (user_more_factors_required), and the CLI, knowing that answer, drops the session.
    mark = server.output().stdout.length;
    const half = await appwrite(['tables-db', 'list-rows', '--database-id', 'shopdb', '--table-id', 'orders'],
        project);
    assert.equal(half.code, 1);
    assert.match(half.stdout, /Unusable account found, removing/);
    assert.deepEqual(requestsSince(mark), ['GET /v1/tablesdb/shopdb/tables/orders/rows 401']);
    mark = server.output().stdout.length;
    const r = await appwriteOk([...args, '--code', code], root);
    assert.match(r.stdout, /Successfully signed in as dev@example\.com/);
    assert.deepEqual(requestsSince(mark), ['POST /v1/account/sessions/email 201', 'GET /v1/account 401',
        'POST /v1/account/mfa/challenges 201', 'PUT /v1/account/mfa/challenges 200', 'GET /v1/account 200']);
    const who = await appwriteOk(['whoami'], root);
    assert.match(who.stdout, /dev@example\.com\s*│\s*Yes/);
    const rows = await appwriteOk(['tables-db', 'list-rows', '--database-id', 'shopdb', '--table-id', 'orders',
        '--json'], project);
    assert.equal(JSON.parse(rows.stdout).total, 3);
});

test('the CLI reached nothing beyond loopback; --version would have, and was stopped', async () => {
    assert.equal(existsSync(outsideLog) ? readFileSync(outsideLog, 'utf8') : '', '',
        'no command above connected outside');
    // `appwrite --version` (and `appwrite update`) ask the npm registry for the latest version: the
    // only outside calls of this CLI. The guard refuses them and the CLI carries on.
    const r = await appwriteOk(['--version'], root);
    assert.match(r.stdout, /appwrite version 12\.0\.1/);
    assert.match(r.stdout, /Unable to check for updates/);
    assert.equal(readFileSync(outsideLog, 'utf8'), 'registry.npmjs.org\n');
});
