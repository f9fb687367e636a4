// The Health service: every endpoint, through the SDK client's own request path (node-appwrite
// 27.1.0 has no Health class). Time, anti-virus and certificate checks talk to stand-ins the test
// starts on 127.0.0.1: an SNTP responder, a port where clamd is not, and TLS servers whose
// certificates the openssl command makes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import dgram from 'node:dgram';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { startServer, serverClient, expectAppwriteError, sdkCall, freePort } from './lib/server.mjs';

const NTP_UNIX_OFFSET = 2208988800;
const QUEUES = ['audits', 'builds', 'certificates', 'databases', 'deletes', 'functions', 'logs',
    'mails', 'messaging', 'migrations', 'stats-resources', 'stats-usage', 'webhooks'];
const FAILED_QUEUES = ['v1-database', 'v1-deletes', 'v1-audits', 'v1-mails', 'v1-functions',
    'v1-stats-resources', 'v1-stats-usage', 'v1-webhooks', 'v1-certificates', 'v1-builds',
    'v1-screenshots', 'v1-messaging', 'v1-migrations'];

let server; // defaults: anti-virus disabled, no time server
let alt; // anti-virus enabled with nothing listening, time from the responder below
let client;
let altClient;
let ntp; // {socket, port, offset (s), mode, lastSent (Unix s)}
let certDir;
const tlsServers = {}; // name -> {server, port, pem, lastSni}

/** An SNTP responder (RFC 4330 server side): the time is now + ntp.offset seconds. */
async function startNtp() {
    const socket = dgram.createSocket('udp4');
    const state = { socket, port: 0, offset: 0, mode: 'ok', lastSent: 0 };
    socket.on('message', (msg, rinfo) => {
        if (msg.length < 48) return;
        const reply = Buffer.alloc(48);
        reply[0] = (4 << 3) | 4; // no leap warning, version 4, mode 4 (server)
        reply[1] = state.mode === 'kiss' ? 0 : 1; // stratum 0 is a kiss-o'-death
        msg.copy(reply, 24, 40, 48); // originate = the request's transmit timestamp
        const now = Date.now() / 1000 + state.offset;
        const secs = Math.floor(now);
        state.lastSent = secs;
        reply.writeUInt32BE((secs + NTP_UNIX_OFFSET) % 2 ** 32, 40);
        reply.writeUInt32BE(Math.floor((now - secs) * 2 ** 32), 44);
        socket.send(reply, rinfo.port, rinfo.address);
    });
    await new Promise((ok) => socket.bind(0, '127.0.0.1', ok));
    state.port = socket.address().port;
    return state;
}

function openssl(args) {
    execFileSync('openssl', args, { cwd: certDir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A self-signed certificate valid for two days from now, and one that expired in 2020. OpenSSL
 * 3.0's req and x509 cannot set a start date in the past; its ca command can. */
function makeCerts() {
    certDir = mkdtempSync(join(tmpdir(), 'cwrite-health-certs-'));
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/O=cwrite tests/CN=localhost',
        '-days', '2', '-keyout', 'valid.key', '-out', 'valid.pem']);
    writeFileSync(join(certDir, 'ca.cnf'), [
        '[ca]', 'default_ca = expired', '[expired]', 'dir = .', 'database = index.txt',
        'new_certs_dir = .', 'serial = serial', 'default_md = sha256', 'policy = any',
        'unique_subject = no', '[any]', 'organizationName = optional', 'commonName = supplied', '',
    ].join('\n'));
    writeFileSync(join(certDir, 'index.txt'), '');
    writeFileSync(join(certDir, 'serial'), '01\n');
    openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-subj', '/O=cwrite tests/CN=expired.localhost',
        '-keyout', 'expired.key', '-out', 'expired.csr']);
    openssl(['ca', '-batch', '-config', 'ca.cnf', '-selfsign', '-keyfile', 'expired.key',
        '-in', 'expired.csr', '-out', 'expired.pem', '-notext', '-preserveDN',
        '-startdate', '20200101000000Z', '-enddate', '20200102000000Z']);
}

async function startTls(name) {
    const pem = readFileSync(join(certDir, `${name}.pem`), 'utf8');
    const key = readFileSync(join(certDir, `${name}.key`), 'utf8');
    const entry = { pem, lastSni: undefined };
    entry.server = tls.createServer({ key, cert: pem }, (sock) => {
        entry.lastSni = sock.servername;
        sock.on('error', () => {});
        sock.end();
    });
    entry.server.on('tlsClientError', () => {});
    await new Promise((ok) => entry.server.listen(0, '127.0.0.1', ok));
    entry.port = entry.server.address().port;
    tlsServers[name] = entry;
}

before(async () => {
    makeCerts();
    await startTls('valid');
    await startTls('expired');
    ntp = await startNtp();
    server = await startServer();
    alt = await startServer({
        env: {
            _APP_STORAGE_ANTIVIRUS: 'enabled',
            _APP_STORAGE_ANTIVIRUS_HOST: '127.0.0.1',
            _APP_STORAGE_ANTIVIRUS_PORT: String(await freePort()),
            CWRITE_NTP_SERVER: `127.0.0.1:${ntp.port}`,
        },
    });
    ({ client } = await serverClient(server));
    ({ client: altClient } = await serverClient(alt));
});

