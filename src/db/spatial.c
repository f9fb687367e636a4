/*
 * Point, linestring and polygon values: utopia's validation rules, the stored JSON form, and
 * SpatiaLite geometry BLOBs. The geometry itself (BLOB encoding, WKT parsing, the GEOS
 * predicates, distances) is libspatialite's; this file only moves values between JSON and its
 * structures.
 */
#include "db/spatial.h"

#include <ctype.h>
#include <dlfcn.h>
#include <math.h>
#include <pthread.h>
#include <spatialite.h>
#include <spatialite/gaiageo.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/log.h"

/* Library and names -------------------------------------------------------------------------- */

/* SpatiaLite (with GEOS and PROJ behind it) is loaded on first use, not at start: linked in, its
 * libraries alone took the idle server from about 10 MB to 20 MB of resident memory, and most
 * projects never store a geometry. Every call below goes through this table. */
#define SPL_FUNCS(X) \
    X(gaiaAddInteriorRing) \
    X(gaiaAddLinestringToGeomColl) \
    X(gaiaAddPointToGeomColl) \
    X(gaiaAddPolygonToGeomColl) \
    X(gaiaAllocGeomColl) \
    X(gaiaFreeGeomColl) \
    X(gaiaFromSpatiaLiteBlobWkb) \
    X(gaiaGeomCollDistance_r) \
    X(gaiaGeomCollEquals_r) \
    X(gaiaGeomCollPreparedContains) \
    X(gaiaGeomCollPreparedCrosses) \
    X(gaiaGeomCollPreparedIntersects) \
    X(gaiaGeomCollPreparedOverlaps) \
    X(gaiaGeomCollPreparedTouches) \
    X(gaiaGeometryType) \
    X(gaiaGetMbrMaxX) \
    X(gaiaGetMbrMaxY) \
    X(gaiaGetMbrMinX) \
    X(gaiaGetMbrMinY) \
    X(gaiaGreatCircleDistance) \
    X(gaiaParseWkt) \
    X(gaiaToSpatiaLiteBlobWkb) \
    X(spatialite_alloc_connection) \
    X(spatialite_cleanup_ex) \
    X(spatialite_initialize) \
    X(spatialite_set_silent_mode)

#define SPL_FIELD(n) __typeof__(n) *n;
typedef struct spl {
    SPL_FUNCS(SPL_FIELD)
} spl_t;

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static spl_t spl;

