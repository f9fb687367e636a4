// Time-based one-time codes (RFC 6238: HMAC-SHA1, 30-second steps, 6 digits) for tests that sign
// in with a TOTP authenticator, computed with node:crypto.
import { createHmac } from 'node:crypto';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function base32Decode(s) {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    const out = [];
    let bits = 0;
    let value = 0;
    for (const ch of s.replace(/=+$/, '')) {
        value = ((value << 5) | alphabet.indexOf(ch)) & 0xffff;
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            out.push((value >> bits) & 0xff);
        }
    }
    return Buffer.from(out);
}

/** The code of the step holding ms for a base32 secret. */
export function totp(secret, ms = Date.now()) {
    const counter = Buffer.alloc(8);
    counter.writeBigUInt64BE(BigInt(Math.floor(ms / 1000 / 30)));
    const h = createHmac('sha1', base32Decode(secret)).update(counter).digest();
    const off = h[19] & 15;
    return String((h.readUInt32BE(off) & 0x7fffffff) % 1e6).padStart(6, '0');
}

/** The current code, waiting for the next step when this one is about to end: the server takes
 * the code of its current step only. */
export async function freshCode(secret) {
    const left = 30000 - (Date.now() % 30000);
    if (left < 4000) await sleep(left + 200);
    return totp(secret);
}
