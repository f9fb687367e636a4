/* Unit tests for db/spatial: utopia's Spatial validator rules and messages, the stored form,
 * BLOBs and the query geometry's shapes, the SQL functions on an SQLite connection; and the
 * document database with point, linestring and polygon attributes end to end (defaults,
 * documents, every spatial query method, spatial indexes and their rules). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ftw.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/database.h"
#include "db/spatial.h"

static json_t *J(const char *text)
{
    json_error_t je;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &je);
    if (v == NULL)
        fail_msg("bad JSON in test: %s (%s)", text, je.text);
    return v;
}

/* Checks a value against a type: want NULL for valid, else the exact description. */
static void expect_valid(cw_geo_type_t t, const char *value, const char *want)
{
    json_t *v = J(value);
    char rule[512] = "";
    bool ok = cw_spatial_valid(t, v, rule, sizeof(rule));
    if (want == NULL && !ok)
        fail_msg("%s as %s: refused with \"%s\"", value, cw_spatial_type_name(t), rule);
    if (want != NULL && ok)
        fail_msg("%s as %s: taken, want \"%s\"", value, cw_spatial_type_name(t), want);
    if (want != NULL)
        assert_string_equal(rule, want);
    json_decref(v);
}

static void test_point_rules(void **state)
{
    expect_valid(CW_GEO_POINT, "[1, 2]", NULL);
    expect_valid(CW_GEO_POINT, "[-180, 90.0]", NULL);
    expect_valid(CW_GEO_POINT, "[\"1.5\", \" 2\"]", NULL); /* PHP's is_numeric takes these */
    expect_valid(CW_GEO_POINT, "[1]",
                 "Value must be a valid point: Point must be an array of two numeric values [x, "
                 "y]");
    expect_valid(CW_GEO_POINT, "[1, 2, 3]",
                 "Value must be a valid point: Point must be an array of two numeric values [x, "
                 "y]");
    expect_valid(CW_GEO_POINT, "[\"a\", \"b\"]",
                 "Value must be a valid point: Point coordinates must be numeric values");
    expect_valid(CW_GEO_POINT, "[true, 1]",
                 "Value must be a valid point: Point coordinates must be numeric values");
    expect_valid(CW_GEO_POINT, "[\"0x1A\", 1]",
                 "Value must be a valid point: Point coordinates must be numeric values");
    expect_valid(CW_GEO_POINT, "[200, 0]",
                 "Value must be a valid point: Longitude (x) must be between -180 and 180, got "
                 "200");
    expect_valid(CW_GEO_POINT, "[0, -90.5]",
                 "Value must be a valid point: Latitude (y) must be between -90 and 90, got -90.5");
    expect_valid(CW_GEO_POINT, "[1e20, 0]",
                 "Value must be a valid point: Longitude (x) must be between -180 and 180, got "
                 "1.0E+20");
    expect_valid(CW_GEO_POINT, "5",
                 "Value must be a valid point: Spatial value must be array or WKT string");
    expect_valid(CW_GEO_POINT, "{\"x\": 1}",
                 "Value must be a valid point: Spatial value must be array or WKT string");
    /* Text: utopia's prefix rule first (an empty reason when it fails), then it must parse. */
    expect_valid(CW_GEO_POINT, "\"here\"", "Value must be a valid point: ");
    expect_valid(CW_GEO_POINT, "\"POINT(1 2)\"", NULL);
    expect_valid(CW_GEO_POINT, "\"  point (1 2)\"", NULL);
    expect_valid(CW_GEO_POINT, "\"POINT(1)\"",
                 "Value must be a valid point: WKT text is not a valid point");
    expect_valid(CW_GEO_POINT, "\"LINESTRING(1 2, 3 4)\"",
                 "Value must be a valid point: WKT text is not a valid point");
    expect_valid(CW_GEO_POINT, "\"POINT(500 2)\"",
                 "Value must be a valid point: Longitude (x) must be between -180 and 180, got "
                 "500");
}