static void library_init(void)
{
    void *h = dlopen("libspatialite.so.7", RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        cw_log(CW_LOG_ERROR, "msg=\"cannot load SpatiaLite; run scripts/deps.sh\" error=\"%s\"",
               dlerror());
        abort();
    }
#define SPL_LOAD(n)                                                                                \
    spl.n = (__typeof__(n) *)dlsym(h, #n);                                                          \
    if (spl.n == NULL) {                                                                           \
        cw_log(CW_LOG_ERROR, "msg=\"SpatiaLite lacks a function\" name=%s", #n);                   \
        abort();                                                                                   \
    }
    SPL_FUNCS(SPL_LOAD)
#undef SPL_LOAD
    /* Once per process, before any connection cache is made: spatialite_initialize is not safe
     * to race. */
    spl.spatialite_initialize();
}

static const spl_t *spl_get(void)
{
    pthread_once(&init_once, library_init);
    return &spl;
}

#define gaiaAddInteriorRing (*spl_get()->gaiaAddInteriorRing)
#define gaiaAddLinestringToGeomColl (*spl_get()->gaiaAddLinestringToGeomColl)
#define gaiaAddPointToGeomColl (*spl_get()->gaiaAddPointToGeomColl)
#define gaiaAddPolygonToGeomColl (*spl_get()->gaiaAddPolygonToGeomColl)
#define gaiaAllocGeomColl (*spl_get()->gaiaAllocGeomColl)
#define gaiaFreeGeomColl (*spl_get()->gaiaFreeGeomColl)
#define gaiaFromSpatiaLiteBlobWkb (*spl_get()->gaiaFromSpatiaLiteBlobWkb)
#define gaiaGeomCollDistance_r (*spl_get()->gaiaGeomCollDistance_r)
#define gaiaGeomCollEquals_r (*spl_get()->gaiaGeomCollEquals_r)
#define gaiaGeomCollPreparedContains (*spl_get()->gaiaGeomCollPreparedContains)
#define gaiaGeomCollPreparedCrosses (*spl_get()->gaiaGeomCollPreparedCrosses)
#define gaiaGeomCollPreparedIntersects (*spl_get()->gaiaGeomCollPreparedIntersects)
#define gaiaGeomCollPreparedOverlaps (*spl_get()->gaiaGeomCollPreparedOverlaps)
#define gaiaGeomCollPreparedTouches (*spl_get()->gaiaGeomCollPreparedTouches)
#define gaiaGeometryType (*spl_get()->gaiaGeometryType)
#define gaiaGetMbrMaxX (*spl_get()->gaiaGetMbrMaxX)
#define gaiaGetMbrMaxY (*spl_get()->gaiaGetMbrMaxY)
#define gaiaGetMbrMinX (*spl_get()->gaiaGetMbrMinX)
#define gaiaGetMbrMinY (*spl_get()->gaiaGetMbrMinY)
#define gaiaGreatCircleDistance (*spl_get()->gaiaGreatCircleDistance)
#define gaiaParseWkt (*spl_get()->gaiaParseWkt)
#define gaiaToSpatiaLiteBlobWkb (*spl_get()->gaiaToSpatiaLiteBlobWkb)
#define spatialite_alloc_connection (*spl_get()->spatialite_alloc_connection)
#define spatialite_cleanup_ex (*spl_get()->spatialite_cleanup_ex)
#define spatialite_initialize (*spl_get()->spatialite_initialize)
#define spatialite_set_silent_mode (*spl_get()->spatialite_set_silent_mode)

cw_geo_type_t cw_spatial_attr_type(const cw_attr_t *a)
{
    switch (a->type) {
    case CW_ATTR_POINT:
        return CW_GEO_POINT;
    case CW_ATTR_LINE:
        return CW_GEO_LINESTRING;
    case CW_ATTR_POLYGON:
        return CW_GEO_POLYGON;
    default:
        return CW_GEO_NONE;
    }
}

const char *cw_spatial_type_name(cw_geo_type_t t)
{
    switch (t) {
    case CW_GEO_POINT:
        return "point";
    case CW_GEO_LINESTRING:
        return "linestring";
    case CW_GEO_POLYGON:
        return "polygon";
    default:
        return "geometry";
    }
}

/* PHP's view of values ----------------------------------------------------------------------- */

static bool php_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* is_numeric(): integers, floats, and strings holding a decimal number (PHP 8 allows blanks
 * around it); *out receives the number as (float) would give it. */
static bool php_numeric(const json_t *v, double *out)
{
    if (json_is_integer(v)) {
        *out = (double)json_integer_value(v);
        return true;
    }
    if (json_is_real(v)) {
        *out = json_real_value(v);
        return true;
    }
    if (!json_is_string(v))
        return false;
    const char *s = json_string_value(v);
    size_t n = json_string_length(v), i = 0, digits = 0;
    while (i < n && php_space(s[i]))
        i++;
    size_t start = i;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    while (i < n && isdigit((unsigned char)s[i])) {
        i++;
        digits++;
    }
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && isdigit((unsigned char)s[i])) {
            i++;
            digits++;
        }
    }
    if (digits == 0)
        return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t e = i + 1;
        if (e < n && (s[e] == '+' || s[e] == '-'))
            e++;
        if (e < n && isdigit((unsigned char)s[e])) {
            while (e < n && isdigit((unsigned char)s[e]))
                e++;
            i = e;
        }
    }
    size_t end = i;
    while (i < n && php_space(s[i]))
        i++;
    if (i != n)
        return false;
    char buf[128];
    if (end - start >= sizeof(buf)) {
        /* Absurdly long but numeric: its value is what the first digits make it, or beyond. */
        char *tmp = cw_strndup(s + start, end - start);
        *out = strtod(tmp, NULL);
        free(tmp);
        return true;
    }
    memcpy(buf, s + start, end - start);
    buf[end - start] = '\0';
    *out = strtod(buf, NULL);
    return true;
}

