#include <algorithm>
#include <map>
#include <string>

#include "report/report.h"
#include "report/writers.h"
#include "rule/rule.h"
#include "util/text.h"

namespace tblint {
namespace {

// Most frequent first; ties in code order.
std::vector<RuleCount> SortedCounts(std::vector<RuleCount> counts) {
  std::sort(counts.begin(), counts.end(), [](const RuleCount& a, const RuleCount& b) {
    if (a.count != b.count) return a.count > b.count;
    return std::string_view(a.rule->code) < std::string_view(b.rule->code);
  });
  return counts;
}

}  // namespace

void FindingTally::Add(const Finding& f) {
  ++by_severity_[static_cast<int>(f.severity)];
  auto it = std::find_if(by_rule_.begin(), by_rule_.end(), [&](const RuleCount& c) {
    return c.rule == f.rule || std::string_view(c.rule->code) == f.rule->code;
  });
  if (it == by_rule_.end()) {
    by_rule_.push_back(RuleCount{f.rule, 0, Applicability::kNone});
    first_seen_.push_back(f.rule);
    it = std::prev(by_rule_.end());
  }
  RuleCount& c = *it;
  ++c.count;
  if (f.fix.applicability == Applicability::kSafe ||
      (f.fix.applicability == Applicability::kUnsafe && c.fix == Applicability::kNone)) {
    c.fix = f.fix.applicability;
  }
}

std::vector<RuleCount> FindingTally::Statistics() const { return SortedCounts(by_rule_); }

bool FindingTally::AnyAtOrAbove(std::optional<Severity> level) const {
  if (!level) return false;
  for (int s = static_cast<int>(*level); s < 3; ++s) {
    if (by_severity_[s] > 0) return true;
  }
  return false;
}

std::vector<RuleCount> ComputeStatistics(const ReportInput& in) {
  FindingTally tally;
  for (const LintResult* r : in.results) {
    for (const Finding& f : r->findings) tally.Add(f);
  }
  return tally.Statistics();
}

nlohmann::json StatisticsToJson(const std::vector<RuleCount>& statistics) {
  nlohmann::json stats = nlohmann::json::array();
  for (const RuleCount& c : statistics) {
    stats.push_back({{"code", c.rule->code},
                     {"name", c.rule->name},
                     {"count", c.count},
                     {"fix", c.fix == Applicability::kNone ? "none" : ApplicabilityName(c.fix)}});
  }
  return stats;
}

std::unique_ptr<ReportWriter> MakeReportWriter(std::ostream& out, Format format, const RenderOptions& options) {
  switch (format) {
    case Format::kText: {
      TextOptions to = options.text;
      to.hints = options.hints && !to.quiet;
      to.statistics = options.statistics;
      return MakeTextWriter(out, to);
    }
    case Format::kJson:
      return MakeJsonWriter(out, options.statistics);
    case Format::kGithub:
      return MakeGithubWriter(out);
    case Format::kSarif:
      return MakeSarifWriter(out);
    case Format::kJunit:
      return MakeJunitWriter(out, options.fail_on);
    case Format::kHtml:
      return MakeHtmlWriter(out);
  }
  return nullptr;
}

void Render(std::ostream& out, const ReportInput& in, Format format, const RenderOptions& options) {
  const std::unique_ptr<ReportWriter> writer = MakeReportWriter(out, format, options);
  if (!writer) return;  // not a Format
  ReportHeader header;
  for (const LintResult* r : in.results) header.paths.push_back({r->logdir.given, r->logdir.single_file});
  header.fix_ran = in.fix_ran;
  header.dry_run = in.dry_run;
  writer->Begin(header);
  for (const LintResult* r : in.results) {
    writer->Findings(*r, r->findings);
    writer->EndPath(*r);
  }
  writer->End(in);
}

}  // namespace tblint
