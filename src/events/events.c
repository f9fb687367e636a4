#include "events/events.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/log.h"
#include "core/status.h"

#define PARTS_MAX 8
/* Placeholders and extra keys a pattern is filled with, at most. */
#define PARAMS_LIMIT 8
#define SUBSCRIBERS_MAX 8
/* Jobs held in memory at most; past it a burst loses events rather than the process memory. */
#define PENDING_MAX 200000

/* Name generation --------------------------------------------------------------------------- */

/* A list of NUL-terminated strings back to back in a buffer. */
typedef struct strlist {
    cw_buf_t buf;
    size_t count;
} strlist_t;

static bool list_has(const strlist_t *l, const char *s)
{
    const char *p = l->buf.ptr;
    for (size_t i = 0; i < l->count; i++) {
        if (strcmp(p, s) == 0)
            return true;
        p += strlen(p) + 1;
    }
    return false;
}

/* Adds s unless present (Appwrite's array_unique keeps the first). */
static void list_add(strlist_t *l, const char *s)
{
    if (list_has(l, s))
        return;
    cw_buf_append(&l->buf, s, strlen(s) + 1);
    l->count++;
}

/* PHP's str_replace of one needle over in, every occurrence left to right, into out. */
static void replace(cw_buf_t *out, const char *in, const char *needle, const char *with)
{
    size_t n = strlen(needle);
    cw_buf_reset(out);
    const char *p = in;
    for (const char *hit; n > 0 && (hit = strstr(p, needle)) != NULL; p = hit + n) {
        cw_buf_append(out, p, (size_t)(hit - p));
        cw_buf_append_str(out, with);
    }
    cw_buf_append(out, p, strlen(p) + 1);
}

/* str_replace with arrays, as generateEvents chains them: the keys of mask starred first (in
 * params order), then every key replaced by its value, each over the result so far. The result
 * is in a (b is scratch). */
static void fill(cw_buf_t *a, cw_buf_t *b, const char *pattern, const cw_event_param_t *params,
                 size_t n, unsigned mask)
{
    cw_buf_reset(a);
    cw_buf_append(a, pattern, strlen(pattern) + 1);
    for (size_t pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < n; i++) {
            bool starred = (mask >> i) & 1u;
            if (pass == 0 && !starred)
                continue;
            replace(b, a->ptr, params[i].key, pass == 0 ? "*" : params[i].value);
            cw_buf_t t = *a;
            *a = *b;
            *b = t;
        }
    }
}

static void strip_brackets(char *s)
{
    char *w = s;
    for (char *r = s; *r != '\0'; r++) {
        if (*r != '[' && *r != ']')
            *w++ = *r;
    }
    *w = '\0';
}

/* Whether a placeholder ("[databaseId]") names one of the params, as Appwrite's trim of the
 * brackets compares them. */
static bool has_key(const cw_event_param_t *params, size_t n, const char *placeholder)
{
    const char *p = placeholder;
    size_t len = strlen(p);
    while (len > 0 && (*p == '[' || *p == ']'))
        p++, len--;
    while (len > 0 && (p[len - 1] == '[' || p[len - 1] == ']'))
        len--;
    for (size_t i = 0; i < n; i++) {
        if (strlen(params[i].key) == len && memcmp(params[i].key, p, len) == 0)
            return true;
    }
    return false;
}

/* Replaces whole dot-separated segments found in map (pairs, NULL-terminated). */
static void map_segments(cw_buf_t *out, const char *event, const char *const *map)
{
    cw_buf_reset(out);
    const char *p = event;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t len = dot != NULL ? (size_t)(dot - p) : strlen(p);
        const char *with = NULL;
        for (const char *const *m = map; *m != NULL; m += 2) {
            if (strlen(m[0]) == len && memcmp(m[0], p, len) == 0)
                with = m[1];
        }
        if (with != NULL)
            cw_buf_append_str(out, with);
        else
            cw_buf_append(out, p, len);
        if (dot == NULL)
            break;
        cw_buf_append_char(out, '.');
        p = dot + 1;
    }
    cw_buf_append_char(out, '\0');
}

static const char *const collections_to_tables[] = {
    "documents", "rows", "collections", "tables", "attributes", "columns", NULL};