/* A float as PHP 8 turns it into a string (precision 14): 200, 180.5, 1.0E+20. */
static void php_float(double x, char *out, size_t size)
{
    if (isinf(x)) {
        snprintf(out, size, "%s", x < 0 ? "-INF" : "INF");
        return;
    }
    char tmp[64];
    snprintf(tmp, sizeof(tmp), "%.14G", x);
    char *e = strchr(tmp, 'E');
    if (e == NULL) {
        snprintf(out, size, "%s", tmp);
        return;
    }
    /* Mantissa with a decimal point, exponent without leading zeros. */
    char mant[32];
    size_t ml = (size_t)(e - tmp);
    memcpy(mant, tmp, ml);
    mant[ml] = '\0';
    const char *x_exp = e + 1;
    char sign = '+';
    if (*x_exp == '+' || *x_exp == '-')
        sign = *x_exp++;
    while (*x_exp == '0' && x_exp[1] != '\0')
        x_exp++;
    snprintf(out, size, "%s%sE%c%s", mant, strchr(mant, '.') != NULL ? "" : ".0", sign, x_exp);
}

/* Validation --------------------------------------------------------------------------------- */

typedef struct vmsg {
    char text[256];
} vmsg_t;

static bool vfail(vmsg_t *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool vfail(vmsg_t *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->text, sizeof(m->text), fmt, ap);
    va_end(ap);
    return false;
}

static bool coordinate_ok(double x, double y, vmsg_t *m)
{
    char s[64];
    if (x < -180 || x > 180) {
        php_float(x, s, sizeof(s));
        return vfail(m, "Longitude (x) must be between -180 and 180, got %s", s);
    }
    if (y < -90 || y > 90) {
        php_float(y, s, sizeof(s));
        return vfail(m, "Latitude (y) must be between -90 and 90, got %s", s);
    }
    return true;
}

static bool point_ok(const json_t *v, vmsg_t *m)
{
    double x, y;
    if (json_array_size(v) != 2)
        return vfail(m, "Point must be an array of two numeric values [x, y]");
    if (!php_numeric(json_array_get(v, 0), &x) || !php_numeric(json_array_get(v, 1), &y))
        return vfail(m, "Point coordinates must be numeric values");
    return coordinate_ok(x, y, m);
}

static bool linestring_ok(const json_t *v, vmsg_t *m)
{
    if (json_array_size(v) < 2)
        return vfail(m, "LineString must contain at least two points");
    size_t i;
    const json_t *p;
    json_array_foreach(v, i, p)
    {
        double x, y;
        if (!json_is_array(p) || json_array_size(p) != 2)
            return vfail(m, "Each point in LineString must be an array of two values [x, y]");
        if (!php_numeric(json_array_get(p, 0), &x) || !php_numeric(json_array_get(p, 1), &y))
            return vfail(m, "Each point in LineString must have numeric coordinates");
        vmsg_t inner;
        if (!coordinate_ok(x, y, &inner))
            return vfail(m, "Invalid coordinates at point #%zu: %s", i, inner.text);
    }
    return true;
}

/* A polygon given as one ring, [[x, y], ...], rather than as its array of rings. */
static bool single_ring(const json_t *v)
{
    const json_t *first = json_array_get(v, 0);
    double x, y;
    return json_is_array(first) && json_array_size(first) == 2 &&
           php_numeric(json_array_get(first, 0), &x) && php_numeric(json_array_get(first, 1), &y);
}

static bool ring_ok(const json_t *ring, size_t r, vmsg_t *m)
{
    if (!json_is_array(ring) || json_array_size(ring) == 0)
        return vfail(m, "Ring #%zu must be an array of points", r);
    size_t n = json_array_size(ring);
    if (n < 4)
        return vfail(m, "Ring #%zu must contain at least 4 points to form a closed polygon", r);
    size_t i;
    const json_t *p;
    json_array_foreach(ring, i, p)
    {
        double x, y;
        if (!json_is_array(p) || json_array_size(p) != 2)
            return vfail(m, "Point #%zu in ring #%zu must be an array of two values [x, y]", i, r);
        if (!php_numeric(json_array_get(p, 0), &x) || !php_numeric(json_array_get(p, 1), &y))
            return vfail(m, "Coordinates of point #%zu in ring #%zu must be numeric", i, r);
        vmsg_t inner;
        if (!coordinate_ok(x, y, &inner))
            return vfail(m, "Invalid coordinates at point #%zu in ring #%zu: %s", i, r, inner.text);
    }
    /* PHP compares the two points with !==: the same values of the same JSON types. */
    if (!json_equal(json_array_get(ring, 0), json_array_get(ring, n - 1)))
        return vfail(m, "Ring #%zu must be closed (first point must equal last point)", r);
    return true;
}