after(async () => {
    for (const t of Object.values(tlsServers)) t.server.close();
    if (ntp) ntp.socket.close();
    if (certDir) rmSync(certDir, { recursive: true, force: true });
    if (server) await server.stop();
    if (alt) await alt.stop();
});

function assertStatus(s, name) {
    assert.deepEqual(Object.keys(s), ['name', 'ping', 'status']);
    assert.equal(s.name, name);
    assert.ok(Number.isInteger(s.ping) && s.ping >= 0, `ping ${s.ping}`);
    assert.equal(s.status, 'pass');
}

function assertStatusList(r, names) {
    assert.deepEqual(Object.keys(r), ['total', 'statuses']);
    assert.equal(r.total, names.length);
    assert.equal(r.statuses.length, names.length);
    r.statuses.forEach((s, i) => assertStatus(s, names[i]));
}

/** Paths of files named .health-* anywhere under dir. */
function healthLeftovers(dir) {
    const found = [];
    for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
        if (e.name.startsWith('.health-')) found.push(join(e.parentPath ?? e.path, e.name));
    }
    return found;
}

test('db: the console store and the project databases, with their ping', async () => {
    const r = await sdkCall(client, 'get', '/health/db');
    assertStatusList(r, ['Console.DB (sqlite)', 'Projects.DB (sqlite)']);
    assert.deepEqual(healthLeftovers(server.dataDir), []);
});

test('cache and pubsub: the in-process defaults pass', async () => {
    assertStatusList(await sdkCall(client, 'get', '/health/cache'), ['Cache (local)']);
    assertStatusList(await sdkCall(client, 'get', '/health/pubsub'), ['PubSub (local)']);
});

test('storage and storage/local: a round trip that leaves no file behind', async () => {
    for (let i = 0; i < 3; i++) {
        assertStatus(await sdkCall(client, 'get', '/health/storage'), '');
        assertStatus(await sdkCall(client, 'get', '/health/storage/local'), '');
    }
    assert.deepEqual(readdirSync(join(server.dataDir, 'storage')), []);
    assert.deepEqual(healthLeftovers(server.dataDir), []);
});

test('anti-virus: disabled by default', async () => {
    const r = await sdkCall(client, 'get', '/health/anti-virus');
    assert.deepEqual(Object.keys(r), ['version', 'status']);
    assert.deepEqual({ ...r }, { version: '', status: 'disabled' });
});

test('anti-virus: enabled, but clamd does not listen: offline', async () => {
    const r = await sdkCall(altClient, 'get', '/health/anti-virus');
    assert.deepEqual({ ...r }, { version: '', status: 'offline' });
});

test('time: with no time server, remote time is local time', async () => {
    const before = Math.floor(Date.now() / 1000);
    const r = await sdkCall(client, 'get', '/health/time');
    const after = Math.ceil(Date.now() / 1000);
    assert.deepEqual(Object.keys(r), ['remoteTime', 'localTime', 'diff']);
    for (const k of ['remoteTime', 'localTime', 'diff']) assert.ok(Number.isInteger(r[k]), k);
    assert.ok(r.localTime >= before && r.localTime <= after, `localTime ${r.localTime}`);
    assert.equal(r.remoteTime, r.localTime);
    assert.equal(r.diff, 0);
});

test('time: the SNTP server\'s time, in seconds', async () => {
    ntp.mode = 'ok';
    ntp.offset = 30;
    try {
        const r = await sdkCall(altClient, 'get', '/health/time');
        assert.equal(r.remoteTime, ntp.lastSent);
        assert.ok(Math.abs(r.localTime - Date.now() / 1000) <= 2, `localTime ${r.localTime}`);
        assert.equal(r.diff, r.remoteTime - r.localTime);
        assert.ok(r.diff >= 28 && r.diff <= 31, `diff ${r.diff}`);
    } finally {
        ntp.offset = 0;
    }
});

test('time: a server two minutes off is a 500', async () => {
    for (const offset of [120, -120]) {
        ntp.offset = offset;
        try {
            await expectAppwriteError(assert, () => sdkCall(altClient, 'get', '/health/time'), 500,
                'general_server_error');
        } finally {
            ntp.offset = 0;
        }
    }
});

test('time: a kiss-o\'-death reply is a 500', async () => {
    ntp.mode = 'kiss';
    try {
        await expectAppwriteError(assert, () => sdkCall(altClient, 'get', '/health/time'), 500,
            'general_server_error');
    } finally {
        ntp.mode = 'ok';
    }
});

