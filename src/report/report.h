// Renderers of lint results: text for people, JSON for machines
// (schema: docs/json.md), SARIF 2.1.0, GitHub Actions workflow commands and
// JUnit XML for CI (docs/formats.md). Reporters only format; they decide
// nothing. Render is the one entry point; the per-format functions below are
// what it dispatches to.
#ifndef TBLINT_REPORT_REPORT_H_
#define TBLINT_REPORT_REPORT_H_

#include <array>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
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

// The renderers Render dispatches to.
void WriteText(std::ostream& out, const ReportInput& in, const TextOptions& options);
nlohmann::json ToJson(const ReportInput& in);
nlohmann::json StatisticsToJson(const ReportInput& in);
nlohmann::json ToSarif(const ReportInput& in);
void WriteGithub(std::ostream& out, const ReportInput& in);
void WriteJunit(std::ostream& out, const ReportInput& in, std::optional<Severity> fail_on);
// One self-contained HTML page (docs/html.md): header, findings table and a
// timeline per run, drawn by an inline script from a JSON data island. The
// sparklines need the scan to run with LintOptions::sample_scalars.
void WriteHtml(std::ostream& out, const ReportInput& in);

// SARIF's informationUri: where tblint lives (docs/formats.md).
inline constexpr const char* kTblintUri = "https://github.com/tblint/tblint";

}  // namespace tblint

#endif  // TBLINT_REPORT_REPORT_H_
