/*
 * rowjson.c — PGresult rows to jansson objects (see rowjson.h).
 */
#include "db/rowjson.h"

#include <stdlib.h>

/* Type OIDs from pg_type.h (stable across PostgreSQL versions). */
#define OID_BOOL 16
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23
#define OID_JSON 114
#define OID_JSONB 3802

static json_t *cell_json(const PGresult *res, int row, int col)
{
    if (PQgetisnull(res, row, col))
        return json_null();
    const char *v = PQgetvalue(res, row, col);
    switch (PQftype(res, col)) {
    case OID_BOOL: return json_boolean(v[0] == 't');
    case OID_INT2:
    case OID_INT4:
    case OID_INT8: return json_integer(strtoll(v, NULL, 10));
    case OID_JSON:
    case OID_JSONB: {
        json_t *j = json_loadb(v, (size_t)PQgetlength(res, row, col), JSON_DECODE_ANY, NULL);
        return j ? j : json_null();
    }
    default: {
        json_t *s = json_stringn(v, (size_t)PQgetlength(res, row, col));
        return s ? s : json_null();
    }
    }
}

json_t *db_row_json(const PGresult *res, int row)
{
    json_t *o = json_object();
    int n = PQnfields(res);
    for (int c = 0; c < n; c++)
        json_object_set_new(o, PQfname(res, c), cell_json(res, row, c)); /* set_new steals the cell */
    return o;
}

json_t *db_rows_json(const PGresult *res)
{
    json_t *a = json_array();
    int n = PQntuples(res);
    for (int r = 0; r < n; r++)
        json_array_append_new(a, db_row_json(res, r));
    return a;
}
