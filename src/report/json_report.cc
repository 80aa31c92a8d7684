#include <memory>
#include <span>
#include <string>

#include "report/report.h"
#include "report/writers.h"
#include "rule/rule.h"
#include "util/text.h"

namespace tblint {

namespace {

using nlohmann::json;

// Names (paths, runs, tags) are bytes: PutName keeps them exact (docs/json.md,
// "Names that are not UTF-8"). Free text that quotes them only needs to stay
// valid UTF-8, so ToValidUtf8 is enough there.
json FindingToJson(const LintResult& r, const Finding& f) {
  json j = {{"code", f.rule->code},
            {"name", f.rule->name},
            {"severity", SeverityName(f.severity)},
            {"message", ToValidUtf8(f.message)}};
  PutName(j, "logdir", r.logdir.given);
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
  return j;
}

// Everything but "findings": tool, paths, shard, summary (with `t`'s
// counts), and fixes and dry_run when --fix ran.
json DocumentWithoutFindings(const ReportInput& in, const Totals& t) {
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
  return doc;
}

// The JSON document of ToJson written piece by piece: its keys are sorted
// (nlohmann::json's objects are std::maps), so "dry_run" (with --fix) and
// "findings" come first and everything counted after them. Each finding is
// dumped on its own and indented to its depth; JSON strings hold no raw
// newline, so indenting after each '\n' is exact.
class JsonWriter final : public ReportWriter {
 public:
  JsonWriter(std::ostream& out, bool statistics) : out_(out), statistics_(statistics) {}

  void Begin(const ReportHeader& header) override {
    out_ << "{\n";
    if (header.fix_ran) out_ << "  \"dry_run\": " << (header.dry_run ? "true" : "false") << ",\n";
    out_ << "  \"findings\": [";
  }

  void Findings(const LintResult& r, std::span<const Finding> findings) override {
    for (const Finding& f : findings) {
      tally_.Add(f);
      json j = FindingToJson(r, f);
      ReplaceInvalidUtf8(&j);
      out_ << (any_ ? ",\n    " : "\n    ");
      WriteIndentedJson(out_, j, 2);
      any_ = true;
    }
  }

  void EndPath(const LintResult& /*result*/) override {}

  void End(const ReportInput& in) override {
    out_ << (any_ ? "\n  ]" : "]");
    Totals t = ComputeTotals(in);
    t.by_severity = tally_.by_severity();
    json doc = DocumentWithoutFindings(in, t);
    doc.erase("dry_run");  // written first
    if (statistics_) doc["statistics"] = StatisticsToJson(tally_.Statistics());
    ReplaceInvalidUtf8(&doc);
    const std::string rest = DumpJson(doc);  // "{\n  \"fixes\"..." ... "\n}": never empty (tool, paths, summary)
    out_ << ",";
    out_.write(rest.data() + 1, static_cast<std::streamsize>(rest.size() - 1));
    out_ << "\n";
  }

 private:
  std::ostream& out_;
  bool statistics_;
  bool any_ = false;
};

}  // namespace

nlohmann::json ToJson(const ReportInput& in) {
  json doc = DocumentWithoutFindings(in, ComputeTotals(in));
  json findings = json::array();
  for (const LintResult* r : in.results) {
    for (const Finding& f : r->findings) findings.push_back(FindingToJson(*r, f));
  }
  doc["findings"] = std::move(findings);
  // Whoever dumps this document, with whatever error handler, gets output: a
  // string missed above loses its exact bytes but never aborts the report.
  ReplaceInvalidUtf8(&doc);
  return doc;
}

std::unique_ptr<ReportWriter> MakeJsonWriter(std::ostream& out, bool statistics) {
  return std::make_unique<JsonWriter>(out, statistics);
}

}  // namespace tblint
