// Running SQL over an exported database and printing the result.
#ifndef TBLINT_EXPORT_QUERY_H_
#define TBLINT_EXPORT_QUERY_H_

#include <ostream>
#include <string>

struct sqlite3;

namespace tblint::xport {

enum class QueryFormat { kTable, kCsv, kJson };

// Runs every statement of `sql` in order; prints the rows of each one that
// returns columns: an aligned table (cells escaped for a terminal, NULL as
// empty), CSV (RFC 4180, one header per statement), or one JSON array of
// objects per statement (non-finite reals as "NaN", "Infinity", "-Infinity").
// Returns false, with `error` (SQLite's message), when a statement fails.
bool RunQuery(sqlite3* db, const std::string& sql, QueryFormat format, std::ostream& out, std::string* error);

}  // namespace tblint::xport

#endif  // TBLINT_EXPORT_QUERY_H_
