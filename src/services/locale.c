/*
 * The Locale service: the visitor's country from their IP address, and the lists of locale codes,
 * countries, continents, phone codes, currencies and languages, with names translated into the
 * request's locale.
 *
 * Every list answer depends only on the data built into the binary and on the translation file
 * in use, so each is built once, on the first request that needs it, and kept for the life of the
 * process; a request then copies bytes that already exist. Translation files are read only when a
 * request asks for their language, which keeps an idle server small.
 */
#include "services/routes.h"

#include <ctype.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/embed.h"
#include "core/log.h"
#include "core/status.h"
#include "services/api.h"
#include "services/locale_geo.h"

#define CODE_MAX 8 /* a country or continent code and its NUL */
#define UNKNOWN_DEFAULT "Unknown"

typedef struct phone {
    char cc[CODE_MAX];
    char *dial; /* digits, without the "+" */
    size_t order;
} phone_t;

/* One (country, currency) pair from the `locations` of currencies.json. */
typedef struct currency_at {
    char cc[CODE_MAX];
    char code[CODE_MAX];
} currency_at_t;

/* The names of one translation file, completed from the fallback file, and the answers built
 * from them. A NULL name means neither file has the key. */
typedef struct locale_names {
    char **countries;  /* parallel to locale_data.countries */
    char **continents; /* parallel to locale_data.continents */
    char *unknown;     /* the word for an unknown country */
    cw_str_t countries_body;
    cw_str_t eu_body;
    cw_str_t phones_body;
    cw_str_t continents_body;
} locale_names_t;

/* Everything read from the built-in data, once per process. */
typedef struct locale_data {
    size_t ncodes;
    char **codes;      /* codes.json, the locales a request may ask for */
    size_t *code_file; /* for each code, its translation file in files[] */
    size_t nfiles;
    char **files; /* translation files in use, without ".json"; files[0] is "en" */
    _Atomic(locale_names_t *) *names; /* for each file, built on first use */
    size_t ncountries;
    char (*countries)[CODE_MAX]; /* countries.json keys, in file order */
    size_t ncontinents;
    char (*continents)[CODE_MAX];
    size_t neu;
    char (*eu)[CODE_MAX];
    size_t nphones;
    phone_t *phones; /* in the order of their dial codes */
    size_t ncurrency_at;
    currency_at_t *currency_at;
    json_t *unknown; /* country-unknown.json: translation file name -> the word "Unknown" */
    cw_str_t codes_body;
    cw_str_t currencies_body;
    cw_str_t languages_body;
} locale_data_t;

static locale_data_t locale_data;
static pthread_once_t locale_data_once = PTHREAD_ONCE_INIT;
/* Serialises the first build of each translation's answers; readers never take it. */
static pthread_mutex_t locale_names_lock = PTHREAD_MUTEX_INITIALIZER;

/* Parses a built-in file. NULL (logged) if it is missing or broken, which jansson's getters treat
 * as an empty value, so the service answers with less data rather than not at all. */
static json_t *embed_json(const char *name)
{
    cw_str_t bytes;
    json_error_t err;
    json_t *j = NULL;
    if (cw_embed_find(cw_str(name), &bytes) != CW_OK) {
        cw_log(CW_LOG_ERROR, "msg=\"built-in locale file missing\" file=%s", name);
        return NULL;
    }
    j = json_loadb(bytes.ptr, bytes.len, 0, &err);
    if (j == NULL)
        cw_log(CW_LOG_ERROR, "msg=\"built-in locale file invalid\" file=%s line=%d error=\"%s\"",
               name, err.line, err.text);
    return j;
}

static bool embed_exists(const char *name)
{
    cw_str_t bytes;
    return cw_embed_find(cw_str(name), &bytes) == CW_OK;
}

static void code_copy(char dst[CODE_MAX], const char *src)
{
    snprintf(dst, CODE_MAX, "%s", src != NULL ? src : "");
}

static cw_str_t buf_take(cw_buf_t *b)
{
    size_t len;
    char *p = cw_buf_steal(b, &len);
    return (cw_str_t){p, len};
}

/* Writes a value of a data file as it is: PHP keeps integers and floats apart, and so do we. */
static void write_value(cw_jw_t *w, const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        cw_jw_str(w, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        cw_jw_int(w, (int64_t)json_integer_value(v));
        break;
    case JSON_REAL:
        cw_jw_double(w, json_real_value(v));
        break;
    case JSON_TRUE:
    case JSON_FALSE:
        cw_jw_bool(w, json_is_true(v));
        break;
    default:
        cw_jw_null(w);
        break;
    }
}