static void test_line_and_polygon_rules(void **state)
{
    expect_valid(CW_GEO_LINESTRING, "[[0, 0], [1, 1]]", NULL);
    expect_valid(CW_GEO_LINESTRING, "[[0, 0]]",
                 "Value must be a valid linestring: LineString must contain at least two points");
    expect_valid(CW_GEO_LINESTRING, "[[0, 0], 1]",
                 "Value must be a valid linestring: Each point in LineString must be an array of "
                 "two values [x, y]");
    expect_valid(CW_GEO_LINESTRING, "[[0, 0], [1, null]]",
                 "Value must be a valid linestring: Each point in LineString must have numeric "
                 "coordinates");
    expect_valid(CW_GEO_LINESTRING, "[[0, 0], [1, 100]]",
                 "Value must be a valid linestring: Invalid coordinates at point #1: Latitude (y) "
                 "must be between -90 and 90, got 100");
    expect_valid(CW_GEO_LINESTRING, "\"LINESTRING(0 0, 1 1)\"", NULL);

    expect_valid(CW_GEO_POLYGON, "[[[0, 0], [0, 1], [1, 1], [0, 0]]]", NULL);
    expect_valid(CW_GEO_POLYGON, "[[0, 0], [0, 1], [1, 1], [0, 0]]", NULL); /* one bare ring */
    expect_valid(CW_GEO_POLYGON,
                 "[[[0, 0], [0, 9], [9, 9], [0, 0]], [[1, 1], [1, 2], [2, 2], [1, 1]]]", NULL);
    expect_valid(CW_GEO_POLYGON, "[]",
                 "Value must be a valid polygon: Polygon must contain at least one ring");
    expect_valid(CW_GEO_POLYGON, "[[[0, 0], [0, 1], [1, 1]]]",
                 "Value must be a valid polygon: Ring #0 must contain at least 4 points to form a "
                 "closed polygon");
    expect_valid(CW_GEO_POLYGON, "[[[0, 0], [0, 1], [1, 1], [0, 0]], []]",
                 "Value must be a valid polygon: Ring #1 must be an array of points");
    expect_valid(CW_GEO_POLYGON, "[[[0, 0], [0, 1], [1, 1], [1, 0]]]",
                 "Value must be a valid polygon: Ring #0 must be closed (first point must equal "
                 "last point)");
    /* PHP compares with !==: 0 and 0.0 are not the same point. */
    expect_valid(CW_GEO_POLYGON, "[[[0, 0], [0, 1], [1, 1], [0.0, 0]]]",
                 "Value must be a valid polygon: Ring #0 must be closed (first point must equal "
                 "last point)");
    expect_valid(CW_GEO_POLYGON, "[[[0, 0], [0, 1], [1], [0, 0]]]",
                 "Value must be a valid polygon: Point #2 in ring #0 must be an array of two "
                 "values [x, y]");
    expect_valid(CW_GEO_POLYGON, "[[[0, 0], [0, \"a\"], [1, 1], [0, 0]]]",
                 "Value must be a valid polygon: Coordinates of point #1 in ring #0 must be "
                 "numeric");
    expect_valid(CW_GEO_POLYGON, "[[[0, 0], [0, 1], [181, 1], [0, 0]]]",
                 "Value must be a valid polygon: Invalid coordinates at point #2 in ring #0: "
                 "Longitude (x) must be between -180 and 180, got 181");
    expect_valid(CW_GEO_POLYGON, "\"POLYGON((0 0, 0 1, 1 1, 0 0))\"", NULL);
    expect_valid(CW_GEO_POLYGON, "\"POLYGON((0 0, 0 1, 1 1))\"",
                 "Value must be a valid polygon: WKT text is not a valid polygon");
}

