/*
 * Permissions and roles as Appwrite writes them: `read("user:abc/verified")` on a document,
 * collection, table, row, bucket or file, and the set of roles a request holds. Pure functions over
 * client bytes (no HTTP, no SQL); any thread.
 *
 * Ownership: parsed permissions and roles are slices into the caller's bytes (the JSON strings of
 * the request), valid as long as those bytes are. Lists and role sets are allocated from the
 * caller's arena and die with it. Nothing needs freeing.
 *
 * Errors: parsers return 0, or CW_EINVAL with a message in cw_perm_error_t. Appwrite answers a bad
 * `permissions` parameter (documents, rows, files, collections, tables, buckets) with 400
 * `general_argument_invalid` and the text "Invalid `permissions` param: " followed by what is
 * wrong; the message here is only that second part, so the HTTP layer writes
 *     cw_res_error(res, CW_ERR_GENERAL_ARGUMENT_INVALID, "Invalid `permissions` param: %s", msg)
 * (bulk document writes, where permissions sit inside each document as `$permissions`, use 400
 * `general_bad_request` with the bare message instead). A caller that is neither an API key nor a
 * privileged user may only grant roles it holds; cw_perm_check_held finds the first one it does
 * not, which Appwrite answers with 401 `user_unauthorized`.
 */
#ifndef CW_DB_PERMISSION_H
#define CW_DB_PERMISSION_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/str.h"

/* In Appwrite's order of Database::PERMISSIONS, `write` last. */
typedef enum cw_perm_type {
    CW_PERM_CREATE,
    CW_PERM_READ,
    CW_PERM_UPDATE,
    CW_PERM_DELETE,
    CW_PERM_WRITE, /* create + update + delete; expanded by cw_perm_aggregate */
} cw_perm_type_t;

#define CW_PERM_BIT(t) (1u << (t))

/* What the permissions are for. Documents, rows and files take read, update, delete and write, and
 * their `write` means update + delete; collections, tables and buckets also take create, and their
 * `write` means create + update + delete. */
typedef enum cw_perm_scope {
    CW_PERM_SCOPE_DOCUMENT,
    CW_PERM_SCOPE_COLLECTION,
} cw_perm_scope_t;

typedef enum cw_perm_role_kind {
    CW_PERM_ROLE_ANY,    /* any */
    CW_PERM_ROLE_GUESTS, /* guests */
    CW_PERM_ROLE_USERS,  /* users, users/verified, users/unverified */
    CW_PERM_ROLE_USER,   /* user:ID, user:ID/verified, user:ID/unverified */
    CW_PERM_ROLE_TEAM,   /* team:ID, team:ID/ROLE */
    CW_PERM_ROLE_MEMBER, /* member:MEMBERSHIP_ID */
    CW_PERM_ROLE_LABEL,  /* label:NAME */
} cw_perm_role_kind_t;

#define CW_PERM_MAX_ITEMS 100   /* permissions in one parameter (Appwrite's array param limit) */
#define CW_PERM_ROLE_ID_MAX 36  /* user, team and membership IDs; labels */
#define CW_PERM_ROLE_DIM_MAX 81 /* a team role ("project-<36>-<36>" fits, as utopia notes) */
#define CW_PERM_MSG_MAX 256

typedef struct cw_perm_role {
    cw_perm_role_kind_t kind;
    cw_str_t text;      /* the whole role, e.g. "user:abc/verified" */
    cw_str_t id;        /* "abc"; empty when the role has none */
    cw_str_t dimension; /* "verified"; empty when the role has none */
} cw_perm_role_t;

typedef struct cw_perm {
    cw_perm_type_t type;
    cw_perm_role_t role;
} cw_perm_t;

typedef struct cw_perm_list {
    cw_perm_t *items;
    size_t n;
    bool given; /* false when the parameter was absent or null: the caller applies its default */
} cw_perm_list_t;