static bool polygon_ok(const json_t *v, vmsg_t *m)
{
    if (json_array_size(v) == 0)
        return vfail(m, "Polygon must contain at least one ring");
    if (single_ring(v))
        return ring_ok(v, 0, m);
    size_t r;
    const json_t *ring;
    json_array_foreach(v, r, ring)
    {
        if (!ring_ok(ring, r, m))
            return false;
    }
    return true;
}

static bool array_ok(cw_geo_type_t t, const json_t *v, vmsg_t *m)
{
    switch (t) {
    case CW_GEO_POINT:
        return point_ok(v, m);
    case CW_GEO_LINESTRING:
        return linestring_ok(v, m);
    case CW_GEO_POLYGON:
        return polygon_ok(v, m);
    default:
        return vfail(m, "Unknown spatial type: %s", cw_spatial_type_name(t));
    }
}

/* utopia's Spatial::isWKTString: after trimming, a geometry name and an opening parenthesis. */
static bool wkt_prefix(const char *s, size_t n)
{
    static const char *const names[] = {"POINT", "LINESTRING", "POLYGON"};
    while (n > 0 && (php_space(*s) || *s == '\0')) {
        s++;
        n--;
    }
    for (size_t k = 0; k < 3; k++) {
        size_t len = strlen(names[k]);
        if (n < len || strncasecmp(s, names[k], len) != 0)
            continue;
        size_t i = len;
        while (i < n && php_space(s[i]))
            i++;
        return i < n && s[i] == '(';
    }
    return false;
}

static json_t *geom_json(gaiaGeomCollPtr g);

/* WKT text of type t parsed into the stored form, or NULL. */
static json_t *wkt_json(cw_geo_type_t t, const json_t *v)
{
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (memchr(s, '\0', n) != NULL)
        return NULL;
    gaiaGeomCollPtr g = gaiaParseWkt((const unsigned char *)s, -1);
    if (g == NULL)
        return NULL;
    json_t *out = gaiaGeometryType(g) == (int)t ? geom_json(g) : NULL;
    gaiaFreeGeomColl(g);
    return out;
}

bool cw_spatial_valid(cw_geo_type_t t, const json_t *v, char *rule, size_t size)
{
    vmsg_t m = {{0}};
    bool ok;
    if (json_is_string(v)) {
        ok = wkt_prefix(json_string_value(v), json_string_length(v));
        if (ok) {
            /* utopia takes any text with the right start and leaves the rest to the database;
             * here it must parse as this type, with coordinates in range. */
            json_t *parsed = wkt_json(t, v);
            ok = parsed != NULL ? array_ok(t, parsed, &m)
                                : vfail(&m, "WKT text is not a valid %s", cw_spatial_type_name(t));
            json_decref(parsed);
        }
    } else if (json_is_array(v)) {
        ok = array_ok(t, v, &m);
    } else {
        ok = vfail(&m, "Spatial value must be array or WKT string");
    }
    if (!ok && rule != NULL)
        snprintf(rule, size, "Value must be a valid %s: %s", cw_spatial_type_name(t), m.text);
    return ok;
}

/* The stored form -------------------------------------------------------------------------- */

static json_t *xy_json(const json_t *p)
{
    double x = 0, y = 0;
    php_numeric(json_array_get(p, 0), &x);
    php_numeric(json_array_get(p, 1), &y);
    json_t *o = json_array();
    json_array_append_new(o, json_real(x));
    json_array_append_new(o, json_real(y));
    return o;
}

static json_t *points_json(const json_t *pts)
{
    json_t *o = json_array();
    size_t i;
    const json_t *p;
    json_array_foreach(pts, i, p)
    {
        json_array_append_new(o, xy_json(p));
    }
    return o;
}

