#include "scan/scanner.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <atomic>
#include <chrono>
#include <cmath>
#include <memory>
#include <thread>

#include "record/record_reader.h"
#include "record/source.h"
#include "scan/discover.h"
#include "scan/live_writers.h"
#include "scan/sniff.h"

namespace tblint {
namespace {

constexpr size_t kSniffBytes = 512;

// Per-file bookkeeping done once for every rule that needs it: tag stats,
// step order, writer signals. O(tags) memory, never a list of steps.
class FileAnalysis {
 public:
  explicit FileAnalysis(FileResult* file) : file_(file) {}

  void OnEvent(const event::EventView& ev, const Record& rec) {
    FileResult& f = *file_;
    if (ev.has_wall_time) {
      if (!f.has_wall_time) {
        f.min_wall = f.max_wall = ev.wall_time;
        f.has_wall_time = true;
      }
      // NaN compares false both ways and is left out of the range.
      if (ev.wall_time < f.min_wall) f.min_wall = ev.wall_time;
      if (ev.wall_time > f.max_wall) f.max_wall = ev.wall_time;
      if (have_last_wall_ && ev.wall_time < last_wall_) {
        if (f.wall_back_jumps++ == 0) {
          f.first_wall_back_jump_offset = rec.offset;
          f.first_wall_back_jump_record = rec.index;
        }
        f.largest_wall_back_jump = std::max(f.largest_wall_back_jump, last_wall_ - ev.wall_time);
      }
      if (!std::isnan(ev.wall_time)) {
        last_wall_ = ev.wall_time;
        have_last_wall_ = true;
      }
    }
    // A file_version after the first is a second writer, unless the very
    // next event is a SessionLog START at the same step (torch purge_step).
    if (pending_fv_) {
      const bool purge = ev.what == event::What::kSessionLog && ev.session_status == kStart &&
                         ev.step == pending_fv_step_;
      if (!purge) CountExtraFileVersion();
      pending_fv_ = false;
    }
    if (ev.what == event::What::kFileVersion) {
      if (seen_fv_) {
        pending_fv_ = true;
        pending_fv_step_ = ev.step;
        pending_fv_offset_ = rec.offset;
        pending_fv_record_ = rec.index;
      }
      seen_fv_ = true;
    } else if (ev.what == event::What::kSessionLog && ev.session_status == kStart) {
      if (f.session_starts.size() < kMaxStartsKept) f.session_starts.push_back(ev.step);
      ++f.session_start_count;
      // TensorBoard purges steps >= the START's step: they are not re-logs.
      for (auto& [tag, s] : f.tags) s.covered_max = std::min(s.covered_max, ev.step - 1);
    } else if (ev.what == event::What::kGraphDef || ev.what == event::What::kMetaGraphDef) {
      f.largest_graph_bytes = std::max(f.largest_graph_bytes, ev.what_bytes);
    }
    for (const event::Value& v : ev.values) UpdateTag(v, ev, rec);
  }

  void Finish() {
    if (pending_fv_) CountExtraFileVersion();
  }

 private:
  static constexpr int32_t kStart = 1;

  void CountExtraFileVersion() {
    if (file_->extra_file_versions++ == 0) {
      file_->first_extra_file_version_offset = pending_fv_offset_;
      file_->first_extra_file_version_record = pending_fv_record_;
    }
  }

  // A few recently used tags in front of the map: most files cycle through a
  // handful of tags, and this saves hashing each one per record. Keys point
  // into the map's nodes, which never move.
  TagStats* Cached(std::string_view tag) {
    for (const CacheEntry& e : cache_) {
      if (e.stats != nullptr && e.key.size() == tag.size() && std::memcmp(e.key.data(), tag.data(), tag.size()) == 0) {
        return e.stats;
      }
    }
    auto it = file_->tags.find(tag);
    if (it == file_->tags.end()) return nullptr;
    cache_[next_slot_++ % cache_.size()] = {it->first, &it->second};
    return &it->second;
  }

