#include "cli/baseline.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <tuple>

#include "cli/common.h"
#include "cli/output_file.h"
#include "rule/registry.h"
#include "util/text.h"

namespace tblint {
namespace {

using nlohmann::json;

// The document's format version (docs/baseline.md); a reader refuses newer.
constexpr int kBaselineVersion = 1;

void PutField(std::string* key, std::string_view bytes) {
  *key += std::to_string(bytes.size());
  *key += ':';
  key->append(bytes.data(), bytes.size());
}

}  // namespace

FingerprintFields FingerprintOf(const Finding& finding) {
  FingerprintFields f;
  f.code = finding.rule != nullptr ? finding.rule->code : "";
  f.run = finding.run;
  f.path = finding.path;
  f.tag = finding.tag;
  f.step = finding.step;
  f.record = finding.record;
  return f;
}

std::string FingerprintKey(const FingerprintFields& f) {
  std::string key = "tblint-fingerprint-1;";
  PutField(&key, f.code);
  PutField(&key, f.run);
  PutField(&key, f.path);
  if (f.tag) {
    key += 't';
    PutField(&key, *f.tag);
  }
  if (f.step) key += 's' + std::to_string(*f.step) + ';';
  if (f.record) key += 'r' + std::to_string(*f.record) + ';';
  return key;
}

std::string FingerprintHash(const FingerprintFields& fields) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : FingerprintKey(fields)) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

uint64_t Baseline::Total() const {
  uint64_t n = 0;
  for (const auto& [key, e] : entries) n += e.count;
  return n;
}

Baseline MakeBaseline(const std::vector<const LintResult*>& results) {
  Baseline b;
  for (const LintResult* r : results) {
    for (const Finding& f : r->findings) {
      FingerprintFields fields = FingerprintOf(f);
      BaselineEntry& e = b.entries[FingerprintKey(fields)];
      if (e.count++ == 0) e.fields = std::move(fields);
    }
  }
  return b;
}

json BaselineToJson(const Baseline& baseline) {
  std::vector<const BaselineEntry*> sorted;
  for (const auto& [key, e] : baseline.entries) sorted.push_back(&e);
  std::sort(sorted.begin(), sorted.end(), [](const BaselineEntry* a, const BaselineEntry* b) {
    return std::tie(a->fields.path, a->fields.code, a->fields.tag, a->fields.step, a->fields.record) <
           std::tie(b->fields.path, b->fields.code, b->fields.tag, b->fields.step, b->fields.record);
  });
  json findings = json::array();
  for (const BaselineEntry* e : sorted) {
    const FingerprintFields& f = e->fields;
    json j = {{"code", f.code}, {"count", e->count}, {"fingerprint", FingerprintHash(f)}};
    // The rule's name, for people reading the file; not matched on.
    if (const Rule* r = FindRule(f.code)) j["name"] = r->info().name;
    PutName(j, "run", f.run);
    PutName(j, "path", f.path);
    if (f.tag) PutName(j, "tag", *f.tag);
    if (f.step) j["step"] = *f.step;
    if (f.record) j["record"] = *f.record;
    findings.push_back(std::move(j));
  }
  json doc;
  doc["tool"] = {{"name", "tblint"}, {"version", TBLINT_VERSION}};
  doc["baseline_version"] = kBaselineVersion;
  doc["findings"] = std::move(findings);
  return doc;
}

bool BaselineFromJson(const json& doc, Baseline* baseline, std::string* error) {
  baseline->entries.clear();
  if (!doc.is_object()) {
    *error = "not a baseline: the document is not a JSON object";
    return false;
  }
  const auto version = doc.find("baseline_version");
  if (version == doc.end() || !version->is_number_integer()) {
    *error = "not a baseline: no \"baseline_version\"";
    return false;
  }
  if (version->get<int64_t>() != kBaselineVersion) {
    *error = "baseline_version " + version->dump() + " is not one this tblint reads (" +
             std::to_string(kBaselineVersion) + ")";
    return false;
  }
  const auto findings = doc.find("findings");
  if (findings == doc.end() || !findings->is_array()) {
    *error = "not a baseline: no \"findings\" array";
    return false;
  }
  size_t index = 0;
  for (const json& j : *findings) {
    const std::string where = "findings[" + std::to_string(index++) + "]: ";
    if (!j.is_object()) {
      *error = where + "not an object";
      return false;
    }
    FingerprintFields f;
    const auto code = j.find("code");
    if (code == j.end() || !code->is_string()) {
      *error = where + "no \"code\" string";
      return false;
    }
    f.code = code->get<std::string>();
    const std::optional<std::string> run = GetName(j, "run"), path = GetName(j, "path");
    if (!run || !path) {
      *error = where + "\"run\" and \"path\" must be names (strings, with valid base64 in a *_bytes sibling)";
      return false;
    }
    f.run = *run;
    f.path = *path;
    if (j.contains("tag")) {
      f.tag = GetName(j, "tag");
      if (!f.tag) {
        *error = where + "\"tag\" must be a name";
        return false;
      }
    }
    if (const auto step = j.find("step"); step != j.end()) {
      if (!step->is_number_integer() || (step->is_number_unsigned() && step->get<uint64_t>() > INT64_MAX)) {
        *error = where + "\"step\" must be a signed 64-bit integer";
        return false;
      }
      f.step = step->get<int64_t>();
    }
    if (const auto record = j.find("record"); record != j.end()) {
      if (!record->is_number_unsigned()) {
        *error = where + "\"record\" must be an unsigned integer";
        return false;
      }
      f.record = record->get<uint64_t>();
    }
    uint64_t count = 1;
    if (const auto c = j.find("count"); c != j.end()) {
      if (!c->is_number_unsigned() || c->get<uint64_t>() == 0) {
        *error = where + "\"count\" must be a whole number above 0";
        return false;
      }
      count = c->get<uint64_t>();
    }
    BaselineEntry& e = baseline->entries[FingerprintKey(f)];
    e.count = (e.count > UINT64_MAX - count) ? UINT64_MAX : e.count + count;
    e.fields = std::move(f);
  }
  return true;
}

