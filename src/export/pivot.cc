#include "export/pivot.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <map>

#include "export/emit.h"
#include "export/sinks.h"

namespace tblint::xport {
namespace {

// A value read back from SQLite: float32 values were stored widened, so one
// that is exactly a float prints as the float's shortest form.
void AppendStored(std::string* out, sqlite3_stmt* s, int i, bool json) {
  const int type = sqlite3_column_type(s, i);
  if (type == SQLITE_INTEGER) {
    AppendInt(out, sqlite3_column_int64(s, i));
  } else if (type == SQLITE_NULL) {
    out->append(json ? "null" : "");
  } else {
    const double d = sqlite3_column_double(s, i);
    if (static_cast<double>(static_cast<float>(d)) == d) {
      AppendFloat(out, static_cast<float>(d), json);
    } else {
      AppendDouble(out, d, json);
    }
  }
}

struct Cell {
  std::vector<std::string> values;  // rendered
};

class Writer {
 public:
  Writer(bool csv, std::ostream* out, std::vector<std::string> tags) : csv_(csv), out_(out), tags_(std::move(tags)) {
    for (size_t i = 0; i < tags_.size(); ++i) index_[tags_[i]] = i;
    if (csv_) {
      std::string line = "step";
      for (const std::string& t : tags_) {
        line.push_back(',');
        AppendCsvField(&line, t);
      }
      line += ",wall_time,dir_name,file_name\r\n";
      *out_ << line;
    }
  }

  void Add(const std::string& dir, const std::string& file, int64_t step, const std::string& tag, std::string value,
           std::string wall) {
    if (!open_ || dir != dir_ || file != file_ || step != step_) {
      Flush();
      open_ = true;
      dir_ = dir;
      file_ = file;
      step_ = step;
      cells_.assign(tags_.size(), {});
      walls_.clear();
    }
    cells_[index_[tag]].values.push_back(std::move(value));
    walls_.push_back(std::move(wall));
  }

  void Flush() {
    if (!open_) return;
    open_ = false;
    std::string line;
    auto merged = [&](const std::vector<std::string>& v) {
      // tbparse's _merge_values: one value as it is, several as a list.
      if (v.empty()) return std::string(csv_ ? "" : "null");
      if (v.size() == 1) return v[0];
      std::string list = "[";
      for (size_t i = 0; i < v.size(); ++i) list += (i ? "," : "") + v[i];
      return list + "]";
    };
    if (csv_) {
      AppendInt(&line, step_);
      for (const Cell& c : cells_) {
        line.push_back(',');
        AppendCsvField(&line, merged(c.values));
      }
      line.push_back(',');
      AppendCsvField(&line, merged(walls_));
      line.push_back(',');
      AppendCsvField(&line, dir_);
      line.push_back(',');
      AppendCsvField(&line, file_);
      line += "\r\n";
    } else {
      line = "{\"step\":";
      AppendInt(&line, step_);
      for (size_t i = 0; i < tags_.size(); ++i) {
        line.push_back(',');
        AppendJsonString(&line, tags_[i]);
        line += ":" + merged(cells_[i].values);
      }
      line += ",\"wall_time\":" + merged(walls_) + ",\"dir_name\":";
      AppendJsonString(&line, dir_);
      line += ",\"file_name\":";
      AppendJsonString(&line, file_);
      line += "}\n";
    }
    *out_ << line;
  }

 private:
  bool csv_;
  std::ostream* out_;
  std::vector<std::string> tags_;
  std::map<std::string, size_t> index_;
  bool open_ = false;
  std::string dir_, file_;
  int64_t step_ = 0;
  std::vector<Cell> cells_;
  std::vector<std::string> walls_;
};

std::string Column(sqlite3_stmt* s, int i) {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
  return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(s, i))) : std::string();
}

}  // namespace

bool ExportPivot(const std::vector<LogdirSpec>& logdirs, const ExportOptions& options, bool csv, std::ostream* out,
                 std::ostream& err, ExportStats* stats, std::string* error) {
  ExportOptions scalars = options;
  for (bool& k : scalars.kinds) k = false;
  scalars.kinds[static_cast<int>(Kind::kScalar)] = true;
  const char* tmpdir = std::getenv("TMPDIR");
  std::string path = std::string(tmpdir && *tmpdir ? tmpdir : "/tmp") + "/tblint-pivot-XXXXXX";
  const int fd = ::mkstemp(path.data());
  if (fd < 0) {
    *error = "cannot create a temporary file in " + path.substr(0, path.rfind('/'));
    return false;
  }
  ::close(fd);
  struct Remove {
    std::string p;
    ~Remove() { std::remove(p.c_str()); }
  } remove{path};
  {
    std::unique_ptr<RowSink> sink = MakeSqliteSink(path);
    if (!Export(logdirs, scalars, sink.get(), err, stats, error)) return false;
  }
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    *error = "cannot reopen " + path;
    sqlite3_close(db);
    return false;
  }
  std::vector<std::string> tags;
  sqlite3_stmt* s = nullptr;
  bool ok = sqlite3_prepare_v2(db, "SELECT tag FROM tags ORDER BY tag", -1, &s, nullptr) == SQLITE_OK;
  while (ok && sqlite3_step(s) == SQLITE_ROW) tags.push_back(Column(s, 0));
  sqlite3_finalize(s);
  s = nullptr;
  if (ok) {
    Writer w(csv, out, tags);
    ok = sqlite3_prepare_v2(db,
                            "SELECT f.dir_name, f.file_name, d.step, t.tag, d.value, d.wall_time FROM scalars_data d "
                            "JOIN files f ON f.file_id = d.file_id JOIN tags t ON t.tag_id = d.tag_id "
                            "ORDER BY f.dir_name, f.file_name, d.step, d.seq",
                            -1, &s, nullptr) == SQLITE_OK;
    while (ok && sqlite3_step(s) == SQLITE_ROW) {
      std::string value, wall;
      AppendStored(&value, s, 4, !csv);
      if (sqlite3_column_type(s, 5) == SQLITE_NULL) {
        wall = csv ? "" : "null";
      } else {
        AppendDouble(&wall, sqlite3_column_double(s, 5), !csv);
      }
      w.Add(Column(s, 0), Column(s, 1), sqlite3_column_int64(s, 2), Column(s, 3), std::move(value), std::move(wall));
    }
    w.Flush();
    sqlite3_finalize(s);
  }
  if (!ok) *error = std::string("sqlite: ") + sqlite3_errmsg(db);
  sqlite3_close(db);
  out->flush();
  if (ok && !*out) {
    *error = "output could not be written";
    ok = false;
  }
  return ok;
}

}  // namespace tblint::xport
