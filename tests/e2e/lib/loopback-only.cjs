// Preloaded (node --require) into a tool a test runs, such as the appwrite CLI: any TCP
// connection to a host other than loopback is refused before a name is looked up, and its
// host is appended to the file named by CW_OUTSIDE_LOG, so the test can assert that the tool
// never reached beyond the machine (update checks, telemetry).
'use strict';
const fs = require('node:fs');
const net = require('node:net');

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);
const connect = net.Socket.prototype.connect;

net.Socket.prototype.connect = function (...args) {
    const first = Array.isArray(args[0]) ? args[0][0] : args[0];
    const opts = typeof first === 'object' && first !== null ? first : { port: first, host: args[1] };
    const host = opts.path ? 'localhost' : String(opts.host || 'localhost');
    if (!LOOPBACK.has(host)) {
        if (process.env.CW_OUTSIDE_LOG) fs.appendFileSync(process.env.CW_OUTSIDE_LOG, `${host}\n`);
        const err = new Error(`connection to ${host} refused: loopback only`);
        err.code = 'ECONNREFUSED';
        process.nextTick(() => this.destroy(err));
        return this;
    }
    return connect.apply(this, args);
};
