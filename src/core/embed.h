/*
 * Files built into the binary: the locale data of share/locale and the mail templates of
 * share/mail, which the Makefile turns into byte arrays with tools/bin2c. Files are named by their
 * path under their folder ("countries.json", "translations/de.json", "invitation.html"). The bytes
 * are static and read-only: any thread may read them and nobody frees them.
 */
#ifndef CW_CORE_EMBED_H
#define CW_CORE_EMBED_H

#include <stddef.h>

#include "core/str.h"

/* One entry of the generated table. The generated file defines its element type as an untagged
 * struct with these members; C only treats the two declarations as the same type if this one is
 * untagged too, hence no `struct cw_embed_file` tag here. */
typedef struct {
    const char *name;
    const unsigned char *data;
    size_t len;
} cw_embed_file_t;

/* The tables themselves (share/locale, share/mail), each ended by an entry whose name is NULL. */
extern const cw_embed_file_t cw_embedded_files[];
extern const cw_embed_file_t cw_embedded_mail[];

/* Finds a file of share/locale by name. Returns CW_OK with *out pointing at its bytes (followed
 * by a NUL that len does not count), or CW_ENOTFOUND. */
int cw_embed_find(cw_str_t name, cw_str_t *out);
/* The same in another table. */
int cw_embed_find_in(const cw_embed_file_t *table, cw_str_t name, cw_str_t *out);

#endif