static const char *const tables_to_collections[] = {
    "rows", "documents", "tables", "collections", "columns", "attributes", NULL};
static const char *const tablesdb_to_databases[] = {"tablesdb",    "databases",  "tables",
                                                    "collections", "rows",       "documents",
                                                    "columns",     "attributes", NULL};

/* Each database event also goes out under its collection/table twin, so subscribers of either
 * vocabulary see it. */
static void mirror(const char *pattern, strlist_t *in, strlist_t *out)
{
    const char *first = in->count > 0 ? in->buf.ptr : "";
    bool on = (strstr(pattern, "databases.") != NULL &&
               (strstr(first, "collections") != NULL || strstr(first, "tables") != NULL)) ||
              strstr(first, "tablesdb.") != NULL;
    cw_buf_t a = CW_BUF_INIT, b = CW_BUF_INIT;
    const char *p = in->buf.ptr;
    for (size_t i = 0; i < in->count; i++, p += strlen(p) + 1) {
        list_add(out, p);
        if (!on)
            continue;
        if (strstr(p, "tablesdb") != NULL) {
            map_segments(&a, p, tablesdb_to_databases);
            list_add(out, a.ptr);
            map_segments(&b, a.ptr, collections_to_tables);
            list_add(out, b.ptr);
        } else if (strstr(p, "collections") != NULL) {
            map_segments(&a, p, collections_to_tables);
            list_add(out, a.ptr);
        } else if (strstr(p, "tables") != NULL) {
            map_segments(&a, p, tables_to_collections);
            list_add(out, a.ptr);
        }
    }
    cw_buf_free(&a);
    cw_buf_free(&b);
}

static size_t split(char *s, char **parts, size_t max)
{
    size_t n = 0;
    for (char *p = s;; p++) {
        if (n == max)
            return max + 1;
        parts[n++] = p;
        p = strchr(p, '.');
        if (p == NULL)
            break;
        *p = '\0';
    }
    return n;
}

static void join(cw_buf_t *b, char **parts, const int *idx, size_t n)
{
    cw_buf_reset(b);
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            cw_buf_append_char(b, '.');
        cw_buf_append_str(b, parts[idx[i]]);
    }
    cw_buf_append_char(b, '\0');
}

