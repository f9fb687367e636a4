// Starts a real cwrite server for a test file: a free loopback port, a temporary data folder,
// the binary from CWRITE_BIN (set by `make e2e`). Parses the project and key it prints on first
// start, and stops it (SIGTERM, then waits) when the test is done.
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
export const BIN = process.env.CWRITE_BIN || resolve(here, '../../../build/san/cwrite');

export function freePort() {
    return new Promise((ok, fail) => {
        const s = createServer();
        s.unref();
        s.on('error', fail);
        s.listen(0, '127.0.0.1', () => {
            const { port } = s.address();
            s.close(() => ok(port));
        });
    });
}

/** Runs `cwrite ARGS…`; resolves with {code, stdout, stderr}. */
export async function cli(args, opts = {}) {
    try {
        const { stdout, stderr } = await promisify(execFile)(BIN, args, { env: { ...process.env, ...opts.env } });
        return { code: 0, stdout, stderr };
    } catch (e) {
        return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
}

/**
 * Starts `cwrite serve`. Options: env (extra environment), args (extra flags), dataDir (reuse a
 * folder), threads, abuse (true keeps Appwrite's rate limits on; tests make many accounts from one
 * address, so by default they are off). Returns {endpoint, port, projectId, key, dataDir, proc, output(), stop()}.
 */
export async function startServer(opts = {}) {
    const port = opts.port || (await freePort());
    const dataDir = opts.dataDir || mkdtempSync(join(tmpdir(), 'cwrite-e2e-'));
    const args = ['serve', '--listen', `127.0.0.1:${port}`, '--data', dataDir, ...(opts.args || [])];
    const env = {
        ...process.env,
        CWRITE_ACCESS_LOG: '0',
        _APP_OPTIONS_ABUSE: opts.abuse ? 'enabled' : 'disabled',
        LSAN_OPTIONS: `suppressions=${resolve(here, '../../lsan.supp')}:print_suppressions=0`,
        ...opts.env,
    };
    const proc = spawn(BIN, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d) => { out += d; });
    proc.stderr.on('data', (d) => { err += d; });
    const exited = new Promise((ok) => proc.on('exit', (code, signal) => ok({ code, signal })));
    const deadline = Date.now() + 15000;
    while (!/msg="listening"/.test(err)) {
        if (proc.exitCode !== null || Date.now() > deadline) {
            proc.kill('SIGKILL');
            throw new Error(`cwrite did not start:\n${out}\n${err}`);
        }
        await new Promise((r) => setTimeout(r, 20));
    }
    const key = (out.match(/API key:\s+(\S+)/) || [])[1];
    const projectId = (out.match(/Project ID:\s+(\S+)/) || [])[1];
    const server = {
        endpoint: `http://127.0.0.1:${port}/v1`,
        port,
        projectId,
        key,
        dataDir,
        proc,
        exited,
        output: () => ({ stdout: out, stderr: err }),
        async stop({ keepData = false } = {}) {
            if (proc.exitCode === null) proc.kill('SIGTERM');
            const r = await exited;
            if (!keepData && !opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
            if (/ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/.test(err)) {
                throw new Error(`sanitizer report from cwrite:\n${err}`);
            }
            return r;
        },
    };
    return server;
}

/** A node-appwrite client for the server's default project, with its key unless key: null. */
export async function serverClient(server, { key = server.key, project = server.projectId } = {}) {
    const sdk = await import('node-appwrite');
    const client = new sdk.Client().setEndpoint(server.endpoint);
    if (project) client.setProject(project);
    if (key) client.setKey(key);
    return { sdk, client };
}

/** Expects fn to reject with an AppwriteException of this code and type. */
export async function expectAppwriteError(assert, fn, code, type) {
    try {
        await fn();
    } catch (e) {
        assert.equal(e.code, code, `code for ${type}: ${e.message}`);
        assert.equal(e.type, type, `type: ${e.message}`);
        return e;
    }
    assert.fail(`expected ${code} ${type}, but the call succeeded`);
}

/**
 * Calls a route through the SDK client's own request path (its headers, JSON parsing and
 * AppwriteException), for services node-appwrite 27.1.0 has no class for (Health).
 */
export function sdkCall(client, method, path, params = {}, headers = {}) {
    const url = new URL(client.config.endpoint + path);
    const base = { 'X-Appwrite-Project': client.config.project, accept: 'application/json' };
    if (method !== 'get') base['content-type'] = 'application/json';
    return client.call(method, url, { ...base, ...headers }, params);
}
