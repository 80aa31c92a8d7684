#include "cli/check_command.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cli/baseline.h"
#include "cli/config.h"
#include "cli/output_file.h"
#include "cli/progress.h"
#include "fix/fixer.h"
#include "record/crc32c.h"
#include "report/report.h"
#include "report/spool.h"
#include "rule/registry.h"
#include "scan/discover.h"
#include "scan/scanner.h"
#include "util/text.h"

namespace tblint {
namespace {

namespace po = boost::program_options;

// --fix reads held findings back this many at a time.
constexpr size_t kReadBackBatch = 4096;

constexpr Format kCheckFormats[] = {Format::kText,   Format::kJson,  Format::kSarif,
                                   Format::kGithub, Format::kJunit, Format::kHtml};

void ListRules(std::ostream& out, Format format) {
  if (format != Format::kText) {  // json; the CI formats list rules as json too
    nlohmann::json rules = nlohmann::json::array();
    for (const auto& r : AllRules()) {
      const RuleInfo& i = r->info();
      rules.push_back({{"code", i.code},
                       {"name", i.name},
                       {"severity", SeverityName(i.default_severity)},
                       {"fix", ApplicabilityName(i.fix)},
                       {"summary", i.summary}});
    }
    out << rules.dump(2) << "\n";
    return;
  }
  out << std::left << std::setw(7) << "code" << std::setw(25) << "name" << std::setw(9) << "severity" << std::setw(8)
      << "fix"
      << "summary\n";
  for (const auto& r : AllRules()) {
    const RuleInfo& i = r->info();
    out << std::setw(7) << i.code << std::setw(25) << i.name << std::setw(9) << SeverityName(i.default_severity)
        << std::setw(8) << ApplicabilityName(i.fix) << i.summary << "\n";
  }
}

class CheckCommand : public Command {
 public:
  std::string_view Synopsis() const override { return "tblint [check] [OPTIONS] [PATH...]\n"; }

  std::string_view Description() const override {
    return "Finds damaged records, empty and impostor files and other problems in\n"
           "TensorBoard log directories (default PATH: .). A PATH may also be a single\n"
           "event file. Exit status: 0 clean, 1 findings at or above --fail-on, 2 usage\n"
           "error (an option value out of its range included), a PATH that does not\n"
           "exist, or output that could not be written in full (a full disk, a closed\n"
           "stdout).\n"
           "\n"
           "'check' is the default subcommand: 'tblint ./logs' is 'tblint check ./logs'.\n"
           "To lint a directory named like a subcommand ('runs', 'restore'), write\n"
           "'tblint check runs' or 'tblint ./runs'.\n";
  }

  std::string_view Examples() const override {
    return "Examples:\n"
           "  tblint ./logs                      lint a logdir\n"
           "  tblint --format json ./logs        findings as one JSON document (docs/json.md)\n"
           "  tblint -f sarif -o tblint.sarif ./logs\n"
           "                                     SARIF 2.1.0 for code scanning (docs/formats.md)\n"
           "  tblint -f github ./logs            annotations in a GitHub Actions job\n"
           "  tblint -f junit -o junit.xml ./logs\n"
           "                                     JUnit XML: a test suite per run, a test per file\n"
           "  tblint -f html -o report.html ./logs\n"
           "                                     one self-contained page, a timeline per run (docs/html.md)\n"
           "  tblint --statistics ./logs         also count the findings of each rule\n"
           "  tblint --write-baseline tblint-baseline.json ./logs\n"
           "                                     accept today's findings (docs/baseline.md) ...\n"
           "  tblint --baseline tblint-baseline.json ./logs\n"
           "                                     ... and fail only on new ones\n"
           "  tblint --show-settings ./logs      the settings in effect: tblint.toml or\n"
           "                                     pyproject.toml [tool.tblint] (docs/config.md)\n"
           "  tblint --select TB1 --fail-on error ./logs\n"
           "  tblint --fix --dry-run ./logs      show what --fix would truncate\n"
           "  tblint --fix ./logs                truncate damaged tails (TB101, TB102)\n"
           "  tblint --fix --unsafe-fixes ./logs also salvage damaged files, move impostors aside\n"
           "  tblint --explain TB101             the rule's documentation\n"
           "  tblint check runs                  lint the directory ./runs\n";
  }

