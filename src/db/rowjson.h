/*
 * rowjson.h — turns result rows into JSON objects, column name → key, by column type:
 * int2/4/8 → integer, bool → boolean, json/jsonb → parsed JSON, everything else → string,
 * SQL NULL → null. Timestamps are formatted by the SQL (api_ts()) so they arrive as text.
 */
#ifndef TRACKGEN_ROWJSON_H
#define TRACKGEN_ROWJSON_H

#include <jansson.h>
#include <libpq-fe.h>

/* New reference; the caller owns it. */
json_t *db_row_json(const PGresult *res, int row);
/* New array of all rows; the caller owns it. */
json_t *db_rows_json(const PGresult *res);

#endif
