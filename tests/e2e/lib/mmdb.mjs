// Writes small MaxMind DB files (binary format 2.0) for tests: a binary search tree over the
// address bits, a data section, and the metadata map at the end. Enough for a country database
// with a handful of networks; it makes no attempt to share data or to keep trees small.
import { isIPv4, isIPv6 } from 'node:net';

const METADATA_MARKER = Buffer.from([0xab, 0xcd, 0xef, ...Buffer.from('MaxMind.com')]);

// Data types of the format. Values of type 1..7 fit in the control byte; the others are
// "extended" and take a second byte holding (type - 7).
const T = { utf8: 2, double: 3, uint16: 5, uint32: 6, map: 7, int32: 8, uint64: 9, array: 11, boolean: 14 };

/** Marks a number to be written with this integer type (plain numbers are written as uint32). */
export const uint16 = (value) => ({ $type: 'uint16', value });
export const uint32 = (value) => ({ $type: 'uint32', value });
export const uint64 = (value) => ({ $type: 'uint64', value });

function control(type, size) {
    const head = [];
    let sizeBits;
    let extra = [];
    if (size < 29) {
        sizeBits = size;
    } else if (size < 29 + 256) {
        sizeBits = 29;
        extra = [size - 29];
    } else if (size < 285 + 65536) {
        sizeBits = 30;
        const n = size - 285;
        extra = [n >> 8, n & 0xff];
    } else {
        sizeBits = 31;
        const n = size - 65821;
        extra = [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
    }
    if (type <= 7) {
        head.push((type << 5) | sizeBits);
    } else {
        head.push(sizeBits, type - 7);
    }
    return Buffer.from([...head, ...extra]);
}

// Big-endian bytes of an unsigned integer, without leading zero bytes (zero has none at all).
function uintBytes(value) {
    let v = BigInt(value);
    const out = [];
    while (v > 0n) {
        out.unshift(Number(v & 0xffn));
        v >>= 8n;
    }
    return Buffer.from(out);
}

/** Encodes one value of the data section. */
export function encode(value) {
    if (value !== null && typeof value === 'object' && '$type' in value) {
        const bytes = uintBytes(value.value);
        return Buffer.concat([control(T[value.$type], bytes.length), bytes]);
    }
    if (typeof value === 'string') {
        const bytes = Buffer.from(value, 'utf8');
        return Buffer.concat([control(T.utf8, bytes.length), bytes]);
    }
    if (typeof value === 'boolean') return control(T.boolean, value ? 1 : 0);
    if (typeof value === 'number') {
        if (Number.isInteger(value) && value >= 0 && value < 2 ** 32) return encode(uint32(value));
        const b = Buffer.alloc(8);
        b.writeDoubleBE(value);
        return Buffer.concat([control(T.double, 8), b]);
    }
    if (Array.isArray(value)) {
        return Buffer.concat([control(T.array, value.length), ...value.map(encode)]);
    }
    const entries = Object.entries(value);
    const parts = [control(T.map, entries.length)];
    for (const [k, v] of entries) parts.push(encode(k), encode(v));
    return Buffer.concat(parts);
}

// The bits of a network as a tree of this IP version sees them: IPv4 networks of an IPv6 tree
// live under ::/96, where readers look IPv4 addresses up.
function networkBits(cidr, ipVersion) {
    const [addr, lenText] = cidr.split('/');
    let bytes;
    let len = Number(lenText);
    if (isIPv4(addr)) {
        bytes = addr.split('.').map(Number);
        if (ipVersion === 6) {
            bytes = [...new Array(12).fill(0), ...bytes];
            len += 96;
        }
    } else if (isIPv6(addr)) {
        if (ipVersion !== 6) throw new Error(`IPv6 network ${cidr} in an IPv4 tree`);
        bytes = ipv6Bytes(addr);
    } else {
        throw new Error(`not a network: ${cidr}`);
    }
    const bits = [];
    for (let i = 0; i < len; i++) bits.push((bytes[i >> 3] >> (7 - (i & 7))) & 1);
    return bits;
}

function ipv6Bytes(addr) {
    const [head, tail = ''] = addr.split('::');
    const parse = (s) => (s === '' ? [] : s.split(':').map((h) => parseInt(h, 16)));
    const hi = parse(head);
    const lo = addr.includes('::') ? parse(tail) : [];
    const groups = [...hi, ...new Array(8 - hi.length - lo.length).fill(0), ...lo];
    return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

/**
 * Builds a database. networks: [{cidr: '192.0.2.0/24', data: {...}}]; later entries win where
 * they overlap earlier ones. Returns the file as a Buffer.
 */
export function buildMmdb({ networks, ipVersion = 6, recordSize = 24, databaseType = 'cwrite-Test-Country', buildEpoch = 1700000000 }) {
    if (recordSize !== 24) throw new Error('only 24-bit records are written');
    // Data section: each network's record, encoded once.
    const dataParts = [];
    let dataLen = 0;
    const root = { children: [null, null] };
    for (const { cidr, data } of networks) {
        const bytes = encode(data);
        const leaf = { offset: dataLen };
        dataParts.push(bytes);
        dataLen += bytes.length;
        const bits = networkBits(cidr, ipVersion);
        if (bits.length === 0) throw new Error('a network needs a prefix');
        let node = root;
        for (let i = 0; i < bits.length - 1; i++) {
            let next = node.children[bits[i]];
            if (next === null || !('children' in next)) {
                // An empty branch, or a wider network that now needs splitting under this one.
                next = { children: [next, next] };
                node.children[bits[i]] = next;
            }
            node = next;
        }
        node.children[bits[bits.length - 1]] = leaf;
    }
    // Number the nodes breadth first; the root must be node 0.
    const nodes = [];
    const queue = [root];
    while (queue.length > 0) {
        const n = queue.shift();
        n.index = nodes.length;
        nodes.push(n);
        for (const c of n.children) if (c !== null && 'children' in c && !('index' in c)) {
            c.index = -1;
            queue.push(c);
        }
    }
    const nodeCount = nodes.length;
    const record = (c) => (c === null ? nodeCount : 'children' in c ? c.index : nodeCount + 16 + c.offset);
    const tree = Buffer.alloc(nodeCount * 6);
    nodes.forEach((n, i) => {
        tree.writeUIntBE(record(n.children[0]), i * 6, 3);
        tree.writeUIntBE(record(n.children[1]), i * 6 + 3, 3);
    });
    const metadata = encode({
        binary_format_major_version: uint16(2),
        binary_format_minor_version: uint16(0),
        build_epoch: uint64(buildEpoch),
        database_type: databaseType,
        description: { en: 'Test database written by the cwrite e2e suite' },
        ip_version: uint16(ipVersion),
        languages: ['en'],
        node_count: uint32(nodeCount),
        record_size: uint16(recordSize),
    });
    return Buffer.concat([tree, Buffer.alloc(16), ...dataParts, METADATA_MARKER, metadata]);
}
