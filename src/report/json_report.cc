#include "report/report.h"
#include "rule/rule.h"
#include "util/text.h"

namespace tblint {

nlohmann::json ToJson(const ReportInput& in) {
  using nlohmann::json;
  // Names (paths, runs, tags) are bytes: PutName keeps them exact (docs/json.md,
  // "Names that are not UTF-8"). Free text that quotes them only needs to stay
  // valid UTF-8, so ToValidUtf8 is enough there.
  const Totals t = ComputeTotals(in);
  json doc;
  doc["tool"] = {{"name", "tblint"}, {"version", TBLINT_VERSION}};
  json paths = json::array();
  for (const LintResult* r : in.results) {
    json p = {{"single_file", r->logdir.single_file}, {"is_run", r->logdir.IsARun()}};
    PutName(p, "path", r->logdir.given);
    paths.push_back(std::move(p));
  }
  doc["paths"] = paths;
  // --shard: which slice of the runs this report covers (docs/json.md).
  if (!in.results.empty() && in.results.front()->shard) {
    doc["shard"] = {{"index", in.results.front()->shard->index}, {"count", in.results.front()->shard->count}};
  }
  doc["summary"] = {
      {"files", t.files},
      {"runs", t.runs},
      {"records", t.records},
      {"bytes", t.bytes},
      {"seconds", t.seconds},
      {"findings", {{"error", t.by_severity[2]}, {"warning", t.by_severity[1]}, {"info", t.by_severity[0]}}}};
  if (in.baseline_suppressed) doc["summary"]["baseline_suppressed"] = *in.baseline_suppressed;
  json findings = json::array();
  for (const LintResult* r : in.results) {
    for (const Finding& f : r->findings) {
      json j = {{"code", f.rule->code},
                {"name", f.rule->name},
                {"severity", SeverityName(f.severity)},
                {"message", ToValidUtf8(f.message)}};
      PutName(j, "logdir", r->logdir.given);
      PutName(j, "path", f.path);
      PutName(j, "run", f.run);
      if (!f.impact.empty()) j["impact"] = ToValidUtf8(f.impact);
      if (f.offset) j["offset"] = *f.offset;
      if (f.length) j["length"] = *f.length;
      if (f.record) j["record"] = *f.record;
      if (f.tag) PutName(j, "tag", *f.tag);
      if (f.step) j["step"] = *f.step;
      if (f.fix.applicability != Applicability::kNone) {
        j["fix"] = {{"applicability", ApplicabilityName(f.fix.applicability)},
                    {"description", ToValidUtf8(f.fix.description)}};
      }
      findings.push_back(std::move(j));
    }
  }
  doc["findings"] = std::move(findings);
  if (in.fix_ran) {
    json fixes = json::array();
    for (const FixOutcome& o : in.fixes) {
      json j = {{"status", FixStatusName(o.status, in.dry_run)},
                {"action", FixKindName(o.kind)},
                {"codes", o.codes},
                {"message", ToValidUtf8(o.message)}};
      PutName(j, "path", o.rel_path);
      PutName(j, "logdir", o.logdir);
      if (o.status == FixStatus::kFixed || o.status == FixStatus::kWouldFix) {
        j["old_size"] = o.old_size;
        j["new_size"] = o.new_size;
        j["dropped_bytes"] = o.dropped_bytes;
        if (o.kind == FixKind::kRewrite) {
          j["kept_records"] = o.kept_records;
          j["dropped_records"] = o.dropped_records;
        }
        if (!o.side_file.empty()) PutName(j, "side_file", o.side_file);
      }
      fixes.push_back(std::move(j));
    }
    doc["fixes"] = std::move(fixes);
    doc["dry_run"] = in.dry_run;
  }
  // Whoever dumps this document, with whatever error handler, gets output: a
  // string missed above loses its exact bytes but never aborts the report.
  ReplaceInvalidUtf8(&doc);
  return doc;
}

}  // namespace tblint
