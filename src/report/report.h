// Renderers of lint results: text for people, JSON for machines
// (schema: docs/json.md), SARIF 2.1.0, GitHub Actions workflow commands and
// JUnit XML for CI (docs/formats.md). Reporters only format; they decide
// nothing. Render is the one entry point; the per-format functions below are
// what it dispatches to.
#ifndef TBLINT_REPORT_REPORT_H_
#define TBLINT_REPORT_REPORT_H_

#include <array>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fix/fixer.h"
#include "report/format.h"
#include "scan/scanner.h"

namespace tblint {

// What was scanned, for a report whose results hold findings but no files
// (tblint merge-reports rebuilds them from JSON reports).
struct ScannedCounts {
  uint64_t files = 0, runs = 0, records = 0, bytes = 0;
  double seconds = 0;
};

struct ReportInput {
  std::vector<const LintResult*> results;  // one per path given
  // When set, the totals' files, runs, records, bytes and seconds (findings
  // are still counted from the results).
  std::optional<ScannedCounts> scanned;
  std::vector<FixOutcome> fixes;           // when --fix ran
  bool fix_ran = false;
  bool dry_run = false;
  // With --baseline (or --write-baseline): the findings the baseline held
  // back, left out of `results` (docs/baseline.md).
  std::optional<uint64_t> baseline_suppressed;
};

struct TextOptions {
  bool color = false;
  bool quiet = false;       // findings only: no impact lines, no hints, no summary
  bool hints = false;       // a "hint: run 'tblint --explain TBxxx'" line per distinct code
  bool statistics = false;  // per-rule counts after the findings (also with quiet)
};

struct Totals {
  uint64_t files = 0, runs = 0, records = 0, bytes = 0;
  std::array<uint64_t, 3> by_severity{};  // indexed by Severity
  double seconds = 0;
};
Totals ComputeTotals(const ReportInput& in);

// How a report is rendered, whatever the format.
struct RenderOptions {
  TextOptions text;  // text only (its hints and statistics are set from below)
  // The --fail-on level: a JUnit <failure> per finding at or above it; nullopt
  // is "never" (no finding fails). The other formats show every finding.
  std::optional<Severity> fail_on = Severity::kWarning;
  // --statistics: text prints per-rule counts after the findings; JSON gets a
  // top-level "statistics" array (docs/json.md). Other formats ignore it.
  bool statistics = false;
  // Text: one "hint: run 'tblint --explain TBxxx'" line per distinct code
  // after the findings (never with text.quiet).
  bool hints = true;
};

// Writes the whole report for `in` in `format` to `out`. The caller checks
// `out` for write errors.
void Render(std::ostream& out, const ReportInput& in, Format format, const RenderOptions& options);

// Per-rule counts, most frequent first (ties by code).
struct RuleCount {
  const RuleInfo* rule = nullptr;
  uint64_t count = 0;
  Applicability fix = Applicability::kNone;  // the best fix any of its findings offers
};
std::vector<RuleCount> ComputeStatistics(const ReportInput& in);

// What a report counts of the findings it renders, as they pass: by
// severity (the summary, the exit code), by rule (--statistics) and the codes
// in order of first appearance (text's hints). Bounded by the number of
// rules, not of findings.
class FindingTally {
 public:
  void Add(const Finding& f);
  const std::array<uint64_t, 3>& by_severity() const { return by_severity_; }  // indexed by Severity
  // Most frequent first (ties by code), as ComputeStatistics.
  std::vector<RuleCount> Statistics() const;
  const std::vector<const RuleInfo*>& codes_in_order() const { return first_seen_; }
  bool AnyAtOrAbove(std::optional<Severity> level) const;

 private:
  std::array<uint64_t, 3> by_severity_{};
  std::vector<RuleCount> by_rule_;  // in order of first appearance
  std::vector<const RuleInfo*> first_seen_;
};

// A report written as the findings arrive (docs/performance.md): Begin, then
// each path's findings in report order (any number of calls per path, each
// with the next findings of that path), EndPath for every path (with
// findings or not), then End with what comes after the findings (fixes,
// baseline, totals). Render uses the same writers, so a streamed report is
// byte for byte the report Render writes for the same findings.
struct ReportPath {
  std::string given;         // as given on the command line
  bool single_file = false;  // a file, not a directory (LogdirResult::single_file)
};
struct ReportHeader {
  std::vector<ReportPath> paths;  // every PATH the report covers, in order
  bool fix_ran = false;
  bool dry_run = false;
};
class ReportWriter {
 public:
  virtual ~ReportWriter() = default;
  virtual void Begin(const ReportHeader& header) = 0;
  // `result` is the path's LintResult (its logdir; its own `findings` are
  // not read here); `findings` the next ones of that path.
  virtual void Findings(const LintResult& result, std::span<const Finding> findings) = 0;
  virtual void EndPath(const LintResult& result) = 0;
  // `in.results` are the paths' results (their `findings` are not counted
  // again: the totals' findings are the ones passed to Findings).
  virtual void End(const ReportInput& in) = 0;
  const FindingTally& tally() const { return tally_; }

 protected:
  FindingTally tally_;
};

// The writer for `format`. JUnit and HTML begin with counts of what follows
// (totals, each suite's tests and failures): their writers keep each
// finding's text in a temporary file until End (report/spool.h), and memory
// holds a few bytes per finding. HTML also reads every file's tags in End,
// for its timelines: the scan must keep them (no
// ScanConfig::release_file_details; NeedsFileDetails).
std::unique_ptr<ReportWriter> MakeReportWriter(std::ostream& out, Format format, const RenderOptions& options);
// Whether `format`'s writer reads the files' tags and details in End.
inline bool NeedsFileDetails(Format format) { return format == Format::kHtml; }

// The document renderers Render dispatches to for the formats above; ToJson
// is the JSON report as one document (what the JSON writer streams).
nlohmann::json ToJson(const ReportInput& in);
nlohmann::json StatisticsToJson(const std::vector<RuleCount>& statistics);
nlohmann::json ToSarif(const ReportInput& in);

// SARIF's informationUri: where tblint lives (docs/formats.md).
inline constexpr const char* kTblintUri = "https://github.com/tblint/tblint";

}  // namespace tblint

#endif  // TBLINT_REPORT_REPORT_H_
