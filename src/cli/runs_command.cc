#include "cli/runs_command.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <map>

#include "cli/config.h"
#include "cli/progress.h"
#include "report/report.h"
#include "rule/rule.h"
#include "rule/writer_name.h"
#include "util/text.h"

namespace tblint {
namespace {

constexpr event::TagKind kKinds[] = {event::TagKind::kScalar,  event::TagKind::kHistogram, event::TagKind::kImage,
                                     event::TagKind::kAudio,   event::TagKind::kText,      event::TagKind::kTensor,
                                     event::TagKind::kHparams, event::TagKind::kOther};

uint8_t Bit(event::TagKind kind) { return static_cast<uint8_t>(1u << static_cast<unsigned>(kind)); }

// Position of a kind in the listing order above (scalars first, other last).
int KindOrder(event::TagKind kind) {
  for (int i = 0; i < static_cast<int>(std::size(kKinds)); ++i) {
    if (kKinds[i] == kind) return i;
  }
  return static_cast<int>(std::size(kKinds));
}

// The kinds other than `rt.kind` the tag was also logged as.
std::vector<std::string> OtherKinds(const RunTag& rt) {
  std::vector<std::string> out;
  for (event::TagKind k : kKinds) {
    if (k != rt.kind && (rt.kinds_seen & Bit(k))) out.push_back(event::TagKindName(k));
  }
  return out;
}

std::string Plural(uint64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string FindingCounts(const std::array<uint64_t, 3>& n) {
  return Plural(n[2], "error", "errors") + ", " + Plural(n[1], "warning", "warnings") + ", " + std::to_string(n[0]) +
         " info";
}

// Columns a cell takes: one per code point (cells are escaped, so valid
// UTF-8; wide characters are rare enough in names to ignore).
size_t Columns(const std::string& cell) {
  size_t n = 0;
  for (char ch : cell) n += (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
  return n;
}

// Left-aligned columns, two spaces apart; the last column is not padded.
// Cells are printed as they are: callers escape names (EscapeForText).
void WriteTable(std::ostream& out, const std::string& indent, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& row : rows) {
    if (width.size() < row.size()) width.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], Columns(row[i]));
  }
  for (const auto& row : rows) {
    std::string line = indent;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - Columns(row[i]) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  }
}

std::string Steps(int64_t lo, int64_t hi) {
  return lo == hi ? std::to_string(lo) : std::to_string(lo) + ".." + std::to_string(hi);
}

std::string WallRange(const FileResult& f) {
  if (!f.has_wall_time) return "-";
  const auto a = IsoUtc(f.min_wall), b = IsoUtc(f.max_wall);
  const std::string first = a.value_or("?"), last = b.value_or("?");
  return first == last ? first : first + " .. " + last;
}

nlohmann::json Counts(const std::array<uint64_t, 3>& n) { return {{"error", n[2]}, {"warning", n[1]}, {"info", n[0]}}; }

template <typename T>
nlohmann::json OrNull(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

}  // namespace

std::optional<std::string> IsoUtc(double seconds) {
  // Years 0001 to 9999, the range ISO-8601 writes with four digits.
  if (!std::isfinite(seconds) || seconds < -62135596800.0 || seconds >= 253402300800.0) return std::nullopt;
  const time_t t = static_cast<time_t>(std::floor(seconds));
  struct tm tm;
  if (::gmtime_r(&t, &tm) == nullptr) return std::nullopt;
  char buf[32];
  if (std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) return std::nullopt;
  return std::string(buf);
}

std::vector<RunSummary> SummarizeRuns(const LintResult& result, const RunFindingCounts& counts) {
  std::vector<RunSummary> out;
  const auto& findings = counts.by_run;
  for (const RunResult& run : result.logdir.runs) {
    RunSummary& rs = out.emplace_back();
    rs.run = &run;
    std::map<std::string, RunTag, std::less<>> tags;
    for (const FileResult* file : run.files) {
      for (const auto& [tag, s] : file->tags) {
        auto it = tags.find(tag);
        if (it == tags.end()) {
          RunTag rt;
          rt.tag = tag;
          rt.kind = s.kind;
          rt.min_step = s.min_step;
          rt.max_step = s.max_step;
          it = tags.emplace(tag, std::move(rt)).first;
        }
        RunTag& rt = it->second;
        rt.kinds_seen |= s.kinds_seen | Bit(s.kind);
        rt.points += s.points;
        rt.min_step = std::min(rt.min_step, s.min_step);
        rt.max_step = std::max(rt.max_step, s.max_step);
      }
    }
    for (auto& [tag, rt] : tags) rs.tags.push_back(std::move(rt));
    std::stable_sort(rs.tags.begin(), rs.tags.end(),
                     [](const RunTag& a, const RunTag& b) { return KindOrder(a.kind) < KindOrder(b.kind); });
    if (auto it = findings.find(run.name); it != findings.end()) rs.findings = it->second;
  }
  return out;
}

void WriteRunsText(std::ostream& out, const std::vector<const LintResult*>& results,
                   const std::vector<RunFindingCounts>& counts) {
  // Paths, run names, file names (and the host in them) and tags may hold any
  // bytes: escaped, they cannot break the tables or drive the terminal.
  bool first_block = true;
  for (size_t i = 0; i < results.size(); ++i) {
    const LintResult* r = results[i];
    const std::vector<RunSummary> runs = SummarizeRuns(*r, counts[i]);
    const std::array<uint64_t, 3>& total = counts[i].total;
    out << (first_block ? "" : "\n") << EscapeForText(r->logdir.given) << ": " << Plural(runs.size(), "run", "runs")
        << ", " << Plural(r->logdir.files.size(), "event file", "event files") << "; findings: " << FindingCounts(total)
        << "\n";
    first_block = false;
    for (const RunSummary& rs : runs) {
      const RunResult& run = *rs.run;
      out << "\nrun " << EscapeForText(run.name) << ": " << Plural(run.files.size(), "file", "files") << ", "
          << Plural(rs.tags.size(), "tag", "tags") << "; findings: " << FindingCounts(rs.findings) << "\n";
      std::vector<std::vector<std::string>> files = {
          {"file", "host", "pid", "#", "size", "records", "wall time (UTC)"}};
      for (const FileResult* f : run.files) {
        const WriterName w = ParseWriterName(f->info.name());
        files.push_back({EscapeForText(f->info.name()), w.standard && !w.host.empty() ? EscapeForText(w.host) : "-",
                         w.pid ? std::to_string(*w.pid) : "-", w.counter ? std::to_string(*w.counter) : "-",
                         HumanBytes(f->info.size), std::to_string(f->records), WallRange(*f)});
      }
      if (run.files.empty()) {
        // Named like event files but not readable (see TB504): TensorBoard
        // still lists the run, with nothing in it.
        out << "  no readable event files\n";
      } else {
        WriteTable(out, "  ", files);
      }
      if (rs.tags.empty()) {
        out << "  no tags\n";
        continue;
      }
      std::vector<std::vector<std::string>> tags = {{"kind", "tag", "points", "steps"}};
      for (const RunTag& t : rs.tags) {
        std::string name = EscapeForText(t.tag);
        const std::vector<std::string> others = OtherKinds(t);
        for (size_t i = 0; i < others.size(); ++i) name += (i == 0 ? " (also " : ", ") + others[i];
        if (!others.empty()) name += ")";
        tags.push_back({event::TagKindName(t.kind), name, std::to_string(t.points), Steps(t.min_step, t.max_step)});
      }
      WriteTable(out, "  ", tags);
    }
  }
}

nlohmann::json RunsToJson(const std::vector<const LintResult*>& results, const std::vector<RunFindingCounts>& counts) {
  using nlohmann::json;
  json doc;
  doc["tool"] = {{"name", "tblint"}, {"version", TBLINT_VERSION}};
  json logdirs = json::array();
  for (size_t i = 0; i < results.size(); ++i) {
    const LintResult* r = results[i];
    const std::array<uint64_t, 3>& total = counts[i].total;
    json runs = json::array();
    for (const RunSummary& rs : SummarizeRuns(*r, counts[i])) {
      const RunResult& run = *rs.run;
      json files = json::array();
      for (const FileResult* f : run.files) {
        const WriterName w = ParseWriterName(f->info.name());
        json jf = {
            {"pid", OrNull(w.pid)}, {"counter", OrNull(w.counter)}, {"size", f->info.size}, {"records", f->records}};
        PutName(jf, "name", f->info.name());
        PutName(jf, "path", f->info.rel_path());
        if (w.standard) {
          PutName(jf, "host", w.host);  // a slice of the file name: any bytes too
        } else {
          jf["host"] = nullptr;
        }
        if (f->has_wall_time) {
          jf["wall_time"] = {{"start", OrNull(IsoUtc(f->min_wall))},
                             {"end", OrNull(IsoUtc(f->max_wall))},
                             {"start_seconds", f->min_wall},
                             {"end_seconds", f->max_wall}};
        } else {
          jf["wall_time"] = nullptr;
        }
        files.push_back(std::move(jf));
      }
      json tags = json::object();
      for (event::TagKind k : kKinds) tags[event::TagKindName(k)] = json::array();
      for (const RunTag& t : rs.tags) {
        json jt = {{"points", t.points}, {"min_step", t.min_step}, {"max_step", t.max_step}};
        PutName(jt, "tag", t.tag);
        const std::vector<std::string> others = OtherKinds(t);
        if (!others.empty()) jt["also_logged_as"] = others;
        tags[event::TagKindName(t.kind)].push_back(std::move(jt));
      }
      json jr = {{"files", std::move(files)}, {"tags", std::move(tags)}, {"findings", Counts(rs.findings)}};
      PutName(jr, "name", run.name);
      PutName(jr, "path", DisplayPath(*r, run.name));
      runs.push_back(std::move(jr));
    }
    json jl = {{"single_file", r->logdir.single_file}, {"runs", std::move(runs)}, {"findings", Counts(total)}};
    PutName(jl, "path", r->logdir.given);
    logdirs.push_back(std::move(jl));
  }
  doc["logdirs"] = std::move(logdirs);
  ReplaceInvalidUtf8(&doc);  // a last line of defence, as in ToJson
  return doc;
}

namespace {

// Each run's findings, as the scan hands them over: adjusted, counted, let go.
class CountingConsumer final : public FindingsConsumer {
 public:
  CountingConsumer(const std::function<void(std::vector<Finding>*)>& adjust, RunFindingCounts* counts)
      : adjust_(adjust), counts_(counts) {}
  void OnFindings(const LintResult& /*result*/, const RunResult* /*run*/, std::vector<Finding>* findings) override {
    if (adjust_) adjust_(findings);
    for (const Finding& f : *findings) counts_->Add(f);
    findings->clear();
  }

