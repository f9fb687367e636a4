#include "db/permission.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/id.h"
#include "core/status.h"
#include "core/utf8.h"

static const char *const type_names[] = {
    [CW_PERM_CREATE] = "create", [CW_PERM_READ] = "read",   [CW_PERM_UPDATE] = "update",
    [CW_PERM_DELETE] = "delete", [CW_PERM_WRITE] = "write",
};
#define N_TYPES (sizeof(type_names) / sizeof(type_names[0]))

/* utopia's Roles::CONFIG: which roles take an ID (always required when allowed) and which take a
 * dimension. User dimensions are verified or unverified; a team dimension is any team role. */
enum { DIM_NONE, DIM_USER, DIM_TEAM };
static const struct {
    const char *name;
    cw_perm_role_kind_t kind;
    bool id;
    int dim;
} role_cfg[] = {
    {"any", CW_PERM_ROLE_ANY, false, DIM_NONE},
    {"guests", CW_PERM_ROLE_GUESTS, false, DIM_NONE},
    {"users", CW_PERM_ROLE_USERS, false, DIM_USER},
    {"user", CW_PERM_ROLE_USER, true, DIM_USER},
    {"team", CW_PERM_ROLE_TEAM, true, DIM_TEAM},
    {"member", CW_PERM_ROLE_MEMBER, true, DIM_NONE},
    {"label", CW_PERM_ROLE_LABEL, true, DIM_NONE},
};
#define N_ROLES (sizeof(role_cfg) / sizeof(role_cfg[0]))

#define QUOTE_MAX 64

const char *cw_perm_type_name(cw_perm_type_t type)
{
    return (unsigned)type < N_TYPES ? type_names[type] : "?";
}

/* Client bytes shown in a message: at most QUOTE_MAX bytes, cut at a character boundary and
 * marked, with invalid UTF-8 and control bytes shown as '?' so the message stays printable. */
static const char *quote(char dst[QUOTE_MAX + 4], cw_str_t s)
{
    return cw_utf8_printable(dst, QUOTE_MAX, s);
}

static int fail(cw_perm_error_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(cw_perm_error_t *err, const char *fmt, ...)
{
    if (err != NULL) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(err->message, sizeof(err->message), fmt, ap);
        va_end(ap);
        /* Cut short, the message may end inside a character: drop what is left of it. */
        if (n < 0)
            err->message[0] = '\0';
        size_t len = strlen(err->message);
        while (len > 0 && !cw_utf8_valid(err->message, len))
            err->message[--len] = '\0';
    }
    return CW_EINVAL;
}

/* PHP's empty() on a string: utopia tests IDs and dimensions with it, so "0" counts as missing. */
static bool php_empty(cw_str_t s)
{
    return s.len == 0 || (s.len == 1 && s.ptr[0] == '0');
}

/* memmem that accepts the empty slice (whose pointer may be NULL). */
static const char *find(cw_str_t s, const char *needle)
{
    return s.len == 0 ? NULL : memmem(s.ptr, s.len, needle, strlen(needle));
}

static bool contains(cw_str_t s, const char *needle)
{
    return find(s, needle) != NULL;
}

static bool starts_with(cw_str_t s, const char *prefix)
{
    size_t n = strlen(prefix);
    return s.len >= n && memcmp(s.ptr, prefix, n) == 0;
}

/* A label is utopia's Label validator: 1 to 36 ASCII letters and digits. */
static bool label_valid(cw_str_t s)
{
    if (s.len == 0 || s.len > CW_PERM_ROLE_ID_MAX)
        return false;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            return false;
    }
    return true;
}

/* The grammar is name[:id][/dimension]. utopia splits on every ':' and '/', then keeps only the
 * parts it expects (so `user:a:b` silently becomes `user:a`); here any extra ':' lands in the ID
 * or dimension, whose character rules refuse it. */
