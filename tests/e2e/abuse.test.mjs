// Appwrite's abuse limits: per-route counters in fixed windows, 429 general_rate_limit_exceeded
// past the limit, the X-RateLimit-* headers, keys by address or by e-mail, the forgiving of a
// successful sign-in, API keys not limited, and _APP_OPTIONS_ABUSE=disabled.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, serverClient, expectAppwriteError } from './lib/server.mjs';

let limited; // limits on
let open; // the default of the tests: limits off
let sdk;

before(async () => {
    [limited, open] = await Promise.all([startServer({ abuse: true }), startServer()]);
    sdk = (await serverClient(limited)).sdk;
});
after(async () => { await Promise.all([limited.stop(), open.stop()]); });

function guestAccount(server) {
    const client = new sdk.Client().setEndpoint(server.endpoint).setProject(server.projectId);
    return new sdk.Account(client);
}

async function signUp(server, email, headers = {}) {
    return fetch(`${server.endpoint}/account`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-appwrite-project': server.projectId, ...headers },
        body: JSON.stringify({ userId: 'unique()', email, password: 'password123' }),
    });
}

test('sign-up: 10 an hour per address, then 429 with the headers', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (let i = 0; i < 10; i++) {
        const r = await signUp(limited, `u${i}@example.com`);
        assert.equal(r.status, 201);
        assert.equal(r.headers.get('x-ratelimit-limit'), '10');
        assert.equal(r.headers.get('x-ratelimit-remaining'), String(9 - i));
        const reset = Number(r.headers.get('x-ratelimit-reset'));
        assert.equal(reset % 3600, 0, 'the end of a fixed window of an hour');
        assert.ok(reset > now && reset <= now + 3600 + 1);
    }
    const r = await signUp(limited, 'u10@example.com');
    assert.equal(r.status, 429);
    assert.equal(r.headers.get('x-ratelimit-remaining'), '0');
    const body = await r.json();
    assert.equal(body.type, 'general_rate_limit_exceeded');
    assert.equal(body.code, 429);
    await expectAppwriteError(assert,
        () => guestAccount(limited).create({ userId: 'unique()', email: 'u11@example.com', password: 'password123' }),
        429, 'general_rate_limit_exceeded');
});

test('an API key is not limited (and still sees the headers)', async () => {
    // The address has used up its sign-ups in the test above.
    const r = await signUp(limited, 'bykey@example.com', { 'x-appwrite-key': limited.key });
    assert.equal(r.status, 201);
    assert.equal(r.headers.get('x-ratelimit-limit'), '10');
    assert.equal(r.headers.get('x-ratelimit-remaining'), '0');
});

test('email sessions count per e-mail, and a sign-in starts the count again', async () => {
    const { client } = await serverClient(limited);
    const users = new sdk.Users(client);
    await users.create({ userId: 'unique()', email: 'a@example.com', password: 'password123' });
    await users.create({ userId: 'unique()', email: 'b@example.com', password: 'password123' });
    const account = guestAccount(limited);
    for (let i = 0; i < 9; i++) {
        await expectAppwriteError(assert, () => account.createEmailPasswordSession({ email: 'a@example.com', password: 'wrong-password' }),
            401, 'user_invalid_credentials');
    }
    // The tenth try succeeds: a 201 forgives the e-mail's failures.
    await account.createEmailPasswordSession({ email: 'a@example.com', password: 'password123' });
    for (let i = 0; i < 10; i++) {
        await expectAppwriteError(assert, () => account.createEmailPasswordSession({ email: 'a@example.com', password: 'wrong-password' }),
            401, 'user_invalid_credentials');
    }
    await expectAppwriteError(assert, () => account.createEmailPasswordSession({ email: 'a@example.com', password: 'password123' }),
        429, 'general_rate_limit_exceeded');
    // Another e-mail from the same address has its own count.
    const s = await account.createEmailPasswordSession({ email: 'b@example.com', password: 'password123' });
    assert.ok(s.$id);
});

test('a key naming an absent parameter still counts (the placeholder stays as written)', async () => {
    const r = await fetch(`${limited.endpoint}/account/sessions/email`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-appwrite-project': limited.projectId },
        body: JSON.stringify({ password: 'password123' }),
    });
    assert.equal(r.status, 400);
    assert.equal((await r.json()).type, 'general_argument_invalid');
    assert.equal(r.headers.get('x-ratelimit-remaining'), '9');
});

test('routes without a limit send no headers', async () => {
    const r = await fetch(`${limited.endpoint}/locale/continents`, { headers: { 'x-appwrite-project': limited.projectId } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-ratelimit-limit'), null);
});

test('_APP_OPTIONS_ABUSE=disabled: nothing is refused, the headers stay', async () => {
    for (let i = 0; i < 12; i++) {
        const r = await signUp(open, `o${i}@example.com`);
        assert.equal(r.status, 201);
        assert.equal(r.headers.get('x-ratelimit-limit'), '10');
        assert.equal(r.headers.get('x-ratelimit-remaining'), '9');
    }
});