  void AddOptions(po::options_description* options) override {
    // clang-format off
    options->add_options()
      ("version", "show the version and exit");
    AddFormatOption(options, kCheckFormats, &format_);
    AddScanOptions(options, &scan_, /*fixes=*/true);
    AddConfigOptions(options, &config_text_);
    AddBaselineOptions(options, &baseline_text_);
    options->add_options()
      ("fail-on", po::value(&fail_on_)->value_name("LEVEL"),
       "exit 1 when a finding is at or above LEVEL: error, warning (default), info or never")
      ("list-rules", "list every rule and exit")
      ("explain", po::value(&explain_)->value_name("CODE"), "print a rule's documentation and exit")
      ("quiet,q", "print findings only: no impact lines, no hints, no summary")
      ("output-file,o", po::value(&output_file_)->value_name("FILE"),
       "write the report to FILE (atomically: a temporary beside it, fsynced, renamed over it; a device or "
       "FIFO such as /dev/null is written in place) instead of standard output; the exit status is unchanged")
      ("statistics", "count the findings of each rule: text lists them after the findings, most frequent first "
       "([*]: --fix can fix some, [!]: only with --unsafe-fixes); json adds a \"statistics\" array")
      ("color", po::value(&color_)->value_name("WHEN"),
       "colour text output: auto (default, on a terminal), always, never")
      ("fix", "apply safe fixes: truncate damaged tails (TB101, TB102), keeping the cut bytes")
      ("unsafe-fixes", "with --fix: also salvage damaged files (TB103-TB105) and move impostor, empty "
       "and stray files out of the logdir (TB106, TB201, TB503); everything removed is backed up")
      ("dry-run", "with --fix: say what would be done, write nothing")
      ("backup-dir", po::value(&backup_dir_)->value_name("DIR"),
       "where --fix keeps what it removes and 'tblint restore' looks (default: <logdir>/.tblint-backup)");
    // clang-format on
  }

  int Run(const po::variables_map& vm, const std::vector<std::string>& paths, std::ostream& out,
          std::ostream& err) override {
    if (vm.count("version")) {
      out << "tblint " << TBLINT_VERSION << " (crc32c: " << crc32c::ImplementationName() << ")\n";
      return kExitClean;
    }
    // tblint.toml or [tool.tblint] (docs/config.md); the command line wins.
    Config file_config;
    if (LoadConfig(vm, config_text_, paths, &file_config, err) != kExitClean) return kExitUsage;
    MergeConfig(file_config, vm, &scan_, &format_, &fail_on_);
    NumericValues values;
    if (ParseNumericOptions(scan_, &values, err) != kExitClean) return kExitUsage;
    const std::optional<Format> format = ResolveFormat(format_, "check", kCheckFormats, err);
    if (!format) return kExitUsage;
    if (vm.count("list-rules")) {
      ListRules(out, *format);
      return kExitClean;
    }
    if (vm.count("explain")) {
      const std::vector<std::string> codes = SplitCodes({explain_});
      const std::string code = codes.empty() ? "" : codes.front();
      const std::string_view doc = RuleDoc(code);
      if (FindRule(code) == nullptr || doc.empty()) {
        err << "tblint: no rule " << EscapeForText(explain_) << "; see 'tblint --list-rules'\n";
        return kExitUsage;
      }
      out << doc;
      return kExitClean;
    }
    std::optional<Severity> fail_level;
    if (fail_on_ != "never") {
      fail_level = ParseSeverity(fail_on_);
      if (!fail_level) {
        err << "tblint: --fail-on must be error, warning, info or never, not '" << EscapeForText(fail_on_) << "'\n";
        return kExitUsage;
      }
    }
    if (color_ != "auto" && color_ != "always" && color_ != "never") {
      err << "tblint: --color must be auto, always or never\n";
      return kExitUsage;
    }
    const bool fix = vm.count("fix") > 0;
    const bool dry_run = vm.count("dry-run") > 0;
    const bool unsafe = vm.count("unsafe-fixes") > 0;
    if ((dry_run || unsafe) && !fix) {
      err << "tblint: --dry-run and --unsafe-fixes only make sense with --fix\n";
      return kExitUsage;
    }
    std::vector<const Rule*> rules;
    if (SelectRules(scan_, &rules, err) != kExitClean) return kExitUsage;
    if (vm.count("show-settings")) {
      WriteSettings(out, file_config, scan_, rules, &format_, &fail_on_);
      return kExitClean;
    }
    Baseline baseline;  // --baseline (docs/baseline.md), read before anything is scanned
    if (ReadBaselineOption(baseline_text_, &baseline, err) != kExitClean) return kExitUsage;
    ScanConfig config = MakeScanConfig(values, std::move(rules), backup_dir_);
    config.lint.sample_scalars = *format == Format::kHtml;  // the sparklines' values, only when drawn
    // A progress line on standard error when it is a terminal (cli/progress.h).
    const std::unique_ptr<ProgressMeter> progress = MaybeProgressMeter(&err, vm.count("quiet") > 0);
    config.observer = progress.get();

    const bool to_file = vm.count("output-file") > 0;  // -o '' too: an error, not stdout
    RenderOptions ro;
    ro.text.quiet = vm.count("quiet") > 0;
    // --color, NO_COLOR, FORCE_COLOR, TERM=dumb (cli/progress.h, UseColor).
    ro.text.color =
        color_ == "always" || (!to_file && &out == &std::cout && UseColor(color_, ProcessTerminalEnv(STDOUT_FILENO)));
    ro.fail_on = fail_level;
    ro.statistics = vm.count("statistics") > 0;

    // Findings go to the report run by run as the scan hands them over, and
    // are let go (docs/performance.md): memory does not grow with their number
    // (--write-baseline keeps a fingerprint of each). --fix streams too: see
    // FixPass.
    std::optional<FixPass> fix_pass;
    if (fix) {
      fix_pass.emplace();
      fix_pass->options.dry_run = dry_run;
      fix_pass->options.unsafe = unsafe;
      fix_pass->options.now = config.lint.now;
      fix_pass->options.backup_dir = backup_dir_;
    }
    return Stream(paths, file_config, baseline, config, *format, ro, to_file, vm.count("quiet") > 0, progress.get(),
                  fix_pass ? &*fix_pass : nullptr, out, err);
  }