static int role_parse_body(cw_str_t s, cw_perm_role_t *out, cw_perm_error_t *err)
{
    char q[QUOTE_MAX + 4];
    size_t i = 0;
    while (i < s.len && s.ptr[i] != ':' && s.ptr[i] != '/')
        i++;
    cw_str_t name = {s.ptr, i};
    bool has_id = i < s.len && s.ptr[i] == ':';
    cw_str_t id = CW_STR_NULL;
    if (has_id) {
        size_t start = ++i;
        while (i < s.len && s.ptr[i] != '/')
            i++;
        id = (cw_str_t){s.ptr + start, i - start};
    }
    bool has_dim = i < s.len && s.ptr[i] == '/';
    cw_str_t dim = CW_STR_NULL;
    if (has_dim)
        dim = (cw_str_t){s.ptr + i + 1, s.len - i - 1};

    if (has_dim && contains(dim, "/"))
        return fail(err, "Role \"%s\" has more than one dimension; a role takes at most one.",
                    quote(q, s));
    if (has_dim && php_empty(dim))
        return fail(err, "Role \"%s\" has an empty dimension after '/'.", quote(q, s));

    size_t k = 0;
    while (k < N_ROLES && !cw_str_eq_cstr(name, role_cfg[k].name))
        k++;
    if (k == N_ROLES)
        return fail(err,
                    "Unknown role \"%s\"; a role is one of any, guests, users, user, team, member "
                    "or label.",
                    quote(q, name));
    const char *rn = role_cfg[k].name;

    if (!role_cfg[k].id && has_id)
        return fail(err, "Role \"%s\" takes no ID.", rn);
    if (role_cfg[k].id && php_empty(id))
        return fail(err, "Role \"%s\" needs an ID, as in \"%s:<id>\".", rn, rn);
    if (role_cfg[k].kind == CW_PERM_ROLE_LABEL && !label_valid(id))
        return fail(err,
                    "Label \"%s\" is not valid: a label is 1 to %d letters (a-z, A-Z) and digits.",
                    quote(q, id), CW_PERM_ROLE_ID_MAX);
    if (role_cfg[k].id && role_cfg[k].kind != CW_PERM_ROLE_LABEL &&
        !cw_id_valid(id, CW_PERM_ROLE_ID_MAX))
        return fail(err,
                    "The ID \"%s\" of role \"%s\" is not valid: up to %d characters from a-z, A-Z, "
                    "0-9, period, hyphen and underscore, not starting with one of the last three.",
                    quote(q, id), rn, CW_PERM_ROLE_ID_MAX);

    if (role_cfg[k].dim == DIM_NONE && has_dim)
        return fail(err, "Role \"%s\" takes no dimension.", rn);
    if (role_cfg[k].dim == DIM_USER && has_dim && !cw_str_eq_cstr(dim, "verified") &&
        !cw_str_eq_cstr(dim, "unverified"))
        return fail(err, "The dimension of role \"%s\" must be \"verified\" or \"unverified\".",
                    rn);
    if (role_cfg[k].dim == DIM_TEAM && has_dim && !cw_id_valid(dim, CW_PERM_ROLE_DIM_MAX))
        return fail(err,
                    "The team role \"%s\" is not valid: up to %d characters from a-z, A-Z, 0-9, "
                    "period, hyphen and underscore, not starting with one of the last three.",
                    quote(q, dim), CW_PERM_ROLE_DIM_MAX);

    *out = (cw_perm_role_t){role_cfg[k].kind, s, id, dim};
    return 0;
}

int cw_perm_role_parse(cw_str_t s, cw_perm_role_t *out, cw_perm_error_t *err)
{
    /* Appwrite 1.0 replaced these two forms; say so instead of calling them unknown. */
    if (cw_str_eq_cstr(s, "*"))
        return fail(err, "The wildcard role \"*\" is no longer supported; use \"any\" instead.");
    if (contains(s, "role:"))
        return fail(err, "Roles of the form \"role:...\" are no longer supported; use \"any\", "
                         "\"guests\" or \"users\" instead.");
    return role_parse_body(s, out, err);
}

