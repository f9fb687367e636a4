/*
 * Geometry for the document database, through SpatiaLite (libspatialite and GEOS from Debian):
 * point, linestring and polygon values as Appwrite takes them in JSON ([x, y], [[x, y], ...],
 * [[[x, y], ...], ...]) or as WKT text; checked with the rules of utopia's Spatial validator;
 * turned into SpatiaLite geometry BLOBs (SRID 4326) for storage and queries, and back into JSON.
 *
 * For SQLite, cw_spatial_sqlite_register gives a connection the few SQL functions the adapter's
 * queries and spatial indexes use, each a thin wrapper over libspatialite and GEOS:
 *
 *   cw_geo_mbr(g, i)            the bounding box of g: 0 min x, 1 min y, 2 max x, 3 max y
 *   cw_geo_intersects(g, q)     also _crosses, _overlaps, _touches, _equals, _contains:
 *                               1 or 0, NULL when either side is NULL or not a geometry
 *   cw_geo_distance(g, q)       Cartesian distance in coordinate units
 *   cw_geo_distance_sphere(g, q)  great-circle distance in meters between two points on a sphere
 *                               of CW_SPATIAL_EARTH_RADIUS (MariaDB's ST_Distance_Sphere), NULL
 *                               unless both are points
 *
 * rather than SpatiaLite's full SQL function set (spatialite_init_ex or the mod_spatialite
 * extension), which costs over a millisecond per connection. The GEOS context a connection's
 * functions need is made the first time one of them runs and freed with the connection.
 *
 * Ownership: JSON handed out is a new reference; BLOBs are malloc'd and the caller frees them.
 * Threads: any thread; a connection's functions run on whichever thread uses the connection.
 */
#ifndef CW_DB_SPATIAL_H
#define CW_DB_SPATIAL_H

#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "db/schema.h"

#define CW_SPATIAL_SRID 4326
#define CW_SPATIAL_EARTH_RADIUS 6371000.0 /* utopia's Database::EARTH_RADIUS, in meters */

typedef enum cw_geo_type {
    CW_GEO_NONE = 0,
    CW_GEO_POINT = 1,
    CW_GEO_LINESTRING = 2,
    CW_GEO_POLYGON = 3,
} cw_geo_type_t;

/* The geometry an attribute holds, or CW_GEO_NONE for other types. */
cw_geo_type_t cw_spatial_attr_type(const cw_attr_t *a);
/* "point", "linestring", "polygon". */
const char *cw_spatial_type_name(cw_geo_type_t t);

/* utopia's Spatial validator for a value that is not null: an array of the type's shape, with
 * coordinates PHP calls numeric, longitudes in [-180, 180] and latitudes in [-90, 90], polygon
 * rings of 4 points or more, closed; or WKT text of that type. On false, writes the validator's
 * description ("Value must be a valid point: <reason>") into rule. */
bool cw_spatial_valid(cw_geo_type_t t, const json_t *v, char *rule, size_t size);

/* The stored form of a valid value: the same arrays with every coordinate a JSON real, a polygon
 * given as one bare ring wrapped in its array of rings, WKT text parsed into arrays. NULL when
 * v is not valid. */
json_t *cw_spatial_normalize(cw_geo_type_t t, const json_t *v);

/* A SpatiaLite BLOB (SRID 4326) of a stored-form value of type t. 0, or -1 when v does not have
 * the type's shape. */
int cw_spatial_blob(cw_geo_type_t t, const json_t *v, unsigned char **blob, size_t *len);

/* The geometry of a spatial query's value, its type told by its nesting as utopia's
 * convertArrayToWKT tells it: [x, y] a point, [[x, y], ...] a linestring, [[[x, y], ...], ...]
 * a polygon. Coordinates are not range-checked and rings need not be closed (a predicate over a
 * geometry GEOS refuses is NULL). 0, or -1 with the reason in msg. */
int cw_spatial_query_blob(const json_t *v, unsigned char **blob, size_t *len, cw_geo_type_t *type,
                          char *msg, size_t size);

/* The bounding box of a BLOB: box[0] min x, box[1] min y, box[2] max x, box[3] max y. */
int cw_spatial_blob_mbr(const unsigned char *blob, size_t len, double box[4]);

/* The stored form (JSON arrays of reals) of a BLOB; NULL when it is not a point, linestring or
 * polygon. */
json_t *cw_spatial_json(const unsigned char *blob, size_t len);

/* Registers the cw_geo_* functions on a connection; they are released when it closes. Returns
 * SQLITE_OK or SQLite's error code. */
int cw_spatial_sqlite_register(sqlite3 *db);

#endif