typedef struct cw_perm_error {
    size_t index; /* the offending element of a list */
    char message[CW_PERM_MSG_MAX];
} cw_perm_error_t;

/* "create", "read", "update", "delete", "write". */
const char *cw_perm_type_name(cw_perm_type_t type);

/* Parses one role as utopia's Roles validator accepts it. */
int cw_perm_role_parse(cw_str_t s, cw_perm_role_t *out, cw_perm_error_t *err);

/* Parses one permission string `type("role")` whose type is one of the `allowed` bits
 * (CW_PERM_BIT). Stricter than utopia in one way: it requires the closing `")` at the very end,
 * where utopia deletes every `")` it finds and so accepts `read("any` or `read("an")y")`. */
int cw_perm_parse(cw_str_t s, unsigned allowed, cw_perm_t *out, cw_perm_error_t *err);

/* Parses the `permissions` parameter (NULL or JSON null: not given; otherwise an array of at most
 * CW_PERM_MAX_ITEMS strings), then aggregates it for the scope: `write` expanded, duplicates
 * dropped, in Appwrite's order. err->index names the bad element. */
int cw_perm_list_parse(const json_t *value, cw_perm_scope_t scope, cw_arena_t *arena,
                       cw_perm_list_t *out, cw_perm_error_t *err);

/* Appwrite's Permission::aggregate: each permission in turn, a `write` replaced in place by the
 * types it means for the scope (create, update, delete order), keeping only the first of equal
 * permissions. out must hold 3 * n; returns how many were written. */
size_t cw_perm_aggregate(const cw_perm_t *in, size_t n, cw_perm_scope_t scope, cw_perm_t *out);

/* Writes `type("role")` and a NUL into buf (truncated to size, as snprintf) and returns its full
 * length. */
size_t cw_perm_format(const cw_perm_t *p, char *buf, size_t size);
cw_str_t cw_perm_to_str(const cw_perm_t *p, cw_arena_t *arena);

/* The roles a request holds: a small set of role strings, copied into the arena. */
typedef struct cw_roles {
    cw_str_t *items;
    size_t n;
    size_t _cap;
    cw_arena_t *_arena;
} cw_roles_t;

/* Starts a set holding `any`, which every request holds. */
void cw_roles_init(cw_roles_t *r, cw_arena_t *arena);
/* Adds one role (copied; a duplicate is ignored). */
void cw_roles_add(cw_roles_t *r, cw_str_t role);
/* A visitor without a session: `guests`. */
void cw_roles_add_guest(cw_roles_t *r);
/* A signed-in user: user:ID, users, and the verified or unverified pair of each (verified when
 * the email or the phone is). */
void cw_roles_add_user(cw_roles_t *r, cw_str_t user_id, bool verified);
/* A confirmed membership: team:TEAM, member:MEMBERSHIP, and team:TEAM/ROLE for each team role. */
void cw_roles_add_membership(cw_roles_t *r, cw_str_t team_id, cw_str_t membership_id,
                             const cw_str_t *team_roles, size_t n_roles);
void cw_roles_add_label(cw_roles_t *r, cw_str_t label);
bool cw_roles_has(const cw_roles_t *r, cw_str_t role);
/* "any, users, user:abc": the held roles for an error message. */
cw_str_t cw_roles_join(const cw_roles_t *r, cw_arena_t *arena);

/* True when one of the permissions gives `action` (create, read, update or delete) to a role in
 * the set. A `write` permission left unaggregated counts for create, update and delete. */
bool cw_perm_grants(const cw_perm_t *perms, size_t n, cw_perm_type_t action,
                    const cw_roles_t *roles);

/* For a caller that is neither an API key nor a privileged user: returns 0 when every permission
 * names a role the caller holds, or CW_ENOTFOUND with *bad set to the first that does not, looking
 * as Appwrite does (all create permissions in list order, then read, update, delete, write). */
int cw_perm_check_held(const cw_perm_t *perms, size_t n, const cw_roles_t *roles, size_t *bad);

#endif