static void allowed_list(char *buf, size_t size, unsigned allowed)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t t = 0; t < N_TYPES; t++) {
        if (!(allowed & CW_PERM_BIT(t)))
            continue;
        int w = snprintf(buf + o, size - o, "%s%s", o == 0 ? "" : ", ", type_names[t]);
        if (w < 0 || (size_t)w >= size - o)
            break;
        o += (size_t)w;
    }
}

int cw_perm_parse(cw_str_t s, unsigned allowed, cw_perm_t *out, cw_perm_error_t *err)
{
    char q[QUOTE_MAX + 4];
    if (cw_str_eq_cstr(s, "*"))
        return fail(err, "The wildcard permission \"*\" is no longer supported; grant the role "
                         "\"any\" instead.");
    if (contains(s, "role:"))
        return fail(err, "Permissions naming a \"role:...\" role are no longer supported; use "
                         "\"any\", \"guests\" or \"users\" instead.");

    /* Like utopia, refuse early what does not even begin with a type allowed here, so that
     * `create("any")` on a document is "not allowed" rather than malformed. */
    bool prefix_ok = false;
    for (size_t t = 0; t < N_TYPES && !prefix_ok; t++)
        prefix_ok = (allowed & CW_PERM_BIT(t)) && starts_with(s, type_names[t]);
    if (!prefix_ok) {
        char list[64];
        allowed_list(list, sizeof(list), allowed);
        return fail(err, "Permission \"%s\" is not allowed here; it must be one of: %s.",
                    quote(q, s), list);
    }

    const char *open = find(s, "(\"");
    if (open == NULL)
        return fail(err, "Permission \"%s\" is not of the form type(\"role\").", quote(q, s));
    size_t tlen = (size_t)(open - s.ptr);
    cw_str_t rest = {open + 2, s.len - tlen - 2};
    if (contains(rest, "(\""))
        return fail(err,
                    "Permission \"%s\" opens more than one (\"; it must be of the form "
                    "type(\"role\").",
                    quote(q, s));

    size_t t = 0;
    while (t < N_TYPES && !cw_str_eq_cstr((cw_str_t){s.ptr, tlen}, type_names[t]))
        t++;
    if (t == N_TYPES)
        return fail(err,
                    "Permission \"%s\" has an unknown type; types are create, read, update, delete "
                    "and write.",
                    quote(q, s));
    if (!(allowed & CW_PERM_BIT(t)))
        return fail(err, "Permission \"%s\" is not allowed here.", quote(q, s));

    if (rest.len < 2 || rest.ptr[rest.len - 2] != '"' || rest.ptr[rest.len - 1] != ')')
        return fail(err, "Permission \"%s\" does not end with \") after its role.", quote(q, s));
    cw_str_t role = {rest.ptr, rest.len - 2};

    int rc = role_parse_body(role, &out->role, err);
    if (rc != 0)
        return rc;
    out->type = (cw_perm_type_t)t;
    return 0;
}

static bool perm_eq(const cw_perm_t *a, const cw_perm_t *b)
{
    return a->type == b->type && cw_str_eq(a->role.text, b->role.text);
}

static size_t push_unique(cw_perm_t *out, size_t n, const cw_perm_t *p)
{
    for (size_t i = 0; i < n; i++) {
        if (perm_eq(&out[i], p))
            return n;
    }
    out[n] = *p;
    return n + 1;
}

