#include <algorithm>
#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "report/report.h"
#include "report/writers.h"
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

namespace {

class TextWriter final : public ReportWriter {
 public:
  TextWriter(std::ostream& out, const TextOptions& options) : out_(out), options_(options) {}

  void Begin(const ReportHeader& header) override { header_ = header; }

  void Findings(const LintResult& r, std::span<const Finding> findings) override {
    if (findings.empty()) return;
    StartPath(r, /*with_findings=*/true);
    for (const Finding& f : findings) {
      tally_.Add(f);
      if (!options_.quiet && !r.logdir.single_file && (first_ || f.run != current_run_)) {
        out_ << (printed_ ? "\n" : "") << c(kBold) << "run " << esc(f.run) << c(kReset) << "\n";
        current_run_ = f.run;
      }
      first_ = false;
      out_ << esc(DisplayPath(r, f.path));
      if (f.offset) out_ << ":" << *f.offset;
      out_ << ": " << c(Color(f.severity)) << SeverityName(f.severity) << c(kReset) << ": " << esc(f.message) << " "
           << c(kDim) << "[" << f.rule->code << " " << f.rule->name << "]" << c(kReset) << "\n";
      if (!options_.quiet && !f.impact.empty()) {
        out_ << "    " << c(kDim) << "tensorboard: " << esc(f.impact) << c(kReset) << "\n";
      }
      printed_ = true;
    }
  }

  void EndPath(const LintResult& r) override {
    StartPath(r, /*with_findings=*/false);
    path_ = nullptr;
  }

  void End(const ReportInput& in) override {
    if (in.fix_ran) {
      if (!options_.quiet || !in.fixes.empty()) out_ << "\n";
      for (const FixOutcome& o : in.fixes) {
        out_ << esc(o.display_path) << ": " << FixStatusName(o.status, in.dry_run) << ": " << esc(o.message) << "\n";
      }
      if (in.fixes.empty() && !options_.quiet) out_ << "nothing to fix\n";
    }
    if (options_.statistics) {
      // Like ruff --statistics: count, code, name, and [*] when --fix can fix
      // some of them, [!] when only --fix --unsafe-fixes can.
      const std::vector<RuleCount> stats = tally_.Statistics();
      size_t count_width = 1, name_width = 1;
      for (const RuleCount& s : stats) {
        count_width = std::max(count_width, std::to_string(s.count).size());
        name_width = std::max(name_width, std::string_view(s.rule->name).size());
      }
      if (!stats.empty()) out_ << "\n";
      for (const RuleCount& s : stats) {
        const std::string n = std::to_string(s.count);
        const std::string_view name = s.rule->name;
        out_ << "  " << std::string(count_width - n.size(), ' ') << n << "  " << s.rule->code << "  " << name;
        if (s.fix != Applicability::kNone) {
          out_ << std::string(name_width - name.size(), ' ') << "  " << (s.fix == Applicability::kSafe ? "[*]" : "[!]");
        }
        out_ << "\n";
      }
    }
    if (options_.hints) {
      // In order of first appearance.
      const std::vector<const RuleInfo*>& codes = tally_.codes_in_order();
      if (!codes.empty()) out_ << "\n";
      for (const RuleInfo* rule : codes) out_ << "hint: run 'tblint --explain " << rule->code << "' for details\n";
    }
    if (options_.quiet) return;
    // Information, never a finding: a PATH that is one run works, but it is
    // often a logdir's sub-folder given by mistake.
    for (const LintResult* r : in.results) {
      if (!r->logdir.IsARun()) continue;
      out_ << "\n"
           << c(kDim) << "note: " << esc(r->logdir.given)
           << " is a run (event files directly in it, no runs below); its parent is the logdir TensorBoard would "
              "usually be pointed at"
           << c(kReset) << "\n";
    }
    Totals t = ComputeTotals(in);
    t.by_severity = tally_.by_severity();
    char secs[32];
    std::snprintf(secs, sizeof secs, "%.2f", t.seconds);
    out_ << "\n"
         << Plural(t.files, "file", "files") << " in " << Plural(t.runs, "run", "runs") << ", "
         << Plural(t.records, "record", "records") << ", " << HumanBytes(t.bytes) << " in " << secs
         << " s: " << c(Color(Severity::kError)) << Plural(t.by_severity[2], "error", "errors") << c(kReset) << ", "
         << c(Color(Severity::kWarning)) << Plural(t.by_severity[1], "warning", "warnings") << c(kReset) << ", "
         << c(Color(Severity::kInfo)) << t.by_severity[0] << " info" << c(kReset);
    if (in.baseline_suppressed) out_ << "; " << *in.baseline_suppressed << " suppressed by the baseline";
    out_ << "\n";
  }

 private:
  const char* c(const char* code) const { return options_.color ? code : ""; }
  // Everything that comes from the logdir (paths, run names, and the messages
  // that quote paths and tags) may hold any bytes: escaped, it can neither
  // forge a finding line nor reach the terminal as a control sequence. Our
  // own colour codes are added around the escaped text.
  static std::string esc(std::string_view s) { return EscapeForText(s); }

  // A path's header lines, once, before its first finding (or at its end
  // when it has none).
  void StartPath(const LintResult& r, bool with_findings) {
    if (path_ == &r) return;
    path_ = &r;
    current_run_.clear();
    first_ = true;
    if (!options_.quiet && header_.paths.size() > 1 && with_findings) {
      out_ << (printed_ ? "\n" : "") << c(kBold) << "== " << esc(r.logdir.given) << c(kReset) << "\n";
      printed_ = false;
    }
    if (r.logdir.single_file && !options_.quiet) {
      out_ << c(kDim) << esc(r.logdir.given) << " is a single event file: linted on its own" << c(kReset) << "\n";
    }
  }
  std::ostream& out_;
  TextOptions options_;
  ReportHeader header_;
  const LintResult* path_ = nullptr;
  bool printed_ = false;  // anything above, so a blank line separates paths
  bool first_ = true;
  std::string current_run_;
};

}  // namespace

std::unique_ptr<ReportWriter> MakeTextWriter(std::ostream& out, const TextOptions& options) {
  return std::make_unique<TextWriter>(out, options);
}

}  // namespace tblint
