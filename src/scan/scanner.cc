#include "scan/scanner.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <thread>
#include <unordered_map>

#include "record/record_reader.h"
#include "record/source.h"
#include "scan/discover.h"
#include "scan/file_analysis.h"
#include "scan/live_writers.h"
#include "scan/sniff.h"

namespace tblint {
namespace {

constexpr size_t kSniffBytes = 512;
// A progress observer hears of a large file's bytes at least this often.
constexpr uint64_t kProgressStepBytes = 8ull << 20;

// Drops the runs outside the shard, and their files, so that what is left
// (the totals, `tblint runs`, the fixer) is the shard's alone.
template <typename InShardFn>
void KeepShard(LogdirResult* logdir, const InShardFn& in_shard) {
  std::vector<size_t> new_index(logdir->files.size(), SIZE_MAX);
  std::vector<FileResult> files;
  for (size_t i = 0; i < logdir->files.size(); ++i) {
    if (!in_shard(logdir->files[i].info.run)) continue;
    new_index[i] = files.size();
    files.push_back(std::move(logdir->files[i]));
  }
  std::vector<RunResult> runs;
  for (RunResult& run : logdir->runs) {
    if (!in_shard(run.name)) continue;
    std::vector<size_t> indices;
    for (size_t i : run.file_indices) {
      if (new_index[i] != SIZE_MAX) indices.push_back(new_index[i]);
    }
    run.file_indices = std::move(indices);
    runs.push_back(std::move(run));
  }
  logdir->files = std::move(files);
  logdir->runs = std::move(runs);
  for (RunResult& run : logdir->runs) {
    run.files.clear();
    for (size_t i : run.file_indices) run.files.push_back(&logdir->files[i]);
  }
}

// TB507's content signature of a file outside the shard: the data CRCs of
// its first records, read as ScanFile reads them (up to the first bad length)
// and no further. The file is otherwise left unscanned.
void ReadHeadSignature(FileResult* file) {
  FileSource source;
  // A file that cannot be read keeps no signature; its own shard reports why.
  if (source.Open(file->info.path)) return;
  std::string head(static_cast<size_t>(std::min<uint64_t>(kSniffBytes, source.Size())), '\0');
  if (source.ReadAt(0, head.size(), reinterpret_cast<uint8_t*>(head.data()))) return;
  if (SniffFormat(head, source.Size()) != FileFormat::kTfRecord) return;
  RecordReader reader(&source);
  Record rec;
  while (file->head_crc_count < kHeadCrcsKept && reader.Next(&rec)) {
    if (rec.kind == RecordKind::kOk) file->head_crcs[file->head_crc_count++] = rec.stored_crc;
    if (rec.kind == RecordKind::kBadLengthCrc || rec.kind == RecordKind::kIoError) break;
  }
}

}  // namespace

void ScanFile(FileResult* file, const std::vector<const Rule*>& rules, const LintOptions& options,
              ScanObserver* observer) {
  // Progress is counted against the size discovery saw, so the calls add up
  // to what OnScanStart announced even when the file changes meanwhile.
  const uint64_t planned_bytes = file->info.size;
  uint64_t reported_bytes = 0;
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
    file->io_error = ec == std::errc::not_supported ? "not a regular file; not read" : "cannot open: " + ec.message();
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
    FileAnalysis analysis(file, options.sample_scalars);
    while (reader.Next(&rec)) {
      RecordView view{rec};
      view.after_resync = after_resync;
      if (rec.kind == RecordKind::kOk) {
        ++file->records;
        if (!after_resync && file->head_crc_count < kHeadCrcsKept) {
          file->head_crcs[file->head_crc_count++] = rec.stored_crc;  // TB507's content signature
        }
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
        file->io_error = "read error at offset " + std::to_string(rec.offset) + ": " + rec.error.message() +
                         " (did the file change during the scan?)";
        file->damaged = true;
      } else {
        file->damaged = true;
      }
      for (size_t i : view.event != nullptr ? on_clean : on_damaged) checks[i]->OnRecord(view, sinks[i]);
      if (rec.kind == RecordKind::kBadLengthCrc) after_resync = reader.Resync().has_value();
      if (observer != nullptr && rec.end >= reported_bytes + kProgressStepBytes) {
        const uint64_t at = std::min(rec.end, planned_bytes);
        observer->OnScanProgress(0, at - reported_bytes);
        reported_bytes = at;
      }
    }
    analysis.Finish();
    file->bytes_scanned = reader.size();
  }
  for (size_t i = 0; i < checks.size(); ++i) checks[i]->OnEnd(*file, sinks[i]);
  for (Finding& f : file->findings) {
    if (f.path.empty()) f.path = file->info.rel_path;
    f.run = file->info.run;
  }
  std::stable_sort(file->findings.begin(), file->findings.end(),
                   [](const Finding& a, const Finding& b) { return a.offset.value_or(0) < b.offset.value_or(0); });
  if (observer != nullptr) observer->OnScanProgress(1, planned_bytes - reported_bytes);
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

bool Lint(const std::string& given, const ScanConfig& config, LintResult* result, std::string* error) {
  const auto start = std::chrono::steady_clock::now();
  LogdirResult& logdir = result->logdir;
  if (!Discover(given, config.lint, &logdir, error)) return false;

  if (config.detect_live_writers && !logdir.files.empty()) {
    const OpenForWriting writers = FindFilesOpenForWriting();
    for (FileResult& f : logdir.files) f.info.open_for_writing = writers.Contains(f.info.dev, f.info.ino);
  }

  // With --shard, only the files of the shard's runs are read.
  auto in_shard = [&](const std::string& run) { return !config.shard || InShard(run, *config.shard); };
  std::vector<size_t> order;
  uint64_t planned_bytes = 0;
  for (size_t i = 0; i < logdir.files.size(); ++i) {
    if (!in_shard(logdir.files[i].info.run)) continue;
    order.push_back(i);
    planned_bytes += logdir.files[i].info.size;
  }
  if (config.observer != nullptr) config.observer->OnScanStart(order.size(), planned_bytes);
  // Largest files first, so one big file does not finish last on its own.
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return logdir.files[a].info.size > logdir.files[b].info.size; });
  int jobs = config.jobs > 0 ? config.jobs : static_cast<int>(std::thread::hardware_concurrency());
  jobs = std::max(1, std::min<int>(jobs, static_cast<int>(order.size())));
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i; (i = next.fetch_add(1)) < order.size();) {
      ScanFile(&logdir.files[order[i]], config.rules, config.lint, config.observer);
    }
  };
  if (jobs <= 1) {
    worker();
  } else {
    std::vector<std::thread> threads;
    for (int t = 0; t < jobs; ++t) threads.emplace_back(worker);
    for (auto& t : threads) t.join();
  }
  if (config.observer != nullptr) config.observer->OnScanEnd();
  if (config.shard) {
    // Logdir-wide rules see every run; TB507 compares files of the same name
    // across runs by their first records, so a file outside the shard that
    // shares its name with another file gets its signature read (a few
    // records, not the file).
    std::unordered_map<std::string_view, int> names;
    for (const FileResult& f : logdir.files) ++names[f.info.name];
    for (FileResult& f : logdir.files) {
      if (!in_shard(f.info.run) && names[f.info.name] > 1) ReadHeadSignature(&f);
    }
  }

  for (RunResult& run : logdir.runs) {
    run.files.clear();
    for (size_t i : run.file_indices) run.files.push_back(&logdir.files[i]);
  }

  // Assemble findings in report order.
  std::vector<Finding>& out = result->findings;
  for (const RunResult& run : logdir.runs) {
    if (!in_shard(run.name)) continue;
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
    // A logdir-wide finding goes to the shard of the run it names (TB504's
    // parent directory, TB506's config directory, "." for TB505): exactly
    // one shard reports it. The rules saw every run (discovery is whole), and
    // what they read of files (TB504's read errors) comes from files of that
    // same run, which this shard has read.
    if (in_shard(f.run)) out.push_back(std::move(f));
  }
  if (config.shard) {
    KeepShard(&logdir, in_shard);
    result->shard = config.shard;
  }
  result->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return true;
}

}  // namespace tblint
