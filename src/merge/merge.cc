#include "merge/merge.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <queue>
#include <unordered_map>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "event/event.h"
#include "event/preemption.h"
#include "export/export.h"
#include "merge/output.h"
#include "record/record_reader.h"
#include "record/source.h"
#include "rule/model.h"
#include "rule/writer_name.h"
#include "scan/discover.h"
#include "util/text.h"

namespace tblint::merge {

const char* StatisticName(Statistic s) {
  switch (s) {
    case Statistic::kMean:
      return "mean";
    case Statistic::kStd:
      return "std";
    case Statistic::kMin:
      return "min";
    case Statistic::kMax:
      return "max";
    case Statistic::kMedian:
      return "median";
    case Statistic::kCount:
      return "count";
  }
  return "?";
}

std::optional<Statistic> ParseStatistic(std::string_view name) {
  for (int i = 0; i < kStatisticCount; ++i) {
    if (name == StatisticName(static_cast<Statistic>(i))) return static_cast<Statistic>(i);
  }
  return std::nullopt;
}

const char* OnOverlapName(OnOverlap p) {
  switch (p) {
    case OnOverlap::kLast:
      return "last";
    case OnOverlap::kFirst:
      return "first";
    case OnOverlap::kKeepAll:
      return "keep-all";
    case OnOverlap::kError:
      return "error";
  }
  return "?";
}

std::optional<OnOverlap> ParseOnOverlap(std::string_view name) {
  for (OnOverlap p : {OnOverlap::kLast, OnOverlap::kFirst, OnOverlap::kKeepAll, OnOverlap::kError}) {
    if (name == OnOverlapName(p)) return p;
  }
  return std::nullopt;
}

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Pseudo-tags of the Events that are series of their own in TensorBoard but
// carry no tag: a NUL byte cannot start a real tag.
constexpr std::string_view kGraphTag("\0graph_def", 10);

struct NameHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <class V>
using NameMap = std::unordered_map<std::string, V, NameHash, std::equal_to<>>;

bool IsPseudoTag(std::string_view tag) { return !tag.empty() && tag[0] == '\0'; }

void PutTag(json& j, std::string_view tag) {
  if (IsPseudoTag(tag)) {
    j["what"] = std::string(tag.substr(1));
  } else {
    PutName(j, "tag", tag);
  }
}

// --- the conflict report ----------------------------------------------------

class ConflictReport {
 public:
  bool Open(const std::string& path, Mode mode, OnOverlap policy, std::string* error) {
    if (path.empty()) return true;
    if (!file_.Open(path, error)) return false;
    open_ = true;
    const char* m = mode == Mode::kCombine ? "combine" : mode == Mode::kJoin ? "join" : "reduce";
    file_.Write(std::string("{\"version\":1,\"mode\":\"") + m + "\",\"on_overlap\":\"" + OnOverlapName(policy) +
                "\",\"entries\":[");
    return true;
  }
  void Add(const json& entry) {
    if (!open_) return;
    file_.Write(first_ ? "\n" : ",\n");
    first_ = false;
    file_.Write(DumpJson(entry, -1));
  }
  bool Finish(const Stats& s, std::string* error) {
    if (!open_) return true;
    json summary = {{"runs_in", s.runs_in},         {"files_in", s.files_in},
                    {"bytes_in", s.bytes_in},       {"runs_out", s.runs_out},
                    {"files_out", s.files_out},     {"bytes_out", s.bytes_out},
                    {"records_in", s.records_in},   {"records_out", s.records_out},
                    {"overlaps", s.overlaps},       {"dropped", s.dropped},
                    {"skipped_spans", s.skipped_spans}, {"skipped_files", s.skipped_files}};
    file_.Write("\n],\"summary\":" + DumpJson(summary, -1) + "}\n");
    return file_.Commit(error);
  }

 private:
  AtomicFile file_;
  bool open_ = false;
  bool first_ = true;
};

// --- reading ------------------------------------------------------------------

// Bytes [begin, end) of another source, as a source of their own: a segment
// of a file read by its own record reader.
class SubSource final : public Source {
 public:
  SubSource(Source* base, uint64_t begin, uint64_t end) : base_(base), begin_(begin), end_(end) {}
  uint64_t Size() const override { return end_ - begin_; }
  std::error_code ReadAt(uint64_t offset, size_t n, uint8_t* buf) override {
    return base_->ReadAt(begin_ + offset, n, buf);
  }
  uint64_t NextData(uint64_t offset) override {
    return std::min(end_, base_->NextData(begin_ + offset)) - begin_;
  }
  uint64_t NextHole(uint64_t offset) override {
    return std::min(end_, base_->NextHole(begin_ + offset)) - begin_;
  }

 private:
  Source* base_;
  uint64_t begin_, end_;
};

struct Damage {
  uint64_t offset = 0;
  uint64_t bytes = 0;
  std::string reason;
};

std::string DamageReason(const Record& r) {
  switch (r.kind) {
    case RecordKind::kTruncated:
      return "truncated record (the file ends inside it)";
    case RecordKind::kZeroFilled:
      return "zero-filled tail";
    case RecordKind::kBadLengthCrc:
      return "length CRC mismatch";
    case RecordKind::kBadDataCrc:
      return "data CRC mismatch";
    case RecordKind::kIoError:
      return "read error: " + r.error.message();
    case RecordKind::kOk:
      break;
  }
  return RecordKindName(r.kind);
}

// The valid Events of a source, in order: damaged spans and payloads that are
// not Events are skipped (a resynchronising scan finds every valid record
// after them) and handed to the caller as Damage.
class RecordStream {
 public:
  enum Got { kEnd, kEvent, kLarge };
  RecordStream(Source* source, size_t buffer) : reader_(source, ReaderOptions{64ull << 20, buffer}) {}