size_t cw_perm_aggregate(const cw_perm_t *in, size_t n, cw_perm_scope_t scope, cw_perm_t *out)
{
    static const cw_perm_type_t expand[] = {CW_PERM_CREATE, CW_PERM_UPDATE, CW_PERM_DELETE};
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (in[i].type != CW_PERM_WRITE) {
            m = push_unique(out, m, &in[i]);
            continue;
        }
        for (size_t e = 0; e < sizeof(expand) / sizeof(expand[0]); e++) {
            if (expand[e] == CW_PERM_CREATE && scope != CW_PERM_SCOPE_COLLECTION)
                continue;
            cw_perm_t p = {expand[e], in[i].role};
            m = push_unique(out, m, &p);
        }
    }
    return m;
}

int cw_perm_list_parse(const json_t *value, cw_perm_scope_t scope, cw_arena_t *arena,
                       cw_perm_list_t *out, cw_perm_error_t *err)
{
    unsigned allowed = CW_PERM_BIT(CW_PERM_READ) | CW_PERM_BIT(CW_PERM_UPDATE) |
                       CW_PERM_BIT(CW_PERM_DELETE) | CW_PERM_BIT(CW_PERM_WRITE);
    if (scope == CW_PERM_SCOPE_COLLECTION)
        allowed |= CW_PERM_BIT(CW_PERM_CREATE);
    *out = (cw_perm_list_t){NULL, 0, false};
    if (err != NULL)
        err->index = 0;
    if (value == NULL || json_is_null(value))
        return 0;
    if (!json_is_array(value))
        return fail(err, "Permissions must be given as an array of strings.");
    size_t n = json_array_size(value);
    if (n > CW_PERM_MAX_ITEMS)
        return fail(err, "Too many permissions: at most %d may be given.", CW_PERM_MAX_ITEMS);

    cw_perm_t *parsed = cw_arena_alloc(arena, (n == 0 ? 1 : n) * sizeof(*parsed));
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_array_get(value, i);
        if (err != NULL)
            err->index = i;
        if (!json_is_string(v))
            return fail(err, "Each permission must be a string.");
        cw_str_t s = {json_string_value(v), json_string_length(v)};
        int rc = cw_perm_parse(s, allowed, &parsed[i], err);
        if (rc != 0)
            return rc;
    }
    out->items = cw_arena_alloc(arena, (n == 0 ? 1 : 3 * n) * sizeof(*out->items));
    out->n = cw_perm_aggregate(parsed, n, scope, out->items);
    out->given = true;
    return 0;
}

size_t cw_perm_format(const cw_perm_t *p, char *buf, size_t size)
{
    int w = snprintf(buf, size, "%s(\"%.*s\")", cw_perm_type_name(p->type), (int)p->role.text.len,
                     p->role.text.ptr == NULL ? "" : p->role.text.ptr);
    return w < 0 ? 0 : (size_t)w;
}

cw_str_t cw_perm_to_str(const cw_perm_t *p, cw_arena_t *arena)
{
    size_t n = strlen(cw_perm_type_name(p->type)) + p->role.text.len + 4;
    char *buf = cw_arena_alloc(arena, n + 1);
    size_t w = cw_perm_format(p, buf, n + 1);
    return (cw_str_t){buf, w};
}

/* Roles. */

void cw_roles_init(cw_roles_t *r, cw_arena_t *arena)
{
    r->_arena = arena;
    r->_cap = 8;
    r->n = 0;
    r->items = cw_arena_alloc(arena, r->_cap * sizeof(*r->items));
    cw_roles_add(r, CW_STR_LIT("any"));
}

bool cw_roles_has(const cw_roles_t *r, cw_str_t role)
{
    for (size_t i = 0; i < r->n; i++) {
        if (cw_str_eq(r->items[i], role))
            return true;
    }
    return false;
}

/* Adds a role whose bytes already live in the arena. */
static void roles_push(cw_roles_t *r, cw_str_t role)
{
    if (cw_roles_has(r, role))
        return;
    if (r->n == r->_cap) {
        cw_str_t *grown = cw_arena_alloc(r->_arena, 2 * r->_cap * sizeof(*grown));
        memcpy(grown, r->items, r->n * sizeof(*grown));
        r->items = grown;
        r->_cap *= 2;
    }
    r->items[r->n++] = role;
}