/* Writes the named fields of each object of arr, in the model's order, under {total, key}. */
static cw_str_t model_list_body(const json_t *arr, const char *key, const char *const *fields)
{
    cw_buf_t b = CW_BUF_INIT;
    cw_jw_t w;
    cw_jw_init(&w, &b);
    cw_jw_obj_open(&w);
    cw_jw_kv_int(&w, "total", (int64_t)json_array_size(arr));
    cw_jw_key(&w, key);
    cw_jw_arr_open(&w);
    size_t i;
    json_t *item;
    json_array_foreach(arr, i, item)
    {
        cw_jw_obj_open(&w);
        for (const char *const *f = fields; *f != NULL; f++) {
            cw_jw_key(&w, *f);
            write_value(&w, json_object_get(item, *f));
        }
        cw_jw_obj_close(&w);
    }
    cw_jw_arr_close(&w);
    cw_jw_obj_close(&w);
    return buf_take(&b);
}

static bool is_digits(const char *s)
{
    if (*s == '\0')
        return false;
    for (; *s != '\0'; s++)
        if (!isdigit((unsigned char)*s))
            return false;
    return true;
}

/* PHP's asort on the dial codes: numeric strings compare as numbers. PHP's sort is stable, so
 * equal codes keep the order of phones.json. */
static int phone_cmp(const void *pa, const void *pb)
{
    const phone_t *a = pa, *b = pb;
    int c;
    if (is_digits(a->dial) && is_digits(b->dial)) {
        const char *x = a->dial, *y = b->dial;
        while (x[0] == '0' && x[1] != '\0')
            x++;
        while (y[0] == '0' && y[1] != '\0')
            y++;
        size_t lx = strlen(x), ly = strlen(y);
        c = lx != ly ? (lx < ly ? -1 : 1) : strcmp(x, y);
    } else {
        c = strcmp(a->dial, b->dial);
    }
    if (c != 0)
        return c;
    return a->order < b->order ? -1 : a->order > b->order;
}

/* Index in files[] of a translation file name, added when new. */
static size_t file_intern(locale_data_t *d, const char *name, size_t namelen)
{
    for (size_t i = 0; i < d->nfiles; i++)
        if (strlen(d->files[i]) == namelen && memcmp(d->files[i], name, namelen) == 0)
            return i;
    d->files[d->nfiles] = cw_strndup(name, namelen);
    return d->nfiles++;
}

/* The translation file of a locale code: its own, else the one of its first two letters (ar-ae
 * reads ar), else English. */
static size_t code_file(locale_data_t *d, const char *code)
{
    char path[64];
    size_t len = strlen(code);
    snprintf(path, sizeof(path), "translations/%s.json", code);
    if (len < 32 && embed_exists(path))
        return file_intern(d, code, len);
    if (len >= 2) {
        snprintf(path, sizeof(path), "translations/%.2s.json", code);
        if (embed_exists(path))
            return file_intern(d, code, 2);
    }
    return 0;
}

static void data_codes(locale_data_t *d)
{
    static const char *const fields[] = {"code", "name", NULL};
    json_t *codes = embed_json("codes.json");
    d->ncodes = json_array_size(codes);
    d->codes = cw_calloc(d->ncodes + 1, sizeof(*d->codes));
    d->code_file = cw_calloc(d->ncodes + 1, sizeof(*d->code_file));
    d->files = cw_calloc(d->ncodes + 1, sizeof(*d->files));
    d->files[d->nfiles++] = cw_strdup("en");
    for (size_t i = 0; i < d->ncodes; i++) {
        const char *code = json_string_value(json_object_get(json_array_get(codes, i), "code"));
        d->codes[i] = cw_strdup(code != NULL ? code : "");
        d->code_file[i] = code_file(d, d->codes[i]);
    }
    d->names = cw_calloc(d->nfiles, sizeof(*d->names));
    for (size_t i = 0; i < d->nfiles; i++)
        atomic_init(&d->names[i], NULL);
    d->codes_body = model_list_body(codes, "localeCodes", fields);
    json_decref(codes);
}