json_t *cw_spatial_normalize(cw_geo_type_t t, const json_t *v)
{
    if (!cw_spatial_valid(t, v, NULL, 0))
        return NULL;
    if (json_is_string(v))
        return wkt_json(t, v);
    switch (t) {
    case CW_GEO_POINT:
        return xy_json(v);
    case CW_GEO_LINESTRING:
        return points_json(v);
    case CW_GEO_POLYGON: {
        json_t *o = json_array();
        if (single_ring(v)) {
            json_array_append_new(o, points_json(v));
            return o;
        }
        size_t r;
        const json_t *ring;
        json_array_foreach(v, r, ring)
        {
            json_array_append_new(o, points_json(ring));
        }
        return o;
    }
    default:
        return NULL;
    }
}

/* Geometry and BLOBs ----------------------------------------------------------------------- */

static bool xy_of(const json_t *p, double *x, double *y)
{
    return json_is_array(p) && json_array_size(p) == 2 && php_numeric(json_array_get(p, 0), x) &&
           php_numeric(json_array_get(p, 1), y);
}

static bool fill_coords(double *coords, const json_t *pts)
{
    size_t i;
    const json_t *p;
    json_array_foreach(pts, i, p)
    {
        double x, y;
        if (!xy_of(p, &x, &y))
            return false;
        gaiaSetPoint(coords, i, x, y);
    }
    return true;
}

static bool all_arrays(const json_t *v)
{
    size_t i;
    const json_t *e;
    json_array_foreach(v, i, e)
    {
        if (!json_is_array(e))
            return false;
    }
    return true;
}

/* A new geometry of type t from coordinates in arrays (rings as arrays of points), or NULL. */
static gaiaGeomCollPtr geom_from_json(cw_geo_type_t t, const json_t *v)
{
    gaiaGeomCollPtr g = gaiaAllocGeomColl();
    g->Srid = CW_SPATIAL_SRID;
    bool ok = json_is_array(v);
    switch (t) {
    case CW_GEO_POINT: {
        double x, y;
        g->DeclaredType = GAIA_POINT;
        ok = ok && xy_of(v, &x, &y);
        if (ok)
            gaiaAddPointToGeomColl(g, x, y);
        break;
    }
    case CW_GEO_LINESTRING:
        g->DeclaredType = GAIA_LINESTRING;
        ok = ok && json_array_size(v) > 0;
        if (ok)
            ok = fill_coords(gaiaAddLinestringToGeomColl(g, (int)json_array_size(v))->Coords, v);
        break;
    case CW_GEO_POLYGON: {
        g->DeclaredType = GAIA_POLYGON;
        size_t nrings = json_array_size(v);
        ok = ok && nrings > 0 && all_arrays(v);
        for (size_t r = 0; ok && r < nrings; r++)
            ok = json_array_size(json_array_get(v, r)) > 0;
        if (!ok)
            break;
        const json_t *ext = json_array_get(v, 0);
        gaiaPolygonPtr pg = gaiaAddPolygonToGeomColl(g, (int)json_array_size(ext), (int)nrings - 1);
        ok = fill_coords(pg->Exterior->Coords, ext);
        for (size_t r = 1; ok && r < nrings; r++) {
            const json_t *ring = json_array_get(v, r);
            gaiaRingPtr in = gaiaAddInteriorRing(pg, (int)r - 1, (int)json_array_size(ring));
            ok = fill_coords(in->Coords, ring);
        }
        break;
    }
    default:
        ok = false;
        break;
    }
    if (!ok) {
        gaiaFreeGeomColl(g);
        return NULL;
    }
    return g;
}

static int geom_blob(gaiaGeomCollPtr g, unsigned char **blob, size_t *len)
{
    unsigned char *b = NULL;
    int n = 0;
    gaiaToSpatiaLiteBlobWkb(g, &b, &n);
    gaiaFreeGeomColl(g);
    if (b == NULL || n <= 0) {
        free(b);
        return -1;
    }
    *blob = b;
    *len = (size_t)n;
    return 0;
}

int cw_spatial_blob(cw_geo_type_t t, const json_t *v, unsigned char **blob, size_t *len)
{
    gaiaGeomCollPtr g = geom_from_json(t, v);
    return g != NULL ? geom_blob(g, blob, len) : -1;
}