int cw_events_generate(const char *pattern, const cw_event_param_t *params, size_t nparams,
                       cw_buf_t *names, size_t *count)
{
    char *copy = cw_strdup(pattern);
    char *parts[PARTS_MAX];
    size_t n = split(copy, parts, PARTS_MAX);
    int rc = CW_EINVAL;
    if (nparams > PARAMS_LIMIT) {
        free(copy);
        return CW_EINVAL;
    }
    strlist_t patterns = {CW_BUF_INIT, 0}, events = {CW_BUF_INIT, 0}, out = {CW_BUF_INIT, 0};
    cw_buf_t tmp = CW_BUF_INIT;
    if (n > PARTS_MAX)
        goto out;
    bool sub = n > 3 && parts[3][0] == '[';
    bool subsub = sub && n > 5 && parts[5][0] == '[';
    bool has_action = (!sub && n > 2) || (subsub && n > 6) || (!subsub && sub && n > 4);
    bool attribute = (subsub && n == 8) || (sub && !subsub && n == 6) || (!sub && n == 4);
    if ((n > 1 && !has_key(params, nparams, parts[1])) ||
        (sub && !has_key(params, nparams, parts[3])) ||
        (subsub && !has_key(params, nparams, parts[5])))
        goto out;
    /* The patterns, as Appwrite lists them: with and without the action and attribute, then the
     * resource levels. Indexes into parts. */
    int action = subsub ? 6 : sub ? 4 : 2;
    if (has_action) {
        if (subsub) {
            if (attribute)
                join(&tmp, parts, (int[]){0, 1, 2, 3, 4, 5, 6, 7}, 8), list_add(&patterns, tmp.ptr);
            join(&tmp, parts, (int[]){0, 1, 2, 3, 4, 5, 6}, 7), list_add(&patterns, tmp.ptr);
            join(&tmp, parts, (int[]){0, 1, 2, 3, 4, 5}, 6), list_add(&patterns, tmp.ptr);
        } else if (sub) {
            if (attribute)
                join(&tmp, parts, (int[]){0, 1, 2, 3, 4, 5}, 6), list_add(&patterns, tmp.ptr);
            join(&tmp, parts, (int[]){0, 1, 2, 3, 4}, 5), list_add(&patterns, tmp.ptr);
            join(&tmp, parts, (int[]){0, 1, 2, 3}, 4), list_add(&patterns, tmp.ptr);
        } else {
            join(&tmp, parts, (int[]){0, 1, 2}, 3), list_add(&patterns, tmp.ptr);
        }
        if (attribute) {
            int attr = subsub ? 7 : sub ? 5 : 3;
            join(&tmp, parts, (int[]){0, 1, action, attr}, 4), list_add(&patterns, tmp.ptr);
        }
    }
    if (subsub)
        join(&tmp, parts, (int[]){0, 1, 2, 3, 4, 5}, 6), list_add(&patterns, tmp.ptr);
    if (sub)
        join(&tmp, parts, (int[]){0, 1, 2, 3}, 4), list_add(&patterns, tmp.ptr);
    join(&tmp, parts, (int[]){0, 1}, n > 1 ? 2 : 1), list_add(&patterns, tmp.ptr);

    /* Appwrite's loops star one or two keys at a time in a set order; a name depends only on
     * which keys are starred, so each set is filled once, in the order it first comes up. */
    cw_buf_t scratch = CW_BUF_INIT;
    unsigned all = nparams >= 32 ? ~0u : (1u << nparams) - 1;
    const char *pat = patterns.buf.ptr;
    for (size_t i = 0; i < patterns.count; i++, pat += strlen(pat) + 1) {
        unsigned masks[2 + 3 * PARAMS_LIMIT * PARAMS_LIMIT * PARAMS_LIMIT];
        size_t nmasks = 0;
        masks[nmasks++] = 0;
        masks[nmasks++] = all;
        for (size_t k = 0; k < nparams; k++) {
            for (size_t c = 0; c < nparams; c++) {
                if (subsub) {
                    for (size_t x = 0; x < nparams; x++) {
                        if (x == c || x == k)
                            continue;
                        masks[nmasks++] = 1u << x;
                        masks[nmasks++] = (1u << x) | (1u << c);
                        masks[nmasks++] = 1u << c;
                    }
                } else if (c != k) {
                    masks[nmasks++] = 1u << c;
                }
            }
        }
        uint64_t seen[4] = {0};
        for (size_t m = 0; m < nmasks; m++) {
            unsigned v = masks[m] & 0xff;
            if (seen[v / 64] & (1ull << (v % 64)))
                continue;
            seen[v / 64] |= 1ull << (v % 64);
            fill(&tmp, &scratch, pat, params, nparams, masks[m]);
            list_add(&events, tmp.ptr);
        }
    }
    cw_buf_free(&scratch);
    /* Brackets go last, which can make two names equal: unique again. */
    strlist_t stripped = {CW_BUF_INIT, 0};
    char *e = events.buf.ptr;
    for (size_t i = 0; i < events.count; i++) {
        size_t len = strlen(e);
        strip_brackets(e);
        list_add(&stripped, e);
        e += len + 1;
    }
    mirror(pattern, &stripped, &out);
    cw_buf_free(&stripped.buf);
    cw_buf_append(names, out.buf.ptr, out.buf.len);
    *count = out.count;
    rc = CW_OK;
out:
    cw_buf_free(&patterns.buf);
    cw_buf_free(&events.buf);
    cw_buf_free(&out.buf);
    cw_buf_free(&tmp);
    free(copy);
    return rc;
}

/* Names from templates ------------------------------------------------------------------------ */

/* cw_events_generate costs tens of microseconds (hundreds of replaces over the patterns). A name
 * depends on the values only through where they are put, so a pattern's names are generated once
 * with a marker byte per param (1, 2, …) and each event fills the markers in. That holds when the
 * values cannot take part in the replaces and mirrors (plain_value) and each key of the pattern
 * stands alone as a "[key]" segment (template_fits); otherwise cw_events_generate runs. Equal
 * values can make two names one: the fill drops the later, as the generator does. */

#define TEMPLATES_MAX 64