static void data_places(locale_data_t *d)
{
    const char *key;
    json_t *v;
    size_t i;

    json_t *countries = embed_json("countries.json");
    d->countries = cw_calloc(json_object_size(countries) + 1, sizeof(*d->countries));
    json_object_foreach(countries, key, v)
    {
        code_copy(d->countries[d->ncountries++], key);
    }
    json_decref(countries);

    json_t *continents = embed_json("continents.json");
    d->continents = cw_calloc(json_object_size(continents) + 1, sizeof(*d->continents));
    json_object_foreach(continents, key, v)
    {
        code_copy(d->continents[d->ncontinents++], key);
    }
    json_decref(continents);

    json_t *eu = embed_json("eu.json");
    d->eu = cw_calloc(json_array_size(eu) + 1, sizeof(*d->eu));
    json_array_foreach(eu, i, v)
    {
        code_copy(d->eu[d->neu++], json_string_value(v));
    }
    json_decref(eu);

    json_t *phones = embed_json("phones.json");
    d->phones = cw_calloc(json_object_size(phones) + 1, sizeof(*d->phones));
    json_object_foreach(phones, key, v)
    {
        phone_t *p = &d->phones[d->nphones];
        code_copy(p->cc, key);
        p->dial = cw_strdup(json_is_string(v) ? json_string_value(v) : "");
        p->order = d->nphones++;
    }
    qsort(d->phones, d->nphones, sizeof(*d->phones), phone_cmp);
    json_decref(phones);
}

static void data_currencies(locale_data_t *d)
{
    static const char *const fields[] = {
        "symbol", "name", "symbolNative", "decimalDigits", "rounding", "code", "namePlural", NULL,
    };
    json_t *currencies = embed_json("currencies.json");
    size_t i, j, n = 0;
    json_t *cur, *loc;
    json_array_foreach(currencies, i, cur)
    {
        n += json_array_size(json_object_get(cur, "locations"));
    }
    d->currency_at = cw_calloc(n + 1, sizeof(*d->currency_at));
    json_array_foreach(currencies, i, cur)
    {
        const char *code = json_string_value(json_object_get(cur, "code"));
        if (code == NULL)
            continue;
        json_array_foreach(json_object_get(cur, "locations"), j, loc)
        {
            currency_at_t *c = &d->currency_at[d->ncurrency_at++];
            code_copy(c->cc, json_string_value(loc));
            code_copy(c->code, code);
        }
    }
    d->currencies_body = model_list_body(currencies, "currencies", fields);
    json_decref(currencies);
}

static void data_build(void)
{
    static const char *const language_fields[] = {"name", "code", "nativeName", NULL};
    locale_data_t *d = &locale_data;
    data_codes(d);
    data_places(d);
    data_currencies(d);
    json_t *languages = embed_json("languages.json");
    d->languages_body = model_list_body(languages, "languages", language_fields);
    json_decref(languages);
    d->unknown = embed_json("country-unknown.json");
}

static locale_data_t *data_get(void)
{
    pthread_once(&locale_data_once, data_build);
    return &locale_data;
}

/* Index in codes[] of a locale code, exactly as sent; -1 when it is not a known code. */
static long code_index(const locale_data_t *d, cw_str_t code)
{
    for (size_t i = 0; i < d->ncodes; i++)
        if (cw_str_eq_cstr(code, d->codes[i]))
            return (long)i;
    return -1;
}

/* A translation key: "countries.de" for ("countries", "DE"). */
static void tr_key(char *out, size_t cap, const char *group, const char *code)
{
    int n = snprintf(out, cap, "%s.", group);
    for (size_t i = 0; code[i] != '\0' && (size_t)n + 1 < cap; i++)
        out[n++] = (char)tolower((unsigned char)code[i]);
    out[n] = '\0';
}

/* A key's text in the translation, else in the fallback; NULL when neither has it. */
static char *tr_text(const json_t *own, const json_t *fallback, const char *key)
{
    const json_t *v = json_object_get(own, key);
    if (!json_is_string(v))
        v = json_object_get(fallback, key);
    if (!json_is_string(v))
        return NULL;
    return cw_strndup(json_string_value(v), json_string_length(v));
}

typedef struct named {
    const char *name;
    const char *code;
    size_t order;
} named_t;

/* Appwrite sorts with strcmp on the translated name; its sort is stable. */
static int named_cmp(const void *pa, const void *pb)
{
    const named_t *a = pa, *b = pb;
    int c = strcmp(a->name, b->name);
    if (c != 0)
        return c;
    return a->order < b->order ? -1 : a->order > b->order;
}