  // `broke` is set when anything was skipped since the previous record.
  Got Next(event::EventView* ev, std::vector<Damage>* damage, bool* broke) {
    *broke = false;
    while (!done_) {
      if (!reader_.Next(&rec_)) break;
      if (rec_.kind == RecordKind::kOk) {
        if (!rec_.payload_in_memory) return kLarge;
        event::WireError werr;
        if (event::DecodeEvent(rec_.payload, ev, &werr)) return kEvent;
        damage->push_back({rec_.offset, rec_.end - rec_.offset,
                           "not an Event (byte " + std::to_string(werr.offset) + " of the payload: " + werr.what + ")"});
        *broke = true;
        continue;
      }
      *broke = true;
      if (rec_.kind == RecordKind::kIoError) {
        damage->push_back({rec_.offset, reader_.size() - rec_.offset, DamageReason(rec_)});
        break;
      }
      const std::optional<uint64_t> next = reader_.Resync();
      const uint64_t to = next ? *next : reader_.size();
      damage->push_back({rec_.offset, to - rec_.offset, DamageReason(rec_)});
      if (!next) break;
    }
    done_ = true;
    return kEnd;
  }
  const Record& record() const { return rec_; }

 private:
  RecordReader reader_;
  Record rec_;
  bool done_ = false;
};

// Copies a valid record too large to be handed out, in chunks, re-reading its
// payload from the source (its CRCs were checked by the reader).
bool CopyLargeRecord(Source* source, const Record& r, AtomicFile* out) {
  out->Write(RecordHeader(r.length));
  std::string chunk;
  uint64_t done = 0;
  while (done < r.length) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(1 << 20, r.length - done));
    chunk.resize(n);
    if (source->ReadAt(r.offset + kHeaderSize + done, n, reinterpret_cast<uint8_t*>(chunk.data()))) return false;
    out->Write(chunk);
    done += n;
  }
  std::string crc;
  for (int i = 0; i < 4; ++i) crc.push_back(static_cast<char>((r.stored_crc >> (8 * i)) & 0xFF));
  return out->Write(crc);
}

// --- inputs -----------------------------------------------------------------

struct InFile {
  std::string path;
  std::string name;
  uint64_t size = 0;
  size_t input = 0;  // index into the inputs
};

struct InRun {
  std::string out_name;  // "." for the output directory itself
  std::string source;    // the run directory as found, for messages
  size_t input = 0;
  std::vector<InFile> files;  // in TensorBoard's read order
};

bool Resolve(const std::vector<Input>& inputs, std::ostream& err, std::vector<InRun>* runs, std::string* error) {
  LintOptions lint;
  lint.now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  for (size_t i = 0; i < inputs.size(); ++i) {
    LogdirResult logdir;
    std::string e;
    if (!Discover(inputs[i].path, lint, &logdir, &e)) {
      *error = EscapeForText(inputs[i].path) + ": " + e;
      return false;
    }
    for (const PathProblem& p : logdir.problems) {
      err << "tblint: merge: skipped " << EscapeForText(p.rel_path) << ": " << EscapeForText(p.what) << "\n";
    }
    for (const RunResult& run : logdir.runs) {
      InRun r;
      r.out_name = xport::DirName(inputs[i].name, logdir.single_file ? std::string(".") : run.name);
      if (r.out_name.empty()) r.out_name = ".";
      r.source = run.path;
      r.input = i;
      for (size_t fi : run.file_indices) {
        const FileInfo& info = logdir.files[fi].info;
        r.files.push_back({info.path(), std::string(info.name()), info.size, i});
      }
      std::sort(r.files.begin(), r.files.end(), [](const InFile& a, const InFile& b) { return a.path < b.path; });
      runs->push_back(std::move(r));
    }
  }
  return true;
}

// A run name becomes a directory under the output: it must not climb out.
bool SafeRunName(const std::string& name) {
  if (name == ".") return true;
  if (name.empty() || name[0] == '/') return false;
  size_t start = 0;
  while (start <= name.size()) {
    size_t slash = name.find('/', start);
    if (slash == std::string::npos) slash = name.size();
    const std::string_view part(name.data() + start, slash - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = slash + 1;
  }
  return true;
}

bool PrepareOutDir(const std::vector<Input>& inputs, const std::string& out_dir, std::string* error) {
  if (out_dir.empty()) {
    *error = "no output directory (-o OUTDIR)";
    return false;
  }
  std::error_code ec;
  const fs::path out = fs::weakly_canonical(fs::absolute(out_dir, ec), ec);
  for (const Input& in : inputs) {
    std::error_code ec2;
    const fs::path p = fs::weakly_canonical(fs::absolute(in.path, ec2), ec2);
    auto within = [](const fs::path& inner, const fs::path& outer) {
      auto [a, b] = std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end());
      return a == outer.end();
    };
    if (within(out, p) || within(p, out)) {
      *error = "the output directory " + EscapeForText(out_dir) + " overlaps the input " + EscapeForText(in.path) +
               ": a merge never writes into its inputs";
      return false;
    }
  }
  if (fs::exists(out_dir, ec)) {
    if (!fs::is_directory(out_dir, ec)) {
      *error = "the output " + EscapeForText(out_dir) + " exists and is not a directory";
      return false;
    }
    if (!fs::is_empty(out_dir, ec)) {
      *error = "the output directory " + EscapeForText(out_dir) + " is not empty";
      return false;
    }
    return true;
  }
  fs::create_directories(out_dir, ec);
  if (ec) {
    *error = "cannot create " + EscapeForText(out_dir) + ": " + ec.message();
    return false;
  }
  return true;
}

