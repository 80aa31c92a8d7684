#include "scan/scanner.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
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
  std::deque<FileResult> files;
  for (size_t i = 0; i < logdir->files.size(); ++i) {
    if (!in_shard(logdir->files[i].info.run())) continue;
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
  if (source.Open(file->info.path())) return;
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

// What ScanConfig::release_file_details lets go of once a file's run is
// checked: nothing the logdir-wide rules or a streamed report read.
void ReleaseFileDetails(FileResult* file, bool tags) {
  if (tags) file->tags = TagMap();
  std::vector<int64_t>().swap(file->session_starts);
  std::vector<Finding>().swap(file->findings);
}

// A file's findings once its checks ended: each named by its file and run,
// in offset order.
void FinishFindings(FileResult* file) {
  for (Finding& f : file->findings) {
    if (f.path.empty()) f.path = file->info.rel_path();
    f.run = file->info.run();
  }
  std::stable_sort(file->findings.begin(), file->findings.end(),
                   [](const Finding& a, const Finding& b) { return a.offset.value_or(0) < b.offset.value_or(0); });
}

// Tail checkpoints (ScanConfig::keep_tail_checkpoints): at most this many per
// file (one per damaged stretch), and none once the findings made before the
// stretch exceed kMaxCheckpointFindings; a file past either is read again.
constexpr int kMaxCheckpointsPerFile = 16;
constexpr size_t kMaxCheckpointFindings = 4096;

// The checkpoint where a damaged stretch starts at `offset`: copies of the
// checks and of the findings so far. Null when a check cannot be copied.
[[gnu::cold]] std::unique_ptr<TailCheckpoint> TakeCheckpoint(uint64_t offset, const FileResult& file,
                                                             const std::vector<const Rule*>& owners,
                                                             const std::vector<std::unique_ptr<FileCheck>>& checks) {
  if (file.findings.size() > kMaxCheckpointFindings) return nullptr;
  auto cp = std::make_unique<TailCheckpoint>();
  cp->offset = offset;
  cp->damaged = file.damaged;
  for (size_t i = 0; i < checks.size(); ++i) {
    std::unique_ptr<FileCheck> copy = owners[i]->CloneFileCheck(*checks[i]);
    if (copy == nullptr) return nullptr;
    cp->checks.emplace_back(&owners[i]->info(), std::move(copy));
  }
  cp->findings = file.findings;
  return cp;
}

// Whether a finding of the file offers to cut it at the checkpoint: the one
// fix that leaves it as the checkpoint describes.
bool OffersCutAt(const FileResult& file, uint64_t offset) {
  return std::any_of(file.findings.begin(), file.findings.end(),
                     [&](const Finding& f) { return f.fix.kind == FixKind::kTruncate && f.fix.truncate_to == offset; });
}

// *file as a scan of its first cp.offset bytes leaves it: what a scan of the
// file cut there would give (TailCheckpoint). `file` is the one scanned.
void FinishAtCheckpoint(FileResult* file, TailCheckpoint* cp) {
  file->info.size = cp->offset;
  file->bytes_scanned = cp->offset;
  file->damaged = cp->damaged;
  file->findings = std::move(cp->findings);
  for (auto& [rule, check] : cp->checks) {
    Sink sink(rule, &file->findings);
    check->OnEnd(*file, sink);
  }
  FinishFindings(file);
}

}  // namespace