static cw_str_t named_list_body(const char *key, named_t *items, size_t n)
{
    qsort(items, n, sizeof(*items), named_cmp);
    cw_buf_t b = CW_BUF_INIT;
    cw_jw_t w;
    cw_jw_init(&w, &b);
    cw_jw_obj_open(&w);
    cw_jw_kv_int(&w, "total", (int64_t)n);
    cw_jw_key(&w, key);
    cw_jw_arr_open(&w);
    for (size_t i = 0; i < n; i++) {
        cw_jw_obj_open(&w);
        cw_jw_kv_cstr(&w, "name", items[i].name);
        cw_jw_kv_cstr(&w, "code", items[i].code);
        cw_jw_obj_close(&w);
    }
    cw_jw_arr_close(&w);
    cw_jw_obj_close(&w);
    return buf_take(&b);
}

/* A name for a list that shows every entry: a key missing from both files shows as
 * "{{countries.xx}}", which is what Appwrite's translator answers for a missing key. */
static const char *shown_name(const char *name, char *placeholder, size_t cap, const char *group,
                              const char *code)
{
    char key[48];
    if (name != NULL)
        return name;
    tr_key(key, sizeof(key), group, code);
    snprintf(placeholder, cap, "{{%s}}", key);
    return placeholder;
}

/* Countries, countries/eu and continents, in this translation. */
static void names_lists(const locale_data_t *d, locale_names_t *n, const json_t *own,
                        const json_t *fb)
{
    char key[48];
    size_t max = d->ncountries > d->ncontinents ? d->ncountries : d->ncontinents;
    named_t *items = cw_calloc(max + d->neu + 1, sizeof(*items));
    char(*shown)[64] = cw_calloc(max + 1, sizeof(*shown));
    char **eu_names = cw_calloc(d->neu + 1, sizeof(*eu_names));

    for (size_t i = 0; i < d->ncountries; i++) {
        const char *name =
            shown_name(n->countries[i], shown[i], sizeof(shown[i]), "countries", d->countries[i]);
        items[i] = (named_t){name, d->countries[i], i};
    }
    n->countries_body = named_list_body("countries", items, d->ncountries);

    /* The EU list leaves out what has no translation at all. */
    size_t neu = 0;
    for (size_t i = 0; i < d->neu; i++) {
        tr_key(key, sizeof(key), "countries", d->eu[i]);
        eu_names[i] = tr_text(own, fb, key);
        if (eu_names[i] != NULL)
            items[neu++] = (named_t){eu_names[i], d->eu[i], i};
    }
    n->eu_body = named_list_body("countries", items, neu);

    for (size_t i = 0; i < d->ncontinents; i++) {
        const char *name = shown_name(n->continents[i], shown[i], sizeof(shown[i]), "continents",
                                      d->continents[i]);
        items[i] = (named_t){name, d->continents[i], i};
    }
    n->continents_body = named_list_body("continents", items, d->ncontinents);

    for (size_t i = 0; i < d->neu; i++)
        free(eu_names[i]);
    free(eu_names);
    free(shown);
    free(items);
}

/* Phone codes in dial-code order, leaving out countries with no translation at all. */
static void names_phones(const locale_data_t *d, locale_names_t *n, const json_t *own,
                         const json_t *fb)
{
    char key[48];
    char **names = cw_calloc(d->nphones + 1, sizeof(*names));
    size_t total = 0;
    for (size_t i = 0; i < d->nphones; i++) {
        tr_key(key, sizeof(key), "countries", d->phones[i].cc);
        names[i] = tr_text(own, fb, key);
        total += names[i] != NULL;
    }
    cw_buf_t b = CW_BUF_INIT;
    cw_jw_t w;
    cw_jw_init(&w, &b);
    cw_jw_obj_open(&w);
    cw_jw_kv_int(&w, "total", (int64_t)total);
    cw_jw_key(&w, "phones");
    cw_jw_arr_open(&w);
    for (size_t i = 0; i < d->nphones; i++) {
        if (names[i] == NULL)
            continue;
        cw_jw_obj_open(&w);
        cw_jw_key(&w, "code");
        cw_buf_t dial = CW_BUF_INIT;
        cw_buf_printf(&dial, "+%s", d->phones[i].dial);
        cw_jw_str(&w, dial.ptr, dial.len);
        cw_buf_free(&dial);
        cw_jw_kv_cstr(&w, "countryCode", d->phones[i].cc);
        cw_jw_kv_cstr(&w, "countryName", names[i]);
        cw_jw_obj_close(&w);
        free(names[i]);
    }
    cw_jw_arr_close(&w);
    cw_jw_obj_close(&w);
    free(names);
    n->phones_body = buf_take(&b);
}