  void UpdateTag(const event::Value& v, const event::EventView& ev, const Record& rec) {
    TagStats* found = Cached(v.tag);
    const event::TagKind kind = v.tag_kind();
    const int64_t step = ev.step;
    if (found == nullptr) {
      TagStats s;
      s.kind = kind;
      s.kinds_seen = static_cast<uint8_t>(1u << static_cast<unsigned>(kind));
      s.first_step = s.last_step = s.min_step = s.max_step = s.covered_max = step;
      s.first_wall = s.last_wall = ev.wall_time;
      s.points = 1;
      file_->tags.emplace(std::string(v.tag), s);
      return;
    }
    TagStats& s = *found;
    if (s.kind != kind) s.mixed_kinds = true;
    s.kinds_seen |= static_cast<uint8_t>(1u << static_cast<unsigned>(kind));
    ++s.points;
    if (step < s.last_step) {
      if (s.regressions++ == 0) {
        s.first_regression_from = s.last_step;
        s.first_regression_to = step;
        s.first_regression_offset = rec.offset;
      }
      if (!s.awaiting_new_peak) {
        s.awaiting_new_peak = true;
        s.peak_at_regression = s.max_step;
      }
    }
    if (s.awaiting_new_peak && step > s.peak_at_regression) {
      ++s.interleaves;
      s.awaiting_new_peak = false;
    }
    // A step at or below the highest one still shown, within the covered
    // range, re-logs a step (exact for writers that log every step in order).
    if (step >= s.min_step && step <= s.covered_max) {
      if (s.overwritten++ == 0) {
        s.first_overwritten_step = step;
        s.first_overwritten_offset = rec.offset;
      }
    }
    s.last_step = step;
    s.min_step = std::min(s.min_step, step);
    s.max_step = std::max(s.max_step, step);
    s.covered_max = std::max(s.covered_max, step);
    s.last_wall = ev.wall_time;
  }