 private:
  const std::function<void(std::vector<Finding>*)>& adjust_;
  RunFindingCounts* counts_;
};

}  // namespace

int RunRunsCommand(const std::vector<std::string>& paths, const ScanConfig& config_in, Format format,
                   std::ostream& out, std::ostream& err, const std::function<void(std::vector<Finding>*)>& adjust) {
  ScanConfig config = config_in;
  const std::unique_ptr<ProgressMeter> progress = MaybeProgressMeter(&err, /*quiet=*/false);
  if (progress) config.observer = progress.get();
  // The tables read every file's tags: the scan keeps them (no
  // release_file_details).
  std::vector<LintResult> results(paths.size());
  std::vector<RunFindingCounts> counts(paths.size());
  for (size_t i = 0; i < paths.size(); ++i) {
    CountingConsumer consumer(adjust, &counts[i]);
    config.consumer = &consumer;
    std::string error;
    if (!Lint(paths[i], config, &results[i], &error)) {
      err << "tblint: " << EscapeForText(error) << "\n";
      return kExitUsage;
    }
    config.consumer = nullptr;
  }
  if (progress) progress->Finish();
  std::vector<const LintResult*> views;
  for (const LintResult& r : results) views.push_back(&r);
  switch (format) {
    case Format::kJson:
      out << DumpJson(RunsToJson(views, counts)) << "\n";
      break;
    default:  // text: kRunsFormats holds only text and json
      WriteRunsText(out, views, counts);
      break;
  }
  return kExitClean;
}

namespace {

namespace po = boost::program_options;

constexpr Format kRunsFormats[] = {Format::kText, Format::kJson};

// The options are those that change what is listed: the scan's (the
// findings counted per run depend on --select, --ignore, --grace-period,
// --max-record-mib and --max-depth) and --backup-dir (left out of the
// listing). Nothing is fixed, nothing fails, nothing is coloured.
class RunsCommand : public Command {
 public:
  std::string_view Synopsis() const override { return "tblint runs [OPTIONS] [PATH...]\n"; }