std::string RunDir(const std::string& out_dir, const std::string& run) {
  return run == "." ? out_dir : out_dir + "/" + run;
}

bool MakeDir(const std::string& dir, std::string* error) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec && !fs::is_directory(dir)) {
    *error = "cannot create " + EscapeForText(dir) + ": " + ec.message();
    return false;
  }
  return true;
}

// --- the engine ------------------------------------------------------------------

using event::Preemption;

bool IsStart(const event::EventView& ev) { return ev.what == event::What::kSessionLog && ev.session_status == 1; }

double MinWall(double a, const event::EventView& ev) {
  if (ev.has_wall_time && std::isfinite(ev.wall_time) && ev.wall_time > 0 && ev.wall_time < a) return ev.wall_time;
  return a;
}

class Engine {
 public:
  Engine(const std::vector<Input>& inputs, const Options& o, std::ostream& err, Stats* stats)
      : inputs_(inputs), o_(o), err_(err), stats_(stats) {
    host_ = o.host.empty() ? LocalHostName() : o.host;
    pid_ = o.pid != 0 ? o.pid : static_cast<int64_t>(::getpid());
  }

  bool Run(std::string* error) {
    std::vector<InRun> runs;
    if (!Resolve(inputs_, err_, &runs, error)) return false;
    for (const InRun& r : runs) {
      if (!SafeRunName(r.out_name)) {
        *error = "run name " + EscapeForText(r.out_name) + " (from " + EscapeForText(r.source) +
                 ") cannot be a directory under the output";
        return false;
      }
    }
    if (o_.mode == Mode::kReduce) {
      for (Statistic s : Statistics()) {
        if (!SafeRunName(o_.reduce_name + "-" + StatisticName(s))) {
          *error = "--name " + EscapeForText(o_.reduce_name) + " cannot name a directory";
          return false;
        }
      }
    }
    if (o_.mode == Mode::kCombine) {
      std::map<std::string, const InRun*> seen;
      for (const InRun& r : runs) {
        auto [it, fresh] = seen.emplace(r.out_name, &r);
        if (!fresh) {
          *error = "run name clash: " + EscapeForText(it->second->source) + " and " + EscapeForText(r.source) +
                   " would both be the run '" + EscapeForText(r.out_name) +
                   "'; give the inputs names (NAME:PATH) or use --join to glue them into one run";
          return false;
        }
      }
    }
    if (runs.empty()) {
      *error = "no event files in the inputs";
      return false;
    }
    if (!PrepareOutDir(inputs_, o_.out_dir, error)) return false;
    if (!report_.Open(o_.report_path, o_.mode, o_.on_overlap, error)) return false;
    for (const InRun& r : runs) {
      ++stats_->runs_in;
      stats_->files_in += r.files.size();
      for (const InFile& f : r.files) stats_->bytes_in += f.size;
    }
    bool ok = false;
    switch (o_.mode) {
      case Mode::kCombine:
        ok = Combine(runs, error);
        break;
      case Mode::kJoin:
        ok = Join(runs, error);
        break;
      case Mode::kReduce:
        ok = Reduce(runs, error);
        break;
    }
    if (!ok) return false;
    return report_.Finish(*stats_, error);
  }

 private:
  std::vector<Statistic> Statistics() const {
    if (!o_.statistics.empty()) return o_.statistics;
    std::vector<Statistic> all;
    for (int i = 0; i < kStatisticCount; ++i) all.push_back(static_cast<Statistic>(i));
    return all;
  }

  void ReportDamage(const std::string& run, const InFile& f, const Damage& d) {
    ++stats_->skipped_spans;
    err_ << "tblint: merge: skipped " << EscapeForText(f.path) << " at offset " << d.offset << " (" << d.bytes
         << " bytes): " << d.reason << "\n";
    json j = {{"kind", "skipped"}, {"offset", d.offset}, {"bytes", d.bytes}, {"reason", d.reason}};
    PutName(j, "run", run);
    PutName(j, "file", f.path);
    report_.Add(j);
  }

  void ReportFile(const std::string& run, const InFile& f, const std::string& reason) {
    ++stats_->skipped_files;
    err_ << "tblint: merge: skipped " << EscapeForText(f.path) << ": " << reason << "\n";
    json j = {{"kind", "skipped_file"}, {"reason", reason}};
    PutName(j, "run", run);
    PutName(j, "file", f.path);
    report_.Add(j);
  }

  void ReportOverlap(const std::string& run, const InFile& f, uint64_t offset, std::string_view tag, int64_t step,
                     int64_t previous_max) {
    ++stats_->overlaps;
    json j = {{"kind", "overlap"}, {"step", step}, {"previous_max_step", previous_max}, {"offset", offset}};
    PutTag(j, tag);
    PutName(j, "run", run);
    PutName(j, "file", f.path);
    report_.Add(j);
    if (!first_overlap_) {
      first_overlap_ = "run " + EscapeForText(run) + ": " +
                       (IsPseudoTag(tag) ? std::string(tag.substr(1)) : "tag " + EscapeForText(tag)) + " step " +
                       std::to_string(step) + " at offset " + std::to_string(offset) + " of " +
                       EscapeForText(f.path) + " comes after step " + std::to_string(previous_max);
    }
  }