 private:
  // --fix, PATH by PATH. The scan keeps the findings that offer or withhold
  // a fix (after the config's per-path settings, before the baseline: a
  // baseline hides a finding, it does not stop its fix) and holds the
  // others in a FindingSpool, a temporary file, not in memory, run by run.
  // Once the PATH is linted, its fixes are applied. When none changed a
  // file, the held findings go to the report. Otherwise the runs holding a
  // changed file are checked again (Rescan: a file whose damaged tail was
  // cut is not even read again), and the other runs' held findings go to the
  // report in their place; a fix that moved a file has the PATH linted
  // again. --dry-run changes nothing: its findings go straight to the
  // report.
  struct FixPass {
    FixOptions options;
    bool holding = false;              // this PATH's findings go to `held`, not to the report
    FixPlanner planner;                // what this PATH's findings ask of each file
    std::optional<FindingSpool> held;  // this PATH's findings, while its fixes are not applied
    // What `held` holds, in order: how many findings of each run (its index
    // in the LintResult's runs; SIZE_MAX for the logdir-wide ones).
    std::vector<std::pair<size_t, uint64_t>> segments;
    size_t next_segment = 0;           // the first not yet read back or skipped
    bool read_back_failed = false;     // `held` could not be read back
    std::vector<FixOutcome> outcomes;  // every PATH's, in order
  };

