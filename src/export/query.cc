#include "export/query.h"

#include <sqlite3.h>

#include <algorithm>
#include <vector>

#include "export/emit.h"
#include "util/text.h"

namespace tblint::xport {
namespace {

// Code points a cell takes on a terminal (escaped text is valid UTF-8).
size_t Columns(const std::string& s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::string CellText(sqlite3_stmt* s, int i, bool json_numbers) {
  std::string out;
  switch (sqlite3_column_type(s, i)) {
    case SQLITE_NULL:
      break;
    case SQLITE_INTEGER:
      AppendInt(&out, sqlite3_column_int64(s, i));
      break;
    case SQLITE_FLOAT:
      AppendDouble(&out, sqlite3_column_double(s, i), json_numbers);
      break;
    case SQLITE_BLOB:
      out = Base64Encode(std::string_view(static_cast<const char*>(sqlite3_column_blob(s, i)),
                                          static_cast<size_t>(sqlite3_column_bytes(s, i))));
      break;
    default:
      out.assign(reinterpret_cast<const char*>(sqlite3_column_text(s, i)),
                 static_cast<size_t>(sqlite3_column_bytes(s, i)));
  }
  return out;
}

bool RunStatement(sqlite3* db, sqlite3_stmt* s, QueryFormat format, std::ostream& out, std::string* error) {
  const int n = sqlite3_column_count(s);
  std::vector<std::string> names;
  for (int i = 0; i < n; ++i) names.push_back(sqlite3_column_name(s, i) ? sqlite3_column_name(s, i) : "");
  std::vector<std::vector<std::string>> table;  // kTable only: widths need every row
  if (format == QueryFormat::kTable && n > 0) {
    std::vector<std::string> header;
    for (const std::string& h : names) header.push_back(EscapeForText(h));
    table.push_back(std::move(header));
  }
  if (format == QueryFormat::kCsv && n > 0) {
    std::string line;
    for (int i = 0; i < n; ++i) {
      if (i) line.push_back(',');
      AppendCsvField(&line, names[i]);
    }
    out << line << "\r\n";
  }
  if (format == QueryFormat::kJson && n > 0) out << "[";
  bool first_row = true;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    if (format == QueryFormat::kTable) {
      std::vector<std::string> row;
      for (int i = 0; i < n; ++i) row.push_back(EscapeForText(CellText(s, i, false)));
      table.push_back(std::move(row));
    } else if (format == QueryFormat::kCsv) {
      std::string line;
      for (int i = 0; i < n; ++i) {
        if (i) line.push_back(',');
        AppendCsvField(&line, CellText(s, i, false));
      }
      out << line << "\r\n";
    } else {
      std::string obj = first_row ? "\n  {" : ",\n  {";
      first_row = false;
      for (int i = 0; i < n; ++i) {
        if (i) obj.push_back(',');
        AppendJsonString(&obj, names[i]);
        obj.push_back(':');
        const int type = sqlite3_column_type(s, i);
        if (type == SQLITE_NULL) {
          obj += "null";
        } else if (type == SQLITE_INTEGER || type == SQLITE_FLOAT) {
          obj += CellText(s, i, true);
        } else {
          AppendJsonString(&obj, CellText(s, i, false));
        }
      }
      obj.push_back('}');
      out << obj;
    }
  }
  if (rc != SQLITE_DONE) {
    *error = sqlite3_errmsg(db);
    return false;
  }
  if (format == QueryFormat::kJson && n > 0) out << (first_row ? "]\n" : "\n]\n");
  if (format == QueryFormat::kTable && n > 0) {
    std::vector<size_t> width(n, 0);
    for (const auto& row : table) {
      for (int i = 0; i < n; ++i) width[i] = std::max(width[i], Columns(row[i]));
    }
    for (const auto& row : table) {
      std::string line;
      for (int i = 0; i < n; ++i) {
        line += row[i];
        if (i + 1 < n) line += std::string(width[i] - Columns(row[i]) + 2, ' ');
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out << line << "\n";
    }
  }
  return true;
}

}  // namespace

bool RunQuery(sqlite3* db, const std::string& sql, QueryFormat format, std::ostream& out, std::string* error) {
  const char* tail = sql.c_str();
  const char* end = tail + sql.size();
  while (tail < end) {
    sqlite3_stmt* s = nullptr;
    const char* next = nullptr;
    if (sqlite3_prepare_v2(db, tail, static_cast<int>(end - tail), &s, &next) != SQLITE_OK) {
      *error = sqlite3_errmsg(db);
      return false;
    }
    tail = next;
    if (s == nullptr) continue;  // whitespace or a comment
    const bool ok = RunStatement(db, s, format, out, error);
    sqlite3_finalize(s);
    if (!ok) return false;
  }
  return true;
}

}  // namespace tblint::xport