  void ReportStartOverlap(const std::string& run, const InFile& f, uint64_t offset, int64_t step) {
    ++stats_->overlaps;
    json j = {{"kind", "overlap"}, {"what", "session_start"}, {"step", step}, {"offset", offset}};
    PutName(j, "run", run);
    PutName(j, "file", f.path);
    report_.Add(j);
    if (!first_overlap_) {
      first_overlap_ = "run " + EscapeForText(run) + ": a SessionLog START at step " + std::to_string(step) +
                       " (offset " + std::to_string(offset) + " of " + EscapeForText(f.path) +
                       ") restarts below steps already written";
    }
  }

  void ReportDropped(const std::string& run, const InFile& f, uint64_t offset, std::string_view tag, int64_t step,
                     const char* reason) {
    ++stats_->dropped;
    json j = {{"kind", "dropped"}, {"step", step}, {"offset", offset}, {"reason", reason}};
    PutTag(j, tag);
    PutName(j, "run", run);
    PutName(j, "file", f.path);
    report_.Add(j);
  }

  bool OverlapError(std::string* error) {
    *error = "--on-overlap error: " + first_overlap_.value_or("overlapping steps") + " (" +
             std::to_string(stats_->overlaps) + " overlap" + (stats_->overlaps == 1 ? "" : "s") +
             "); nothing was written";
    return false;
  }

  bool CommitFile(AtomicFile* file, std::string* error) {
    const uint64_t n = file->bytes();
    if (!file->Commit(error)) return false;
    ++stats_->files_out;
    stats_->bytes_out += n;
    return true;
  }

  // ---- combine ----

  bool Combine(const std::vector<InRun>& runs, std::string* error) {
    for (const InRun& r : runs) {
      const std::string dir = RunDir(o_.out_dir, r.out_name);
      if (!MakeDir(dir, error)) return false;
      std::unordered_set<std::string> used;
      bool any = false;
      for (const InFile& f : r.files) {
        bool wrote = false;
        if (!CombineFile(r, f, dir, &used, &wrote, error)) return false;
        any |= wrote;
      }
      if (any) ++stats_->runs_out;
    }
    return true;
  }

  // The output name of a file: its own when a writer made it (so the run's
  // files keep TensorBoard's order exactly), else a writer's name with the
  // time it carries (or its first wall time), never colliding.
  std::string CombinedName(const std::string& name, double first_wall, std::unordered_set<std::string>* used) {
    const WriterName w = ParseWriterName(name);
    if (w.standard && StrayCopyReason(name).empty() && used->insert(name).second) return name;
    double t = w.standard ? static_cast<double>(w.timestamp) : first_wall;
    for (;; t += 1) {
      std::string n = EventFileName(t, w.standard && !w.host.empty() ? w.host : host_, pid_, 0);
      if (used->insert(n).second) return n;
    }
  }

  bool CombineFile(const InRun& r, const InFile& f, const std::string& dir, std::unordered_set<std::string>* used,
                   bool* wrote, std::string* error) {
    FileSource source;
    if (auto ec = source.Open(f.path)) {
      ReportFile(r.out_name, f, "cannot open: " + ec.message());
      return true;
    }
    const WriterName wn = ParseWriterName(f.name);
    RecordStream stream(&source, 256 << 10);
    event::EventView ev;
    std::vector<Damage> damage;
    AtomicFile out;
    std::string name;
    std::string buf;
    uint64_t data_records = 0;
    bool broke;
    for (;;) {
      damage.clear();
      const RecordStream::Got got = stream.Next(&ev, &damage, &broke);
      for (const Damage& d : damage) ReportDamage(r.out_name, f, d);
      if (got == RecordStream::kEnd) break;
      const Record& rec = stream.record();
      ++stats_->records_in;
      if (name.empty()) {
        const double wall = got == RecordStream::kEvent && ev.has_wall_time ? ev.wall_time : 0;
        name = CombinedName(f.name, wall, used);
        if (!out.Open(dir + "/" + name, error)) return false;
        if (got != RecordStream::kEvent || ev.what != event::What::kFileVersion) {
          // Every writer starts a file with a file_version header; TensorBoard
          // relies on it (rule TB203), so a file without one gets one.
          buf.clear();
          AppendRecord(&buf, EncodeFileVersion(wall));
          out.Write(buf);
        }
      }
      if (got == RecordStream::kLarge) {
        if (!CopyLargeRecord(&source, rec, &out)) {
          ReportDamage(r.out_name, f, {rec.offset, rec.end - rec.offset, "read error while copying"});
          continue;
        }
        ++data_records;
      } else {
        buf.clear();
        AppendFramed(&buf, rec.payload, rec.stored_crc);
        out.Write(buf);
        if (ev.what != event::What::kFileVersion) ++data_records;
      }
      ++stats_->records_out;
    }
    if (name.empty()) {
      ReportFile(r.out_name, f, f.size == 0 ? "empty file" : "no valid record");
      return true;
    }
    if (data_records == 0 && !wn.profile_empty) {
      // A header alone shows nothing (rule TB202); the copy would only add a file.
      out.Abort();
      used->erase(name);
      ReportFile(r.out_name, f, "nothing but a file_version header");
      return true;
    }
    if (!CommitFile(&out, error)) return false;
    *wrote = true;
    return true;
  }

  // ---- join ----

  struct Segment {
    uint32_t file = 0;
    uint64_t begin = 0, end = 0;
    uint64_t first_seq = 0;
    uint64_t records = 0;
  };
  // A record the join does not copy (a file_version header, a START).
  struct Skip {
    uint32_t file;
    uint64_t offset, end;
  };