int cw_spatial_query_blob(const json_t *v, unsigned char **blob, size_t *len, cw_geo_type_t *type,
                          char *msg, size_t size)
{
    double x, y;
    const json_t *first = json_array_get(v, 0);
    cw_geo_type_t t = CW_GEO_NONE;
    if (json_is_array(v) && json_array_size(v) == 2 && php_numeric(first, &x) &&
        php_numeric(json_array_get(v, 1), &y))
        t = CW_GEO_POINT;
    else if (json_is_array(first) && json_array_size(first) == 2 &&
             php_numeric(json_array_get(first, 0), &x))
        t = CW_GEO_LINESTRING;
    else if (json_is_array(first) && json_is_array(json_array_get(first, 0)) &&
             json_array_size(json_array_get(first, 0)) == 2)
        t = CW_GEO_POLYGON;
    if (t == CW_GEO_NONE) {
        snprintf(msg, size, "%s",
                 "Spatial query value is not a point [x, y], a linestring [[x, y], ...] or a "
                 "polygon [[[x, y], ...], ...]");
        return -1;
    }
    gaiaGeomCollPtr g = geom_from_json(t, v);
    if (g == NULL) {
        snprintf(msg, size, "Spatial query value is not a valid %s: every point must be [x, y]",
                 cw_spatial_type_name(t));
        return -1;
    }
    *type = t;
    if (geom_blob(g, blob, len) != 0) {
        snprintf(msg, size, "Spatial query value is not a valid %s", cw_spatial_type_name(t));
        return -1;
    }
    return 0;
}

int cw_spatial_blob_mbr(const unsigned char *blob, size_t len, double box[4])
{
    if (blob == NULL || len == 0 || len > UINT32_MAX)
        return -1;
    unsigned int n = (unsigned int)len;
    if (!gaiaGetMbrMinX(blob, n, &box[0]) || !gaiaGetMbrMinY(blob, n, &box[1]) ||
        !gaiaGetMbrMaxX(blob, n, &box[2]) || !gaiaGetMbrMaxY(blob, n, &box[3]))
        return -1;
    return 0;
}

static json_t *coords_json(const double *coords, int n)
{
    json_t *o = json_array();
    for (int i = 0; i < n; i++) {
        double x, y;
        gaiaGetPoint(coords, i, &x, &y);
        json_t *p = json_array();
        json_array_append_new(p, json_real(x));
        json_array_append_new(p, json_real(y));
        json_array_append_new(o, p);
    }
    return o;
}

/* One point, linestring or polygon, in two dimensions, as stored-form JSON; NULL otherwise. */
static json_t *geom_json(gaiaGeomCollPtr g)
{
    if (g->DimensionModel != GAIA_XY)
        return NULL;
    switch (gaiaGeometryType(g)) {
    case GAIA_POINT: {
        json_t *o = json_array();
        json_array_append_new(o, json_real(g->FirstPoint->X));
        json_array_append_new(o, json_real(g->FirstPoint->Y));
        return o;
    }
    case GAIA_LINESTRING:
        return coords_json(g->FirstLinestring->Coords, g->FirstLinestring->Points);
    case GAIA_POLYGON: {
        gaiaPolygonPtr pg = g->FirstPolygon;
        json_t *o = json_array();
        json_array_append_new(o, coords_json(pg->Exterior->Coords, pg->Exterior->Points));
        for (int i = 0; i < pg->NumInteriors; i++)
            json_array_append_new(o, coords_json(pg->Interiors[i].Coords, pg->Interiors[i].Points));
        return o;
    }
    default:
        return NULL;
    }
}

json_t *cw_spatial_json(const unsigned char *blob, size_t len)
{
    if (blob == NULL || len == 0 || len > UINT32_MAX)
        return NULL;
    gaiaGeomCollPtr g = gaiaFromSpatiaLiteBlobWkb(blob, (unsigned int)len);
    if (g == NULL)
        return NULL;
    json_t *o = geom_json(g);
    gaiaFreeGeomColl(g);
    return o;
}

/* SQL functions ------------------------------------------------------------------------------ */

