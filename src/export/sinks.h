// The writers of the export: CSV (RFC 4180) and JSON Lines to a stream, and
// a SQLite database with one table per kind (docs/export.md has the schema).
#ifndef TBLINT_EXPORT_SINKS_H_
#define TBLINT_EXPORT_SINKS_H_

#include <cstddef>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "export/export.h"

struct sqlite3;

namespace tblint::xport {

enum class OutputFormat { kJsonl, kCsv, kSqlite };

// Column names, in output order, of a CSV export holding the kinds selected
// in `kinds` (a column appears when any selected kind has it).
std::vector<std::string> CsvColumns(const bool kinds[kKindCount]);

// JSON Lines or CSV to `out`, buffered; `failed()` once the stream fails.
std::unique_ptr<RowSink> MakeTextSink(OutputFormat format, const bool kinds[kKindCount], std::ostream* out);

// A SQLite database. With `path` non-empty the database is built in a
// temporary file beside it and renamed over `path` by Finish; with `db` the
// tables are created in that open connection (the query command's), which
// stays the caller's. Scalar rows are held per file, at most
// `scalar_chunk_rows` (0: the default, 2^18), sorted into key order and
// inserted; tests set a small number to cover files of several chunks.
std::unique_ptr<RowSink> MakeSqliteSink(const std::string& path, sqlite3* db = nullptr, size_t scalar_chunk_rows = 0);

}  // namespace tblint::xport

#endif  // TBLINT_EXPORT_SINKS_H_