void ScanFile(FileResult* file, const std::vector<const Rule*>& rules, const LintOptions& options,
              ScanObserver* observer, std::unique_ptr<TailCheckpoint>* tail) {
  // Progress is counted against the size discovery saw, so the calls add up
  // to what OnScanStart announced even when the file changes meanwhile.
  const uint64_t planned_bytes = file->info.size;
  uint64_t reported_bytes = 0;
  std::vector<std::unique_ptr<FileCheck>> checks;
  std::vector<const Rule*> owners;
  std::vector<Sink> sinks;
  for (const Rule* rule : rules) {
    if (auto check = rule->NewFileCheck(file->info, options)) {
      checks.push_back(std::move(check));
      owners.push_back(rule);
      sinks.emplace_back(&rule->info(), &file->findings);
    }
  }
  if (tail != nullptr) tail->reset();
  std::unique_ptr<TailCheckpoint> checkpoint;  // at the last damaged stretch's start, if taken
  int checkpoints_left = tail != nullptr ? kMaxCheckpointsPerFile : 0;
  uint64_t damage_end = 0;  // where the last damaged record ended
  // Per-record dispatch: each check's triggers, and their union, so a record
  // that fires none of them (every record of a healthy file but its first)
  // costs one test.
  std::vector<FileCheck::Interest> wants;
  uint32_t wanted = 0;
  for (const auto& check : checks) {
    wants.push_back(check->interest());
    wanted |= check->interest();
  }

  FileSource source;
  if (std::error_code ec = source.Open(file->info.path())) {
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
    bool first = true;
    bool seen_content = false;
    const double future_wall = file->info.mtime + kWallTimeFutureSlack;
    const uint64_t large_record = options.oversized_record_bytes;
    uint64_t records = 0;
    uint64_t events = 0;
    FileAnalysis analysis(file, options.sample_scalars);
    while (reader.Next(&rec)) {
      // What this record triggers (FileCheck::Interest), computed inline.
      uint32_t fired = FileCheck::kDamaged;
      const event::WireError* decode_error = nullptr;
      if (rec.kind == RecordKind::kOk) [[likely]] {
        ++records;
        if (!after_resync && file->head_crc_count < kHeadCrcsKept) {
          file->head_crcs[file->head_crc_count++] = rec.stored_crc;  // TB507's content signature
        }
        // Past a bad length both readers have stopped: such records count for
        // TB103's resync figure and for salvage, but their content is not
        // what TensorBoard shows, so content rules do not see them.
        if (rec.payload_in_memory && !after_resync) [[likely]] {
          const auto* payload = reinterpret_cast<const uint8_t*>(rec.payload.data());
          event::ScalarTemplates::Hit hit;
          uint32_t tag;
          event::TagKind kind;
          if (ev.templates.MatchHit(payload, payload + rec.payload.size(), &hit) &&
              analysis.TemplateTag(hit, &tag, &kind)) [[likely]] {
            // The writers' common record: one scalar of a tag seen before in
            // the same byte shape. Nothing is spelled out unless a check
            // wants this record (the same EventView DecodeEvent would give).
            ++events;
            analysis.OnScalarHit(hit, tag, kind, rec);
            fired = FileCheck::kClean;
            if (!(hit.wall_time > 0 && hit.wall_time <= future_wall)) [[unlikely]] fired |= FileCheck::kOddWallTime;
            if (!seen_content) [[unlikely]] {
              seen_content = true;
              fired |= FileCheck::kFirstContent;
            }
            if (!std::isfinite(hit.value)) [[unlikely]] fired |= FileCheck::kNonFiniteScalar;
            if (fired & wanted) [[unlikely]] ev.templates.Fill(hit, ev);
          } else if (hit.id != 0 || event::DecodeEventUntemplated(rec.payload, &ev, &err)) [[likely]] {
            ++events;
            if (hit.id != 0) {  // matched, tag not yet known: spelled out once
              ev.templates.Fill(hit, ev);
              analysis.OnEvent(ev, rec);
              analysis.RememberTemplate(hit, ev.values.front());
            } else {
              analysis.OnEvent(ev, rec);
            }
            fired = FileCheck::kClean;
            if (!(ev.wall_time > 0 && ev.wall_time <= future_wall)) [[unlikely]] fired |= FileCheck::kOddWallTime;
            if (ev.what != event::What::kSummary) [[unlikely]] {
              if (ev.what == event::What::kGraphDef || ev.what == event::What::kMetaGraphDef) {
                fired |= FileCheck::kGraph;
              }
              if (!seen_content && ev.what != event::What::kFileVersion && ev.what != event::What::kNone) {
                seen_content = true;
                fired |= FileCheck::kFirstContent;
              }
            } else if (!seen_content) {
              seen_content = true;
              fired |= FileCheck::kFirstContent;
            }
            for (const event::Value& v : ev.values) {
              if (v.has_scalar && !std::isfinite(v.scalar)) [[unlikely]] fired |= FileCheck::kNonFiniteScalar;
            }
          } else {
            decode_error = &err;
          }
        }
      } else if (rec.kind == RecordKind::kIoError) {
        file->io_error = "read error at offset " + std::to_string(rec.offset) + ": " + rec.error.message() +
                         " (did the file change during the scan?)";
        file->damaged = true;
      } else {
        // A damaged stretch starts (a fix cuts a tail where it starts): with
        // `tail`, a checkpoint here, replacing any earlier one. Past a bad
        // length the reader resynchronised, which a cut file would not.
        if (tail != nullptr && rec.offset != damage_end) [[unlikely]] {
          checkpoint.reset();
          if (checkpoints_left > 0 && rec.offset > 0 && !after_resync) {
            --checkpoints_left;
            checkpoint = TakeCheckpoint(rec.offset, *file, owners, checks);
            if (checkpoint == nullptr) checkpoints_left = 0;  // a check that cannot be copied
          }
        }
        damage_end = rec.end;
        file->damaged = true;
      }
      if (first) [[unlikely]] {
        fired |= FileCheck::kFirstRecord;
        first = false;
      }
      if (rec.has_length && rec.length > large_record) [[unlikely]] fired |= FileCheck::kLargeRecord;
      if (fired & wanted) {
        RecordView view{rec};
        view.after_resync = after_resync;
        if (fired & FileCheck::kClean) view.event = &ev;
        view.decode_error = decode_error;
        for (size_t i = 0; i < checks.size(); ++i) {
          if (fired & wants[i]) checks[i]->OnRecord(view, sinks[i]);
        }
      }
      if (rec.kind == RecordKind::kBadLengthCrc) [[unlikely]] after_resync = reader.Resync().has_value();
      if (observer != nullptr && rec.end >= reported_bytes + kProgressStepBytes) [[unlikely]] {
        const uint64_t at = std::min(rec.end, planned_bytes);
        observer->OnScanProgress(0, at - reported_bytes);
        reported_bytes = at;
      }
    }
    file->records = records;
    file->events = events;
    analysis.Finish();
    file->bytes_scanned = reader.size();
  }
  for (size_t i = 0; i < checks.size(); ++i) checks[i]->OnEnd(*file, sinks[i]);
  // Kept only for a file read to its end, whose findings offer that cut.
  if (checkpoint != nullptr && file->io_error.empty() && file->info.format == FileFormat::kTfRecord &&
      OffersCutAt(*file, checkpoint->offset)) {
    *tail = std::move(checkpoint);
  }
  FinishFindings(file);
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

namespace {

// A run's findings once its files are read: its own checks' first, then its
// files' (moved out of them), appended to *out; the files' records and bytes
// go to result's totals. Returns how many came from the files.
size_t CollectRun(const RunResult& run, const ScanConfig& config, LintResult* result, std::vector<Finding>* out) {
  const size_t from = out->size();
  for (const Rule* rule : config.rules) {
    Sink sink(&rule->info(), out);
    rule->CheckRun(run, config.lint, sink);
  }
  for (size_t i = from; i < out->size(); ++i) {
    Finding& f = (*out)[i];
    if (f.path.empty()) f.path = run.name;
    f.run = run.name;
  }
  size_t from_files = 0;
  for (size_t i : run.file_indices) {
    FileResult& file = result->logdir.files[i];
    from_files += file.findings.size();
    result->records += file.records;
    result->bytes += file.bytes_scanned;
    out->insert(out->end(), std::make_move_iterator(file.findings.begin()),
                std::make_move_iterator(file.findings.end()));
    std::vector<Finding>().swap(file.findings);
  }
  return from_files;
}

// ScanConfig::release_file_details, once the run's checks ran: the files'
// TagMaps (their summary kept for the logdir-wide rules, unless the run has
// so many tags that its maps are the compact form) and the like go, but for
// the files `keep` names (a tail checkpoint's file, which Rescan reads).
template <typename KeepFn>
void ReleaseRun(RunResult* run, LogdirResult* logdir, const KeepFn& keep) {
  size_t tags = 0;
  for (const FileResult* f : run->files) tags += f->tags.size();
  const bool summarise = tags <= kMaxTagsSummarised;
  if (summarise) run->tag_summary = SummariseRunTags(run->files);
  for (size_t i : run->file_indices) {
    if (!keep(i)) ReleaseFileDetails(&logdir->files[i], /*tags=*/summarise);
  }
}

// The logdir-wide checks' findings, each named by a path and run ("." when
// the rule named none), into *out; only those whose run is in the shard.
template <typename InShardFn>
void CollectLogdir(const LogdirResult& logdir, const ScanConfig& config, const InShardFn& in_shard,
                   std::vector<Finding>* out) {
  for (const Rule* rule : config.rules) {
    Sink sink(&rule->info(), out);
    rule->CheckLogdir(logdir, config.lint, sink);
  }
  std::erase_if(*out, [&](Finding& f) {
    if (f.path.empty()) f.path = ".";
    if (f.run.empty()) f.run = ".";
    // A logdir-wide finding goes to the shard of the run it names (TB504's
    // parent directory, TB506's config directory, "." for TB505): exactly
    // one shard reports it. The rules saw every run (discovery is whole), and
    // what they read of files (TB504's read errors) comes from files of that
    // same run, which this shard has read.
    return !in_shard(f.run);
  });
}

}  // namespace

bool Lint(const std::string& given, const ScanConfig& config, LintResult* result, std::string* error) {
  const auto start = std::chrono::steady_clock::now();
  LogdirResult& logdir = result->logdir;
  if (!Discover(given, config.lint, &logdir, error)) return false;

  if (config.detect_live_writers && !logdir.files.empty()) {
    const OpenForWriting writers = FindFilesOpenForWriting();
    for (FileResult& f : logdir.files) f.info.open_for_writing = writers.Contains(f.info.dev, f.info.ino);
  }

  // With --shard, only the files of the shard's runs are read.
  auto in_shard = [&](std::string_view run) { return !config.shard || InShard(run, *config.shard); };
  std::vector<size_t> order;
  uint64_t planned_bytes = 0;
  for (size_t i = 0; i < logdir.files.size(); ++i) {
    if (!in_shard(logdir.files[i].info.run())) continue;
    order.push_back(i);
    planned_bytes += logdir.files[i].info.size;
  }
  if (config.observer != nullptr) config.observer->OnScanStart(order.size(), planned_bytes);
  // Without a consumer: largest files first, so one big file does not finish
  // last on its own. With one: in report order (run by run), so that each
  // run's findings go out as soon as its files are read and memory holds a
  // few runs' findings, not the logdir's.
  if (config.consumer == nullptr) {
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return logdir.files[a].info.size > logdir.files[b].info.size; });
  } else {
    std::vector<size_t> by_run;
    std::vector<char> placed(logdir.files.size(), 0);
    for (const RunResult& run : logdir.runs) {
      if (!in_shard(run.name)) continue;
      for (size_t i : run.file_indices) {
        if (i < placed.size() && !placed[i]) {
          placed[i] = 1;
          by_run.push_back(i);
        }
      }
    }
    for (size_t i : order) {
      if (!placed[i]) by_run.push_back(i);  // in no run: never the case, kept for safety
    }
    order = std::move(by_run);
  }
  int jobs = config.jobs > 0 ? config.jobs : static_cast<int>(std::thread::hardware_concurrency());
  jobs = std::max(1, std::min<int>(jobs, static_cast<int>(order.size())));

  for (RunResult& run : logdir.runs) {
    run.files.clear();
    for (size_t i : run.file_indices) run.files.push_back(&logdir.files[i]);
  }

  // Workers take files in `order`; the calling thread assembles the runs in
  // report order, waiting for (or, when idle, scanning) the files it needs.
  std::vector<char> done(logdir.files.size(), 0);
  std::mutex mu;
  std::condition_variable cv;
  std::atomic<size_t> next{0};
  // With a consumer, helpers wait while the findings of files read but not
  // yet handed over reach kFindingsInFlight, so memory stays bounded however
  // fast files scan and however slowly the consumer writes; the calling
  // thread, which hands runs over, is never held.
  constexpr size_t kFindingsInFlight = 4096;
  const bool bounded = config.consumer != nullptr;
  // Rescan refuses a shard: its indices would not survive KeepShard.
  const bool keep_tails = config.keep_tail_checkpoints && !config.shard;
  size_t in_flight = 0;  // under mu
  std::condition_variable room;
  auto scan_next = [&](bool helper) -> bool {
    if (helper && bounded) {
      std::unique_lock lock(mu);
      room.wait(lock, [&] { return next.load() >= order.size() || in_flight < kFindingsInFlight; });
    }
    const size_t i = next.fetch_add(1);
    if (i >= order.size()) return false;
    FileResult& file = logdir.files[order[i]];
    std::unique_ptr<TailCheckpoint> tail;
    ScanFile(&file, config.rules, config.lint, config.observer, keep_tails ? &tail : nullptr);
    {
      std::lock_guard lock(mu);
      done[order[i]] = 1;
      in_flight += file.findings.size();
      if (tail != nullptr && result->tails.size() < kMaxTailCheckpoints) result->tails[order[i]] = std::move(tail);
    }
    cv.notify_all();
    return true;
  };
  auto wait_for = [&](size_t index) {
    for (;;) {
      {
        std::unique_lock lock(mu);
        if (done[index]) return;
      }
      if (scan_next(false)) continue;
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return done[index] != 0; });
      return;
    }
  };
  std::vector<std::thread> threads;
  // With a consumer the calling thread scans too while it waits: jobs - 1
  // helpers. Without one it assembles only after every file is read.
  const int helpers = config.consumer != nullptr ? jobs - 1 : (jobs <= 1 ? 0 : jobs);
  for (int t = 0; t < helpers; ++t) {
    threads.emplace_back([&] {
      while (scan_next(true)) {
      }
    });
  }
  auto finish_scan = [&] {
    while (scan_next(false)) {
    }
    // Every file is claimed: wake the helpers waiting for room (taking the
    // lock first, so none is between its check and its wait).
    { std::lock_guard lock(mu); }
    room.notify_all();
    for (auto& t : threads) t.join();
    threads.clear();
    if (config.observer != nullptr) config.observer->OnScanEnd();
  };
  if (config.consumer == nullptr) finish_scan();

  // Assemble findings in report order: moved, never copied, and each file's
  // own vector released once its run is done, so that what is held at the
  // end is the findings themselves (or, with a consumer, one run's).
  std::vector<Finding>& out = result->findings;
  std::vector<Finding> run_findings;
  auto hand_over = [&](const RunResult* run) {
    if (config.consumer != nullptr) {
      if (!run_findings.empty()) config.consumer->OnFindings(*result, run, &run_findings);
    } else if (out.empty()) {
      out = std::move(run_findings);
    } else {
      out.insert(out.end(), std::make_move_iterator(run_findings.begin()), std::make_move_iterator(run_findings.end()));
    }
    run_findings.clear();
  };
  const bool release = bounded && config.release_file_details;
  for (RunResult& run : logdir.runs) {
    if (!in_shard(run.name)) continue;
    for (size_t i : run.file_indices) wait_for(i);
    run_findings.clear();
    const size_t from_files = CollectRun(run, config, result, &run_findings);
    hand_over(&run);
    if (bounded) {
      {
        std::lock_guard lock(mu);
        in_flight -= std::min(in_flight, from_files);
      }
      room.notify_all();
    }
    // When the caller needs no file details, they go: the run's own checks
    // have run.
    if (release) {
      ReleaseRun(&run, &logdir, [&](size_t i) {
        std::lock_guard lock(mu);
        return result->tails.contains(i);
      });
    }
  }
  if (config.consumer != nullptr) finish_scan();
  if (config.shard) {
    // Logdir-wide rules see every run; TB507 compares files of the same name
    // across runs by their first records, so a file outside the shard that
    // shares its name with another file gets its signature read (a few
    // records, not the file).
    std::unordered_map<std::string_view, int> names;
    for (const FileResult& f : logdir.files) ++names[f.info.name()];
    for (FileResult& f : logdir.files) {
      if (!in_shard(f.info.run()) && names[f.info.name()] > 1) ReadHeadSignature(&f);
    }
  }
  run_findings.clear();
  CollectLogdir(logdir, config, in_shard, &run_findings);
  hand_over(nullptr);
  if (config.shard) {
    KeepShard(&logdir, in_shard);
    result->shard = config.shard;
  }
  result->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return true;
}

