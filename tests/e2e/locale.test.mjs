// The Locale service through node-appwrite's Locale class (and once through the web SDK): the
// lists and their order, translations and their fallbacks, and GET /locale with and without a
// GeoIP database.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, serverClient } from './lib/server.mjs';
import { buildMmdb } from './lib/mmdb.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const data = (name) => JSON.parse(readFileSync(resolve(here, '../../share/locale', name), 'utf8'));
const CODES = data('codes.json');
const COUNTRIES = data('countries.json');
const CONTINENTS = data('continents.json');
const EU = data('eu.json');
const PHONES = data('phones.json');
const CURRENCIES = data('currencies.json');
const LANGUAGES = data('languages.json');
const EN = data('translations/en.json');
const DE = data('translations/de.json');

const plain = (o) => JSON.parse(JSON.stringify(o));
// Appwrite sorts names with PHP's strcmp: by UTF-8 bytes, not by locale rules.
const byteOrder = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b));
const assertSortedByName = (items) => {
    for (let i = 1; i < items.length; i++) {
        assert.ok(byteOrder(items[i - 1].name, items[i].name) <= 0,
            `${items[i - 1].name} before ${items[i].name}`);
    }
};

let server;
let sdk;
let client;
let guest;
before(async () => {
    server = await startServer();
    ({ sdk, client } = await serverClient(server));
    guest = (await serverClient(server, { key: null })).client;
});
after(async () => { await server.stop(); });

const locale = (c = client) => new sdk.Locale(c);
const withLocale = async (code) => {
    const { client: c } = await serverClient(server);
    return locale(c.setLocale(code));
};

test('listCodes: every code of codes.json in file order, {code, name}', async () => {
    const r = plain(await locale().listCodes());
    assert.deepEqual(Object.keys(r), ['total', 'localeCodes']);
    assert.equal(r.total, 131);
    assert.equal(r.localeCodes.length, 131);
    assert.deepEqual(r.localeCodes, CODES);
    assert.deepEqual(Object.keys(r.localeCodes[0]), ['code', 'name']);
    assert.deepEqual(r.localeCodes[0], { code: 'af', name: 'Afrikaans' });
});

test('listContinents: 7, {name, code}, sorted by English name', async () => {
    const r = plain(await locale().listContinents());
    assert.deepEqual(Object.keys(r), ['total', 'continents']);
    assert.equal(r.total, 7);
    assert.deepEqual(Object.keys(r.continents[0]), ['name', 'code']);
    assertSortedByName(r.continents);
    assert.deepEqual(r.continents.map((c) => c.code).sort(), Object.keys(CONTINENTS).sort());
    assert.deepEqual(r.continents[0], { name: 'Africa', code: 'AF' });
    assert.deepEqual(r.continents.at(-1), { name: 'South America', code: 'SA' });
});

test('listCountries: 197, English names from the translation, byte order', async () => {
    const r = plain(await locale().listCountries());
    assert.deepEqual(Object.keys(r), ['total', 'countries']);
    assert.equal(r.total, 197);
    assert.equal(r.countries.length, 197);
    assert.deepEqual(Object.keys(r.countries[0]), ['name', 'code']);
    assertSortedByName(r.countries);
    assert.deepEqual(r.countries.map((c) => c.code).sort(), Object.keys(COUNTRIES).sort());
    for (const c of r.countries) assert.equal(c.name, EN[`countries.${c.code.toLowerCase()}`]);
    assert.deepEqual(r.countries[0], { name: 'Afghanistan', code: 'AF' });
});

test('listCountriesEU: the 27 of eu.json, sorted by name', async () => {
    const r = plain(await locale().listCountriesEU());
    assert.deepEqual(Object.keys(r), ['total', 'countries']);
    assert.equal(r.total, 27);
    assert.deepEqual(r.countries.map((c) => c.code).sort(), [...EU].sort());
    assertSortedByName(r.countries);
    assert.deepEqual(r.countries[0], { name: 'Austria', code: 'AT' });
    assert.ok(r.countries.some((c) => c.code === 'DE' && c.name === 'Germany'));
});

test('listCountriesPhones: 196, "+dial", numeric order, ties in file order', async () => {
    const r = plain(await locale().listCountriesPhones());
    assert.deepEqual(Object.keys(r), ['total', 'phones']);
    assert.equal(r.total, 196);
    assert.equal(r.phones.length, 196);
    assert.deepEqual(Object.keys(r.phones[0]), ['code', 'countryCode', 'countryName']);
    // PHP's asort compares the numeric strings as numbers: +7 comes before +20, +93 before +1242.
    const dials = r.phones.map((p) => Number(p.code.slice(1)));
    for (let i = 1; i < dials.length; i++) assert.ok(dials[i - 1] <= dials[i], `${dials[i - 1]} <= ${dials[i]}`);
    // Canada and the United States share +1 and keep phones.json's order.
    const ones = r.phones.filter((p) => p.code === '+1').map((p) => p.countryCode);
    const fileOrder = Object.keys(PHONES).filter((cc) => PHONES[cc] === '1');
    assert.deepEqual(ones, fileOrder);
    assert.deepEqual(r.phones[0], { code: '+1', countryCode: fileOrder[0], countryName: EN[`countries.${fileOrder[0].toLowerCase()}`] });
    for (const p of r.phones) {
        assert.equal(p.code, `+${PHONES[p.countryCode]}`);
        assert.equal(p.countryName, EN[`countries.${p.countryCode.toLowerCase()}`]);
    }
});

