#include "report/report.h"
#include "rules/rule.h"

namespace tblint {

nlohmann::json ToJson(const ReportInput& in) {
  using nlohmann::json;
  const Totals t = ComputeTotals(in);
  json doc;
  doc["tool"] = {{"name", "tblint"}, {"version", TBLINT_VERSION}};
  json paths = json::array();
  for (const LintResult* r : in.results) {
    paths.push_back({{"path", r->logdir.given}, {"single_file", r->logdir.single_file}});
  }
  doc["paths"] = paths;
  doc["summary"] = {{"files", t.files},
                    {"runs", t.runs},
                    {"records", t.records},
                    {"bytes", t.bytes},
                    {"seconds", t.seconds},
                    {"findings",
                     {{"error", t.by_severity[2]}, {"warning", t.by_severity[1]}, {"info", t.by_severity[0]}}}};
  json findings = json::array();
  for (const LintResult* r : in.results) {
    for (const Finding& f : r->findings) {
      json j = {{"code", f.rule->code},
                {"name", f.rule->name},
                {"severity", SeverityName(f.severity)},
                {"message", f.message},
                {"logdir", r->logdir.given},
                {"path", f.path},
                {"run", f.run}};
      if (!f.impact.empty()) j["impact"] = f.impact;
      if (f.offset) j["offset"] = *f.offset;
      if (f.record) j["record"] = *f.record;
      if (f.tag) j["tag"] = *f.tag;
      if (f.step) j["step"] = *f.step;
      if (f.fix.applicability != Applicability::kNone) {
        j["fix"] = {{"applicability", ApplicabilityName(f.fix.applicability)},
                    {"description", f.fix.description}};
      }
      findings.push_back(std::move(j));
    }
  }
  doc["findings"] = std::move(findings);
  if (in.fix_ran) {
    json fixes = json::array();
    for (const FixOutcome& o : in.fixes) {
      json j = {{"path", o.rel_path},
                {"logdir", o.logdir},
                {"status", FixStatusName(o.status, in.dry_run)},
                {"action", FixKindName(o.kind)},
                {"codes", o.codes},
                {"message", o.message}};
      if (o.status == FixStatus::kFixed || o.status == FixStatus::kWouldFix) {
        j["old_size"] = o.old_size;
        j["new_size"] = o.new_size;
        j["dropped_bytes"] = o.dropped_bytes;
        if (o.kind == FixKind::kRewrite) {
          j["kept_records"] = o.kept_records;
          j["dropped_records"] = o.dropped_records;
        }
        if (!o.side_file.empty()) j["side_file"] = o.side_file;
      }
      fixes.push_back(std::move(j));
    }
    doc["fixes"] = std::move(fixes);
    doc["dry_run"] = in.dry_run;
  }
  return doc;
}

}  // namespace tblint