  // Each run's findings, as the scan hands them over: the config file's
  // per-path ignores and severities, then (--fix) FixPass's share, then the
  // baseline (--write-baseline records each and, since the baseline it
  // writes accepts them all, lets it go; --baseline drops those it holds),
  // then the report.
  class StreamingConsumer final : public FindingsConsumer {
   public:
    StreamingConsumer(const Config& config, BaselineRecorder* recorder, BaselineFilter* baseline, ReportWriter* writer,
                      ProgressMeter* progress, FixPass* fix)
        : config_(config), recorder_(recorder), baseline_(baseline), writer_(writer), progress_(progress), fix_(fix) {}
    void OnFindings(const LintResult& result, const RunResult* run, std::vector<Finding>* findings) override {
      ApplyFindingSettings(config_, findings);
      if (fix_ != nullptr && fix_->holding) {
        for (const Finding& f : *findings) {
          fix_->planner.Add(f);
          if (fix_->held) fix_->held->Add(f);
        }
        if (fix_->held) {
          const size_t index = run == nullptr ? SIZE_MAX : static_cast<size_t>(run - result.logdir.runs.data());
          fix_->segments.emplace_back(index, findings->size());
          return;
        }
      }
      Deliver(result, findings);
    }
    // Rescan did not check `run` again: its held findings stand. Those of the
    // runs before it that are still held were checked again: passed over.
    void OnRunKept(const LintResult& result, const RunResult& run) override {
      if (fix_ == nullptr || !fix_->held) return;
      const auto index = static_cast<size_t>(&run - result.logdir.runs.data());
      auto& segments = fix_->segments;
      size_t& next = fix_->next_segment;
      for (; next < segments.size() && segments[next].first < index; ++next) {
        if (!fix_->held->Skip(segments[next].second)) fix_->read_back_failed = true;
      }
      if (next < segments.size() && segments[next].first == index) {
        if (!fix_->held->Replay(segments[next++].second, kReadBackBatch,
                                [&](std::vector<Finding>* batch) { Deliver(result, batch); })) {
          fix_->read_back_failed = true;
        }
      }
    }
    // Findings that are final: the baseline, then the report.
    void Deliver(const LintResult& result, std::vector<Finding>* findings) {
      if (recorder_ != nullptr) {
        for (const Finding& f : *findings) recorder_->Add(f);
        findings->clear();
      }
      if (baseline_ != nullptr) baseline_->Apply(findings);
      if (findings->empty()) return;
      // Every file is read by now: the progress line gives way to the report.
      if (progress_ != nullptr) progress_->Finish();
      writer_->Findings(result, *findings);
    }

   private:
    const Config& config_;
    BaselineRecorder* recorder_;
    BaselineFilter* baseline_;
    ReportWriter* writer_;
    ProgressMeter* progress_;
    FixPass* fix_;
  };

  // Lints `path` into *result; with `fix`, applies its fixes and, when one
  // changed a file, lints it again (FixPass). kExitUsage with a message on
  // `err` when it cannot.
  int LintPath(const std::string& path, const ScanConfig& config, StreamingConsumer* consumer, FixPass* fix,
               std::unique_ptr<LintResult>* result, std::ostream& err) {
    const auto lint = [&] {
      std::string error;
      if (Lint(path, config, result->get(), &error)) return kExitClean;
      err << "tblint: " << EscapeForText(error) << "\n";
      return kExitUsage;
    };
    if (fix == nullptr) return lint();
    fix->holding = true;
    if (!fix->options.dry_run) fix->held.emplace();
    const int linted = lint();
    fix->holding = false;
    if (linted != kExitClean) return linted;
    std::vector<FixOutcome> outcomes = ApplyFixes(**result, &fix->planner, fix->options);
    bool changed = false;
    const size_t fixed_here = outcomes.size();
    for (FixOutcome& o : outcomes) {
      changed = changed || o.status == FixStatus::kFixed;
      fix->outcomes.push_back(std::move(o));
    }
    if (!fix->held) return kExitClean;  // --dry-run: the findings went to the report
    const auto drop_held = [&] {
      fix->held.reset();
      fix->segments.clear();
      fix->next_segment = 0;
      fix->read_back_failed = false;
    };
    bool read_back = true;
    if (!changed) {
      read_back =
          fix->held->Replay(kReadBackBatch, [&](std::vector<Finding>* batch) { consumer->Deliver(**result, batch); });
    } else {
      // The runs a fix changed are checked again and the others' findings
      // read back (Rescan), unless a fix moved a file: discovery would differ.
      std::vector<size_t> files;
      bool in_place = true;
      std::unordered_map<std::string_view, size_t> index;
      for (size_t i = 0; i < (*result)->logdir.files.size(); ++i) {
        index.emplace((*result)->logdir.files[i].info.rel_path(), i);
      }
      for (const FixOutcome& o : std::span(fix->outcomes).last(fixed_here)) {
        if (o.status != FixStatus::kFixed) continue;
        const auto it = index.find(o.rel_path);
        in_place = in_place && o.kind != FixKind::kMove && it != index.end();
        if (it != index.end()) files.push_back(it->second);
      }
      if (!in_place || !Rescan(config, files, result->get())) {
        drop_held();
        *result = std::make_unique<LintResult>();
        return lint();
      }
      read_back = !fix->read_back_failed;
    }
    drop_held();
    if (!read_back) {
      err << "tblint: cannot read the findings of " << EscapeForText(path) << " back from their temporary file\n";
      return kExitUsage;
    }
    return kExitClean;
  }