  struct Cursor {
    std::unique_ptr<SubSource> source;
    std::unique_ptr<RecordStream> stream;
    event::EventView ev;
    RecordStream::Got got = RecordStream::kEnd;
    uint64_t seq = 0;
    uint32_t file = 0;
    uint64_t base = 0;  // the segment's offset in its file
  };

  bool Join(const std::vector<InRun>& runs, std::string* error) {
    // Runs of the same output name, from any input, are one run.
    std::vector<std::string> order;
    std::map<std::string, std::vector<InFile>> groups;
    for (const InRun& r : runs) {
      auto [it, fresh] = groups.emplace(r.out_name, std::vector<InFile>{});
      if (fresh) order.push_back(r.out_name);
      it->second.insert(it->second.end(), r.files.begin(), r.files.end());
    }
    for (const std::string& name : order) {
      std::vector<InFile>& files = groups[name];
      std::stable_sort(files.begin(), files.end(), [](const InFile& a, const InFile& b) {
        return a.name != b.name ? a.name < b.name : a.input < b.input;
      });
      if (!JoinRun(name, files, error)) return false;
    }
    return true;
  }

  bool JoinRun(const std::string& run, const std::vector<InFile>& files, std::string* error) {
    Preemption preempt;
    std::vector<Segment> segments;
    std::vector<Skip> skips;
    double min_wall = std::numeric_limits<double>::infinity();
    uint64_t seq = 0;
    const uint64_t overlaps_before = stats_->overlaps;
    first_overlap_.reset();
    // Pass 1: overlaps, purges and the segments.
    for (uint32_t fi = 0; fi < files.size(); ++fi) {
      const InFile& f = files[fi];
      FileSource source;
      if (auto ec = source.Open(f.path)) {
        ReportFile(run, f, "cannot open: " + ec.message());
        continue;
      }
      RecordStream stream(&source, 256 << 10);
      event::EventView ev;
      std::vector<Damage> damage;
      bool broke, open = false;
      int64_t prev_step = 0;
      uint64_t last_end = 0;
      for (;;) {
        damage.clear();
        const RecordStream::Got got = stream.Next(&ev, &damage, &broke);
        for (const Damage& d : damage) ReportDamage(run, f, d);
        if (open && (broke || got != RecordStream::kEvent || ev.step < prev_step)) {
          segments.back().end = last_end;
          open = false;
        }
        if (got == RecordStream::kEnd) break;
        const Record& rec = stream.record();
        ++stats_->records_in;
        if (got == RecordStream::kLarge) {
          ReportDamage(run, f, {rec.offset, rec.end - rec.offset, "record over 64 MiB: not decoded, not joined"});
          continue;
        }
        if (!open) {
          segments.push_back({fi, rec.offset, 0, seq, 0});
          open = true;
        }
        ++segments.back().records;
        if (ev.what == event::What::kFileVersion || IsStart(ev)) skips.push_back({fi, rec.offset, rec.end});
        prev_step = ev.step;
        last_end = rec.end;
        min_wall = MinWall(min_wall, ev);
        int64_t previous_max = 0;
        if (IsStart(ev)) {
          if (preempt.Start(seq, ev.step)) ReportStartOverlap(run, f, rec.offset, ev.step);
        } else if (ev.what == event::What::kSummary) {
          for (const event::Value& v : ev.values) {
            if (preempt.Point(v.tag, seq, ev.step, &previous_max)) {
              ReportOverlap(run, f, rec.offset, v.tag, ev.step, previous_max);
            }
          }
        } else if (ev.what == event::What::kGraphDef) {
          if (preempt.Point(kGraphTag, seq, ev.step, &previous_max)) {
            ReportOverlap(run, f, rec.offset, kGraphTag, ev.step, previous_max);
          }
        }
        ++seq;
      }
      if (open) segments.back().end = last_end;
    }
    if (o_.on_overlap == OnOverlap::kError && stats_->overlaps > overlaps_before) return OverlapError(error);
    preempt.Finish();
    if (segments.empty()) {
      for (const InFile& f : files) ReportFile(run, f, "no valid record");
      return true;
    }
    if (!std::isfinite(min_wall)) min_wall = 0;
    if (segments.size() == 1 && stats_->overlaps == overlaps_before) {
      return CopySegment(run, files, segments[0], skips, min_wall, error);
    }

    // Pass 2: a k-way merge of the segments by (step, read order).
    std::vector<std::unique_ptr<FileSource>> sources(files.size());
    for (uint32_t fi = 0; fi < files.size(); ++fi) {
      sources[fi] = std::make_unique<FileSource>();
      if (sources[fi]->Open(files[fi].path)) sources[fi].reset();
    }
    const size_t buffer =
        std::clamp<size_t>((64u << 20) / segments.size(), 16u << 10, 256u << 10);
    std::vector<Cursor> cursors(segments.size());
    auto later = [&](size_t a, size_t b) {
      const Cursor& x = cursors[a];
      const Cursor& y = cursors[b];
      return x.ev.step != y.ev.step ? x.ev.step > y.ev.step : x.seq > y.seq;
    };
    std::priority_queue<size_t, std::vector<size_t>, decltype(later)> heap(later);
    std::vector<Damage> damage;
    bool broke;
    auto advance = [&](size_t i) {
      Cursor& c = cursors[i];
      damage.clear();
      c.got = c.stream->Next(&c.ev, &damage, &broke);
      while (c.got == RecordStream::kLarge) c.got = c.stream->Next(&c.ev, &damage, &broke);
      if (c.got == RecordStream::kEvent) heap.push(i);
    };
    for (size_t i = 0; i < segments.size(); ++i) {
      const Segment& s = segments[i];
      if (!sources[s.file]) {
        *error = "cannot reopen " + EscapeForText(files[s.file].path);
        return false;
      }
      Cursor& c = cursors[i];
      c.source = std::make_unique<SubSource>(sources[s.file].get(), s.begin, s.end);
      c.stream = std::make_unique<RecordStream>(c.source.get(), buffer);
      c.seq = s.first_seq;
      c.file = s.file;
      c.base = s.begin;
      advance(i);
    }
    const std::string dir = RunDir(o_.out_dir, run);
    if (!MakeDir(dir, error)) return false;
    AtomicFile out;
    if (!out.Open(dir + "/" + EventFileName(min_wall, host_, pid_, 0), error)) return false;
    std::string buf, filtered;
    AppendRecord(&buf, EncodeFileVersion(min_wall));
    out.Write(buf);
    const uint64_t records_before = stats_->records_out;
    std::vector<bool> keep;
    std::unordered_set<std::string> group_tags;
    int64_t group_step = 0;
    bool group_open = false;
    auto decide = [&](std::string_view tag, const Cursor& c, uint64_t offset) -> bool {
      switch (o_.on_overlap) {
        case OnOverlap::kKeepAll:
          return true;
        case OnOverlap::kFirst:
          if (group_tags.emplace(tag).second) return true;
          ReportDropped(run, files[c.file], offset, tag, c.ev.step, "duplicate of an earlier write of this step");
          return false;
        case OnOverlap::kLast:
        case OnOverlap::kError:
          break;
      }
      switch (preempt.Keeps(tag, c.seq, c.ev.step)) {
        case Preemption::kKeep:
          return true;
        case Preemption::kPreempted:
          ReportDropped(run, files[c.file], offset, tag, c.ev.step,
                        "a later write of this tag at this or an earlier step replaces it");
          return false;
        case Preemption::kPurged:
          ReportDropped(run, files[c.file], offset, tag, c.ev.step,
                        "a later SessionLog START at this or an earlier step purges it");
          return false;
      }
      return true;
    };
    while (!heap.empty()) {
      const size_t i = heap.top();
      heap.pop();
      Cursor& c = cursors[i];
      const Record& rec = c.stream->record();
      const uint64_t offset = c.base + rec.offset;
      if (!group_open || c.ev.step != group_step) {
        group_tags.clear();
        group_step = c.ev.step;
        group_open = true;
      }
      bool write_whole = true;
      bool write_none = false;
      if (c.ev.what == event::What::kFileVersion || IsStart(c.ev)) {
        write_none = true;  // one header for the joined file; purges applied
      } else if (c.ev.what == event::What::kSummary && !c.ev.values.empty()) {
        keep.assign(c.ev.values.size(), true);
        size_t kept = 0;
        for (size_t v = 0; v < c.ev.values.size(); ++v) {
          keep[v] = decide(c.ev.values[v].tag, c, offset);
          kept += keep[v];
        }
        write_none = kept == 0;
        write_whole = kept == c.ev.values.size();
      } else if (c.ev.what == event::What::kGraphDef) {
        write_none = !decide(kGraphTag, c, offset);
      }
      if (!write_none) {
        buf.clear();
        if (write_whole) {
          AppendFramed(&buf, rec.payload, rec.stored_crc);
        } else if (FilterValues(rec.payload, keep, &filtered)) {
          AppendRecord(&buf, filtered);
        } else {
          AppendFramed(&buf, rec.payload, rec.stored_crc);
        }
        out.Write(buf);
        ++stats_->records_out;
      }
      ++c.seq;
      advance(i);
    }
    if (stats_->records_out == records_before) {
      // Nothing but the header: the run shows nothing (rule TB202).
      out.Abort();
      for (const InFile& f : files) ReportFile(run, f, "nothing to join but file_version headers");
      return true;
    }
    ++stats_->records_out;  // the header
    if (!CommitFile(&out, error)) return false;
    ++stats_->runs_out;
    return true;
  }

