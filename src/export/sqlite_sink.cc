// The SQLite writer. Each kind's rows go into a narrow table `<kind>_data`
// keyed by integers (file_id into `files`, tag_id into `tags`), and a view
// named as the kind's table (`scalars`, ...) joins the names back, so users
// see the documented columns (dir_name, file_name, tag, ...) while the
// database stores and indexes small integers instead of repeating the names
// in every row. Filled in one transaction through prepared statements, the
// journal off (the file is a temporary one, renamed into place when complete).
//
// Each `<kind>_data` is a WITHOUT ROWID table whose primary key is the index
// order, (file_id, tag_id, step, seq): the table is its own index on
// (run, tag, step), so no index is built after the load (that build, a sort
// of every row, was about half of the SQLite export's time). `seq` is the
// row's position in the export (what the rowid was); it makes the key unique.
// Scalars, nearly every row of a typical logdir, are held per file (up to
// kScalarChunk rows), put in key order (by tag, then step: a counting sort,
// steps usually arrive sorted) and inserted kScalarBatch rows per statement
// (one multi-row INSERT), so the B-tree is appended to, not split in the
// middle, and SQLite's per-statement work is paid once per batch.
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "export/sinks.h"
#include "util/text.h"

namespace tblint::xport {
namespace {

// The key columns first (NOT NULL, as a WITHOUT ROWID primary key must be).
constexpr const char* kCommon =
    "file_id INTEGER NOT NULL, tag_id INTEGER NOT NULL, step INTEGER NOT NULL, seq INTEGER NOT NULL, "
    "wall_time REAL, ";
constexpr const char* kProvenance =
    "\"offset\" INTEGER, record INTEGER, PRIMARY KEY (file_id, tag_id, step, seq)) WITHOUT ROWID";

// Kind-specific columns of each table, between the common ones and provenance.
constexpr const char* kKindColumns[kKindCount] = {
    "value REAL, ",
    "value TEXT, dtype TEXT, shape TEXT, ",
    "counts TEXT, limits TEXT, min REAL, max REAL, num REAL, sum REAL, sum_squares REAL, ",
    "sample INTEGER, width INTEGER, height INTEGER, channels INTEGER, content_type TEXT, sha256 TEXT, path TEXT, ",
    "sample INTEGER, sample_rate REAL, length INTEGER, channels INTEGER, content_type TEXT, sha256 TEXT, path TEXT, ",
    "value TEXT, value_bytes BLOB, ",
    "value, ",  // no affinity: numbers stay numbers, strings strings, booleans 0/1
    "value TEXT, group_name TEXT, ",
};
constexpr int kKindColumnCount[kKindCount] = {1, 3, 7, 7, 7, 2, 1, 2};
// Their names, for the views.
constexpr const char* kKindColumnNames[kKindCount] = {
    "d.value",
    "d.value, d.dtype, d.shape",
    "d.counts, d.limits, d.min, d.max, d.num, d.sum, d.sum_squares",
    "d.sample, d.width, d.height, d.channels, d.content_type, d.sha256, d.path",
    "d.sample, d.sample_rate, d.length, d.channels, d.content_type, d.sha256, d.path",
    "d.value, d.value_bytes",
    "d.value",
    "d.value, d.group_name",
};

// Scalar rows per multi-row INSERT (8 parameters each; SQLite allows 32766).
constexpr int kScalarBatch = 128;
constexpr int kScalarColumns = 8;
// Scalar rows held at most before they are sorted and inserted: 56 bytes
// each, 14 MiB reserved once (memory is touched only as rows arrive), enough
// for an event file of about 15 MB of one-scalar records. A file with more
// is inserted in several sorted chunks (correct; the later ones go into the
// middle of the B-tree: slower, pages less full). With 2^15 rows a 2 GB
// logdir of 10 MB files took 1.6x as long.
constexpr size_t kScalarChunk = 1 << 18;

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class SqliteSink : public RowSink {
 public:
  SqliteSink(std::string path, sqlite3* db, size_t chunk)
      : path_(std::move(path)), db_(db), owned_(db == nullptr), chunk_(chunk == 0 ? kScalarChunk : chunk) {}

  ~SqliteSink() override {
    for (sqlite3_stmt* s : insert_) sqlite3_finalize(s);
    sqlite3_finalize(scalar_batch_stmt_);
    sqlite3_finalize(run_stmt_);
    sqlite3_finalize(file_stmt_);
    sqlite3_finalize(skip_stmt_);
    sqlite3_finalize(tag_stmt_);
    if (owned_ && db_ != nullptr) {
      sqlite3_close(db_);
      if (!finished_) std::remove(tmp_.c_str());
    }
  }

  bool Begin(std::string* error) override {
    if (owned_) {
      // The database is built beside the target and renamed over it: a
      // target that is not a regular file (/dev/null, a FIFO) would be
      // replaced by the rename, and SQLite cannot write into one anyway.
      struct stat st;
      if (::stat(path_.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
        *error = path_ + ": not a regular file; a SQLite database must be written to a file";
        return false;
      }
      tmp_ = path_ + ".tmp-" + std::to_string(::getpid());
      std::remove(tmp_.c_str());
      if (sqlite3_open_v2(tmp_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                          nullptr) != SQLITE_OK) {
        *error = "cannot create " + tmp_ + ": " + (db_ ? sqlite3_errmsg(db_) : "out of memory");
        return false;
      }
      if (!Exec(
              "PRAGMA page_size=65536; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA locking_mode=EXCLUSIVE;",
              error)) {
        return false;
      }
    }
    if (!Exec("PRAGMA cache_size=-16384; PRAGMA temp_store=FILE;", error)) return false;
    if (!Exec("BEGIN;", error)) return false;
    // A database given to --db may hold an earlier export (or anything):
    // what this one creates is dropped first, as a table or as a view.
    std::vector<std::string> names = {"runs", "files", "tags", "skipped"};
    for (int k = 0; k < kKindCount; ++k) {
      names.push_back(KindTableName(static_cast<Kind>(k)));
      names.push_back(std::string(KindTableName(static_cast<Kind>(k))) + "_data");
    }
    for (const std::string& name : names) {
      if (!DropIfExists(name, error)) return false;
    }
    std::string ddl =
        "CREATE TABLE runs (dir_name TEXT, logdir TEXT, path TEXT, files INTEGER, dir_name_bytes BLOB);"
        "CREATE TABLE files (file_id INTEGER PRIMARY KEY, dir_name TEXT, file_name TEXT, path TEXT, size INTEGER, "
        "records INTEGER, rows INTEGER, skipped INTEGER, file_name_bytes BLOB);"
        "CREATE TABLE tags (tag_id INTEGER PRIMARY KEY, tag TEXT);"
        "CREATE TABLE skipped (dir_name TEXT, file_name TEXT, path TEXT, \"offset\" INTEGER, record INTEGER, "
        "bytes INTEGER, reason TEXT);";
    for (int k = 0; k < kKindCount; ++k) {
      const std::string table = KindTableName(static_cast<Kind>(k));
      ddl += "CREATE TABLE " + table + "_data (" + kCommon + kKindColumns[k] + kProvenance + ";";
      ddl += "CREATE VIEW " + table + " AS SELECT f.dir_name, f.file_name, t.tag, d.step, d.wall_time, " +
             kKindColumnNames[k] + ", d.\"offset\", d.record FROM " + table +
             "_data d JOIN files f ON f.file_id = d.file_id JOIN tags t ON t.tag_id = d.tag_id;";
    }
    if (!Exec(ddl.c_str(), error)) return false;
    for (int k = 0; k < kKindCount; ++k) {
      std::string sql = std::string("INSERT INTO ") + KindTableName(static_cast<Kind>(k)) + "_data VALUES (?,?,?,?,?";
      for (int i = 0; i < kKindColumnCount[k] + 2; ++i) sql += ",?";
      sql += ")";
      if (!Prepare(sql.c_str(), &insert_[k], error)) return false;
    }
    std::string batch = std::string("INSERT INTO ") + KindTableName(Kind::kScalar) + "_data VALUES ";
    for (int r = 0; r < kScalarBatch; ++r) batch += r == 0 ? "(?,?,?,?,?,?,?,?)" : ",(?,?,?,?,?,?,?,?)";
    if (!Prepare(batch.c_str(), &scalar_batch_stmt_, error)) return false;
    return Prepare("INSERT INTO runs VALUES (?,?,?,?,?)", &run_stmt_, error) &&
           Prepare("INSERT INTO files VALUES (?,?,?,?,?,?,?,?,?)", &file_stmt_, error) &&
           Prepare("INSERT INTO tags VALUES (?,?)", &tag_stmt_, error) &&
           Prepare("INSERT INTO skipped VALUES (?,?,?,?,?,?,?)", &skip_stmt_, error);
  }

  void OnRow(const Row& r) override {
    if (failed_) return;
    const sqlite3_int64 seq = ++last_seq_;
    // Row::has_step is always true today (an Event without a step has step
    // 0, as protobuf reads it); step is part of the key, so never NULL.
    if (r.kind == Kind::kScalar && r.value_type != ValueType::kString && r.value_type != ValueType::kJson) {
      // Numbers only: kept by value until the file ends or the chunk is full.
      const int64_t file_id = FileId(r.dir_name, r.file_name);
      const int64_t tag_id = TagId(r.tag);
      if (failed_) return;
      static_assert(sizeof(ScalarRow) == 56);
      if (!scalars_.empty() && scalars_file_id_ != file_id) FlushScalars();
      if (scalars_.capacity() == 0) scalars_.reserve(chunk_);  // never reallocated: no two copies
      scalars_file_id_ = file_id;
      ScalarRow& b = scalars_.emplace_back();
      b.tag_id = static_cast<uint32_t>(tag_id);  // ids count the distinct tags from 1
      b.seq = seq;
      b.step = r.step;
      b.has_wall_time = r.has_wall_time;
      b.wall_time = r.wall_time;
      b.value_type = r.value_type;
      switch (r.value_type) {
        case ValueType::kFloat32:
          b.value.d = static_cast<double>(r.f32);  // exact
          break;
        case ValueType::kFloat64:
          b.value.d = r.f64;
          break;
        case ValueType::kInt:
          b.value.i = r.i64;
          break;
        case ValueType::kBool:
          b.value.i = r.b ? 1 : 0;
          break;
        default:
          break;
      }
      b.offset = static_cast<sqlite3_int64>(r.offset);
      b.record = static_cast<sqlite3_int64>(r.record);
      if (scalars_.size() >= chunk_) FlushScalars();
      return;
    }
    sqlite3_stmt* s = insert_[static_cast<int>(r.kind)];
    int i = 1;
    sqlite3_bind_int64(s, i++, FileId(r.dir_name, r.file_name));
    sqlite3_bind_int64(s, i++, TagId(r.tag));
    if (failed_) return;
    sqlite3_bind_int64(s, i++, r.step);
    sqlite3_bind_int64(s, i++, seq);
    if (r.has_wall_time) {
      sqlite3_bind_double(s, i++, r.wall_time);
    } else {
      sqlite3_bind_null(s, i++);
    }
    switch (r.kind) {
      case Kind::kScalar:
        BindValue(s, i++, r);
        break;
      case Kind::kTensor:
        BindValue(s, i++, r);
        BindText(s, i++, r.dtype);
        BindText(s, i++, r.shape);
        break;
      case Kind::kHistogram:
        BindText(s, i++, r.counts);
        BindText(s, i++, r.limits);
        sqlite3_bind_double(s, i++, r.min);
        sqlite3_bind_double(s, i++, r.max);
        sqlite3_bind_double(s, i++, r.num);
        sqlite3_bind_double(s, i++, r.sum);
        sqlite3_bind_double(s, i++, r.sum_squares);
        break;
      case Kind::kImage:
        sqlite3_bind_int64(s, i++, r.sample);
        sqlite3_bind_int64(s, i++, r.width);
        sqlite3_bind_int64(s, i++, r.height);
        sqlite3_bind_int64(s, i++, r.channels);
        BindText(s, i++, r.content_type);
        BindText(s, i++, r.sha256);
        BindTextOrNull(s, i++, r.path);
        break;
      case Kind::kAudio:
        sqlite3_bind_int64(s, i++, r.sample);
        sqlite3_bind_double(s, i++, r.sample_rate);
        sqlite3_bind_int64(s, i++, r.length);
        sqlite3_bind_int64(s, i++, r.channels);
        BindText(s, i++, r.content_type);
        BindText(s, i++, r.sha256);
        BindTextOrNull(s, i++, r.path);
        break;
      case Kind::kText:
        BindValue(s, i++, r);
        if (r.value_type == ValueType::kString && !IsValidUtf8(r.str)) {
          sqlite3_bind_blob64(s, i++, r.str.data(), r.str.size(), SQLITE_TRANSIENT);
        } else {
          sqlite3_bind_null(s, i++);
        }
        break;
      case Kind::kHparam:
        BindValue(s, i++, r);
        break;
      case Kind::kMetric:
        BindValue(s, i++, r);
        BindText(s, i++, r.group);
        break;
    }
    sqlite3_bind_int64(s, i++, static_cast<sqlite3_int64>(r.offset));
    sqlite3_bind_int64(s, i++, static_cast<sqlite3_int64>(r.record));
    Step(s);
  }

  void OnRun(const RunRow& r) override {
    if (failed_) return;
    BindText(run_stmt_, 1, r.dir_name);
    BindText(run_stmt_, 2, r.logdir);
    BindText(run_stmt_, 3, r.path);
    sqlite3_bind_int64(run_stmt_, 4, static_cast<sqlite3_int64>(r.files));
    BindBytesIfInvalid(run_stmt_, 5, r.dir_name);
    Step(run_stmt_);
  }

  void OnFile(const FileRow& f) override {
    if (failed_) return;
    sqlite3_bind_int64(file_stmt_, 1, FileId(f.dir_name, f.file_name));
    BindText(file_stmt_, 2, f.dir_name);
    BindText(file_stmt_, 3, f.file_name);
    BindText(file_stmt_, 4, f.path);
    sqlite3_bind_int64(file_stmt_, 5, static_cast<sqlite3_int64>(f.size));
    sqlite3_bind_int64(file_stmt_, 6, static_cast<sqlite3_int64>(f.records));
    sqlite3_bind_int64(file_stmt_, 7, static_cast<sqlite3_int64>(f.rows));
    sqlite3_bind_int64(file_stmt_, 8, static_cast<sqlite3_int64>(f.skipped));
    BindBytesIfInvalid(file_stmt_, 9, f.file_name);
    Step(file_stmt_);
    FlushScalars();     // the file's rows are all in: insert them in key order
    file_set_ = false;  // the next rows are another file's, even under the same names
  }

  void OnSkipped(const SkippedRow& k) override {
    if (failed_) return;
    BindText(skip_stmt_, 1, k.dir_name);
    BindText(skip_stmt_, 2, k.file_name);
    BindText(skip_stmt_, 3, k.path);
    sqlite3_bind_int64(skip_stmt_, 4, static_cast<sqlite3_int64>(k.offset));
    sqlite3_bind_int64(skip_stmt_, 5, static_cast<sqlite3_int64>(k.record));
    sqlite3_bind_int64(skip_stmt_, 6, static_cast<sqlite3_int64>(k.bytes));
    BindText(skip_stmt_, 7, k.reason);
    Step(skip_stmt_);
  }

  bool Finish(std::string* error) override {
    FlushScalars();
    if (failed_) {
      *error = error_;
      return false;
    }
    // The kind tables are their own indexes (primary key (file_id, tag_id,
    // step, seq)); the small tables get theirs.
    if (!Exec("CREATE INDEX files_run ON files (dir_name, file_name); CREATE UNIQUE INDEX tags_tag ON tags (tag); "
              "COMMIT;",
              error)) {
      return false;
    }
    if (owned_) {
      for (sqlite3_stmt*& s : insert_) {
        sqlite3_finalize(s);
        s = nullptr;
      }
      sqlite3_finalize(scalar_batch_stmt_);
      scalar_batch_stmt_ = nullptr;
      sqlite3_finalize(run_stmt_);
      sqlite3_finalize(file_stmt_);
      sqlite3_finalize(skip_stmt_);
      sqlite3_finalize(tag_stmt_);
      run_stmt_ = file_stmt_ = skip_stmt_ = tag_stmt_ = nullptr;
      if (sqlite3_close(db_) != SQLITE_OK) {
        *error = "cannot close " + tmp_;
        return false;
      }
      db_ = nullptr;
      if (std::rename(tmp_.c_str(), path_.c_str()) != 0) {
        *error = "cannot rename " + tmp_ + " to " + path_;
        std::remove(tmp_.c_str());
        return false;
      }
      finished_ = true;
    }
    return true;
  }

  bool failed() const override { return failed_; }

 private:
  bool Exec(const char* sql, std::string* error) {
    char* msg = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
      *error = std::string("sqlite: ") + (msg ? msg : sqlite3_errmsg(db_));
      sqlite3_free(msg);
      return false;
    }
    return true;
  }

  // Drops `name` whether it is a table or a view (a database given to --db
  // may hold an earlier export of either layout).
  bool DropIfExists(const std::string& name, std::string* error) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, "SELECT type FROM sqlite_master WHERE name = ?1 AND type IN ('table', 'view')", -1, &s,
                           nullptr) != SQLITE_OK) {
      *error = std::string("sqlite: ") + sqlite3_errmsg(db_);
      return false;
    }
    sqlite3_bind_text(s, 1, name.c_str(), -1, SQLITE_STATIC);
    std::string type;
    if (sqlite3_step(s) == SQLITE_ROW) type = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    if (type.empty()) return true;
    return Exec(("DROP " + std::string(type == "view" ? "VIEW " : "TABLE ") + "\"" + name + "\";").c_str(), error);
  }

  // The id of the file whose rows are arriving: a new one at each change of
  // (dir_name, file_name), and after each OnFile.
  int64_t FileId(std::string_view dir_name, std::string_view file_name) {
    if (!file_set_ || file_dir_ != dir_name || file_name_ != file_name) {
      file_set_ = true;
      file_dir_.assign(dir_name);
      file_name_.assign(file_name);
      file_id_ = ++last_file_id_;
    }
    return file_id_;
  }

  // The id of a tag, inserted into `tags` the first time it is seen.
  int64_t TagId(std::string_view tag) {
    if (auto it = tag_ids_.find(tag); it != tag_ids_.end()) return it->second;
    const int64_t id = static_cast<int64_t>(tag_ids_.size()) + 1;
    tag_ids_.emplace(std::string(tag), id);
    sqlite3_bind_int64(tag_stmt_, 1, id);
    BindText(tag_stmt_, 2, tag);
    Step(tag_stmt_);
    return id;
  }

  bool Prepare(const char* sql, sqlite3_stmt** stmt, std::string* error) {
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, nullptr) != SQLITE_OK) {
      *error = std::string("sqlite: ") + sqlite3_errmsg(db_);
      return false;
    }
    return true;
  }

  void Step(sqlite3_stmt* s) {
    if (sqlite3_step(s) != SQLITE_DONE) {
      failed_ = true;
      error_ = std::string("sqlite: ") + sqlite3_errmsg(db_);
    }
    sqlite3_reset(s);
  }

  // Text columns hold valid UTF-8 (sqlite3 and Python's module decode them);
  // invalid bytes become U+FFFD here and are kept exactly in *_bytes columns.
  static void BindText(sqlite3_stmt* s, int i, std::string_view v) {
    if (IsValidUtf8(v)) {
      // The row outlives the statement's step (every column is bound again
      // before the next one), so SQLite need not copy it.
      sqlite3_bind_text64(s, i, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8);
    } else {
      const std::string valid = ToValidUtf8(v);
      sqlite3_bind_text64(s, i, valid.data(), valid.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    }
  }
  static void BindTextOrNull(sqlite3_stmt* s, int i, std::string_view v) {
    if (v.empty()) {
      sqlite3_bind_null(s, i);
    } else {
      BindText(s, i, v);
    }
  }
  static void BindBytesIfInvalid(sqlite3_stmt* s, int i, std::string_view v) {
    if (IsValidUtf8(v)) {
      sqlite3_bind_null(s, i);
    } else {
      sqlite3_bind_blob64(s, i, v.data(), v.size(), SQLITE_TRANSIENT);
    }
  }

  // A scalar row held for the next batch.
  // 56 bytes: all the held rows are of one file (scalars_file_id_), and the
  // value is one number (a float32 widened to double, exactly, as it is bound).
  struct ScalarRow {
    sqlite3_int64 step = 0, seq = 0, offset = 0, record = 0;
    double wall_time = 0;
    union {
      double d;          // kFloat32, kFloat64
      sqlite3_int64 i;   // kInt, kBool
    } value{};
    uint32_t tag_id = 0;
    ValueType value_type = ValueType::kNull;
    bool has_wall_time = false;
  };

  void BindScalar(sqlite3_stmt* s, int i, const ScalarRow& r) const {
    sqlite3_bind_int64(s, i, scalars_file_id_);
    sqlite3_bind_int64(s, i + 1, r.tag_id);
    sqlite3_bind_int64(s, i + 2, r.step);
    sqlite3_bind_int64(s, i + 3, r.seq);
    if (r.has_wall_time) {
      sqlite3_bind_double(s, i + 4, r.wall_time);
    } else {
      sqlite3_bind_null(s, i + 4);
    }
    switch (r.value_type) {
      case ValueType::kFloat32:
      case ValueType::kFloat64:
        sqlite3_bind_double(s, i + 5, r.value.d);
        break;
      case ValueType::kInt:
      case ValueType::kBool:
        sqlite3_bind_int64(s, i + 5, r.value.i);
        break;
      default:
        sqlite3_bind_null(s, i + 5);
        break;
    }
    sqlite3_bind_int64(s, i + 6, r.offset);
    sqlite3_bind_int64(s, i + 7, r.record);
  }

  // Puts the held rows (all of one file) in key order: a counting sort by
  // tag_id (stable, so each tag's rows stay in seq order), then each tag's
  // rows by step where they are not already (a resumed run, a step logged
  // twice: std::stable_sort keeps seq order among equal steps).
  void SortScalars() {
    const size_t n = scalars_.size();
    tag_list_.clear();
    for (const ScalarRow& r : scalars_) {
      const size_t t = static_cast<size_t>(r.tag_id);
      if (t >= tag_count_.size()) tag_count_.resize(t + 1, 0);
      if (tag_count_[t]++ == 0) tag_list_.push_back(r.tag_id);
    }
    std::sort(tag_list_.begin(), tag_list_.end());
    size_t at = 0;
    for (sqlite3_int64 t : tag_list_) {
      const size_t count = tag_count_[static_cast<size_t>(t)];
      tag_count_[static_cast<size_t>(t)] = at;  // now where the tag's rows start
      at += count;
    }
    order_.resize(n);
    for (size_t i = 0; i < n; ++i)
      order_[tag_count_[static_cast<size_t>(scalars_[i].tag_id)]++] = static_cast<uint32_t>(i);
    for (sqlite3_int64 t : tag_list_) tag_count_[static_cast<size_t>(t)] = 0;  // ready for the next chunk
    // Each tag's run: sorted by step already, or made so.
    for (size_t begin = 0; begin < n;) {
      const sqlite3_int64 tag = scalars_[order_[begin]].tag_id;
      size_t end = begin + 1;
      bool sorted = true;
      for (; end < n && scalars_[order_[end]].tag_id == tag; ++end) {
        if (scalars_[order_[end]].step < scalars_[order_[end - 1]].step) sorted = false;
      }
      if (!sorted) {
        std::stable_sort(order_.begin() + static_cast<std::ptrdiff_t>(begin),
                         order_.begin() + static_cast<std::ptrdiff_t>(end),
                         [this](uint32_t a, uint32_t b) { return scalars_[a].step < scalars_[b].step; });
      }
      begin = end;
    }
  }

  // Inserts the held scalar rows in key order: full batches in one
  // statement each, the rest row by row.
  void FlushScalars() {
    if (scalars_.empty() || failed_) {
      scalars_.clear();
      return;
    }
    SortScalars();
    const size_t n = scalars_.size();
    size_t i = 0;
    for (; i + kScalarBatch <= n && !failed_; i += kScalarBatch) {
      for (int r = 0; r < kScalarBatch; ++r) {
        BindScalar(scalar_batch_stmt_, 1 + r * kScalarColumns, scalars_[order_[i + static_cast<size_t>(r)]]);
      }
      Step(scalar_batch_stmt_);
    }
    sqlite3_stmt* s = insert_[static_cast<int>(Kind::kScalar)];
    for (; i < n && !failed_; ++i) {
      BindScalar(s, 1, scalars_[order_[i]]);
      Step(s);
    }
    scalars_.clear();
  }

  static void BindValue(sqlite3_stmt* s, int i, const Row& r) {
    switch (r.value_type) {
      case ValueType::kNull:
        sqlite3_bind_null(s, i);
        break;
      case ValueType::kFloat32:
        sqlite3_bind_double(s, i, static_cast<double>(r.f32));
        break;
      case ValueType::kFloat64:
        sqlite3_bind_double(s, i, r.f64);
        break;
      case ValueType::kInt:
        sqlite3_bind_int64(s, i, r.i64);
        break;
      case ValueType::kBool:
        sqlite3_bind_int(s, i, r.b ? 1 : 0);
        break;
      case ValueType::kString:
      case ValueType::kJson:
        BindText(s, i, r.str);
        break;
    }
  }

  std::string path_, tmp_;
  sqlite3* db_;
  bool owned_;
  bool finished_ = false;
  bool failed_ = false;
  std::string error_;
  sqlite3_stmt* insert_[kKindCount] = {};
  sqlite3_stmt* scalar_batch_stmt_ = nullptr;
  std::vector<ScalarRow> scalars_;       // held rows, all of one file, arrival (seq) order
  sqlite3_int64 scalars_file_id_ = 0;    // that file
  size_t chunk_;                         // rows held at most (kScalarChunk unless a test says)
  std::vector<uint32_t> order_;          // their key order (SortScalars)
  std::vector<size_t> tag_count_;        // by tag_id: scratch of SortScalars, zero between calls
  std::vector<sqlite3_int64> tag_list_;  // the tag ids of the held rows
  sqlite3_int64 last_seq_ = 0;
  sqlite3_stmt* run_stmt_ = nullptr;
  sqlite3_stmt* file_stmt_ = nullptr;
  sqlite3_stmt* skip_stmt_ = nullptr;
  sqlite3_stmt* tag_stmt_ = nullptr;
  bool file_set_ = false;
  std::string file_dir_, file_name_;
  int64_t file_id_ = 0, last_file_id_ = 0;
  std::unordered_map<std::string, int64_t, StringHash, std::equal_to<>> tag_ids_;
};

}  // namespace

std::unique_ptr<RowSink> MakeSqliteSink(const std::string& path, sqlite3* db, size_t scalar_chunk_rows) {
  return std::make_unique<SqliteSink>(path, db, scalar_chunk_rows);
}

}  // namespace tblint::xport
