#include <algorithm>
#include <cstdio>
#include <set>
#include <string>
#include <string_view>

#include "report/report.h"
#include "rule/rule.h"
#include "util/text.h"

namespace tblint {
namespace {

const char* Color(Severity s) {
  switch (s) {
    case Severity::kError:
      return "\033[1;31m";
    case Severity::kWarning:
      return "\033[1;33m";
    case Severity::kInfo:
      return "\033[1;36m";
  }
  return "";
}
constexpr const char* kBold = "\033[1m";
constexpr const char* kDim = "\033[2m";
constexpr const char* kReset = "\033[0m";

std::string Plural(uint64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

Totals ComputeTotals(const ReportInput& in) {
  Totals t;
  for (const LintResult* r : in.results) {
    t.files += r->logdir.files.size();
    t.runs += r->logdir.runs.size();
    t.records += r->records;
    t.bytes += r->bytes;
    t.seconds += r->seconds;
    for (const Finding& f : r->findings) ++t.by_severity[static_cast<int>(f.severity)];
  }
  if (in.scanned) {
    t.files = in.scanned->files;
    t.runs = in.scanned->runs;
    t.records = in.scanned->records;
    t.bytes = in.scanned->bytes;
    t.seconds = in.scanned->seconds;
  }
  return t;
}

void WriteText(std::ostream& out, const ReportInput& in, const TextOptions& options) {
  auto c = [&](const char* code) { return options.color ? code : ""; };
  // Everything that comes from the logdir (paths, run names, and the messages
  // that quote paths and tags) may hold any bytes: escaped, it can neither
  // forge a finding line nor reach the terminal as a control sequence. Our
  // own colour codes are added around the escaped text.
  auto esc = [](std::string_view s) { return EscapeForText(s); };
  bool printed = false;  // anything above, so a blank line separates paths
  for (const LintResult* r : in.results) {
    if (!options.quiet && in.results.size() > 1 && !r->findings.empty()) {
      out << (printed ? "\n" : "") << c(kBold) << "== " << esc(r->logdir.given) << c(kReset) << "\n";
      printed = false;
    }
    if (r->logdir.single_file && !options.quiet) {
      out << c(kDim) << esc(r->logdir.given) << " is a single event file: linted on its own" << c(kReset) << "\n";
    }
    std::string current_run;
    bool first = true;
    for (const Finding& f : r->findings) {
      if (!options.quiet && !r->logdir.single_file && (first || f.run != current_run)) {
        out << (printed ? "\n" : "") << c(kBold) << "run " << esc(f.run) << c(kReset) << "\n";
        current_run = f.run;
      }
      first = false;
      out << esc(DisplayPath(*r, f.path));
      if (f.offset) out << ":" << *f.offset;
      out << ": " << c(Color(f.severity)) << SeverityName(f.severity) << c(kReset) << ": " << esc(f.message) << " "
          << c(kDim) << "[" << f.rule->code << " " << f.rule->name << "]" << c(kReset) << "\n";
      if (!options.quiet && !f.impact.empty()) {
        out << "    " << c(kDim) << "tensorboard: " << esc(f.impact) << c(kReset) << "\n";
      }
      printed = true;
    }
  }
  if (in.fix_ran) {
    if (!options.quiet || !in.fixes.empty()) out << "\n";
    for (const FixOutcome& o : in.fixes) {
      out << esc(o.display_path) << ": " << FixStatusName(o.status, in.dry_run) << ": " << esc(o.message) << "\n";
    }
    if (in.fixes.empty() && !options.quiet) out << "nothing to fix\n";
  }
  if (options.statistics) {
    // Like ruff --statistics: count, code, name, and [*] when --fix can fix
    // some of them, [!] when only --fix --unsafe-fixes can.
    const std::vector<RuleCount> stats = ComputeStatistics(in);
    size_t count_width = 1, name_width = 1;
    for (const RuleCount& s : stats) {
      count_width = std::max(count_width, std::to_string(s.count).size());
      name_width = std::max(name_width, std::string_view(s.rule->name).size());
    }
    if (!stats.empty()) out << "\n";
    for (const RuleCount& s : stats) {
      const std::string n = std::to_string(s.count);
      const std::string_view name = s.rule->name;
      out << "  " << std::string(count_width - n.size(), ' ') << n << "  " << s.rule->code << "  " << name;
      if (s.fix != Applicability::kNone) {
        out << std::string(name_width - name.size(), ' ') << "  " << (s.fix == Applicability::kSafe ? "[*]" : "[!]");
      }
      out << "\n";
    }
  }
  if (options.hints) {
    std::vector<std::string_view> codes;  // in order of first appearance
    std::set<std::string_view> seen;
    for (const LintResult* r : in.results) {
      for (const Finding& f : r->findings) {
        if (seen.insert(f.rule->code).second) codes.push_back(f.rule->code);
      }
    }
    if (!codes.empty()) out << "\n";
    for (std::string_view code : codes) out << "hint: run 'tblint --explain " << code << "' for details\n";
  }
  if (options.quiet) return;
  // Information, never a finding: a PATH that is one run works, but it is
  // often a logdir's sub-folder given by mistake.
  for (const LintResult* r : in.results) {
    if (!r->logdir.IsARun()) continue;
    out << "\n"
        << c(kDim) << "note: " << esc(r->logdir.given)
        << " is a run (event files directly in it, no runs below); its parent is the logdir TensorBoard would "
           "usually be pointed at"
        << c(kReset) << "\n";
  }
  const Totals t = ComputeTotals(in);
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.2f", t.seconds);
  out << "\n"
      << Plural(t.files, "file", "files") << " in " << Plural(t.runs, "run", "runs") << ", "
      << Plural(t.records, "record", "records") << ", " << HumanBytes(t.bytes) << " in " << secs
      << " s: " << c(Color(Severity::kError)) << Plural(t.by_severity[2], "error", "errors") << c(kReset) << ", "
      << c(Color(Severity::kWarning)) << Plural(t.by_severity[1], "warning", "warnings") << c(kReset) << ", "
      << c(Color(Severity::kInfo)) << t.by_severity[0] << " info" << c(kReset);
  if (in.baseline_suppressed) out << "; " << *in.baseline_suppressed << " suppressed by the baseline";
  out << "\n";
}

}  // namespace tblint