bool Rescan(const ScanConfig& config, const std::vector<size_t>& changed, LintResult* result) {
  LogdirResult& logdir = result->logdir;
  if (config.consumer == nullptr || config.shard || result->shard) return false;
  std::vector<char> is_changed(logdir.files.size(), 0);
  for (size_t i : changed) {
    if (i >= is_changed.size()) return false;
    is_changed[i] = 1;
  }
  const auto affected = [&](const RunResult& run) {
    return std::any_of(run.file_indices.begin(), run.file_indices.end(), [&](size_t i) { return is_changed[i]; });
  };
  // The files of the changed runs are read again one after the other: when
  // that is more than a new lint would read on each core (a rewrite of most
  // of the logdir), lint again instead. A changed file with a checkpoint is
  // counted as not read.
  uint64_t again = 0, total = 0;
  for (const RunResult& run : logdir.runs) {
    const bool reread = affected(run);
    for (size_t i : run.file_indices) {
      total += logdir.files[i].info.size;
      if (reread && !(is_changed[i] && result->tails.contains(i))) again += logdir.files[i].info.size;
    }
  }
  const uint64_t jobs = config.jobs > 0 ? static_cast<uint64_t>(config.jobs) : std::thread::hardware_concurrency();
  if (jobs > 1 && again > total / jobs) return false;
  const auto start = std::chrono::steady_clock::now();
  std::vector<Finding> findings;
  for (RunResult& run : logdir.runs) {
    if (!affected(run)) {
      config.consumer->OnRunKept(*result, run);
      continue;
    }
    for (size_t i : run.file_indices) {
      FileResult& file = logdir.files[i];
      result->records -= file.records;
      result->bytes -= file.bytes_scanned;
      const auto tail = result->tails.find(i);
      std::unique_ptr<TailCheckpoint> cp;
      if (tail != result->tails.end()) {
        cp = std::move(tail->second);
        result->tails.erase(tail);
      }
      // The checkpoint stands for the file cut there: the same inode and
      // mtime (the cut keeps it), and the checkpoint's size.
      FileInfo now = file.info;
      const bool refreshed = RefreshFileInfo(&now, config.lint);
      if (is_changed[i] && cp != nullptr && refreshed && now.dev == file.info.dev && now.ino == file.info.ino &&
          now.mtime == file.info.mtime && now.size == cp->offset) {
        FinishAtCheckpoint(&file, cp.get());
      } else {
        FileResult fresh;
        fresh.info = std::move(now);
        file = std::move(fresh);
        ScanFile(&file, config.rules, config.lint);
      }
    }
    findings.clear();
    CollectRun(run, config, result, &findings);
    if (!findings.empty()) config.consumer->OnFindings(*result, &run, &findings);
    if (config.release_file_details) ReleaseRun(&run, &logdir, [](size_t) { return false; });
  }
  findings.clear();
  CollectLogdir(
      logdir, config, [](std::string_view) { return true; }, &findings);
  if (!findings.empty()) config.consumer->OnFindings(*result, nullptr, &findings);
  result->seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return true;
}

}  // namespace tblint
