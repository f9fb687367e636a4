/* libFuzzer target: permission and role strings (cw_perm_parse, cw_perm_role_parse) and, when the
 * input is JSON, the whole `permissions` parameter (cw_perm_list_parse) with the role-set checks
 * run over what it yields. Checks what the header promises: slices stay inside the input,
 * an accepted permission formats back to exactly its input, aggregated lists hold no `write`, no
 * duplicates and only types the scope allows, and every error message is printable UTF-8. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/utf8.h"
#include "db/permission.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ALL_TYPES 0x1fu

static void check_message(const cw_perm_error_t *err)
{
    size_t n = strlen(err->message);
    if (n == 0 || !cw_utf8_valid(err->message, n))
        abort();
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)err->message[i] < 0x20)
            abort();
    }
}

static void check_inside(cw_str_t part, cw_str_t whole)
{
    if (part.len != 0 && (part.ptr < whole.ptr || part.ptr + part.len > whole.ptr + whole.len))
        abort();
}

static void check_role(const cw_perm_role_t *r, cw_str_t input)
{
    check_inside(r->text, input);
    check_inside(r->id, input);
    check_inside(r->dimension, input);
    if (r->id.len > CW_PERM_ROLE_ID_MAX || r->dimension.len > CW_PERM_ROLE_DIM_MAX)
        abort();
    bool takes_id = r->kind == CW_PERM_ROLE_USER || r->kind == CW_PERM_ROLE_TEAM ||
                    r->kind == CW_PERM_ROLE_MEMBER || r->kind == CW_PERM_ROLE_LABEL;
    if (takes_id != (r->id.len != 0))
        abort();
}

static void one_string(cw_str_t s, cw_arena_t *arena)
{
    cw_perm_t p;
    cw_perm_error_t err;
    err.message[0] = '\0';
    if (cw_perm_parse(s, ALL_TYPES, &p, &err) == 0) {
        check_role(&p.role, s);
        /* Only exact forms are accepted, so formatting gives back the input. */
        cw_str_t back = cw_perm_to_str(&p, arena);
        if (!cw_str_eq(back, s))
            abort();
    } else {
        check_message(&err);
    }

    cw_perm_role_t r;
    err.message[0] = '\0';
    if (cw_perm_role_parse(s, &r, &err) == 0) {
        check_role(&r, s);
        if (!cw_str_eq(r.text, s))
            abort();
    } else {
        check_message(&err);
    }
}

static void one_list(const json_t *value, cw_arena_t *arena)
{
    for (int scope = CW_PERM_SCOPE_DOCUMENT; scope <= CW_PERM_SCOPE_COLLECTION; scope++) {
        cw_perm_list_t l;
        cw_perm_error_t err;
        err.message[0] = '\0';
        if (cw_perm_list_parse(value, (cw_perm_scope_t)scope, arena, &l, &err) != 0) {
            check_message(&err);
            if (json_is_array(value) && err.index >= json_array_size(value) && err.index != 0)
                abort();
            continue;
        }
        if (l.n > 3 * json_array_size(value))
            abort();
        for (size_t i = 0; i < l.n; i++) {
            if (l.items[i].type == CW_PERM_WRITE)
                abort();
            if (scope == CW_PERM_SCOPE_DOCUMENT && l.items[i].type == CW_PERM_CREATE)
                abort();
            for (size_t j = 0; j < i; j++) {
                if (l.items[j].type == l.items[i].type &&
                    cw_str_eq(l.items[j].role.text, l.items[i].role.text))
                    abort();
            }
        }

        /* A caller holding every role it granted passes the check and is granted all of it. */
        cw_roles_t roles;
        cw_roles_init(&roles, arena);
        for (size_t i = 0; i < l.n; i++)
            cw_roles_add(&roles, l.items[i].role.text);
        size_t bad;
        if (cw_perm_check_held(l.items, l.n, &roles, &bad) != 0)
            abort();
        for (size_t i = 0; i < l.n; i++) {
            if (!cw_perm_grants(l.items, l.n, l.items[i].type, &roles))
                abort();
        }
        /* A guest holds only any and guests. */
        cw_roles_t guest;
        cw_roles_init(&guest, arena);
        cw_roles_add_guest(&guest);
        if (cw_perm_check_held(l.items, l.n, &guest, &bad) == 0) {
            for (size_t i = 0; i < l.n; i++) {
                if (l.items[i].role.kind != CW_PERM_ROLE_ANY &&
                    l.items[i].role.kind != CW_PERM_ROLE_GUESTS)
                    abort();
            }
        } else if (bad >= l.n || cw_roles_has(&guest, l.items[bad].role.text)) {
            abort();
        }
        cw_roles_join(&roles, arena);

        /* Role sets built the way the auth layer builds them hold the roles they were built for. */
        cw_roles_t built;
        cw_roles_init(&built, arena);
        for (size_t i = 0; i < l.n; i++) {
            const cw_perm_role_t *r = &l.items[i].role;
            if (r->kind == CW_PERM_ROLE_USER)
                cw_roles_add_user(&built, r->id, !cw_str_eq_cstr(r->dimension, "unverified"));
            else if (r->kind == CW_PERM_ROLE_TEAM)
                cw_roles_add_membership(&built, r->id, CW_STR_LIT("m1"), &r->dimension,
                                        r->dimension.len == 0 ? 0 : 1);
            else if (r->kind == CW_PERM_ROLE_LABEL)
                cw_roles_add_label(&built, r->id);
            else if (r->kind == CW_PERM_ROLE_GUESTS)
                cw_roles_add_guest(&built);
            else if (r->kind == CW_PERM_ROLE_MEMBER || r->kind == CW_PERM_ROLE_USERS)
                continue;
            if (!cw_roles_has(&built, r->text))
                abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cw_arena_t arena = CW_ARENA_INIT;
    /* A private copy, so reading one byte past the slice is caught. */
    char *copy = malloc(size == 0 ? 1 : size);
    if (size != 0)
        memcpy(copy, data, size);
    one_string((cw_str_t){copy, size}, &arena);

    /* Any JSON value as the parameter: arrays are lists, null is "not given", the rest wrong. */
    json_error_t jerr;
    json_t *value = json_loadb(copy, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (value != NULL) {
        one_list(value, &arena);
        json_decref(value);
    }
    free(copy);
    cw_arena_destroy(&arena);
    return 0;
}
