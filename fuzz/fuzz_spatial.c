/* libFuzzer target: geometry values from clients (db/spatial), as JSON or as WKT text handed to
 * SpatiaLite's parser. The first byte picks the attribute's type; the rest is a JSON value, or
 * with the first byte's high bit set, the text of a WKT string. Checks the promises: whatever
 * is valid normalises, the stored form is valid again, turns into a BLOB, and reads back
 * unchanged; a query geometry either becomes a BLOB or explains why not. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "db/spatial.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    cw_geo_type_t t = (cw_geo_type_t)(data[0] % 3 + 1);
    json_t *v;
    if (data[0] & 0x80)
        v = json_stringn_nocheck((const char *)data + 1, size - 1);
    else
        v = json_loadb((const char *)data + 1, size - 1, JSON_DECODE_ANY, NULL);
    if (v == NULL)
        return 0;
    char rule[512];
    bool ok = cw_spatial_valid(t, v, rule, sizeof(rule));
    json_t *n = cw_spatial_normalize(t, v);
    if (ok != (n != NULL))
        abort();
    if (n != NULL) {
        if (!cw_spatial_valid(t, n, rule, sizeof(rule)))
            abort();
        unsigned char *blob = NULL;
        size_t len = 0;
        if (cw_spatial_blob(t, n, &blob, &len) != 0)
            abort();
        json_t *back = cw_spatial_json(blob, len);
        if (back == NULL || !json_equal(back, n))
            abort();
        double box[4];
        if (cw_spatial_blob_mbr(blob, len, box) != 0 || box[0] > box[2] || box[1] > box[3])
            abort();
        json_decref(back);
        free(blob);
        json_decref(n);
    }
    unsigned char *qb = NULL;
    size_t qlen = 0;
    cw_geo_type_t qt = CW_GEO_NONE;
    char msg[200] = "";
    if (cw_spatial_query_blob(v, &qb, &qlen, &qt, msg, sizeof(msg)) == 0) {
        if (qt == CW_GEO_NONE || qlen == 0)
            abort();
        free(qb);
    } else if (msg[0] == '\0') {
        abort();
    }
    json_decref(v);
    return 0;
}