bool ReadBaseline(const std::string& path, Baseline* baseline, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = std::strerror(errno);
    return false;
  }
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) {
    *error = "read error";
    return false;
  }
  json doc;
  try {
    doc = json::parse(bytes);
  } catch (const json::exception& e) {
    *error = std::string("not valid JSON: ") + e.what();
    return false;
  }
  return BaselineFromJson(doc, baseline, error);
}

bool WriteBaseline(const std::string& path, const Baseline& baseline, std::string* error) {
  return WriteFileAtomically(path, DumpJson(BaselineToJson(baseline)) + "\n", error);
}

BaselineFilter::BaselineFilter(const Baseline& baseline) {
  for (const auto& [key, e] : baseline.entries) left_[key] = e.count;
}

void BaselineFilter::Apply(std::vector<Finding>* findings) {
  if (left_.empty()) return;
  std::erase_if(*findings, [&](const Finding& f) {
    const auto it = left_.find(FingerprintKey(FingerprintOf(f)));
    if (it == left_.end() || it->second == 0) return false;
    --it->second;
    ++suppressed_;
    return true;
  });
}

uint64_t ApplyBaseline(const Baseline& baseline, const std::vector<LintResult*>& results) {
  BaselineFilter filter(baseline);
  for (LintResult* r : results) filter.Apply(&r->findings);
  return filter.suppressed();
}

void AddBaselineOptions(boost::program_options::options_description* options, BaselineOptionText* text) {
  namespace po = boost::program_options;
  // clang-format off
  options->add_options()
    ("baseline", po::value(&text->read)->value_name("FILE"),
     "report and fail only on findings not recorded in FILE (written by --write-baseline); the summary "
     "says how many it suppressed (docs/baseline.md)")
    ("write-baseline", po::value(&text->write)->value_name("FILE"),
     "record the findings in FILE (JSON, written atomically) and accept them: exit 0 unless something "
     "else fails");
  // clang-format on
}

int ReadBaselineOption(const BaselineOptionText& text, Baseline* baseline, std::ostream& err) {
  if (text.read.empty()) return kExitClean;
  std::string error;
  if (!ReadBaseline(text.read, baseline, &error)) {
    err << "tblint: cannot use the baseline " << EscapeForText(text.read) << ": " << EscapeForText(error) << "\n";
    return kExitUsage;
  }
  return kExitClean;
}

int UseBaseline(const BaselineOptionText& text, Baseline* baseline, const std::vector<LintResult*>& results, bool quiet,
                std::optional<uint64_t>* suppressed, std::ostream& err) {
  if (text.read.empty() && text.write.empty()) return kExitClean;
  if (!text.write.empty()) {
    std::vector<const LintResult*> views(results.begin(), results.end());
    *baseline = MakeBaseline(views);
    std::string error;
    if (!WriteBaseline(text.write, *baseline, &error)) {
      err << "tblint: cannot write the baseline " << EscapeForText(text.write) << ": " << EscapeForText(error) << "\n";
      return kExitUsage;
    }
    const uint64_t n = baseline->Total();
    if (!quiet) {
      err << "tblint: recorded " << n << (n == 1 ? " finding" : " findings") << " in the baseline "
          << EscapeForText(text.write) << "\n";
    }
  }
  *suppressed = ApplyBaseline(*baseline, results);
  return kExitClean;
}

}  // namespace tblint