  // A run that is one stretch of non-decreasing steps with no overlap is
  // already what the join writes: its bytes are copied as they are, but for
  // the file_version headers and STARTs, behind one new header.
  bool CopySegment(const std::string& run, const std::vector<InFile>& files, const Segment& seg,
                   const std::vector<Skip>& skips, double min_wall, std::string* error) {
    if (seg.records <= skips.size()) {
      for (const InFile& f : files) ReportFile(run, f, "nothing to join but file_version headers");
      return true;
    }
    FileSource source;
    if (auto ec = source.Open(files[seg.file].path)) {
      *error = "cannot reopen " + EscapeForText(files[seg.file].path) + ": " + ec.message();
      return false;
    }
    const std::string dir = RunDir(o_.out_dir, run);
    if (!MakeDir(dir, error)) return false;
    AtomicFile out;
    if (!out.Open(dir + "/" + EventFileName(min_wall, host_, pid_, 0), error)) return false;
    std::string buf;
    AppendRecord(&buf, EncodeFileVersion(min_wall));
    out.Write(buf);
    std::string chunk;
    auto copy = [&](uint64_t from, uint64_t to) {
      while (from < to) {
        const size_t n = static_cast<size_t>(std::min<uint64_t>(1 << 20, to - from));
        chunk.resize(n);
        if (source.ReadAt(from, n, reinterpret_cast<uint8_t*>(chunk.data()))) return false;
        out.Write(chunk);
        from += n;
      }
      return true;
    };
    uint64_t pos = seg.begin;
    for (const Skip& k : skips) {
      if (!copy(pos, k.offset)) break;
      pos = k.end;
    }
    if (!copy(pos, seg.end)) {
      *error = "cannot read " + EscapeForText(files[seg.file].path) + " again";
      return false;
    }
    stats_->records_out += seg.records - skips.size() + 1;
    if (!CommitFile(&out, error)) return false;
    ++stats_->runs_out;
    return true;
  }

