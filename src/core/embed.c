#include "core/embed.h"

#include "core/status.h"

int cw_embed_find(cw_str_t name, cw_str_t *out)
{
    return cw_embed_find_in(cw_embedded_files, name, out);
}

int cw_embed_find_in(const cw_embed_file_t *table, cw_str_t name, cw_str_t *out)
{
    /* A linear scan: a table has under a hundred entries and callers cache what they build. */
    for (const cw_embed_file_t *f = table; f->name != NULL; f++) {
        if (cw_str_eq_cstr(name, f->name)) {
            *out = (cw_str_t){(const char *)f->data, f->len};
            return CW_OK;
        }
    }
    *out = CW_STR_NULL;
    return CW_ENOTFOUND;
}