static void expect_normal(cw_geo_type_t t, const char *value, const char *want)
{
    json_t *v = J(value), *n = cw_spatial_normalize(t, v);
    if (want == NULL) {
        assert_null(n);
    } else {
        assert_non_null(n);
        char *got = json_dumps(n, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
        assert_string_equal(got, want);
        free(got);
        /* Every coordinate is a real. */
        json_t *w = J(want);
        assert_true(json_equal(n, w));
        json_decref(w);
    }
    json_decref(n);
    json_decref(v);
}

static void test_normalize(void **state)
{
    expect_normal(CW_GEO_POINT, "[1, 2]", "[1.0,2.0]");
    expect_normal(CW_GEO_POINT, "[\"1.5\", -2.25]", "[1.5,-2.25]");
    expect_normal(CW_GEO_POINT, "\"POINT(3 4)\"", "[3.0,4.0]");
    expect_normal(CW_GEO_POINT, "[1]", NULL);
    expect_normal(CW_GEO_LINESTRING, "[[0, 0], [1, 1]]", "[[0.0,0.0],[1.0,1.0]]");
    expect_normal(CW_GEO_POLYGON, "[[0, 0], [0, 1], [1, 1], [0, 0]]",
                  "[[[0.0,0.0],[0.0,1.0],[1.0,1.0],[0.0,0.0]]]");
    expect_normal(CW_GEO_POLYGON, "\"POLYGON((0 0, 0 2, 2 2, 0 0), (0.5 1, 1 1.5, 1 1, 0.5 1))\"",
                  "[[[0.0,0.0],[0.0,2.0],[2.0,2.0],[0.0,0.0]],[[0.5,1.0],[1.0,1.5],[1.0,1.0],[0.5,"
                  "1.0]]]");
}

static void test_blobs(void **state)
{
    static const struct {
        cw_geo_type_t t;
        const char *json;
    } cases[] = {
        {CW_GEO_POINT, "[1.5,-2.25]"},
        {CW_GEO_LINESTRING, "[[0.0,0.0],[1.0,1.0],[2.0,0.5]]"},
        {CW_GEO_POLYGON, "[[[0.0,0.0],[0.0,9.0],[9.0,9.0],[0.0,0.0]],[[1.0,1.0],[1.0,2.0],[2.0,"
                         "2.0],[1.0,1.0]]]"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *v = J(cases[i].json);
        unsigned char *blob = NULL;
        size_t len = 0;
        assert_int_equal(cw_spatial_blob(cases[i].t, v, &blob, &len), 0);
        json_t *back = cw_spatial_json(blob, len);
        assert_non_null(back);
        assert_true(json_equal(back, v));
        double box[4];
        assert_int_equal(cw_spatial_blob_mbr(blob, len, box), 0);
        if (cases[i].t == CW_GEO_POLYGON) {
            assert_true(box[0] == 0 && box[1] == 0 && box[2] == 9 && box[3] == 9);
        }
        free(blob);
        json_decref(back);
        json_decref(v);
    }
    json_t *bad = J("[[1.0],[2.0,3.0]]");
    unsigned char *blob = NULL;
    size_t len = 0;
    assert_int_equal(cw_spatial_blob(CW_GEO_LINESTRING, bad, &blob, &len), -1);
    json_decref(bad);
    assert_null(cw_spatial_json((const unsigned char *)"nope", 4));
}

static void test_query_shapes(void **state)
{
    static const struct {
        const char *json;
        cw_geo_type_t want;
    } cases[] = {
        {"[1, 2]", CW_GEO_POINT},
        {"[[1, 2], [3, 4]]", CW_GEO_LINESTRING},
        {"[[[0, 0], [0, 1], [1, 1], [0, 0]]]", CW_GEO_POLYGON},
        {"[[0, 0], [0, 1], [1, 1], [0, 0]]", CW_GEO_LINESTRING}, /* a bare ring is a line here */
        {"[[[0, 0], [0, 1], [1, 1]]]", CW_GEO_POLYGON},          /* not closed: GEOS decides */
        {"[500, 2]", CW_GEO_POINT},                              /* no range check */
        {"[]", CW_GEO_NONE},
        {"[1, 2, 3]", CW_GEO_NONE},
        {"[[1, 2], [3]]", CW_GEO_NONE},
        {"\"POINT(1 2)\"", CW_GEO_NONE},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *v = J(cases[i].json);
        unsigned char *blob = NULL;
        size_t len = 0;
        cw_geo_type_t t = CW_GEO_NONE;
        char msg[200] = "";
        int rc = cw_spatial_query_blob(v, &blob, &len, &t, msg, sizeof(msg));
        if (cases[i].want == CW_GEO_NONE) {
            assert_int_equal(rc, -1);
            assert_true(msg[0] != '\0');
        } else {
            if (rc != 0)
                fail_msg("%s: %s", cases[i].json, msg);
            assert_int_equal(t, cases[i].want);
            free(blob);
        }
        json_decref(v);
    }
}

/* SQL functions ----------------------------------------------------------------------------- */

static void bind_geo(sqlite3_stmt *st, int i, cw_geo_type_t t, const char *json)
{
    json_t *v = J(json);
    unsigned char *blob = NULL;
    size_t len = 0;
    assert_int_equal(cw_spatial_blob(t, v, &blob, &len), 0);
    sqlite3_bind_blob(st, i, blob, (int)len, free);
    json_decref(v);
}

/* The value of `expr` over ?1 (of type t1) and ?2 (t2), as text ("NULL" for null). */
static void expect_sql(sqlite3 *db, const char *expr, cw_geo_type_t t1, const char *g1,
                       cw_geo_type_t t2, const char *g2, const char *want)
{
    char sql[256];
    snprintf(sql, sizeof(sql), "SELECT %s", expr);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    if (g1 != NULL)
        bind_geo(st, 1, t1, g1);
    if (g2 != NULL)
        bind_geo(st, 2, t2, g2);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    char got[64];
    if (sqlite3_column_type(st, 0) == SQLITE_NULL)
        snprintf(got, sizeof(got), "NULL");
    else if (sqlite3_column_type(st, 0) == SQLITE_FLOAT)
        snprintf(got, sizeof(got), "%.3f", sqlite3_column_double(st, 0));
    else
        snprintf(got, sizeof(got), "%s", sqlite3_column_text(st, 0));
    if (strcmp(got, want) != 0)
        fail_msg("%s over %s, %s: got %s, want %s", expr, g1 ? g1 : "null", g2 ? g2 : "null", got,
                 want);
    sqlite3_finalize(st);
}

static void test_sql_functions(void **state)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_int_equal(cw_spatial_sqlite_register(db), SQLITE_OK);
    const cw_geo_type_t P = CW_GEO_POINT, L = CW_GEO_LINESTRING, G = CW_GEO_POLYGON;
    const char *square = "[[[0,0],[0,2],[2,2],[2,0],[0,0]]]";
    expect_sql(db, "cw_geo_intersects(?1, ?2)", P, "[1,1]", G, square, "1");
    expect_sql(db, "cw_geo_intersects(?1, ?2)", P, "[3,3]", G, square, "0");
    expect_sql(db, "cw_geo_intersects(?1, ?2)", P, NULL, G, square, "NULL");
    expect_sql(db, "cw_geo_intersects(?1, 'text')", P, "[1,1]", P, NULL, "NULL");
    expect_sql(db, "cw_geo_touches(?1, ?2)", P, "[0,1]", G, square, "1");
    expect_sql(db, "cw_geo_touches(?1, ?2)", P, "[1,1]", G, square, "0");
    expect_sql(db, "cw_geo_crosses(?1, ?2)", L, "[[0,0],[2,2]]", L, "[[0,2],[2,0]]", "1");
    expect_sql(db, "cw_geo_crosses(?1, ?2)", L, "[[0,0],[1,0]]", L, "[[0,2],[2,2]]", "0");
    expect_sql(db, "cw_geo_overlaps(?1, ?2)", G, square, G, "[[[1,1],[1,3],[3,3],[3,1],[1,1]]]",
               "1");
    expect_sql(db, "cw_geo_overlaps(?1, ?2)", G, square, G, "[[[5,5],[5,6],[6,6],[5,5]]]", "0");
    expect_sql(db, "cw_geo_contains(?1, ?2)", G, square, P, "[1,1]", "1");
    expect_sql(db, "cw_geo_contains(?1, ?2)", P, "[1,1]", G, square, "0");
    expect_sql(db, "cw_geo_equals(?1, ?2)", P, "[1,1]", P, "[1,1]", "1");
    expect_sql(db, "cw_geo_equals(?1, ?2)", P, "[1,1]", P, "[1,2]", "0");
    expect_sql(db, "cw_geo_distance(?1, ?2)", P, "[0,0]", P, "[3,4]", "5.000");
    expect_sql(db, "cw_geo_distance(?1, ?2)", P, "[0,3]", G, square, "1.000");
    /* Two degrees of latitude on a sphere of 6371 km, as MariaDB's ST_Distance_Sphere. */
    expect_sql(db, "cw_geo_distance_sphere(?1, ?2)", P, "[0,0]", P, "[0,2]", "222389.853");
    expect_sql(db, "cw_geo_distance_sphere(?1, ?2)", P, "[151,-33]", P, "[20,10]", "14402680.561");
    expect_sql(db, "cw_geo_distance_sphere(?1, ?2)", P, "[0,0]", L, "[[0,1],[1,1]]", "NULL");
    expect_sql(db, "cw_geo_mbr(?1, 0) || ',' || cw_geo_mbr(?1, 3)", G, square, P, NULL, "0.0,2.0");
    expect_sql(db, "cw_geo_mbr(?1, 7)", G, square, P, NULL, "NULL");
    /* A ring GEOS will not take matches nothing, either way. */
    expect_sql(db, "cw_geo_intersects(?1, ?2)", P, "[0,0]", G, "[[[0,0],[0,1],[1,1]]]", "NULL");
    sqlite3_close(db);
}

/* The document database ---------------------------------------------------------------------- */

typedef struct fixture {
    char dir[64];
    cw_db_t *db;
} fixture_t;

static const char *const key_roles[] = {"any", NULL};
static const cw_db_actor_t KEY = {.is_key = true, .roles = key_roles};

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof(f->dir), "/tmp/cwrite-spatial-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    cw_db_error_t err = {0};
    assert_int_equal(cw_db_open(f->dir, "proj1", &f->db, &err), 0);
    json_t *out = NULL;
    assert_int_equal(cw_db_database_create(f->db, "db", "Main", true, "legacy", &out, &err), 0);
    json_decref(out);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    cw_db_close(f->db);
    nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

#define EXPECT_ERR(call, want)                                                                     \
    do {                                                                                           \
        cw_db_error_t e_ = {0};                                                                    \
        cw_db_error_t *err_ = &e_;                                                                 \
        (void)err_;                                                                                \
        int rc_ = (call);                                                                          \
        if (rc_ == 0 || e_.type != (want))                                                         \
            print_error("%s:%d: rc=%d type=%d (want %d) message=%s\n", __FILE__, __LINE__, rc_,    \
                        (int)e_.type, (int)(want), e_.message);                                    \
        assert_int_not_equal(rc_, 0);                                                              \
        assert_int_equal(e_.type, (want));                                                         \
    } while (0)

#define EXPECT_OK(call)                                                                            \
    do {                                                                                           \
        cw_db_error_t e_ = {0};                                                                    \
        cw_db_error_t *err_ = &e_;                                                                 \
        (void)err_;                                                                                \
        int rc_ = (call);                                                                          \
        if (rc_ != 0)                                                                              \
            print_error("%s:%d: type=%d message=%s\n", __FILE__, __LINE__, (int)e_.type,           \
                        e_.message);                                                               \
        assert_int_equal(rc_, 0);                                                                  \
    } while (0)

static void make_coll(cw_db_t *db, const char *id)
{
    json_t *out = NULL;
    EXPECT_OK(cw_db_collection_create(db, CW_DB_FAMILY_COLLECTIONS, "db", id, id, NULL, false, true,
                                      &out, err_));
    json_decref(out);
}

static json_t *attr(cw_db_t *db, const char *cid, const char *spec)
{
    json_t *s = J(spec), *out = NULL;
    EXPECT_OK(cw_db_attribute_create(db, CW_DB_FAMILY_COLLECTIONS, "db", cid, s, &out, err_));
    json_decref(s);
    return out;
}

static void make_doc(cw_db_t *db, const char *cid, const char *id, const char *data)
{
    json_t *d = J(data), *out = NULL;
    EXPECT_OK(cw_db_document_create(db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", cid, id, d, NULL,
                                    &out, err_));
    json_decref(out);
    json_decref(d);
}

static void make_index(cw_db_t *db, const char *cid, const char *key, const char *type,
                       const char *attrs)
{
    json_t *a = J(attrs), *out = NULL;
    EXPECT_OK(cw_db_index_create(db, CW_DB_FAMILY_COLLECTIONS, "db", cid, key, type, a, NULL, NULL,
                                 &out, err_));
    json_decref(out);
    json_decref(a);
}

/* The sorted $ids one query matches, joined with commas, or "!<error type>". */
static void ids_of(cw_db_t *db, const char *cid, const char *query, char *buf, size_t size)
{
    json_t *qs = json_array(), *out = NULL;
    json_array_append_new(qs, json_string(query));
    json_array_append_new(qs, json_string("{\"method\":\"limit\",\"values\":[1000]}"));
    cw_db_error_t err = {0};
    buf[0] = '\0';
    if (cw_db_document_list(db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", cid, qs, true, &out, &err) !=
        0) {
        snprintf(buf, size, "!%d %s", (int)err.type, err.message);
        json_decref(qs);
        return;
    }
    const char *ids[512];
    size_t n = 0, i;
    json_t *d;
    json_array_foreach(json_object_get(out, "documents"), i, d)
    {
        if (n < 512)
            ids[n++] = json_string_value(json_object_get(d, "$id"));
    }
    for (size_t a = 1; a < n; a++) {
        for (size_t b = a; b > 0 && strcmp(ids[b - 1], ids[b]) > 0; b--) {
            const char *t = ids[b];
            ids[b] = ids[b - 1];
            ids[b - 1] = t;
        }
    }
    size_t o = 0;
    for (size_t k = 0; k < n && o < size; k++)
        o += (size_t)snprintf(buf + o, size - o, "%s%s", k ? "," : "", ids[k]);
    assert_int_equal(json_integer_value(json_object_get(out, "total")), (json_int_t)n);
    json_decref(out);
    json_decref(qs);
}

static void expect_ids(cw_db_t *db, const char *cid, const char *query, const char *want)
{
    char got[1024];
    ids_of(db, cid, query, got, sizeof(got));
    if (strcmp(got, want) != 0)
        fail_msg("%s: got [%s], want [%s]", query, got, want);
}

static void test_attributes_and_documents(void **state)
{
    fixture_t *f = *state;
    cw_db_t *db = f->db;
    json_t *out;
    make_coll(db, "c");
    out = attr(db, "c", "{\"type\":\"point\",\"key\":\"at\",\"required\":false,\"default\":[1,2]}");
    assert_string_equal(json_string_value(json_object_get(out, "type")), "point");
    json_t *want = J("[1.0,2.0]");
    assert_true(json_equal(json_object_get(out, "default"), want));
    json_decref(want);
    json_decref(out);
    json_decref(attr(db, "c", "{\"type\":\"line\",\"key\":\"path\",\"required\":false}"));
    json_decref(attr(db, "c", "{\"type\":\"polygon\",\"key\":\"zone\",\"required\":false}"));
    json_t *s = J("{\"type\":\"polygon\",\"key\":\"bad\",\"required\":false,\"default\":[[0,0]]}");
    EXPECT_ERR(cw_db_attribute_create(db, CW_DB_FAMILY_COLLECTIONS, "db", "c", s, &out, err_),
               CW_ERR_GENERAL_ARGUMENT_INVALID);
    json_decref(s);
    s = J("{\"type\":\"point\",\"key\":\"many\",\"required\":false,\"array\":true}");
    EXPECT_ERR(cw_db_attribute_create(db, CW_DB_FAMILY_COLLECTIONS, "db", "c", s, &out, err_),
               CW_ERR_GENERAL_ARGUMENT_INVALID);
    json_decref(s);

    /* Defaults fill in; values come back as reals; WKT is taken and returned as arrays. */
    json_t *d = J("{\"path\":[[0,0],[1,1]],\"zone\":\"POLYGON((0 0, 0 1, 1 1, 0 0))\"}");
    EXPECT_OK(cw_db_document_create(db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "a", d, NULL,
                                    &out, err_));
    json_decref(d);
    want = J("{\"at\":[1.0,2.0],\"path\":[[0.0,0.0],[1.0,1.0]],"
             "\"zone\":[[[0.0,0.0],[0.0,1.0],[1.0,1.0],[0.0,0.0]]]}");
    const char *k;
    json_t *v;
    json_object_foreach(want, k, v)
    {
        assert_true(json_equal(json_object_get(out, k), v));
    }
    json_decref(out);
    EXPECT_OK(
        cw_db_document_get(db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "a", NULL, &out, err_));
    json_object_foreach(want, k, v)
    {
        assert_true(json_equal(json_object_get(out, k), v));
    }
    json_decref(out);
    json_decref(want);

    d = J("{\"zone\":[[[0,0],[0,1],[1,1]]]}");
    cw_db_error_t e = {0};
    assert_int_not_equal(cw_db_document_create(db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "b",
                                               d, NULL, &out, &e),
                         0);
    assert_int_equal(e.type, CW_ERR_DOCUMENT_INVALID_STRUCTURE);
    assert_string_equal(e.message, "Invalid document structure: Attribute \"zone\" has invalid "
                                   "type. Value must be a valid polygon: Ring #0 must contain at "
                                   "least 4 points to form a closed polygon");
    json_decref(d);
    d = J("{\"at\":null}");
    EXPECT_OK(cw_db_document_create(db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "c", "b", d, NULL,
                                    &out, err_));
    want = J("[1.0,2.0]");
    assert_true(json_equal(json_object_get(out, "at"), want)); /* null takes the default */
    json_decref(want);
    assert_true(json_is_null(json_object_get(out, "path")));
    json_decref(out);
    json_decref(d);

    /* A required geometry cannot be added to a collection that holds documents. */
    s = J("{\"type\":\"point\",\"key\":\"must\",\"required\":true}");
    EXPECT_ERR(cw_db_attribute_create(db, CW_DB_FAMILY_COLLECTIONS, "db", "c", s, &out, err_),
               CW_ERR_DOCUMENT_INVALID_STRUCTURE);
    json_decref(s);

    /* Updates: the same type only, default checked and stored in its stored form. */
    s = J("{\"type\":\"line\",\"required\":false,\"default\":[[0,0],[2,2]]}");
    EXPECT_OK(
        cw_db_attribute_update(db, CW_DB_FAMILY_COLLECTIONS, "db", "c", "path", s, &out, err_));
    want = J("[[0.0,0.0],[2.0,2.0]]");
    assert_true(json_equal(json_object_get(out, "default"), want));
    json_decref(want);
    json_decref(out);
    json_decref(s);
    s = J("{\"type\":\"polygon\",\"required\":false,\"default\":null}");
    EXPECT_ERR(
        cw_db_attribute_update(db, CW_DB_FAMILY_COLLECTIONS, "db", "c", "path", s, &out, err_),
        CW_ERR_ATTRIBUTE_TYPE_INVALID);
    json_decref(s);
    s = J("{\"type\":\"line\",\"required\":false,\"default\":[[0,0]]}");
    EXPECT_ERR(
        cw_db_attribute_update(db, CW_DB_FAMILY_COLLECTIONS, "db", "c", "path", s, &out, err_),
        CW_ERR_GENERAL_ARGUMENT_INVALID);
    json_decref(s);
}

static void test_queries(void **state)
{
    fixture_t *f = *state;
    cw_db_t *db = f->db;
    make_coll(db, "q");
    json_decref(attr(db, "q", "{\"type\":\"point\",\"key\":\"at\",\"required\":false}"));
    json_decref(attr(db, "q", "{\"type\":\"line\",\"key\":\"path\",\"required\":false}"));
    json_decref(attr(db, "q", "{\"type\":\"polygon\",\"key\":\"zone\",\"required\":false}"));
    json_decref(
        attr(db, "q", "{\"type\":\"string\",\"key\":\"name\",\"size\":10,\"required\":false}"));
    make_doc(db, "q", "near", "{\"at\":[0,0]}");
    make_doc(db, "q", "mid", "{\"at\":[0,2]}");
    make_doc(db, "q", "far", "{\"at\":[50,50]}");
    make_doc(db, "q", "diag", "{\"path\":[[0,0],[2,2]]}");
    make_doc(db, "q", "flat", "{\"path\":[[0,5],[3,5]]}");
    make_doc(db, "q", "sq", "{\"zone\":[[[0,0],[0,2],[2,2],[2,0],[0,0]]]}");
    make_doc(db, "q", "away", "{\"zone\":[[[10,10],[10,11],[11,11],[10,10]]]}");

    char q[256];
#define QUERY(method, attribute, values)                                                           \
    (snprintf(q, sizeof(q), "{\"method\":\"%s\",\"attribute\":\"%s\",\"values\":[%s]}", method,    \
              attribute, values),                                                                  \
     q)
    /* Distances: meters on a sphere when the third value is true, coordinate units otherwise. */
    expect_ids(db, "q", QUERY("distanceLessThan", "at", "[[0,0],300000,true]"), "mid,near");
    expect_ids(db, "q", QUERY("distanceLessThan", "at", "[[0,0],200000,true]"), "near");
    expect_ids(db, "q", QUERY("distanceGreaterThan", "at", "[[0,0],300000,true]"), "far");
    expect_ids(db, "q", QUERY("distanceEqual", "at", "[[0,0],0,true]"), "near");
    expect_ids(db, "q", QUERY("distanceNotEqual", "at", "[[0,0],0,true]"), "far,mid");
    expect_ids(db, "q", QUERY("distanceLessThan", "at", "[[0,0],2.5,false]"), "mid,near");
    expect_ids(db, "q", QUERY("distanceEqual", "at", "[[0,0],2,false]"), "mid");
    expect_ids(db, "q", QUERY("distanceLessThan", "path", "[[1,0],1,false]"), "diag");
    expect_ids(db, "q", QUERY("distanceLessThan", "zone", "[[3,1],1.5,false]"), "sq");
    /* Predicates and their negations (a null geometry matches neither). */
    expect_ids(db, "q", QUERY("intersects", "at", "[0,0]"), "near");
    /* The same statement again with another geometry: nothing of the last one is kept. */
    expect_ids(db, "q", QUERY("intersects", "at", "[0,2]"), "mid");
    expect_ids(db, "q", QUERY("notIntersects", "at", "[0,0]"), "far,mid");
    expect_ids(db, "q", QUERY("intersects", "zone", "[[1,1],[5,5]]"), "sq");
    expect_ids(db, "q", QUERY("crosses", "path", "[[0,2],[2,0]]"), "diag");
    expect_ids(db, "q", QUERY("notCrosses", "path", "[[0,2],[2,0]]"), "flat");
    expect_ids(db, "q", QUERY("overlaps", "zone", "[[[1,1],[1,3],[3,3],[3,1],[1,1]]]"), "sq");
    expect_ids(db, "q", QUERY("notOverlaps", "zone", "[[[1,1],[1,3],[3,3],[3,1],[1,1]]]"), "away");
    expect_ids(db, "q", QUERY("touches", "zone", "[2,1]"), "sq");
    expect_ids(db, "q", QUERY("notTouches", "zone", "[2,1]"), "away");
    expect_ids(db, "q", QUERY("intersects", "at", "[[[-1,-1],[-1,3],[1,3],[1,-1],[-1,-1]]]"),
               "mid,near");
    /* equal and contains on a geometry are geometric, as on MariaDB. */
    expect_ids(db, "q", QUERY("equal", "at", "[0,2]"), "mid");
    expect_ids(db, "q", QUERY("notEqual", "at", "[0,2]"), "far,near");
    expect_ids(db, "q", QUERY("contains", "zone", "[1,1]"), "sq");
    expect_ids(db, "q", QUERY("notContains", "zone", "[1,1]"), "away");
    expect_ids(db, "q", QUERY("isNull", "zone", ""), "diag,far,flat,mid,near");
    /* Refusals. */
    char got[512];
    ids_of(db, "q", QUERY("distanceLessThan", "path", "[[0,0],10,true]"), got, sizeof(got));
    assert_non_null(
        strstr(got, "Distance in meters is not supported between linestring and point"));
    ids_of(db, "q", QUERY("intersects", "name", "[0,0]"), got, sizeof(got));
    assert_int_equal(got[0], '!');
    ids_of(db, "q", QUERY("lessThan", "at", "[0,0]"), got, sizeof(got));
    assert_non_null(strstr(got, "cannot be used on the point attribute"));
    ids_of(db, "q", QUERY("intersects", "at", "[1,2,3]"), got, sizeof(got));
    assert_int_equal(got[0], '!');
#undef QUERY
}

static void test_indexes(void **state)
{
    fixture_t *f = *state;
    cw_db_t *db = f->db;
    json_t *out = NULL;
    make_coll(db, "x");
    json_decref(attr(db, "x", "{\"type\":\"point\",\"key\":\"at\",\"required\":true}"));
    json_decref(attr(db, "x", "{\"type\":\"polygon\",\"key\":\"zone\",\"required\":false}"));
    json_decref(
        attr(db, "x", "{\"type\":\"string\",\"key\":\"name\",\"size\":10,\"required\":false}"));
    json_t *a = J("[\"zone\"]");
    EXPECT_ERR(cw_db_index_create(db, CW_DB_FAMILY_COLLECTIONS, "db", "x", "z", "spatial", a, NULL,
                                  NULL, &out, err_),
               CW_ERR_INDEX_INVALID); /* not required */
    EXPECT_ERR(cw_db_index_create(db, CW_DB_FAMILY_COLLECTIONS, "db", "x", "z", "key", a, NULL,
                                  NULL, &out, err_),
               CW_ERR_INDEX_INVALID); /* a geometry takes spatial indexes only */
    json_decref(a);
    a = J("[\"name\"]");
    EXPECT_ERR(cw_db_index_create(db, CW_DB_FAMILY_COLLECTIONS, "db", "x", "n", "spatial", a, NULL,
                                  NULL, &out, err_),
               CW_ERR_INDEX_INVALID);
    json_decref(a);
    a = J("[\"at\",\"zone\"]");
    EXPECT_ERR(cw_db_index_create(db, CW_DB_FAMILY_COLLECTIONS, "db", "x", "n", "spatial", a, NULL,
                                  NULL, &out, err_),
               CW_ERR_INDEX_INVALID);
    json_decref(a);

    /* The same points in "x", with the index, and "y", without: every query must agree. Rows
     * before the index are indexed by it, rows after by its triggers. */
    make_coll(db, "y");
    json_decref(attr(db, "y", "{\"type\":\"point\",\"key\":\"at\",\"required\":true}"));
    char id[32], data[96];
    unsigned seed = 12345;
    for (int i = 0; i < 300; i++) {
        seed = seed * 1103515245u + 12345u;
        double x = (double)(seed >> 8 & 0xffff) / 65535.0 * 360.0 - 180.0;
        seed = seed * 1103515245u + 12345u;
        double y = (double)(seed >> 8 & 0xffff) / 65535.0 * 180.0 - 90.0;
        if (i < 20) { /* some close together near the origin */
            x /= 200;
            y /= 100;
        }
        snprintf(id, sizeof(id), "p%03d", i);
        snprintf(data, sizeof(data), "{\"at\":[%.6f,%.6f]}", x, y);
        make_doc(db, "x", id, data);
        make_doc(db, "y", id, data);
        if (i == 150)
            make_index(db, "x", "at_sp", "spatial", "[\"at\"]");
    }
    make_doc(db, "x", "late", "{\"at\":[0.1,0.1]}");
    make_doc(db, "y", "late", "{\"at\":[0.1,0.1]}");
    json_t *d = J("{\"at\":[100,0]}");
    EXPECT_OK(cw_db_document_update(db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "x", "p005", d, NULL,
                                    &out, err_));
    json_decref(out);
    EXPECT_OK(cw_db_document_update(db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "y", "p005", d, NULL,
                                    &out, err_));
    json_decref(out);
    json_decref(d);
    EXPECT_OK(cw_db_document_delete(db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "x", "p006", err_));
    EXPECT_OK(cw_db_document_delete(db, CW_DB_FAMILY_COLLECTIONS, &KEY, "db", "y", "p006", err_));
    static const char *const queries[] = {
        "{\"method\":\"intersects\",\"attribute\":\"at\",\"values\":[[[[-1,-1],[-1,2],[1,2],"
        "[1,-1],[-1,-1]]]]}",
        "{\"method\":\"intersects\",\"attribute\":\"at\",\"values\":[[[[-60,-30],[-60,40],[10,"
        "40],[10,-30],[-60,-30]]]]}",
        "{\"method\":\"notIntersects\",\"attribute\":\"at\",\"values\":[[[[-60,-30],[-60,40],"
        "[10,40],[10,-30],[-60,-30]]]]}",
        "{\"method\":\"distanceLessThan\",\"attribute\":\"at\",\"values\":[[[0,0],0.5,false]]}",
        "{\"method\":\"distanceLessThan\",\"attribute\":\"at\",\"values\":[[[30,30],40,false]]}",
        "{\"method\":\"distanceLessThan\",\"attribute\":\"at\",\"values\":[[[0,0],150000,true]]}",
        "{\"method\":\"distanceLessThan\",\"attribute\":\"at\",\"values\":[[[0,0],3000000,true]]}",
        "{\"method\":\"distanceLessThan\",\"attribute\":\"at\",\"values\":[[[179,10],2000000,"
        "true]]}",
        "{\"method\":\"distanceLessThan\",\"attribute\":\"at\",\"values\":[[[40,85],1500000,"
        "true]]}",
        "{\"method\":\"distanceLessThan\",\"attribute\":\"at\",\"values\":[[[-20,-60],4000000,"
        "true]]}",
        "{\"method\":\"distanceLessThan\",\"attribute\":\"at\",\"values\":[[[10,10],12000000,"
        "true]]}",
        "{\"method\":\"distanceGreaterThan\",\"attribute\":\"at\",\"values\":[[[10,10],"
        "5000000,true]]}",
        "{\"method\":\"distanceEqual\",\"attribute\":\"at\",\"values\":[[[100,0],0,true]]}",
        "{\"method\":\"equal\",\"attribute\":\"at\",\"values\":[[0.1,0.1]]}",
        "{\"method\":\"touches\",\"attribute\":\"at\",\"values\":[[[0.1,0.1],[0.1,1]]]}",
    };
    size_t nonempty = 0;
    for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
        char with[8192], without[8192];
        ids_of(db, "x", queries[i], with, sizeof(with));
        ids_of(db, "y", queries[i], without, sizeof(without));
        if (strcmp(with, without) != 0)
            fail_msg("%s: with the index [%s], without [%s]", queries[i], with, without);
        assert_int_not_equal(with[0], '!');
        nonempty += with[0] != '\0';
    }
    assert_true(nonempty >= 12);
    expect_ids(db, "x", queries[12], "p005");
    expect_ids(db, "x", queries[13], "late");
    expect_ids(db, "x", queries[14], "late");
    /* The geometry under the index stays required; renaming and dropping carry the index. */
    json_t *s = J("{\"type\":\"point\",\"required\":false,\"default\":null}");
    EXPECT_ERR(cw_db_attribute_update(db, CW_DB_FAMILY_COLLECTIONS, "db", "x", "at", s, &out, err_),
               CW_ERR_INDEX_INVALID);
    json_decref(s);
    s = J("{\"type\":\"point\",\"required\":true,\"default\":null,\"newKey\":\"where\"}");
    EXPECT_OK(cw_db_attribute_update(db, CW_DB_FAMILY_COLLECTIONS, "db", "x", "at", s, &out, err_));
    json_decref(out);
    json_decref(s);
    make_doc(db, "x", "later", "{\"where\":[0.2,0.2]}");
    expect_ids(db, "x",
               "{\"method\":\"distanceLessThan\",\"attribute\":\"where\",\"values\":[[[0.2,0.2],"
               "0.001,false]]}",
               "later");
    EXPECT_OK(cw_db_attribute_delete(db, CW_DB_FAMILY_COLLECTIONS, "db", "x", "where", err_));
    make_doc(db, "x", "plain", "{\"name\":\"n\"}");
    EXPECT_ERR(cw_db_index_get(db, CW_DB_FAMILY_COLLECTIONS, "db", "x", "at_sp", &out, err_),
               CW_ERR_INDEX_NOT_FOUND);
    EXPECT_OK(cw_db_collection_delete(db, CW_DB_FAMILY_COLLECTIONS, "db", "x", err_));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_point_rules),
        cmocka_unit_test(test_line_and_polygon_rules),
        cmocka_unit_test(test_normalize),
        cmocka_unit_test(test_blobs),
        cmocka_unit_test(test_query_shapes),
        cmocka_unit_test(test_sql_functions),
        cmocka_unit_test_setup_teardown(test_attributes_and_documents, setup, teardown),
        cmocka_unit_test_setup_teardown(test_queries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indexes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