typedef struct geo_conn {
    void *cache; /* SpatiaLite's per-connection state (GEOS context); NULL until first needed */
} geo_conn_t;

static void *conn_cache(geo_conn_t *c)
{
    if (c->cache == NULL) {
        c->cache = spatialite_alloc_connection();
        if (c->cache != NULL)
            spatialite_set_silent_mode(c->cache);
    }
    return c->cache;
}

static void conn_free(void *p)
{
    geo_conn_t *c = p;
    if (c->cache != NULL)
        spatialite_cleanup_ex(c->cache);
    free(c);
}

static void geom_free(void *p)
{
    gaiaFreeGeomColl(p);
}

static gaiaGeomCollPtr value_geom(sqlite3_value *v)
{
    if (sqlite3_value_type(v) != SQLITE_BLOB)
        return NULL;
    const unsigned char *b = sqlite3_value_blob(v);
    int n = sqlite3_value_bytes(v);
    return b != NULL && n > 0 ? gaiaFromSpatiaLiteBlobWkb(b, (unsigned int)n) : NULL;
}

/* Both geometries of a two-argument call: the first decoded per row, the second (the query's,
 * the same for every row of a statement) kept with the statement once decoded. *keep tells the
 * caller to hand q to sqlite3_set_auxdata once it is done with it. */
static bool two_geoms(sqlite3_context *ctx, sqlite3_value **argv, gaiaGeomCollPtr *g,
                      gaiaGeomCollPtr *q, bool *keep)
{
    *keep = false;
    *g = value_geom(argv[0]);
    if (*g == NULL)
        return false;
    *q = sqlite3_get_auxdata(ctx, 1);
    if (*q == NULL) {
        *q = value_geom(argv[1]);
        *keep = *q != NULL;
    }
    if (*q == NULL) {
        gaiaFreeGeomColl(*g);
        *g = NULL;
        return false;
    }
    return true;
}

static void two_done(sqlite3_context *ctx, gaiaGeomCollPtr g, gaiaGeomCollPtr q, bool keep)
{
    gaiaFreeGeomColl(g);
    /* Last: SQLite may free q at once. */
    if (keep)
        sqlite3_set_auxdata(ctx, 1, q, geom_free);
}

typedef enum {
    REL_INTERSECTS,
    REL_CROSSES,
    REL_OVERLAPS,
    REL_TOUCHES,
    REL_EQUALS,
    REL_CONTAINS
} rel_t;

static void fn_relate(sqlite3_context *ctx, sqlite3_value **argv, rel_t rel)
{
    geo_conn_t *c = sqlite3_user_data(ctx);
    gaiaGeomCollPtr g, q;
    bool keep;
    if (!two_geoms(ctx, argv, &g, &q, &keep)) {
        sqlite3_result_null(ctx);
        return;
    }
    void *cache = conn_cache(c);
    unsigned char *gb = (unsigned char *)sqlite3_value_blob(argv[0]);
    unsigned char *qb = (unsigned char *)sqlite3_value_blob(argv[1]);
    int gn = sqlite3_value_bytes(argv[0]), qn = sqlite3_value_bytes(argv[1]);
    int r = -1;
    if (cache != NULL) {
        /* The prepared forms keep the query's geometry prepared by GEOS between rows. */
        switch (rel) {
        case REL_INTERSECTS:
            r = gaiaGeomCollPreparedIntersects(cache, g, gb, gn, q, qb, qn);
            break;
        case REL_CROSSES:
            r = gaiaGeomCollPreparedCrosses(cache, g, gb, gn, q, qb, qn);
            break;
        case REL_OVERLAPS:
            r = gaiaGeomCollPreparedOverlaps(cache, g, gb, gn, q, qb, qn);
            break;
        case REL_TOUCHES:
            r = gaiaGeomCollPreparedTouches(cache, g, gb, gn, q, qb, qn);
            break;
        case REL_EQUALS:
            r = gaiaGeomCollEquals_r(cache, g, q);
            break;
        case REL_CONTAINS:
            r = gaiaGeomCollPreparedContains(cache, g, gb, gn, q, qb, qn);
            break;
        }
    }
    /* 1 true, 0 false; anything else is GEOS refusing a geometry, which matches nothing. */
    if (r == 0 || r == 1)
        sqlite3_result_int(ctx, r);
    else
        sqlite3_result_null(ctx);
    two_done(ctx, g, q, keep);
}

