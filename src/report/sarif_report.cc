// --format sarif: SARIF 2.1.0 (docs/formats.md, "SARIF"). One run; every
// registered rule in tool.driver.rules; one result per finding, located
// relative to its logdir through a uriBaseId.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include <memory>
#include <span>
#include <vector>

#include "report/report.h"
#include "report/writers.h"
#include "rule/registry.h"
#include "rule/rule.h"
#include "util/text.h"

namespace tblint {
namespace {

using nlohmann::json;

// RFC 3986: every byte but the unreserved characters (and '/', the path
// separator) as %XX, so any name, invalid UTF-8 included, is a valid URI
// reference, and no segment can be taken for a scheme ("a:b").
std::string PercentEncode(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : bytes) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

const char* Level(Severity s) {
  switch (s) {
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kInfo:
      return "note";
  }
  return "note";
}

// The directory findings are relative to, as an absolute path: the logdir,
// or the directory holding a single event file.
std::string BaseDirectory(const std::string& given, bool single_file) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path p = fs::absolute(fs::path(given), ec);
  if (ec) p = fs::path(given);
  p = p.lexically_normal();
  if (single_file) p = p.parent_path();
  std::string s = p.string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

// A stable identity for a finding across runs of tblint (its message's
// numbers may change as a file grows): FNV-1a over the rule, the path, the
// tag and the record index.
std::string Fingerprint(const Finding& f) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&](std::string_view s) {
    for (const char c : s) {
      h ^= static_cast<unsigned char>(c);
      h *= 1099511628211ull;
    }
    h ^= 0xff;  // a separator no UTF-8 text holds
    h *= 1099511628211ull;
  };
  mix(f.rule->code);
  mix(f.path);
  mix(f.tag ? *f.tag : std::string_view("\xfe"));
  mix(f.record ? std::to_string(*f.record) : std::string("-"));
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return hex;
}

// The first paragraph of a rule page's "What it flags" section.
std::string FirstParagraph(std::string_view doc) {
  const size_t section = doc.find("## What it flags");
  if (section == std::string_view::npos) return {};
  size_t start = doc.find('\n', section);
  if (start == std::string_view::npos) return {};
  while (start < doc.size() && doc[start] == '\n') ++start;
  size_t end = doc.find("\n\n", start);
  if (end == std::string_view::npos) end = doc.size();
  std::string out(doc.substr(start, end - start));
  for (char& c : out) {
    if (c == '\n') c = ' ';
  }
  return out;
}

json RuleDescriptor(const RuleInfo& i) {
  const std::string_view doc = RuleDoc(i.code);
  std::string full = FirstParagraph(doc);
  if (full.empty()) full = i.summary;
  json rule = {{"id", i.code},
               {"name", i.name},
               {"shortDescription", {{"text", i.summary}}},
               {"fullDescription", {{"text", ToValidUtf8(full)}}},
               {"defaultConfiguration", {{"level", Level(i.default_severity)}}},
               {"helpUri", std::string(kTblintUri) + "/blob/main/docs/rules/" + i.code + ".md"},
               {"properties", {{"fix", ApplicabilityName(i.fix)}}}};
  if (!doc.empty()) {
    rule["help"] = {{"text", ToValidUtf8(doc)}, {"markdown", ToValidUtf8(doc)}};
  } else {
    rule["help"] = {{"text", i.summary}};
  }
  return rule;
}

// Every registered rule's descriptor, and each code's index among them.
json RuleDescriptors(std::map<std::string, size_t>* rule_index) {
  json rules = json::array();
  for (const auto& r : AllRules()) {
    (*rule_index)[r->info().code] = rules.size();
    rules.push_back(RuleDescriptor(r->info()));
  }
  return rules;
}

// LOGDIR for the first PATH, LOGDIR2, LOGDIR3, ... for the others.
std::string BaseId(size_t n) { return n == 0 ? "LOGDIR" : "LOGDIR" + std::to_string(n + 1); }

json Bases(const std::vector<ReportPath>& paths) {
  json bases = json::object();
  for (size_t n = 0; n < paths.size(); ++n) {
    const std::string base_dir = BaseDirectory(paths[n].given, paths[n].single_file);
    json base = {{"uri", "file://" + PercentEncode(base_dir == "/" ? "/" : base_dir + "/")}};
    base["description"] = {{"text", "PATH " + ToValidUtf8(paths[n].given)}};
    bases[BaseId(n)] = std::move(base);
  }
  return bases;
}