test('certificate: the fields of a self-signed certificate, SNI sent', async () => {
    const t = tlsServers.valid;
    const x = new X509Certificate(t.pem);
    const from = String(Date.parse(x.validFrom) / 1000);
    const to = String(Date.parse(x.validTo) / 1000);
    const want = {
        name: '/O=cwrite tests/CN=localhost',
        subjectSN: 'localhost',
        issuerOrganisation: 'cwrite tests',
        validFrom: from,
        validTo: to,
        signatureTypeSN: 'RSA-SHA256',
    };
    t.lastSni = undefined;
    const r = await sdkCall(client, 'get', '/health/certificate', { domain: `localhost:${t.port}` });
    assert.deepEqual(Object.keys(r), Object.keys(want));
    assert.deepEqual({ ...r }, want);
    assert.equal(Number(r.validTo) - Number(r.validFrom), 2 * 86400);
    assert.equal(t.lastSni, 'localhost');
    // A URL names the host and port too; an address is sent without SNI.
    const u = await sdkCall(client, 'get', '/health/certificate', { domain: `https://localhost:${t.port}/some/path?x=1` });
    assert.deepEqual({ ...u }, want);
    t.lastSni = undefined;
    const ip = await sdkCall(client, 'get', '/health/certificate', { domain: `127.0.0.1:${t.port}` });
    assert.deepEqual({ ...ip }, want);
    assert.equal(t.lastSni, false);
});

test('certificate: expired is 404 health_certificate_expired', async () => {
    await expectAppwriteError(assert, () => sdkCall(client, 'get', '/health/certificate',
        { domain: `localhost:${tlsServers.expired.port}` }), 404, 'health_certificate_expired');
});

test('certificate: nothing listening is 404 health_invalid_host', async () => {
    const port = await freePort();
    await expectAppwriteError(assert, () => sdkCall(client, 'get', '/health/certificate',
        { domain: `127.0.0.1:${port}` }), 404, 'health_invalid_host');
});

test('certificate: a missing or malformed domain is 400', async () => {
    await expectAppwriteError(assert, () => sdkCall(client, 'get', '/health/certificate'), 400,
        'general_argument_invalid');
    for (const domain of ['exa mple.com', 'localhost:99999', 'ftp://localhost', 'localhost/path']) {
        await expectAppwriteError(assert, () => sdkCall(client, 'get', '/health/certificate', { domain }),
            400, 'general_argument_invalid');
    }
});

test('queues: size 0 under the threshold, 503 when size reaches it', async () => {
    for (const q of QUEUES) {
        const r = await sdkCall(client, 'get', `/health/queue/${q}`);
        assert.deepEqual({ ...r }, { size: 0 }, q);
        assert.deepEqual({ ...(await sdkCall(client, 'get', `/health/queue/${q}`, { threshold: 10 })) }, { size: 0 });
        const e = await expectAppwriteError(assert, () => sdkCall(client, 'get', `/health/queue/${q}`,
            { threshold: 0 }), 503, 'health_queue_size_exceeded');
        assert.match(e.message, /0/);
    }
});

test('queues: a bad threshold is 400', async () => {
    for (const threshold of ['abc', '1.5', '2147483648']) {
        await expectAppwriteError(assert, () => sdkCall(client, 'get', '/health/queue/mails', { threshold }),
            400, 'general_argument_invalid');
    }
    // A numeric string is a number, as Appwrite's loose integer validator takes it.
    assert.deepEqual({ ...(await sdkCall(client, 'get', '/health/queue/mails', { threshold: '7' })) }, { size: 0 });
});

test('queues: databases takes a queue name', async () => {
    const r = await sdkCall(client, 'get', '/health/queue/databases', { name: 'database_db_main', threshold: 100 });
    assert.deepEqual({ ...r }, { size: 0 });
    await expectAppwriteError(assert, () => sdkCall(client, 'get', '/health/queue/databases',
        { name: 'x'.repeat(257) }), 400, 'general_argument_invalid');
});

test('queue/failed/{name}: the known queues, any case; others are 400', async () => {
    for (const q of FAILED_QUEUES) {
        assert.deepEqual({ ...(await sdkCall(client, 'get', `/health/queue/failed/${q}`)) }, { size: 0 }, q);
    }
    assert.deepEqual({ ...(await sdkCall(client, 'get', '/health/queue/failed/V1-Mails', { threshold: 1 })) }, { size: 0 });
    const e = await expectAppwriteError(assert, () => sdkCall(client, 'get', '/health/queue/failed/v1-nope'),
        400, 'general_argument_invalid');
    assert.match(e.message, /v1-database, v1-deletes/);
    await expectAppwriteError(assert, () => sdkCall(client, 'get', '/health/queue/failed/v1-mails',
        { threshold: 0 }), 503, 'health_queue_size_exceeded');
    await expectAppwriteError(assert, () => sdkCall(client, 'get', '/health/queue/failed/v1-mails',
        { threshold: 'many' }), 400, 'general_argument_invalid');
});

test('no key: every health check needs health.read', async () => {
    const { client: guest } = await serverClient(server, { key: null });
    const paths = ['/health/db', '/health/cache', '/health/pubsub', '/health/storage',
        '/health/storage/local', '/health/anti-virus', '/health/time', '/health/certificate',
        ...QUEUES.map((q) => `/health/queue/${q}`), '/health/queue/failed/v1-mails'];
    for (const p of paths) {
        const e = await expectAppwriteError(assert, () => sdkCall(guest, 'get', p), 401,
            'general_unauthorized_scope');
        assert.match(e.message, /health\.read/, p);
    }
});