typedef struct name_template {
    char *pattern;
    char *keys; /* the params' keys, each NUL-terminated, back to back */
    size_t nparams;
    int rc; /* what generation gave; CW_EINVAL templates stay cached too */
    bool fits;
    cw_buf_t names; /* with marker bytes */
    size_t count;
} name_template_t;

struct cw_events_namer {
    name_template_t t[TEMPLATES_MAX];
    size_t n, next; /* entries used; the one to replace when full */
    cw_buf_t seen;  /* scratch: the filled names' hashes */
};

cw_events_namer_t *cw_events_namer_new(void)
{
    return cw_calloc(1, sizeof(cw_events_namer_t));
}

static void template_clear(name_template_t *t)
{
    free(t->pattern);
    free(t->keys);
    cw_buf_free(&t->names);
    memset(t, 0, sizeof(*t));
}

void cw_events_namer_free(cw_events_namer_t *nm)
{
    if (nm == NULL)
        return;
    for (size_t i = 0; i < nm->n; i++)
        template_clear(&nm->t[i]);
    cw_buf_free(&nm->seen);
    free(nm);
}

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Words the mirrors look for in a name. */
static const char *const mirror_words[] = {"tables", "collections", "databases", "documents",
                                           "rows",   "attributes",  "columns",   NULL};

/* A value that no replace or mirror can see into: letters, digits, '_' and '-', holding no key
 * and no word the mirrors act on. */
static bool plain_value(const char *v, const cw_event_param_t *params, size_t n)
{
    if (v[0] == '\0')
        return false;
    for (const char *p = v; *p != '\0'; p++) {
        if (!is_alnum(*p) && *p != '_' && *p != '-')
            return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (params[i].key[0] == '\0' || strstr(v, params[i].key) != NULL)
            return false;
    }
    for (const char *const *w = mirror_words; *w != NULL; w++) {
        if (strstr(v, *w) != NULL)
            return false;
    }
    return true;
}

/* Whether every key is made of letters and digits and shows in the pattern only as a whole
 * "[key]" segment: then the replaces touch the placeholders alone. */
static bool template_fits(const char *pattern, const cw_event_param_t *params, size_t n)
{
    for (const char *p = pattern; *p != '\0'; p++) {
        if ((unsigned char)*p <= PARAMS_LIMIT) /* the marker bytes */
            return false;
    }
    for (size_t i = 0; i < n; i++) {
        const char *k = params[i].key;
        size_t len = strlen(k);
        for (size_t c = 0; c < len; c++) {
            if (!is_alnum(k[c]))
                return false;
        }
        if (len == 0)
            return false;
        for (const char *hit = strstr(pattern, k); hit != NULL; hit = strstr(hit + 1, k)) {
            bool opens = hit > pattern && hit[-1] == '[' && (hit - 1 == pattern || hit[-2] == '.');
            bool closes = hit[len] == ']' && (hit[len + 1] == '.' || hit[len + 1] == '\0');
            if (!opens || !closes)
                return false;
        }
    }
    return true;
}

static name_template_t *template_get(cw_events_namer_t *nm, const char *pattern,
                                     const cw_event_param_t *params, size_t n)
{
    for (size_t i = 0; i < nm->n; i++) {
        name_template_t *t = &nm->t[i];
        if (t->nparams != n || strcmp(t->pattern, pattern) != 0)
            continue;
        const char *k = t->keys;
        size_t j = 0;
        for (; j < n && strcmp(k, params[j].key) == 0; j++)
            k += strlen(k) + 1;
        if (j == n)
            return t;
    }
    name_template_t *t;
    if (nm->n < TEMPLATES_MAX) {
        t = &nm->t[nm->n++];
    } else {
        t = &nm->t[nm->next];
        nm->next = (nm->next + 1) % TEMPLATES_MAX;
        template_clear(t);
    }
    t->pattern = cw_strdup(pattern);
    cw_buf_t keys = CW_BUF_INIT;
    for (size_t j = 0; j < n; j++)
        cw_buf_append(&keys, params[j].key, strlen(params[j].key) + 1);
    t->keys = cw_malloc(keys.len + 1);
    memcpy(t->keys, keys.ptr != NULL ? keys.ptr : "", keys.len);
    t->keys[keys.len] = '\0';
    cw_buf_free(&keys);
    t->nparams = n;
    t->fits = template_fits(pattern, params, n);
    if (t->fits) {
        cw_event_param_t markers[PARAMS_LIMIT];
        char values[PARAMS_LIMIT][2];
        for (size_t j = 0; j < n; j++) {
            values[j][0] = (char)(j + 1);
            values[j][1] = '\0';
            markers[j] = (cw_event_param_t){params[j].key, values[j]};
        }
        t->rc = cw_events_generate(pattern, markers, n, &t->names, &t->count);
    }
    return t;
}