  struct CacheEntry {
    std::string_view key;
    TagStats* stats = nullptr;
  };
  std::array<CacheEntry, 8> cache_{};
  size_t next_slot_ = 0;
  FileResult* file_;
  bool have_last_wall_ = false;
  double last_wall_ = 0;
  bool seen_fv_ = false;
  bool pending_fv_ = false;
  int64_t pending_fv_step_ = 0;
  uint64_t pending_fv_offset_ = 0;
  uint64_t pending_fv_record_ = 0;
};

}  // namespace

void ScanFile(FileResult* file, const std::vector<const Rule*>& rules, const LintOptions& options) {
  std::vector<std::unique_ptr<FileCheck>> checks;
  std::vector<Sink> sinks;
  for (const Rule* rule : rules) {
    if (auto check = rule->NewFileCheck(file->info, options)) {
      checks.push_back(std::move(check));
      sinks.emplace_back(&rule->info(), &file->findings);
    }
  }
  // Per-record dispatch lists, by what each check wants to see.
  std::vector<size_t> on_clean, on_damaged;
  for (size_t i = 0; i < checks.size(); ++i) {
    if (checks[i]->interest() & FileCheck::kClean) on_clean.push_back(i);
    if (checks[i]->interest() & FileCheck::kDamaged) on_damaged.push_back(i);
  }

  FileSource source;
  if (std::error_code ec = source.Open(file->info.path)) {
    file->io_error = ec == std::errc::not_supported ? "not a regular file; not read"
                                                    : "cannot open: " + ec.message();
  } else {
    file->info.size = source.Size();
    std::string head(static_cast<size_t>(std::min<uint64_t>(kSniffBytes, source.Size())), '\0');
    if (std::error_code rec = source.ReadAt(0, head.size(), reinterpret_cast<uint8_t*>(head.data()))) {
      file->io_error = "cannot read: " + rec.message();
    } else {
      file->info.format = SniffFormat(head, source.Size());
    }
  }

  if (file->io_error.empty() && file->info.format == FileFormat::kTfRecord) {
    RecordReader reader(&source);
    Record rec;
    event::EventView ev;
    event::WireError err;
    bool after_resync = false;
    bool clean_so_far = true;
    FileAnalysis analysis(file);
    while (reader.Next(&rec)) {
      RecordView view{rec};
      view.after_resync = after_resync;
      if (rec.kind == RecordKind::kOk) {
        ++file->records;
        if (clean_so_far) file->valid_prefix_end = rec.end;
        // Past a bad length both readers have stopped: such records count for
        // TB103's resync figure and for salvage, but their content is not
        // what TensorBoard shows, so content rules do not see them.
        if (rec.payload_in_memory && !after_resync) {
          if (event::DecodeEvent(rec.payload, &ev, &err)) {
            view.event = &ev;
            ++file->events;
            analysis.OnEvent(ev, rec);
          } else {
            view.decode_error = &err;
          }
        }
      } else if (rec.kind == RecordKind::kIoError) {
        file->io_error = "read error at offset " + std::to_string(rec.offset) + ": " +
                         rec.error.message() + " (did the file change during the scan?)";
        clean_so_far = false;
        file->damaged = true;
      } else {
        clean_so_far = false;
        file->damaged = true;
      }
      for (size_t i : view.event != nullptr ? on_clean : on_damaged) checks[i]->OnRecord(view, sinks[i]);
      if (rec.kind == RecordKind::kBadLengthCrc) after_resync = reader.Resync().has_value();
    }
    analysis.Finish();
    file->bytes_scanned = reader.size();
  }
  for (size_t i = 0; i < checks.size(); ++i) checks[i]->OnEnd(*file, sinks[i]);
  for (Finding& f : file->findings) {
    if (f.path.empty()) f.path = file->info.rel_path;
    f.run = file->info.run;
  }
  std::stable_sort(file->findings.begin(), file->findings.end(), [](const Finding& a, const Finding& b) {
    return a.offset.value_or(0) < b.offset.value_or(0);
  });
}

std::string DisplayPath(const LintResult& result, const std::string& rel) {
  const LogdirResult& l = result.logdir;
  if (l.single_file) return l.given;
  if (rel == "." || rel.empty()) return l.given;
  std::string base = l.given;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  if (base == ".") return rel;
  return base + "/" + rel;
}

bool Lint(const std::string& given, const ScanConfig& config, LintResult* result,
          std::string* error) {
  const auto start = std::chrono::steady_clock::now();
  LogdirResult& logdir = result->logdir;
  if (!Discover(given, config.lint, &logdir, error)) return false;

  if (config.detect_live_writers && !logdir.files.empty()) {
    const OpenForWriting writers = FindFilesOpenForWriting();
    for (FileResult& f : logdir.files) f.info.open_for_writing = writers.Contains(f.info.dev, f.info.ino);
  }

  // Largest files first, so one big file does not finish last on its own.
  std::vector<size_t> order(logdir.files.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return logdir.files[a].info.size > logdir.files[b].info.size;
  });
  int jobs = config.jobs > 0 ? config.jobs : static_cast<int>(std::thread::hardware_concurrency());
  jobs = std::max(1, std::min<int>(jobs, static_cast<int>(order.size())));
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i; (i = next.fetch_add(1)) < order.size();) {
      ScanFile(&logdir.files[order[i]], config.rules, config.lint);
    }
  };
  if (jobs <= 1) {
    worker();
  } else {
    std::vector<std::thread> threads;
    for (int t = 0; t < jobs; ++t) threads.emplace_back(worker);
    for (auto& t : threads) t.join();
  }

  for (RunResult& run : logdir.runs) {
    run.files.clear();
    for (size_t i : run.file_indices) run.files.push_back(&logdir.files[i]);
  }

  // Assemble findings in report order.
  std::vector<Finding>& out = result->findings;
  for (const RunResult& run : logdir.runs) {
    std::vector<Finding> run_findings;
    for (const Rule* rule : config.rules) {
      Sink sink(&rule->info(), &run_findings);
      rule->CheckRun(run, config.lint, sink);
    }
    for (Finding& f : run_findings) {
      if (f.path.empty()) f.path = run.name;
      f.run = run.name;
      out.push_back(std::move(f));
    }
    for (const FileResult* file : run.files) {
      result->records += file->records;
      result->bytes += file->bytes_scanned;
      out.insert(out.end(), file->findings.begin(), file->findings.end());
    }
  }
  std::vector<Finding> global;
  for (const Rule* rule : config.rules) {
    Sink sink(&rule->info(), &global);
    rule->CheckLogdir(logdir, config.lint, sink);
  }
  for (Finding& f : global) {
    if (f.path.empty()) f.path = ".";
    if (f.run.empty()) f.run = ".";
    out.push_back(std::move(f));
  }
  result->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return true;
}

}  // namespace tblint
