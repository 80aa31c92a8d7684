#include <algorithm>
#include <map>
#include <string>

#include "report/report.h"
#include "rule/rule.h"
#include "util/text.h"

namespace tblint {

std::vector<RuleCount> ComputeStatistics(const ReportInput& in) {
  std::map<std::string, RuleCount> by_code;
  for (const LintResult* r : in.results) {
    for (const Finding& f : r->findings) {
      RuleCount& c = by_code[f.rule->code];
      c.rule = f.rule;
      ++c.count;
      if (f.fix.applicability == Applicability::kSafe ||
          (f.fix.applicability == Applicability::kUnsafe && c.fix == Applicability::kNone)) {
        c.fix = f.fix.applicability;
      }
    }
  }
  std::vector<RuleCount> out;
  for (auto& [code, c] : by_code) out.push_back(c);
  // by_code is sorted by code: a stable sort by count keeps ties in code order.
  std::stable_sort(out.begin(), out.end(), [](const RuleCount& a, const RuleCount& b) { return a.count > b.count; });
  return out;
}

nlohmann::json StatisticsToJson(const ReportInput& in) {
  nlohmann::json stats = nlohmann::json::array();
  for (const RuleCount& c : ComputeStatistics(in)) {
    stats.push_back({{"code", c.rule->code},
                     {"name", c.rule->name},
                     {"count", c.count},
                     {"fix", c.fix == Applicability::kNone ? "none" : ApplicabilityName(c.fix)}});
  }
  return stats;
}

void Render(std::ostream& out, const ReportInput& in, Format format, const RenderOptions& options) {
  switch (format) {
    case Format::kText: {
      TextOptions to = options.text;
      to.hints = options.hints && !to.quiet;
      to.statistics = options.statistics;
      WriteText(out, in, to);
      return;
    }
    case Format::kJson: {
      nlohmann::json doc = ToJson(in);
      if (options.statistics) doc["statistics"] = StatisticsToJson(in);
      out << DumpJson(doc) << "\n";
      return;
    }
    case Format::kSarif:
      out << DumpJson(ToSarif(in)) << "\n";
      return;
    case Format::kGithub:
      WriteGithub(out, in);
      return;
    case Format::kJunit:
      WriteJunit(out, in, options.fail_on);
      return;
    case Format::kHtml:
      WriteHtml(out, in);
      return;
  }
}

}  // namespace tblint