static uint64_t hash_str(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

int cw_events_names(cw_events_namer_t *nm, const char *pattern, const cw_event_param_t *params,
                    size_t nparams, cw_buf_t *names, size_t *count)
{
    if (nparams > PARAMS_LIMIT)
        return CW_EINVAL;
    for (size_t i = 0; i < nparams; i++) {
        if (!plain_value(params[i].value, params, nparams))
            return cw_events_generate(pattern, params, nparams, names, count);
    }
    name_template_t *t = template_get(nm, pattern, params, nparams);
    if (!t->fits)
        return cw_events_generate(pattern, params, nparams, names, count);
    if (t->rc != CW_OK)
        return t->rc;
    size_t lens[PARAMS_LIMIT];
    for (size_t i = 0; i < nparams; i++)
        lens[i] = strlen(params[i].value);
    /* An open-addressed set of (hash, offset) over what this call added. */
    size_t slots = 16;
    while (slots < t->count * 2)
        slots *= 2;
    cw_buf_reset(&nm->seen);
    cw_buf_reserve(&nm->seen, slots * sizeof(uint64_t) * 2);
    uint64_t *set = (uint64_t *)(void *)nm->seen.ptr;
    memset(set, 0, slots * sizeof(uint64_t) * 2);
    size_t base = names->len, added = 0;
    const char *tp = t->names.ptr;
    for (size_t i = 0; i < t->count; i++) {
        size_t start = names->len;
        while (*tp != '\0') {
            const char *run = tp;
            while ((unsigned char)*tp > PARAMS_LIMIT)
                tp++;
            cw_buf_append(names, run, (size_t)(tp - run));
            unsigned char c = (unsigned char)*tp;
            if (c >= 1 && c <= nparams)
                cw_buf_append(names, params[c - 1].value, lens[c - 1]);
            else if (c != 0) /* a control byte of the pattern itself */
                cw_buf_append_char(names, (char)c);
            if (c != 0)
                tp++;
        }
        tp++;
        size_t len = names->len - start;
        uint64_t h = hash_str(names->ptr + start, len) | 1u;
        size_t s = (size_t)h & (slots - 1);
        bool dup = false;
        for (; set[2 * s] != 0; s = (s + 1) & (slots - 1)) {
            const char *other = names->ptr + base + set[2 * s + 1];
            if (set[2 * s] == h && strlen(other) == len &&
                memcmp(other, names->ptr + start, len) == 0) {
                dup = true;
                break;
            }
        }
        if (dup) {
            names->len = start;
            continue;
        }
        set[2 * s] = h;
        set[2 * s + 1] = start - base;
        cw_buf_append_char(names, '\0');
        added++;
    }
    *count = added;
    return CW_OK;
}

/* Validation --------------------------------------------------------------------------------- */

/* The tree of Appwrite's public events (app/config/events.php): each node by its dotted path.
 * Resources (nodes that carry an ID in names) end with '$'. */
static const char *const event_nodes[] = {"users$",
                                          "users.sessions$",
                                          "users.sessions.create",
                                          "users.sessions.delete",
                                          "users.recovery$",
                                          "users.recovery.create",
                                          "users.recovery.update",
                                          "users.verification$",
                                          "users.verification.create",
                                          "users.verification.update",
                                          "users.targets$",
                                          "users.targets.create",
                                          "users.targets.update",
                                          "users.targets.delete",
                                          "users.tokens$",
                                          "users.tokens.create",
                                          "users.create",
                                          "users.delete",
                                          "users.update",
                                          "users.update.email",
                                          "users.update.name",
                                          "users.update.password",
                                          "users.update.status",
                                          "users.update.prefs",
                                          "users.update.phone",
                                          "users.update.mfa",
                                          "users.update.labels",
                                          "users.update.verification",
                                          "users.update.impersonator",
#define DB_NODES(t)                                                                                \
    t "$", t ".tables$", t ".tables.rows$", t ".tables.rows.create", t ".tables.rows.update",      \
        t ".tables.rows.upsert", t ".tables.rows.delete", t ".tables.indexes$",                    \
        t ".tables.indexes.create", t ".tables.indexes.update", t ".tables.indexes.delete",        \
        t ".tables.columns$", t ".tables.columns.create", t ".tables.columns.delete",              \
        t ".tables.columns.update", t ".tables.create", t ".tables.update", t ".tables.delete",    \
        t ".create", t ".update", t ".delete"
#define COLL_NODES(t)                                                                              \
    t ".collections$", t ".collections.documents$", t ".collections.documents.create",             \
        t ".collections.documents.update", t ".collections.documents.upsert",                      \
        t ".collections.documents.delete", t ".collections.indexes$",                              \
        t ".collections.indexes.create", t ".collections.indexes.delete",                          \
        t ".collections.indexes.update", t ".collections.attributes$",                             \
        t ".collections.attributes.create", t ".collections.attributes.update",                    \
        t ".collections.attributes.delete", t ".collections.create", t ".collections.update",      \
        t ".collections.delete"
                                          DB_NODES("databases"),
                                          COLL_NODES("databases"),
                                          DB_NODES("tablesdb"),
                                          "documentsdb$",
                                          COLL_NODES("documentsdb"),
                                          "documentsdb.create",
                                          "documentsdb.update",
                                          "documentsdb.delete",
                                          "vectorsdb$",
                                          COLL_NODES("vectorsdb"),
                                          "vectorsdb.create",
                                          "vectorsdb.update",
                                          "vectorsdb.delete",
                                          "buckets$",
                                          "buckets.files$",
                                          "buckets.files.create",
                                          "buckets.files.delete",
                                          "buckets.files.update",
                                          "buckets.create",
                                          "buckets.delete",
                                          "buckets.update",
                                          "teams$",
                                          "teams.memberships$",
                                          "teams.memberships.create",
                                          "teams.memberships.delete",
                                          "teams.memberships.update",
                                          "teams.memberships.update.status",
                                          "teams.create",
                                          "teams.delete",
                                          "teams.update",
                                          "teams.update.prefs",
                                          "sites$",
                                          "sites.deployments$",
                                          "sites.deployments.create",
                                          "sites.deployments.delete",
                                          "sites.deployments.update",
                                          "sites.create",
                                          "sites.delete",
                                          "sites.update",
                                          "functions$",
                                          "functions.deployments$",
                                          "functions.deployments.create",
                                          "functions.deployments.delete",
                                          "functions.deployments.update",
                                          "functions.executions$",
                                          "functions.executions.create",
                                          "functions.executions.delete",
                                          "functions.executions.update",
                                          "functions.create",
                                          "functions.delete",
                                          "functions.update",
                                          "messages$",
                                          "messages.create",
                                          "messages.update",
                                          "topics$",
                                          "topics.create",
                                          "topics.update",
                                          "topics.delete",
                                          "topics.subscribers$",
                                          "topics.subscribers.create",
                                          "topics.subscribers.delete",
                                          "providers$",
                                          "providers.create",
                                          "providers.update",
                                          "providers.delete",
                                          "schedules$",
                                          "schedules.create",
                                          "rules$",
                                          "rules.create",
                                          "rules.delete",
                                          "rules.update",
                                          "reports$",
                                          "reports.create",
                                          "reports.update",
                                          "reports.delete",
                                          "reports.insights$",
                                          "reports.insights.create",
                                          "reports.insights.update",
                                          "reports.insights.delete",
                                          NULL};
#undef DB_NODES
#undef COLL_NODES

/* Whether the node at the path of parts exists; resource: it must also be a resource. */
static bool node(const char *const *parts, size_t n, bool resource)
{
    char path[256];
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        int w = snprintf(path + len, sizeof(path) - len, "%s%s", i > 0 ? "." : "", parts[i]);
        if (w < 0 || (size_t)w >= sizeof(path) - len)
            return false;
        len += (size_t)w;
    }
    for (const char *const *e = event_nodes; *e != NULL; e++) {
        size_t el = strlen(*e);
        bool is_res = el > 0 && (*e)[el - 1] == '$';
        if (is_res)
            el--;
        if (el == len && memcmp(*e, path, len) == 0)
            return !resource || is_res;
    }
    return false;
}