  // ---- reduce ----

  struct Point {
    uint64_t seq;
    int64_t step;
    double value;
    double wall;
    uint32_t file;
    uint64_t offset;
  };

  struct Cell {
    std::vector<double> values;  // one per run that has the point
    double wall = std::numeric_limits<double>::infinity();
  };

  bool Reduce(const std::vector<InRun>& runs, std::string* error) {
    if (o_.on_overlap == OnOverlap::kKeepAll) {
      *error = "--on-overlap keep-all is for --join: a reduce takes one value per run, tag and step";
      return false;
    }
    std::map<std::string, std::map<int64_t, Cell>, std::less<>> cells;
    double min_wall = std::numeric_limits<double>::infinity();
    for (const InRun& r : runs) {
      if (!ReduceRun(r, &cells, &min_wall, error)) return false;
    }
    const size_t nruns = runs.size();
    if (!std::isfinite(min_wall)) min_wall = 0;
    // Statistics, one output run each.
    struct Out {
      int64_t step;
      const std::string* tag;
      double value;
      double wall;
    };
    std::string csv;
    AtomicFile csv_file;
    if (!o_.csv_path.empty()) {
      if (!csv_file.Open(o_.csv_path, error)) return false;
      csv_file.Write("statistic,tag,step,value\n");
    }
    for (Statistic stat : Statistics()) {
      std::vector<Out> outs;
      for (const auto& [tag, steps] : cells) {
        for (const auto& [step, cell] : steps) {
          if (o_.steps == StepSet::kIntersection && cell.values.size() < nruns) continue;
          const double v = Compute(stat, cell.values);
          if (!o_.csv_path.empty()) {
            csv.clear();
            csv += StatisticName(stat);
            csv += ',';
            AppendCsvField(&csv, tag);
            csv += ',';
            csv += std::to_string(step);
            csv += ',';
            AppendNumber(&csv, v);
            csv += '\n';
            csv_file.Write(csv);
          }
          if (!std::isfinite(v) && o_.nan == NanPolicy::kSkip) continue;
          outs.push_back({step, &tag, v, cell.wall});
        }
      }
      std::stable_sort(outs.begin(), outs.end(), [](const Out& a, const Out& b) { return a.step < b.step; });
      const std::string run = o_.reduce_name + "-" + StatisticName(stat);
      const std::string dir = RunDir(o_.out_dir, run);
      if (!MakeDir(dir, error)) return false;
      AtomicFile out;
      if (!out.Open(dir + "/" + EventFileName(min_wall, host_, pid_, 0), error)) return false;
      std::string buf;
      AppendRecord(&buf, EncodeFileVersion(min_wall));
      for (const Out& p : outs) {
        AppendRecord(&buf, EncodeScalar(std::isfinite(p.wall) ? p.wall : min_wall, p.step, *p.tag,
                                        static_cast<float>(p.value)));
        if (buf.size() > (1 << 20)) {
          out.Write(buf);
          buf.clear();
        }
      }
      out.Write(buf);
      stats_->records_out += outs.size() + 1;
      if (!CommitFile(&out, error)) return false;
      ++stats_->runs_out;
    }
    if (!o_.csv_path.empty() && !csv_file.Commit(error)) return false;
    return true;
  }