json Result(const Finding& f, const std::string& base_id, const std::map<std::string, size_t>& rule_index) {
  json result = {{"ruleId", f.rule->code},
                 {"level", Level(f.severity)},
                 {"message", {{"text", ToValidUtf8(f.message)}}},
                 {"partialFingerprints", {{"tblintFingerprint/v1", Fingerprint(f)}}}};
  if (auto it = rule_index.find(f.rule->code); it != rule_index.end()) result["ruleIndex"] = it->second;
  json artifact = {{"uriBaseId", base_id}};
  const bool whole = f.path == ".";
  // A single file's findings are about that file, whose name is f.path.
  artifact["uri"] = whole ? std::string("./") : PercentEncode(f.path);
  json physical = {{"artifactLocation", std::move(artifact)}};
  if (f.offset && !whole) {
    json region = {{"byteOffset", *f.offset}};
    if (f.length) region["byteLength"] = *f.length;
    physical["region"] = std::move(region);
  }
  result["locations"] = json::array({{{"physicalLocation", std::move(physical)}}});
  json props = json::object();
  PutName(props, "run", f.run);
  if (f.tag) PutName(props, "tag", *f.tag);
  if (f.record) props["record"] = *f.record;
  if (f.step) props["step"] = *f.step;
  if (!f.impact.empty()) props["impact"] = ToValidUtf8(f.impact);
  if (f.fix.applicability != Applicability::kNone) {
    props["fix"] = {{"applicability", ApplicabilityName(f.fix.applicability)},
                    {"description", ToValidUtf8(f.fix.description)}};
  }
  result["properties"] = std::move(props);
  return result;
}

json Document(json rules, json bases, json results) {
  json run = {{"tool",
               {{"driver",
                 {{"name", "tblint"},
                  {"version", TBLINT_VERSION},
                  {"semanticVersion", TBLINT_VERSION},
                  {"informationUri", kTblintUri},
                  {"rules", std::move(rules)}}}}},
              {"results", std::move(results)}};
  if (!bases.empty()) run["originalUriBaseIds"] = std::move(bases);
  json doc = {{"$schema", "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"},
              {"version", "2.1.0"},
              {"runs", json::array({std::move(run)})}};
  ReplaceInvalidUtf8(&doc);
  return doc;
}

std::vector<ReportPath> PathsOf(const ReportInput& in) {
  std::vector<ReportPath> paths;
  for (const LintResult* r : in.results) paths.push_back({r->logdir.given, r->logdir.single_file});
  return paths;
}

// ToSarif's document written piece by piece: everything but the results
// depends only on the PATHs (their base URIs) and the rules, so the document
// is dumped with no results and split where its empty "results" array is;
// each result is dumped on its own and indented to its depth (JSON strings
// hold no raw newline). The header's paths must say which PATH is a single
// file before the first finding (check stats them before scanning).
class SarifWriter final : public ReportWriter {
 public:
  explicit SarifWriter(std::ostream& out) : out_(out) {}

  void Begin(const ReportHeader& header) override {
    const std::string doc = DumpJson(Document(RuleDescriptors(&rule_index_), Bases(header.paths), json::array()));
    constexpr std::string_view kKey = "\n      \"results\": []";
    const size_t at = doc.find(kKey);
    // Always there: the run object is built above with an empty array.
    const size_t split = at == std::string::npos ? doc.size() : at + kKey.size() - 1;  // before ']'
    out_.write(doc.data(), static_cast<std::streamsize>(split - 1));                  // up to '[' exclusive
    out_ << "[";
    tail_ = doc.substr(split + 1);  // after ']'
  }

  void Findings(const LintResult& /*result*/, std::span<const Finding> findings) override {
    if (findings.empty()) return;
    const std::string base_id = BaseId(path_index_);
    for (const Finding& f : findings) {
      tally_.Add(f);
      json j = Result(f, base_id, rule_index_);
      ReplaceInvalidUtf8(&j);
      out_ << (any_ ? ",\n        " : "\n        ");
      WriteIndentedJson(out_, j, 4);
      any_ = true;
    }
  }

  void EndPath(const LintResult& /*result*/) override { ++path_index_; }

  void End(const ReportInput& /*in*/) override { out_ << (any_ ? "\n      ]" : "]") << tail_ << "\n"; }

 private:
  std::ostream& out_;
  std::map<std::string, size_t> rule_index_;
  size_t path_index_ = 0;  // the PATH whose findings come next: LOGDIR, LOGDIR2, ...
  std::string tail_;
  bool any_ = false;
};

}  // namespace

nlohmann::json ToSarif(const ReportInput& in) {
  std::map<std::string, size_t> rule_index;
  json rules = RuleDescriptors(&rule_index);
  json results = json::array();
  for (size_t n = 0; n < in.results.size(); ++n) {
    for (const Finding& f : in.results[n]->findings) results.push_back(Result(f, BaseId(n), rule_index));
  }
  return Document(std::move(rules), Bases(PathsOf(in)), std::move(results));
}

std::unique_ptr<ReportWriter> MakeSarifWriter(std::ostream& out) { return std::make_unique<SarifWriter>(out); }

}  // namespace tblint