void cw_roles_add(cw_roles_t *r, cw_str_t role)
{
    if (!cw_roles_has(r, role))
        roles_push(r, cw_arena_str_dup(r->_arena, role));
}

/* Adds prefix + a [+ sep + b], built in the arena. */
static void roles_add_joined(cw_roles_t *r, const char *prefix, cw_str_t a, const char *sep,
                             cw_str_t b)
{
    size_t pl = strlen(prefix), sl = sep == NULL ? 0 : strlen(sep);
    size_t n = pl + a.len + (sep == NULL ? 0 : sl + b.len);
    char *buf = cw_arena_alloc(r->_arena, n + 1);
    memcpy(buf, prefix, pl);
    if (a.len != 0)
        memcpy(buf + pl, a.ptr, a.len);
    if (sep != NULL) {
        memcpy(buf + pl + a.len, sep, sl);
        if (b.len != 0)
            memcpy(buf + pl + a.len + sl, b.ptr, b.len);
    }
    buf[n] = '\0';
    roles_push(r, (cw_str_t){buf, n});
}

void cw_roles_add_guest(cw_roles_t *r)
{
    cw_roles_add(r, CW_STR_LIT("guests"));
}

void cw_roles_add_user(cw_roles_t *r, cw_str_t user_id, bool verified)
{
    cw_str_t dim = verified ? CW_STR_LIT("verified") : CW_STR_LIT("unverified");
    roles_add_joined(r, "user:", user_id, NULL, CW_STR_NULL);
    cw_roles_add(r, CW_STR_LIT("users"));
    roles_add_joined(r, "user:", user_id, "/", dim);
    roles_add_joined(r, "users/", dim, NULL, CW_STR_NULL);
}

void cw_roles_add_membership(cw_roles_t *r, cw_str_t team_id, cw_str_t membership_id,
                             const cw_str_t *team_roles, size_t n_roles)
{
    roles_add_joined(r, "team:", team_id, NULL, CW_STR_NULL);
    roles_add_joined(r, "member:", membership_id, NULL, CW_STR_NULL);
    for (size_t i = 0; i < n_roles; i++)
        roles_add_joined(r, "team:", team_id, "/", team_roles[i]);
}

void cw_roles_add_label(cw_roles_t *r, cw_str_t label)
{
    roles_add_joined(r, "label:", label, NULL, CW_STR_NULL);
}

cw_str_t cw_roles_join(const cw_roles_t *r, cw_arena_t *arena)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        n += r->items[i].len + (i == 0 ? 0 : 2);
    char *buf = cw_arena_alloc(arena, n + 1);
    size_t o = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (i != 0) {
            memcpy(buf + o, ", ", 2);
            o += 2;
        }
        if (r->items[i].len != 0)
            memcpy(buf + o, r->items[i].ptr, r->items[i].len);
        o += r->items[i].len;
    }
    buf[o] = '\0';
    return (cw_str_t){buf, o};
}

bool cw_perm_grants(const cw_perm_t *perms, size_t n, cw_perm_type_t action,
                    const cw_roles_t *roles)
{
    for (size_t i = 0; i < n; i++) {
        bool match =
            perms[i].type == action || (perms[i].type == CW_PERM_WRITE && action != CW_PERM_READ);
        if (match && cw_roles_has(roles, perms[i].role.text))
            return true;
    }
    return false;
}

int cw_perm_check_held(const cw_perm_t *perms, size_t n, const cw_roles_t *roles, size_t *bad)
{
    for (size_t t = 0; t < N_TYPES; t++) {
        for (size_t i = 0; i < n; i++) {
            if ((size_t)perms[i].type == t && !cw_roles_has(roles, perms[i].role.text)) {
                *bad = i;
                return CW_ENOTFOUND;
            }
        }
    }
    return 0;
}