/* Reads one translation file (and the fallback file for the keys it lacks) and builds every
 * answer that depends on it. */
static locale_names_t *names_build(const locale_data_t *d, size_t fid, size_t fallback)
{
    char path[64], key[48];
    locale_names_t *n = cw_calloc(1, sizeof(*n));
    snprintf(path, sizeof(path), "translations/%s.json", d->files[fid]);
    json_t *own = embed_json(path);
    json_t *fb = NULL;
    if (fallback != fid) {
        snprintf(path, sizeof(path), "translations/%s.json", d->files[fallback]);
        fb = embed_json(path);
    }

    const json_t *u = json_object_get(d->unknown, d->files[fid]);
    if (!json_is_string(u))
        u = json_object_get(d->unknown, d->files[fallback]);
    n->unknown = cw_strdup(json_is_string(u) ? json_string_value(u) : UNKNOWN_DEFAULT);

    n->countries = cw_calloc(d->ncountries + 1, sizeof(*n->countries));
    for (size_t i = 0; i < d->ncountries; i++) {
        tr_key(key, sizeof(key), "countries", d->countries[i]);
        n->countries[i] = tr_text(own, fb, key);
    }
    n->continents = cw_calloc(d->ncontinents + 1, sizeof(*n->continents));
    for (size_t i = 0; i < d->ncontinents; i++) {
        tr_key(key, sizeof(key), "continents", d->continents[i]);
        n->continents[i] = tr_text(own, fb, key);
    }
    names_lists(d, n, own, fb);
    names_phones(d, n, own, fb);
    json_decref(fb);
    json_decref(own);
    return n;
}

/* The translation of this request: its locale when that is a known code, else the server's
 * default locale (else English). Keys the translation lacks come from the default locale's file,
 * as Appwrite's translator falls back to it. The default is the same for the whole process, so
 * one build per file serves every request. */
static const locale_names_t *names_get(cw_ctx_t *ctx, locale_data_t *d)
{
    const cw_config_t *cfg = cw_ctx_thread(ctx)->cfg;
    long def = code_index(d, cw_str(cfg->locale));
    size_t fallback = def >= 0 ? d->code_file[def] : 0;
    long want = code_index(d, cw_ctx_auth(ctx)->locale);
    size_t fid = want >= 0 ? d->code_file[want] : fallback;

    locale_names_t *n = atomic_load_explicit(&d->names[fid], memory_order_acquire);
    if (n != NULL)
        return n;
    pthread_mutex_lock(&locale_names_lock);
    n = atomic_load_explicit(&d->names[fid], memory_order_relaxed);
    if (n == NULL) {
        n = names_build(d, fid, fallback);
        atomic_store_explicit(&d->names[fid], n, memory_order_release);
    }
    pthread_mutex_unlock(&locale_names_lock);
    return n;
}

static void reply(cw_ctx_t *ctx, cw_str_t body)
{
    cw_res_static(ctx->res, 200, CW_CONTENT_TYPE_JSON, body.ptr, body.len);
}

/* PHP's trim(): spaces, tabs, newlines, NUL and vertical tabs at both ends. */
static cw_str_t php_trim(cw_str_t s)
{
    static const char ws[] = " \t\n\r\v";
    while (s.len > 0 && (s.ptr[0] == '\0' || strchr(ws, s.ptr[0]) != NULL)) {
        s.ptr++;
        s.len--;
    }
    while (s.len > 0 && (s.ptr[s.len - 1] == '\0' || strchr(ws, s.ptr[s.len - 1]) != NULL))
        s.len--;
    return s;
}

/* The client's address: the leftmost entry of X-Forwarded-For when it is a valid address (only
 * that one entry counts, as in Appwrite), else the connection's peer. */
static cw_str_t client_ip(const cw_req_t *req)
{
    cw_str_t xff = cw_req_header(req, "x-forwarded-for");
    if (xff.len > 0) {
        const char *comma = memchr(xff.ptr, ',', xff.len);
        cw_str_t first = {xff.ptr, comma != NULL ? (size_t)(comma - xff.ptr) : xff.len};
        first = php_trim(first);
        if (cw_locale_geo_ip_valid(first))
            return first;
    }
    return req->ip;
}

static const char *country_name(const locale_data_t *d, const locale_names_t *n, const char *cc)
{
    for (size_t i = 0; i < d->ncountries; i++)
        if (strcasecmp(d->countries[i], cc) == 0)
            return n->countries[i] != NULL ? n->countries[i] : n->unknown;
    return n->unknown;
}