  std::string_view Description() const override {
    return "Lists the runs TensorBoard would show under each PATH (default .), with the\n"
           "same names and in the same order, each with its event files, its tags by\n"
           "kind and its findings by severity. Exit status: 0, or 2 for a usage error,\n"
           "a PATH that does not exist, or output that could not be written in full.\n";
  }

  std::string_view Examples() const override {
    return "Examples:\n"
           "  tblint runs ./logs                 the runs, files and tags TensorBoard sees\n"
           "  tblint runs --format json ./logs   the same as one JSON document (docs/json.md)\n";
  }

  void AddOptions(po::options_description* options) override {
    AddFormatOption(options, kRunsFormats, &format_);
    AddScanOptions(options, &scan_, /*fixes=*/false);
    AddConfigOptions(options, &config_text_);
    options->add_options()("backup-dir", po::value(&backup_dir_)->value_name("DIR"),
                           "a backup folder of earlier fixes, left out of the listing");
  }

  int Run(const po::variables_map& vm, const std::vector<std::string>& paths, std::ostream& out,
          std::ostream& err) override {
    // The config file's scan settings apply (format and fail-on are check's).
    Config file_config;
    if (LoadConfig(vm, config_text_, paths, &file_config, err) != kExitClean) return kExitUsage;
    MergeConfig(file_config, vm, &scan_, nullptr, nullptr);
    NumericValues values;
    if (ParseNumericOptions(scan_, &values, err) != kExitClean) return kExitUsage;
    const std::optional<Format> format = ResolveFormat(format_, "runs", kRunsFormats, err);
    if (!format) return kExitUsage;
    std::vector<const Rule*> rules;
    if (SelectRules(scan_, &rules, err) != kExitClean) return kExitUsage;
    if (vm.count("show-settings")) {
      WriteSettings(out, file_config, scan_, rules, nullptr, nullptr);
      return kExitClean;
    }
    return RunRunsCommand(paths, MakeScanConfig(values, std::move(rules), backup_dir_), *format, out, err,
                          [&file_config](std::vector<Finding>* f) { ApplyFindingSettings(file_config, f); });
  }

 private:
  std::string format_;
  std::string backup_dir_;
  ScanOptionText scan_;
  ConfigOptionText config_text_;
};

}  // namespace

std::unique_ptr<Command> MakeRunsCommand() { return std::make_unique<RunsCommand>(); }

}  // namespace tblint