/* PHP's truthiness of a string: neither empty nor "0". */
static bool truthy(const char *s)
{
    return s != NULL && s[0] != '\0' && strcmp(s, "0") != 0;
}

bool cw_events_name_valid(const char *name, size_t len)
{
    char buf[256];
    char *parts[8];
    if (len >= sizeof(buf) || memchr(name, '\0', len) != NULL)
        return false;
    memcpy(buf, name, len);
    buf[len] = '\0';
    size_t n = split(buf, parts, 7);
    if (n < 2 || n > 7)
        return false;
    const char *type = parts[0], *resource = parts[1];
    bool sub = n > 3 && node((const char *[]){type}, 1, true) &&
               node((const char *[]){type, parts[2]}, 2, true);
    bool subsub = n > 5 && sub && node((const char *[]){type, parts[2], parts[4]}, 3, true);
    if (!truthy(type) || !truthy(resource))
        return false;
    const char *sub_type = sub ? parts[2] : NULL, *sub_resource = sub ? parts[3] : NULL;
    const char *attribute = NULL, *action = NULL;
    if (sub && !subsub && n == 6)
        attribute = parts[5];
    if (!sub && n == 4)
        attribute = parts[3];
    if (!sub && n > 2)
        action = parts[2];
    else if (subsub)
        action = n > 6 ? parts[6] : NULL;
    else if (sub && n > 4)
        action = parts[4];
    if (!node((const char *[]){type}, 1, false))
        return false;
    if (truthy(sub_type)) {
        if (truthy(action) && !node((const char *[]){type, sub_type, action}, 3, false))
            return false;
        if (!truthy(sub_resource) || !node((const char *[]){type, sub_type}, 2, false))
            return false;
    } else if (truthy(action) && !node((const char *[]){type, action}, 2, false)) {
        return false;
    }
    if (truthy(attribute)) {
        if (truthy(sub_type) ? !node((const char *[]){type, sub_type, action, attribute}, 4, false)
                             : !node((const char *[]){type, action, attribute}, 3, false))
            return false;
    }
    return true;
}