static const char *continent_name(const locale_data_t *d, const locale_names_t *n, const char *code)
{
    for (size_t i = 0; i < d->ncontinents; i++)
        if (strcasecmp(d->continents[i], code) == 0)
            return n->continents[i] != NULL ? n->continents[i] : n->unknown;
    return n->unknown;
}

static bool country_in_eu(const locale_data_t *d, const char *cc)
{
    for (size_t i = 0; i < d->neu; i++)
        if (strcmp(d->eu[i], cc) == 0)
            return true;
    return false;
}

/* The currency of a country: the last currency that lists it, as Appwrite's loop keeps
 * overwriting; "" when none does (the model's default for a missing value). */
static const char *country_currency(const locale_data_t *d, const char *cc)
{
    const char *code = "";
    for (size_t i = 0; i < d->ncurrency_at; i++)
        if (strcmp(d->currency_at[i].cc, cc) == 0)
            code = d->currency_at[i].code;
    return code;
}

static void on_get(cw_ctx_t *ctx)
{
    locale_data_t *d = data_get();
    const locale_names_t *n = names_get(ctx, d);
    const cw_config_t *cfg = cw_ctx_thread(ctx)->cfg;
    cw_str_t ip = client_ip(ctx->req);
    cw_locale_geo_t geo;
    bool found = cw_locale_geo_lookup(cfg->geoip_db, ip, &geo) == CW_OK;

    cw_jw_t *w = cw_res_json(ctx->res, 200);
    cw_jw_obj_open(w);
    cw_jw_key(w, "ip");
    cw_jw_str(w, ip.ptr, ip.len);
    if (found) {
        cw_jw_kv_cstr(w, "countryCode", geo.country);
        cw_jw_kv_cstr(w, "country", country_name(d, n, geo.country));
        cw_jw_kv_cstr(w, "continentCode", geo.continent);
        cw_jw_kv_cstr(w, "continent", continent_name(d, n, geo.continent));
        cw_jw_kv_bool(w, "eu", country_in_eu(d, geo.country));
        cw_jw_kv_cstr(w, "currency", country_currency(d, geo.country));
    } else {
        cw_jw_kv_cstr(w, "countryCode", "--");
        cw_jw_kv_cstr(w, "country", n->unknown);
        cw_jw_kv_cstr(w, "continentCode", "--");
        cw_jw_kv_cstr(w, "continent", n->unknown);
        cw_jw_kv_bool(w, "eu", false);
        cw_jw_kv_cstr(w, "currency", "");
    }
    cw_jw_obj_close(w);
}

static void on_codes(cw_ctx_t *ctx)
{
    reply(ctx, data_get()->codes_body);
}

static void on_continents(cw_ctx_t *ctx)
{
    reply(ctx, names_get(ctx, data_get())->continents_body);
}

static void on_countries(cw_ctx_t *ctx)
{
    reply(ctx, names_get(ctx, data_get())->countries_body);
}

static void on_countries_eu(cw_ctx_t *ctx)
{
    reply(ctx, names_get(ctx, data_get())->eu_body);
}

static void on_countries_phones(cw_ctx_t *ctx)
{
    reply(ctx, names_get(ctx, data_get())->phones_body);
}

static void on_currencies(cw_ctx_t *ctx)
{
    reply(ctx, data_get()->currencies_body);
}

static void on_languages(cw_ctx_t *ctx)
{
    reply(ctx, data_get()->languages_body);
}

/* All inline (flags 0): every answer is a lookup in memory, the GeoIP one in a mapped file. */
const cw_route_t cw_locale_routes[] = {
    {"GET", "/v1/locale", "locale.read", on_get, 0},
    {"GET", "/v1/locale/codes", "locale.read", on_codes, 0},
    {"GET", "/v1/locale/continents", "locale.read", on_continents, 0},
    {"GET", "/v1/locale/countries", "locale.read", on_countries, 0},
    {"GET", "/v1/locale/countries/eu", "locale.read", on_countries_eu, 0},
    {"GET", "/v1/locale/countries/phones", "locale.read", on_countries_phones, 0},
    {"GET", "/v1/locale/currencies", "locale.read", on_currencies, 0},
    {"GET", "/v1/locale/languages", "locale.read", on_languages, 0},
};
const size_t cw_locale_routes_count = sizeof(cw_locale_routes) / sizeof(cw_locale_routes[0]);
