// An SMTP sink for the tests: maildev (from tests/e2e/package.json) run as a child process on
// free loopback ports, read back through its HTTP API.
//
//   const mail = await startMaildev();                 // or startMaildev({ smtpPort }) to take a
//   const server = await startServer({ env: mail.env });   port chosen (and used) earlier
//   … something sends a mail to ada@example.com …
//   const m = await mail.waitForMail('ada@example.com');   // {subject, text, html, from, to, headers}
//   await mail.stop();
//
// mail.env holds the _APP_SMTP_* variables that point cwrite at the sink; smtpEnv(port) makes
// them for a port where no sink runs yet (mail then waits in cwrite's queue).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { freePort } from './server.mjs';

const require = createRequire(import.meta.url);
const MAILDEV_BIN = require.resolve('maildev/bin/maildev');

/** The environment that sends cwrite's mail to 127.0.0.1:port over plain SMTP. */
export function smtpEnv(port) {
    return {
        _APP_SMTP_HOST: '127.0.0.1',
        _APP_SMTP_PORT: String(port),
        _APP_SMTP_SECURE: '',
        _APP_SYSTEM_EMAIL_NAME: 'cwrite tests',
        _APP_SYSTEM_EMAIL_ADDRESS: 'noreply@cwrite.test',
    };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts maildev. Options: smtpPort (default: a free one). Resolves once its web API answers with
 * {smtpPort, webPort, env, mails(), waitForMail(to, opts), clear(), stop()}.
 */
export async function startMaildev({ smtpPort } = {}) {
    smtpPort = smtpPort || (await freePort());
    const webPort = await freePort();
    const proc = spawn(process.execPath, [MAILDEV_BIN, '--smtp', String(smtpPort), '--web', String(webPort),
        '--ip', '127.0.0.1', '--web-ip', '127.0.0.1', '--silent'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    proc.stdout.on('data', (d) => { log += d; });
    proc.stderr.on('data', (d) => { log += d; });
    const exited = new Promise((ok) => proc.on('exit', ok));
    const api = `http://127.0.0.1:${webPort}`;
    const deadline = Date.now() + 15000;
    for (;;) {
        try {
            const r = await fetch(`${api}/email`);
            if (r.ok) break;
        } catch { /* not listening yet */ }
        if (proc.exitCode !== null || Date.now() > deadline) {
            proc.kill('SIGKILL');
            throw new Error(`maildev did not start:\n${log}`);
        }
        await sleep(50);
    }

    /** Every mail received so far, oldest first (maildev's JSON: subject, text, html, to…). */
    async function mails() {
        const r = await fetch(`${api}/email`);
        if (!r.ok) throw new Error(`maildev answered ${r.status}`);
        return r.json();
    }

    return {
        smtpPort,
        webPort,
        env: smtpEnv(smtpPort),
        mails,
        /**
         * Resolves with the first mail to address (case-insensitive) for which match(mail) holds,
         * waiting up to timeout ms (default 15000) for it.
         */
        async waitForMail(address, { timeout = 15000, match = () => true } = {}) {
            const want = address.toLowerCase();
            const end = Date.now() + timeout;
            for (;;) {
                const found = (await mails()).find((m) =>
                    (m.to || []).some((t) => (t.address || '').toLowerCase() === want) && match(m));
                if (found) return found;
                if (Date.now() > end) throw new Error(`no mail to ${address} within ${timeout} ms`);
                await sleep(100);
            }
        },
        /** Deletes every mail received so far. */
        async clear() {
            await fetch(`${api}/email/all`, { method: 'DELETE' });
        },
        async stop() {
            if (proc.exitCode === null) proc.kill('SIGTERM');
            await exited;
        },
    };
}