/* The emitter --------------------------------------------------------------------------------- */

struct cw_events {
    cw_events_subscriber_t subs[SUBSCRIBERS_MAX];
    size_t nsubs;
    pthread_t thread;
    bool started;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    cw_event_job_t *head, *tail;
    size_t pending;
    bool stopping;
    uint64_t dropped;
    bool idle; /* the thread waits for a first job: an emit wakes it (not while it lingers) */
    cw_events_namer_t *namer; /* the emitter thread's */
};

cw_events_t *cw_events_new(void)
{
    cw_events_t *e = cw_calloc(1, sizeof(*e));
    pthread_mutex_init(&e->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&e->wake, &ca);
    pthread_condattr_destroy(&ca);
    e->namer = cw_events_namer_new();
    return e;
}

void cw_events_subscribe(cw_events_t *e, const cw_events_subscriber_t *s)
{
    if (e->nsubs < SUBSCRIBERS_MAX)
        e->subs[e->nsubs++] = *s;
}

bool cw_events_has_subscribers(const cw_events_t *e)
{
    return e != NULL && e->nsubs > 0;
}

bool cw_events_wanted(cw_events_t *e, const char *project)
{
    for (size_t i = 0; i < e->nsubs; i++) {
        if (e->subs[i].wants == NULL || e->subs[i].wants(project, e->subs[i].data))
            return true;
    }
    return false;
}

cw_events_namer_t *cw_events_namer(cw_events_t *e)
{
    return e->namer;
}

void cw_events_publish(cw_events_t *e, const cw_event_t *ev)
{
    for (size_t i = 0; i < e->nsubs; i++) {
        if (e->subs[i].wants == NULL || e->subs[i].wants(ev->project, e->subs[i].data))
            e->subs[i].on_event(ev, e->subs[i].data);
    }
}

