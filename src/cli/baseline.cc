#include "cli/baseline.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
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

namespace {

// A FingerprintKey's fields, as views into it.
struct KeyFields {
  std::string_view key, code, run, path;
  std::optional<std::string_view> tag;
  std::optional<int64_t> step;
  std::optional<uint64_t> record;
  uint64_t count = 0;
};

// Reads back one length-prefixed field ("N:bytes") at `*at`.
std::string_view TakeField(std::string_view key, size_t* at) {
  size_t n = 0;
  while (*at < key.size() && key[*at] >= '0' && key[*at] <= '9') n = n * 10 + static_cast<size_t>(key[(*at)++] - '0');
  ++*at;  // ':'
  const std::string_view bytes = key.substr(std::min(*at, key.size()), n);
  *at += n;
  return bytes;
}

template <typename T>
T TakeNumber(std::string_view key, size_t* at) {
  const size_t end = std::min(key.find(';', *at), key.size());
  T v{};
  std::from_chars(key.data() + *at, key.data() + end, v);
  *at = end + 1;
  return v;
}

// The inverse of FingerprintKey.
KeyFields ParseKey(std::string_view key) {
  KeyFields f;
  f.key = key;
  size_t at = key.find(';') + 1;
  f.code = TakeField(key, &at);
  f.run = TakeField(key, &at);
  f.path = TakeField(key, &at);
  if (at < key.size() && key[at] == 't') {
    ++at;
    f.tag = TakeField(key, &at);
  }
  if (at < key.size() && key[at] == 's') {
    ++at;
    f.step = TakeNumber<int64_t>(key, &at);
  }
  if (at < key.size() && key[at] == 'r') {
    ++at;
    f.record = TakeNumber<uint64_t>(key, &at);
  }
  return f;
}

std::string HashOfKey(std::string_view key) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : key) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace

std::string FingerprintHash(const FingerprintFields& fields) { return HashOfKey(FingerprintKey(fields)); }

void WriteBaselineDocument(std::ostream& out, std::vector<std::pair<std::string_view, uint64_t>> entries) {
  std::vector<KeyFields> sorted;
  sorted.reserve(entries.size());
  for (const auto& [key, count] : entries) {
    sorted.push_back(ParseKey(key));
    sorted.back().count = count;
  }
  std::vector<std::pair<std::string_view, uint64_t>>().swap(entries);
  std::sort(sorted.begin(), sorted.end(), [](const KeyFields& a, const KeyFields& b) {
    return std::tie(a.path, a.code, a.tag, a.step, a.record, a.run) <
           std::tie(b.path, b.code, b.tag, b.step, b.record, b.run);
  });
  // The document DumpJson prints (keys sorted, an indent of 2), one entry at a time.
  out << "{\n  \"baseline_version\": " << kBaselineVersion << ",\n  \"findings\": [";
  bool first = true;
  for (const KeyFields& f : sorted) {
    json j = {{"code", f.code}, {"count", f.count}, {"fingerprint", HashOfKey(f.key)}};
    // The rule's name, for people reading the file; not matched on.
    if (const Rule* r = FindRule(std::string(f.code))) j["name"] = r->info().name;
    PutName(j, "run", f.run);
    PutName(j, "path", f.path);
    if (f.tag) PutName(j, "tag", *f.tag);
    if (f.step) j["step"] = *f.step;
    if (f.record) j["record"] = *f.record;
    out << (first ? "\n    " : ",\n    ");
    first = false;
    WriteIndentedJson(out, j, 2);
  }
  out << (first ? "]" : "\n  ]") << ",\n  \"tool\": ";
  WriteIndentedJson(out, json{{"name", "tblint"}, {"version", TBLINT_VERSION}}, 1);
  out << "\n}\n";
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
  AtomicOutputFile file;
  if (!file.Open(path, error)) return false;
  std::vector<std::pair<std::string_view, uint64_t>> entries;
  for (const auto& [key, e] : baseline.entries) entries.emplace_back(key, e.count);
  WriteBaselineDocument(file.stream(), std::move(entries));
  return file.Commit(error);
}

bool BaselineRecorder::Write(const std::string& path, std::string* error) {
  std::sort(keys_.begin(), keys_.end());
  std::vector<std::pair<std::string_view, uint64_t>> entries;
  for (const std::string& key : keys_) {
    if (!entries.empty() && entries.back().first == key) {
      ++entries.back().second;
    } else {
      entries.emplace_back(key, 1);
    }
  }
  AtomicOutputFile file;
  if (!file.Open(path, error)) return false;
  WriteBaselineDocument(file.stream(), std::move(entries));
  return file.Commit(error);
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

int FinishBaseline(const std::string& path, BaselineRecorder* recorder, bool quiet, std::ostream& err) {
  std::string error;
  if (!recorder->Write(path, &error)) {
    err << "tblint: cannot write the baseline " << EscapeForText(path) << ": " << EscapeForText(error) << "\n";
    return kExitUsage;
  }
  const uint64_t n = recorder->total();
  if (!quiet) {
    err << "tblint: recorded " << n << (n == 1 ? " finding" : " findings") << " in the baseline " << EscapeForText(path)
        << "\n";
  }
  return kExitClean;
}

}  // namespace tblint
