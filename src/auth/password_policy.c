#include "auth/password_policy.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/embed.h"
#include "core/status.h"

#define DICTIONARY_FILE "share/security/10k-common-passwords"

/* The dictionary's lines, sorted for bsearch; built once, never freed (static data). */
static cw_str_t *dictionary;
static size_t dictionary_len;
static pthread_once_t dictionary_once = PTHREAD_ONCE_INIT;

static int str_cmp(const void *a, const void *b)
{
    const cw_str_t *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->ptr, y->ptr, n);
    if (c != 0)
        return c;
    return x->len < y->len ? -1 : x->len > y->len;
}

static void dictionary_build(void)
{
    cw_str_t file;
    if (cw_embed_find(cw_str(DICTIONARY_FILE), &file) != CW_OK)
        return;
    size_t lines = 1;
    for (size_t i = 0; i < file.len; i++)
        lines += file.ptr[i] == '\n';
    dictionary = cw_calloc(lines, sizeof(cw_str_t));
    const char *p = file.ptr, *end = file.ptr + file.len;
    /* Like Appwrite's explode("\n"): every line is an entry, an empty last one included. */
    while (p <= end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl != NULL ? nl : end;
        dictionary[dictionary_len++] = (cw_str_t){p, (size_t)(stop - p)};
        p = stop + 1;
    }
    qsort(dictionary, dictionary_len, sizeof(cw_str_t), str_cmp);
}

bool cw_password_in_dictionary(cw_str_t password)
{
    pthread_once(&dictionary_once, dictionary_build);
    return dictionary_len > 0 &&
           bsearch(&password, dictionary, dictionary_len, sizeof(cw_str_t), str_cmp) != NULL;
}

static char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Whether the lowercased haystack holds needle[0..n) compared in lowercase; PHP's strpos finds
 * an empty needle anywhere. */
static bool contains_lower(const char *hay, size_t hay_len, const char *needle, size_t n)
{
    if (n == 0)
        return true;
    for (size_t i = 0; i + n <= hay_len; i++) {
        size_t j = 0;
        while (j < n && hay[i + j] == ascii_lower(needle[j]))
            j++;
        if (j == n)
            return true;
    }
    return false;
}

/* PHP's truthiness of a string: "" and "0" are false. */
static bool truthy(const char *s)
{
    return s != NULL && s[0] != '\0' && strcmp(s, "0") != 0;
}

bool cw_password_has_personal_data(cw_str_t password, const char *user_id, const char *email,
                                   const char *name, const char *phone)
{
    char *pw = cw_malloc(password.len + 1);
    for (size_t i = 0; i < password.len; i++)
        pw[i] = ascii_lower(password.ptr[i]);
    pw[password.len] = '\0';
    size_t n = password.len;
    bool hit = false;
    if (truthy(user_id) && contains_lower(pw, n, user_id, strlen(user_id)))
        hit = true;
    if (!hit && truthy(email)) {
        const char *at = strchr(email, '@');
        hit = contains_lower(pw, n, email, strlen(email)) ||
              contains_lower(pw, n, email, at != NULL ? (size_t)(at - email) : strlen(email));
    }
    if (!hit && truthy(name))
        hit = contains_lower(pw, n, name, strlen(name));
    if (!hit && truthy(phone)) {
        size_t len = strlen(phone);
        char *bare = cw_malloc(len + 1);
        size_t k = 0;
        for (size_t i = 0; i < len; i++) {
            if (phone[i] != '+')
                bare[k++] = phone[i];
        }
        hit = contains_lower(pw, n, bare, k) || contains_lower(pw, n, phone, len);
        free(bare);
    }
    free(pw);
    return hit;
}

bool cw_password_in_history(const json_t *history, const cw_password_desc_t *desc,
                            cw_str_t password)
{
    size_t i;
    const json_t *h;
    json_array_foreach(history, i, h)
    {
        bool match = false;
        if (json_is_string(h) && json_string_length(h) > 0 &&
            cw_password_verify(desc, password,
                               (cw_str_t){json_string_value(h), json_string_length(h)},
                               &match) == 0 &&
            match)
            return true;
    }
    return false;
}

json_t *cw_password_history_push(const json_t *history, cw_str_t hash, int64_t limit)
{
    json_t *out = json_array();
    size_t n = json_is_array(history) ? json_array_size(history) : 0;
    size_t total = n + 1;
    size_t skip = limit > 0 && total > (size_t)limit ? total - (size_t)limit : 0;
    for (size_t i = skip; i < n; i++)
        json_array_append(out, json_array_get(history, i));
    json_array_append_new(out, json_stringn(hash.ptr, hash.len));
    return out;
}