  int Stream(const std::vector<std::string>& paths, const Config& file_config, const Baseline& baseline,
             ScanConfig config, Format format, const RenderOptions& ro, bool to_file, bool quiet,
             ProgressMeter* progress, FixPass* fix, std::ostream& out, std::ostream& err) {
    // A PATH that does not exist is a usage error before any output, as
    // when the report is rendered at the end; a PATH that is no directory is
    // a single file (Discover's test), which SARIF's header names first.
    ReportHeader header;
    for (const std::string& path : paths) {
      std::string trimmed = path;
      while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
      struct stat st {};
      if (::stat(trimmed.c_str(), &st) != 0) {
        LogdirResult probe;
        std::string error;
        if (!Discover(path, config.lint, &probe, &error)) {
          err << "tblint: " << EscapeForText(error) << "\n";
          return kExitUsage;
        }
        st.st_mode = probe.single_file ? S_IFREG : S_IFDIR;
      }
      header.paths.push_back({path, !S_ISDIR(st.st_mode)});
    }
    if (fix != nullptr) {
      header.fix_ran = true;
      header.dry_run = fix->options.dry_run;
    }
    AtomicOutputFile file;
    if (to_file) {
      std::string error;
      if (!file.Open(output_file_, &error)) return ReportFileError(err, output_file_, error);
    }
    std::ostream& sink = to_file ? file.stream() : out;
    const std::unique_ptr<ReportWriter> writer = MakeReportWriter(sink, format, ro);
    // --write-baseline: the baseline written replaces any read, and the
    // report (written once the file is, as when findings are collected) has
    // none of the findings.
    std::optional<BaselineRecorder> recorder;
    std::optional<BaselineFilter> filter;
    if (!baseline_text_.write.empty()) {
      recorder.emplace();
    } else if (!baseline_text_.read.empty()) {
      filter.emplace(baseline);
    }
    StreamingConsumer consumer(file_config, recorder ? &*recorder : nullptr, filter ? &*filter : nullptr, writer.get(),
                               to_file ? nullptr : progress, fix);
    config.consumer = &consumer;
    // Most writers read no file's tags after Lint: they take the findings,
    // the file and run counts, the files' paths and the logdir's name. HTML
    // draws every run's tags at the end.
    config.release_file_details = !NeedsFileDetails(format);
    // What Rescan needs after --fix cut a damaged tail.
    config.keep_tail_checkpoints = fix != nullptr && !fix->options.dry_run;
    if (!recorder) writer->Begin(header);
    std::vector<std::unique_ptr<LintResult>> results;
    ReportInput report;
    for (const std::string& path : paths) {
      auto result = std::make_unique<LintResult>();
      if (LintPath(path, config, &consumer, fix, &result, err) != kExitClean) return kExitUsage;
      if (!recorder) writer->EndPath(*result);
      results.push_back(std::move(result));
    }
    if (recorder) {
      if (progress != nullptr) progress->Finish();
      if (FinishBaseline(baseline_text_.write, &*recorder, quiet, err) != kExitClean) return kExitUsage;
      report.baseline_suppressed = recorder->total();
      writer->Begin(header);
      for (const auto& r : results) writer->EndPath(*r);
    }
    for (const auto& r : results) report.results.push_back(r.get());
    if (filter) report.baseline_suppressed = filter->suppressed();
    bool fix_failed = false;
    if (fix != nullptr) {
      report.fix_ran = true;
      report.dry_run = fix->options.dry_run;
      report.fixes = std::move(fix->outcomes);
      for (const FixOutcome& o : report.fixes) fix_failed = fix_failed || o.status == FixStatus::kFailed;
    }
    if (progress != nullptr) progress->Finish();
    writer->End(report);
    if (to_file) {
      std::string error;
      if (!file.Commit(&error)) return ReportFileError(err, output_file_, error);
    }
    return writer->tally().AnyAtOrAbove(ro.fail_on) || fix_failed ? kExitFindings : kExitClean;
  }

  std::string format_;
  std::string fail_on_ = "warning";
  std::string explain_;
  std::string color_ = "auto";
  std::string backup_dir_;
  std::string output_file_;
  ScanOptionText scan_;
  ConfigOptionText config_text_;
  BaselineOptionText baseline_text_;
};

}  // namespace

std::unique_ptr<Command> MakeCheckCommand() { return std::make_unique<CheckCommand>(); }

}  // namespace tblint