test('listCurrencies: 117 in file order, model fields only, numbers kept as numbers', async () => {
    const r = plain(await locale().listCurrencies());
    assert.deepEqual(Object.keys(r), ['total', 'currencies']);
    assert.equal(r.total, 117);
    const fields = ['symbol', 'name', 'symbolNative', 'decimalDigits', 'rounding', 'code', 'namePlural'];
    for (const c of r.currencies) assert.deepEqual(Object.keys(c), fields);
    assert.deepEqual(r.currencies, CURRENCIES.map((c) => Object.fromEntries(fields.map((f) => [f, c[f]]))));
    assert.deepEqual(r.currencies[0], {
        symbol: '$', name: 'US Dollar', symbolNative: '$', decimalDigits: 2, rounding: 0, code: 'USD', namePlural: 'US dollars',
    });
    assert.equal(r.currencies.find((c) => c.code === 'CHF').rounding, 0.05);
});

test('listCurrencies writes integers and floats as PHP does', async () => {
    const res = await fetch(`${server.endpoint}/locale/currencies`, { headers: { 'x-appwrite-project': 'default' } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^application\/json/);
    const text = await res.text();
    assert.ok(text.startsWith('{"total":117,"currencies":[{"symbol":"$","name":"US Dollar","symbolNative":"$","decimalDigits":2,"rounding":0,"code":"USD"'));
    assert.match(text, /"rounding":0\.05,"code":"CHF"/);
});

test('listLanguages: 186 in file order, {name, code, nativeName}', async () => {
    const r = plain(await locale().listLanguages());
    assert.deepEqual(Object.keys(r), ['total', 'languages']);
    assert.equal(r.total, 186);
    for (const l of r.languages) assert.deepEqual(Object.keys(l), ['name', 'code', 'nativeName']);
    assert.deepEqual(r.languages, LANGUAGES.map((l) => ({ name: l.name, code: l.code, nativeName: l.nativeName })));
    assert.deepEqual(r.languages[0], { name: 'Afar', code: 'aa', nativeName: 'Afar' });
});

test('get without a GeoIP database: the unknown answer for the connection address', async () => {
    const r = plain(await locale().get());
    assert.deepEqual(r, {
        ip: '127.0.0.1', countryCode: '--', country: 'Unknown', continentCode: '--', continent: 'Unknown', eu: false, currency: '',
    });
    assert.deepEqual(Object.keys(r), ['ip', 'countryCode', 'country', 'continentCode', 'continent', 'eu', 'currency']);
});

test('guests have locale.read: every method works without a key', async () => {
    const l = locale(guest);
    assert.equal((await l.get()).countryCode, '--');
    assert.equal((await l.listCodes()).total, 131);
    assert.equal((await l.listContinents()).total, 7);
    assert.equal((await l.listCountries()).total, 197);
    assert.equal((await l.listCountriesEU()).total, 27);
    assert.equal((await l.listCountriesPhones()).total, 196);
    assert.equal((await l.listCurrencies()).total, 117);
    assert.equal((await l.listLanguages()).total, 186);
});

describe('translations', () => {
    test('setLocale("de"): German names, sorted by bytes (umlauts last)', async () => {
        const l = await withLocale('de');
        const countries = plain(await l.listCountries());
        assert.equal(countries.total, 197);
        assertSortedByName(countries.countries);
        for (const c of countries.countries) assert.equal(c.name, DE[`countries.${c.code.toLowerCase()}`]);
        assert.ok(countries.countries.some((c) => c.code === 'DE' && c.name === 'Deutschland'));
        // "Österreich" sorts after every ASCII name in byte order.
        assert.equal(countries.countries.at(-1).name, 'Österreich');

        const continents = plain(await l.listContinents());
        assert.deepEqual(continents.continents.map((c) => c.name),
            ['Afrika', 'Antarktis', 'Asien', 'Europa', 'Nordamerika', 'Ozeanien', 'Südamerika']);

        const eu = plain(await l.listCountriesEU());
        assert.equal(eu.total, 27);
        assertSortedByName(eu.countries);
        assert.equal(eu.countries.find((c) => c.code === 'AT').name, 'Österreich');

        const phones = plain(await l.listCountriesPhones());
        assert.equal(phones.total, 196);
        assert.equal(phones.phones.find((p) => p.countryCode === 'DE').countryName, 'Deutschland');

        assert.equal((await l.get()).country, 'Unbekannt');
    });

    test('the English answer differs from the German one, the untranslated lists do not', async () => {
        const de = await withLocale('de');
        const en = locale();
        assert.notDeepEqual(plain(await de.listCountries()), plain(await en.listCountries()));
        assert.deepEqual(plain(await de.listCurrencies()), plain(await en.listCurrencies()));
        assert.deepEqual(plain(await de.listLanguages()), plain(await en.listLanguages()));
        assert.deepEqual(plain(await de.listCodes()), plain(await en.listCodes()));
    });

    test('a locale not in codes.json falls back to English', async () => {
        for (const code of ['xx', 'de-xx', 'DE', 'uk']) {
            const l = await withLocale(code);
            assert.deepEqual(plain(await l.listCountries()), plain(await locale().listCountries()), code);
            assert.deepEqual(plain(await l.listContinents()), plain(await locale().listContinents()), code);
            assert.equal((await l.get()).country, 'Unknown', code);
        }
    });

    test('a code without its own file reads the file of its first two letters, else English', async () => {
        const arAe = await withLocale('ar-ae');
        const ar = data('translations/ar.json');
        const continents = plain(await arAe.listContinents());
        for (const c of continents.continents) assert.equal(c.name, ar[`continents.${c.code.toLowerCase()}`]);
        assert.equal((await arAe.get()).country, 'مجهول');
        // de-at reads de.json.
        assert.equal(plain(await (await withLocale('de-at')).listContinents()).continents[0].name, 'Afrika');
        // pt is a code, but there is no pt.json (only pt-br and pt-pt): English.
        assert.deepEqual(plain(await (await withLocale('pt')).listCountries()), plain(await locale().listCountries()));
    });

    test('the locale query parameter works like the header and wins over it', async () => {
        const res = await fetch(`${server.endpoint}/locale?locale=fr`, {
            headers: { 'x-appwrite-project': 'default', 'x-appwrite-locale': 'de' },
        });
        assert.equal(res.status, 200);
        assert.equal((await res.json()).country, 'Inconnu');
    });

    test('answers are built once and stay the same', async () => {
        const l = await withLocale('fr');
        const a = plain(await l.listCountriesPhones());
        const b = plain(await l.listCountriesPhones());
        assert.deepEqual(a, b);
        assert.equal(a.phones.find((p) => p.countryCode === 'FR').countryName, 'France');
    });
});

describe('client address', () => {
    const get = async (xff) => {
        const res = await fetch(`${server.endpoint}/locale`, {
            headers: { 'x-appwrite-project': 'default', ...(xff === undefined ? {} : { 'x-forwarded-for': xff }) },
        });
        assert.equal(res.status, 200);
        return res.json();
    };

    test('the leftmost X-Forwarded-For entry, trimmed', async () => {
        assert.equal((await get(' 203.0.113.9 , 10.0.0.1')).ip, '203.0.113.9');
        assert.equal((await get('2001:db8::7')).ip, '2001:db8::7');
    });

    test('an invalid leftmost entry means the connection address', async () => {
        assert.equal((await get('unknown, 203.0.113.9')).ip, '127.0.0.1');
        assert.equal((await get('999.1.1.1')).ip, '127.0.0.1');
        assert.equal((await get('')).ip, '127.0.0.1');
    });
});

describe('with a GeoIP database', () => {
    let geo;
    let dir;
    const record = (country, continent) => ({
        continent: { code: continent, geoname_id: 6255148, names: { en: 'Continent' } },
        country: { geoname_id: 2921044, iso_code: country, names: { en: 'Country' } },
    });

    before(async () => {
        dir = mkdtempSync(join(tmpdir(), 'cwrite-geo-'));
        const file = join(dir, 'country.mmdb');
        writeFileSync(file, buildMmdb({
            networks: [
                { cidr: '192.0.2.0/24', data: record('DE', 'EU') },
                { cidr: '198.51.100.0/24', data: record('US', 'NA') },
                { cidr: '198.51.100.128/25', data: record('CA', 'NA') },
                { cidr: '203.0.113.0/24', data: record('PL', 'EU') },
                { cidr: '2001:db8::/32', data: record('IN', 'AS') },
                { cidr: '100.64.0.0/16', data: { continent: { code: 'AN' } } },
                { cidr: '100.65.0.0/16', data: record('XK', 'EU') },
            ],
        }));
        geo = await startServer({ args: ['--geoip-db', file] });
    });
    after(async () => {
        await geo.stop();
        rmSync(dir, { recursive: true, force: true });
    });

    const lookup = async (ip, code) => {
        const { client: c } = await serverClient(geo);
        c.addHeader('X-Forwarded-For', ip);
        if (code) c.setLocale(code);
        return plain(await new sdk.Locale(c).get());
    };

    test('an EU country with no currency of its own in currencies.json', async () => {
        assert.deepEqual(await lookup('192.0.2.10'), {
            ip: '192.0.2.10', countryCode: 'DE', country: 'Germany', continentCode: 'EU', continent: 'Europe', eu: true, currency: '',
        });
    });

    test('translated into the request locale', async () => {
        const r = await lookup('192.0.2.10', 'de');
        assert.equal(r.country, 'Deutschland');
        assert.equal(r.continent, 'Europa');
    });

    test('the currency whose locations list the country', async () => {
        assert.deepEqual(await lookup('198.51.100.1'), {
            ip: '198.51.100.1', countryCode: 'US', country: 'United States', continentCode: 'NA', continent: 'North America', eu: false, currency: 'USD',
        });
        const pl = await lookup('203.0.113.200');
        assert.equal(pl.eu, true);
        assert.equal(pl.currency, 'PLN');
    });

    test('the most specific network wins', async () => {
        const r = await lookup('198.51.100.200');
        assert.equal(r.countryCode, 'CA');
        assert.equal(r.country, 'Canada');
        assert.equal(r.currency, '');
    });

    test('IPv6 addresses', async () => {
        const r = await lookup('2001:db8:1::5');
        assert.deepEqual(r, {
            ip: '2001:db8:1::5', countryCode: 'IN', country: 'India', continentCode: 'AS', continent: 'Asia', eu: false, currency: 'INR',
        });
    });

    test('an address the database does not know: the unknown answer', async () => {
        assert.deepEqual(await lookup('10.1.2.3', 'fr'), {
            ip: '10.1.2.3', countryCode: '--', country: 'Inconnu', continentCode: '--', continent: 'Inconnu', eu: false, currency: '',
        });
        assert.equal((await lookup('2002::1')).countryCode, '--');
        const { client: c } = await serverClient(geo);
        assert.equal((await new sdk.Locale(c).get()).countryCode, '--'); // 127.0.0.1
    });

    test('a record without a country, and a country with no name in the translations', async () => {
        assert.deepEqual(await lookup('100.64.1.1'), {
            ip: '100.64.1.1', countryCode: '', country: 'Unknown', continentCode: 'AN', continent: 'Antarctica', eu: false, currency: '',
        });
        const xk = await lookup('100.65.1.1');
        assert.equal(xk.countryCode, 'XK');
        assert.equal(xk.country, 'Unknown');
        assert.equal(xk.continent, 'Europe');
    });

    test('the database is opened once and logged', async () => {
        assert.match(geo.output().stderr, /msg="geoip database opened"/);
    });
});

test('a GeoIP database that cannot be opened: a warning, and unknown answers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cwrite-geo-'));
    const bad = join(dir, 'not-a-db.mmdb');
    writeFileSync(bad, 'not a MaxMind database');
    const s = await startServer({ args: ['--geoip-db', bad] });
    try {
        const { client: c } = await serverClient(s);
        c.addHeader('X-Forwarded-For', '192.0.2.10');
        const r = plain(await new sdk.Locale(c).get());
        assert.equal(r.countryCode, '--');
        assert.equal(r.ip, '192.0.2.10');
        assert.match(s.output().stderr, /level=warn msg="geoip database cannot be opened[^\n]*path=\S*not-a-db\.mmdb/);
    } finally {
        await s.stop();
        rmSync(dir, { recursive: true, force: true });
    }
});

test('the server default locale (--locale) applies when the request names none or an unknown one', async () => {
    const s = await startServer({ args: ['--locale', 'de'] });
    try {
        const { client: c } = await serverClient(s);
        const l = new sdk.Locale(c);
        assert.equal(plain(await l.listContinents()).continents[0].name, 'Afrika');
        assert.equal((await l.get()).country, 'Unbekannt');
        c.setLocale('xx');
        assert.equal(plain(await l.listContinents()).continents[0].name, 'Afrika');
        c.setLocale('en');
        assert.equal(plain(await l.listContinents()).continents[0].name, 'Africa');
    } finally {
        await s.stop();
    }
});

test('the web SDK (appwrite) reads the Locale service too', async () => {
    const web = await import('appwrite');
    const c = new web.Client().setEndpoint(server.endpoint).setProject(server.projectId).setLocale('de');
    const l = new web.Locale(c);
    const r = plain(await l.get());
    assert.equal(r.country, 'Unbekannt');
    assert.equal(r.countryCode, '--');
    const codes = await l.listCodes();
    assert.equal(codes.total, 131);
    assert.equal(plain(await l.listContinents()).continents[0].name, 'Afrika');
});