  static void AppendCsvField(std::string* out, std::string_view s) {
    if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
      out->append(s);
      return;
    }
    out->push_back('"');
    for (char c : s) {
      if (c == '"') out->push_back('"');
      out->push_back(c);
    }
    out->push_back('"');
  }

  static void AppendNumber(std::string* out, double v) {
    if (std::isnan(v)) {
      out->append("nan");
    } else if (std::isinf(v)) {
      out->append(v > 0 ? "inf" : "-inf");
    } else {
      char buf[64];
      auto res = std::to_chars(buf, buf + sizeof buf, v);
      out->append(buf, res.ptr);
    }
  }

  // One statistic of one cell (docs/merge.md, "Statistics"): NaN values are
  // left out (--nan skip) or make every statistic but count NaN (propagate);
  // std is the sample standard deviation (n - 1), NaN below two values.
  double Compute(Statistic stat, const std::vector<double>& all) const {
    thread_local std::vector<double> vals;
    vals.clear();
    bool any_nan = false;
    for (double v : all) {
      if (std::isnan(v)) {
        any_nan = true;
        if (o_.nan == NanPolicy::kSkip) continue;
      }
      vals.push_back(v);
    }
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double n = static_cast<double>(vals.size());
    if (stat == Statistic::kCount) return n;
    if (vals.empty() || (any_nan && o_.nan == NanPolicy::kPropagate)) return nan;
    switch (stat) {
      case Statistic::kMean: {
        double sum = 0;
        for (double v : vals) sum += v;
        return sum / n;
      }
      case Statistic::kStd: {
        if (vals.size() < 2) return nan;
        double sum = 0;
        for (double v : vals) sum += v;
        const double mean = sum / n;
        double ss = 0;
        for (double v : vals) ss += (v - mean) * (v - mean);
        return std::sqrt(ss / (n - 1));
      }
      case Statistic::kMin:
        return *std::min_element(vals.begin(), vals.end());
      case Statistic::kMax:
        return *std::max_element(vals.begin(), vals.end());
      case Statistic::kMedian: {
        std::sort(vals.begin(), vals.end());
        const size_t m = vals.size() / 2;
        return vals.size() % 2 ? vals[m] : (vals[m - 1] + vals[m]) / 2;
      }
      case Statistic::kCount:
        break;
    }
    return n;
  }

  bool ReduceRun(const InRun& r, std::map<std::string, std::map<int64_t, Cell>, std::less<>>* cells,
                 double* min_wall, std::string* error) {
    NameMap<std::vector<Point>> tags;
    NameMap<std::string> plugin;  // a tag's first plugin in the run
    struct Start {
      uint64_t seq;
      int64_t step;
    };
    std::vector<Start> starts;
    Preemption overlaps;  // only to find the overlaps
    uint64_t seq = 0;
    const uint64_t overlaps_before = stats_->overlaps;
    first_overlap_.reset();
    for (uint32_t fi = 0; fi < r.files.size(); ++fi) {
      const InFile& f = r.files[fi];
      FileSource source;
      if (auto ec = source.Open(f.path)) {
        ReportFile(r.out_name, f, "cannot open: " + ec.message());
        continue;
      }
      RecordStream stream(&source, 256 << 10);
      event::EventView ev;
      std::vector<Damage> damage;
      bool broke;
      for (;;) {
        damage.clear();
        const RecordStream::Got got = stream.Next(&ev, &damage, &broke);
        for (const Damage& d : damage) ReportDamage(r.out_name, f, d);
        if (got == RecordStream::kEnd) break;
        ++stats_->records_in;
        if (got != RecordStream::kEvent) continue;
        const Record& rec = stream.record();
        if (IsStart(ev)) {
          starts.push_back({seq, ev.step});
          if (overlaps.Start(seq, ev.step)) ReportStartOverlap(r.out_name, f, rec.offset, ev.step);
        } else if (ev.what == event::What::kSummary) {
          for (const event::Value& v : ev.values) {
            if (!v.plugin_name.empty() && plugin.find(v.tag) == plugin.end()) {
              plugin.emplace(std::string(v.tag), std::string(v.plugin_name));
            }
            bool scalar = v.kind == event::ValueKind::kSimpleValue;
            if (!scalar && v.kind == event::ValueKind::kTensor && v.has_scalar) {
              auto it = plugin.find(v.tag);
              scalar = it != plugin.end() && it->second == "scalars";
            }
            if (!scalar) continue;
            int64_t previous_max = 0;
            if (overlaps.Point(v.tag, seq, ev.step, &previous_max)) {
              ReportOverlap(r.out_name, f, rec.offset, v.tag, ev.step, previous_max);
            }
            const double wall = ev.has_wall_time ? ev.wall_time : std::numeric_limits<double>::infinity();
            auto it = tags.find(v.tag);
            if (it == tags.end()) it = tags.emplace(std::string(v.tag), std::vector<Point>{}).first;
            it->second.push_back({seq, ev.step, v.scalar, wall, fi, rec.offset});
          }
        }
        *min_wall = MinWall(*min_wall, ev);
        ++seq;
      }
    }
    if (o_.on_overlap == OnOverlap::kError && stats_->overlaps > overlaps_before) return OverlapError(error);
    // The run's points after the overlap policy, into the cells.
    for (auto& [tag, points] : tags) {
      std::vector<bool> keep(points.size(), true);
      if (o_.on_overlap == OnOverlap::kFirst) {
        std::unordered_set<int64_t> seen;
        for (size_t i = 0; i < points.size(); ++i) {
          if (!seen.insert(points[i].step).second) {
            keep[i] = false;
            ReportDropped(r.out_name, r.files[points[i].file], points[i].offset, tag, points[i].step,
                          "duplicate of an earlier write of this step");
          }
        }
      } else {
        // last: a point survives when no later point of its tag and no later
        // START has a step <= its own.
        int64_t later_min = std::numeric_limits<int64_t>::max();
        int64_t start_min = std::numeric_limits<int64_t>::max();
        size_t si = starts.size();
        for (size_t i = points.size(); i-- > 0;) {
          while (si > 0 && starts[si - 1].seq > points[i].seq) start_min = std::min(start_min, starts[--si].step);
          if (points[i].step >= later_min) {
            keep[i] = false;
            ReportDropped(r.out_name, r.files[points[i].file], points[i].offset, tag, points[i].step,
                          "a later write of this tag at this or an earlier step replaces it");
          } else if (points[i].step >= start_min) {
            keep[i] = false;
            ReportDropped(r.out_name, r.files[points[i].file], points[i].offset, tag, points[i].step,
                          "a later SessionLog START at this or an earlier step purges it");
          }
          later_min = std::min(later_min, points[i].step);
        }
      }
      auto& steps = (*cells)[tag];
      for (size_t i = 0; i < points.size(); ++i) {
        if (!keep[i]) continue;
        Cell& c = steps[points[i].step];
        c.values.push_back(points[i].value);
        c.wall = std::min(c.wall, points[i].wall);
      }
    }
    return true;
  }

  const std::vector<Input>& inputs_;
  const Options& o_;
  std::ostream& err_;
  Stats* stats_;
  std::string host_;
  int64_t pid_ = 0;
  ConflictReport report_;
  std::optional<std::string> first_overlap_;
};

}  // namespace

bool Merge(const std::vector<Input>& inputs, const Options& options, std::ostream& err, Stats* stats,
           std::string* error) {
  Engine engine(inputs, options, err, stats);
  return engine.Run(error);
}

}  // namespace tblint::merge