static void flush(cw_events_t *e)
{
    for (size_t i = 0; i < e->nsubs; i++) {
        if (e->subs[i].on_flush != NULL)
            e->subs[i].on_flush(e->subs[i].data);
    }
}

static struct timespec deadline_in(int64_t ms)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    t.tv_nsec += (long)(ms % 1000) * 1000000L;
    t.tv_sec += ms / 1000 + t.tv_nsec / 1000000000L;
    t.tv_nsec %= 1000000000L;
    return t;
}

static bool passed(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec > t->tv_sec || (now.tv_sec == t->tv_sec && now.tv_nsec >= t->tv_nsec);
}

/* Takes the whole waiting list at once, so emitters hold the lock for a pointer swap only. The
 * first job after a quiet spell wakes the thread; from then on it lingers CW_EVENTS_LINGER_MS,
 * unwoken, while jobs gather, expands them, and has the subscribers flush: under load that is a
 * wake-up and a write per linger for many requests, rather than one per request (the thread is
 * quicker than the requests, so it would otherwise sleep and be woken, and write, each time). */
static void *run(void *arg)
{
    cw_events_t *e = arg;
    bool unflushed = false;
    struct timespec deadline = {0, 0};
    pthread_mutex_lock(&e->lock);
    for (;;) {
        if (!unflushed) {
            while (e->head == NULL && !e->stopping) {
                e->idle = true;
                pthread_cond_wait(&e->wake, &e->lock);
                e->idle = false;
            }
            if (e->head == NULL)
                break; /* stopping, and all flushed */
            deadline = deadline_in(CW_EVENTS_LINGER_MS);
            unflushed = true;
        } else {
            while (!e->stopping && !passed(&deadline) &&
                   pthread_cond_timedwait(&e->wake, &e->lock, &deadline) != ETIMEDOUT) {
            }
        }
        cw_event_job_t *job = e->head;
        e->head = e->tail = NULL;
        e->pending = 0;
        bool stopping = e->stopping;
        pthread_mutex_unlock(&e->lock);
        while (job != NULL) {
            cw_event_job_t *next = job->_next;
            job->expand(job, e);
            job->destroy(job);
            job = next;
        }
        if (stopping || passed(&deadline)) {
            flush(e);
            unflushed = false;
        }
        pthread_mutex_lock(&e->lock);
    }
    pthread_mutex_unlock(&e->lock);
    return NULL;
}

int cw_events_start(cw_events_t *e)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int rc = pthread_create(&e->thread, NULL, run, e);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    e->started = rc == 0;
    return rc == 0 ? CW_OK : CW_EIO;
}

void cw_events_emit(cw_events_t *e, cw_event_job_t *job)
{
    job->_next = NULL;
    pthread_mutex_lock(&e->lock);
    bool take = e->started && !e->stopping && e->pending < PENDING_MAX;
    if (take) {
        if (e->tail != NULL)
            e->tail->_next = job;
        else
            e->head = job;
        e->tail = job;
        e->pending++;
        if (e->idle)
            pthread_cond_signal(&e->wake);
    } else {
        e->dropped++;
    }
    uint64_t dropped = e->dropped;
    pthread_mutex_unlock(&e->lock);
    if (!take) {
        if ((dropped & (dropped - 1)) == 0) /* 1, 2, 4, …: say it without flooding the log */
            cw_log(CW_LOG_WARN, "msg=\"events dropped: the emitter is stopped or full\" total=%llu",
                   (unsigned long long)dropped);
        job->destroy(job);
    }
}

void cw_events_stop(cw_events_t *e)
{
    if (e == NULL)
        return;
    pthread_mutex_lock(&e->lock);
    e->stopping = true;
    pthread_cond_signal(&e->wake);
    pthread_mutex_unlock(&e->lock);
    if (e->started)
        pthread_join(e->thread, NULL);
    while (e->head != NULL) { /* never started: nothing ran them */
        cw_event_job_t *next = e->head->_next;
        e->head->destroy(e->head);
        e->head = next;
    }
    pthread_cond_destroy(&e->wake);
    pthread_mutex_destroy(&e->lock);
    cw_events_namer_free(e->namer);
    free(e);
}
