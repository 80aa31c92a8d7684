// Renderers of lint results: text for people, JSON for machines
// (schema: docs/json.md). Reporters only format; they decide nothing.
#ifndef TBLINT_REPORT_REPORT_H_
#define TBLINT_REPORT_REPORT_H_

#include <array>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "fix/fixer.h"
#include "scan/scanner.h"

namespace tblint {

struct ReportInput {
  std::vector<const LintResult*> results;  // one per path given
  std::vector<FixOutcome> fixes;           // when --fix ran
  bool fix_ran = false;
  bool dry_run = false;
};

struct TextOptions {
  bool color = false;
  bool quiet = false;  // findings only: no impact lines, no summary
};

struct Totals {
  uint64_t files = 0, runs = 0, records = 0, bytes = 0;
  std::array<uint64_t, 3> by_severity{};  // indexed by Severity
  double seconds = 0;
};
Totals ComputeTotals(const ReportInput& in);

void WriteText(std::ostream& out, const ReportInput& in, const TextOptions& options);
nlohmann::json ToJson(const ReportInput& in);

}  // namespace tblint

#endif  // TBLINT_REPORT_REPORT_H_