static void fn_intersects(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    fn_relate(ctx, argv, REL_INTERSECTS);
}

static void fn_crosses(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    fn_relate(ctx, argv, REL_CROSSES);
}

static void fn_overlaps(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    fn_relate(ctx, argv, REL_OVERLAPS);
}

static void fn_touches(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    fn_relate(ctx, argv, REL_TOUCHES);
}

static void fn_equals(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    fn_relate(ctx, argv, REL_EQUALS);
}

static void fn_contains(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    fn_relate(ctx, argv, REL_CONTAINS);
}

static void fn_distance(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    geo_conn_t *c = sqlite3_user_data(ctx);
    gaiaGeomCollPtr g, q;
    bool keep;
    if (!two_geoms(ctx, argv, &g, &q, &keep)) {
        sqlite3_result_null(ctx);
        return;
    }
    void *cache = conn_cache(c);
    double d = 0;
    if (cache != NULL && gaiaGeomCollDistance_r(cache, g, q, &d))
        sqlite3_result_double(ctx, d);
    else
        sqlite3_result_null(ctx);
    two_done(ctx, g, q, keep);
}

static bool lone_point(gaiaGeomCollPtr g)
{
    return g->FirstPoint != NULL && g->FirstPoint == g->LastPoint && g->FirstLinestring == NULL &&
           g->FirstPolygon == NULL;
}

static void fn_distance_sphere(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    gaiaGeomCollPtr g, q;
    bool keep;
    if (!two_geoms(ctx, argv, &g, &q, &keep)) {
        sqlite3_result_null(ctx);
        return;
    }
    if (lone_point(g) && lone_point(q)) {
        /* A sphere: both axes of the ellipsoid the same radius. x is the longitude. */
        double d = gaiaGreatCircleDistance(CW_SPATIAL_EARTH_RADIUS, CW_SPATIAL_EARTH_RADIUS,
                                           g->FirstPoint->Y, g->FirstPoint->X, q->FirstPoint->Y,
                                           q->FirstPoint->X);
        sqlite3_result_double(ctx, d);
    } else {
        sqlite3_result_null(ctx);
    }
    two_done(ctx, g, q, keep);
}

static void fn_mbr(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    double box[4];
    int i = sqlite3_value_int(argv[1]);
    if (sqlite3_value_type(argv[0]) != SQLITE_BLOB || i < 0 || i > 3 ||
        cw_spatial_blob_mbr(sqlite3_value_blob(argv[0]), (size_t)sqlite3_value_bytes(argv[0]),
                            box) != 0) {
        sqlite3_result_null(ctx);
        return;
    }
    sqlite3_result_double(ctx, box[i]);
}

int cw_spatial_sqlite_register(sqlite3 *db)
{
    static const struct {
        const char *name;
        void (*fn)(sqlite3_context *, int, sqlite3_value **);
    } fns[] = {
        {"cw_geo_intersects", fn_intersects}, {"cw_geo_crosses", fn_crosses},
        {"cw_geo_overlaps", fn_overlaps},     {"cw_geo_touches", fn_touches},
        {"cw_geo_equals", fn_equals},         {"cw_geo_contains", fn_contains},
        {"cw_geo_distance", fn_distance},     {"cw_geo_distance_sphere", fn_distance_sphere},
    };
    /* Innocuous: triggers of spatial indexes call cw_geo_mbr, which must work whatever
     * trusted_schema says. */
    const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
    geo_conn_t *c = cw_calloc(1, sizeof(*c));
    for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
        int rc =
            sqlite3_create_function_v2(db, fns[i].name, 2, flags, c, fns[i].fn, NULL, NULL, NULL);
        if (rc != SQLITE_OK) {
            conn_free(c);
            return rc;
        }
    }
    /* Registered last, this one owns c: SQLite calls conn_free when the connection closes (or
     * at once if registering fails). */
    return sqlite3_create_function_v2(db, "cw_geo_mbr", 2, flags, c, fn_mbr, NULL, NULL, conn_free);
}
