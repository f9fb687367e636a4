/* libFuzzer target: the abuse-limit key builder (cw_abuse_key_fill) and the Content-Range chunk
 * parser under it. The input is three parts split by NUL bytes: a key template, a Content-Range
 * value and a JSON object of request parameters. Checks that the key is a NUL-terminated buffer
 * of the length it reports and that the chunk is never negative. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "services/abuse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1);
    memcpy(copy, data, size);
    copy[size] = '\0';
    const char *template = copy;
    size_t tlen = strlen(template);
    const char *range = tlen < size ? copy + tlen + 1 : "";
    size_t rlen = strlen(range);
    const char *params_text = (tlen < size && tlen + 1 + rlen < size) ? range + rlen + 1 : "";
    json_t *params = json_loads(params_text, JSON_DECODE_ANY, NULL);
    long long chunk = cw_abuse_chunk_id((cw_str_t){range, rlen});
    if (chunk < 0)
        abort();
    cw_abuse_vars_t vars = {
        .project_id = cw_str("project"),
        .user_id = cw_str(""),
        .user_agent = cw_str("agent"),
        .ip = cw_str("127.0.0.1"),
        .host = cw_str("localhost"),
        .path = cw_str("/v1/account"),
        .method = cw_str("POST"),
        .chunk_id = chunk,
    };
    cw_buf_t key = CW_BUF_INIT;
    cw_abuse_key_fill(template, &vars, params, &key);
    if (key.len > 0 && (key.ptr == NULL || key.ptr[key.len] != '\0'))
        abort();
    cw_buf_free(&key);
    json_decref(params);
    free(copy);
    return 0;
}
