#include "core/embed.h"

#include "core/status.h"

int cw_embed_find(cw_str_t name, cw_str_t *out)
{
    /* A linear scan: the table has under a hundred entries and callers cache what they build. */
    for (const cw_embed_file_t *f = cw_embedded_files; f->name != NULL; f++) {
        if (cw_str_eq_cstr(name, f->name)) {
            *out = (cw_str_t){(const char *)f->data, f->len};
            return CW_OK;
        }
    }
    *out = CW_STR_NULL;
    return CW_ENOTFOUND;
}
