// The real event files in fixtures/corpus (a copy of ../shared/corpus, made by
// TensorBoard's writer, torch's SummaryWriter and tensorboardX), driven by
// their MANIFEST.json: every expected finding of an implemented rule is
// reported at the expected path, nothing forbidden is, clean cases are clean,
// and fixable cases are fixed without losing an intact record.
#include <doctest/doctest.h>

#include <boost/filesystem.hpp>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "fix/fixer.h"
#include "record/record_reader.h"
#include "record/source.h"
#include "rule/registry.h"
#include "test_util.h"

namespace tblint {
namespace {

namespace fs = boost::filesystem;
using nlohmann::json;

json Manifest() { return json::parse(test::ReadFile(test::SourceDir() + "/fixtures/corpus/MANIFEST.json")); }

std::set<std::string> Implemented() {
  std::set<std::string> codes;
  for (const auto& r : AllRules()) codes.insert(r->info().code);
  return codes;
}

// Copies a case and gives its files the mtimes the manifest implies.
void Prepare(const json& c, const std::string& dir) {
  test::CopyTree(test::SourceDir() + "/fixtures/corpus/cases/" + c["name"].get<std::string>(), dir);
  for (const auto& [rel, t] : c["mtimes"].items()) {
    test::SetMtime(dir + "/" + rel, t.is_string() ? test::Now() : t.get<double>());
  }
}

// The first n records of a file, framing included.
std::string LeadingRecords(const std::string& bytes, uint64_t n) {
  MemorySource src(bytes);
  RecordReader reader(&src);
  Record r;
  uint64_t end = 0;
  for (uint64_t i = 0; i < n && reader.Next(&r) && r.kind == RecordKind::kOk; ++i) end = r.end;
  return bytes.substr(0, end);
}

TEST_CASE("every corpus case reports its expected findings and none it forbids") {
  const json manifest = Manifest();
  const std::set<std::string> implemented = Implemented();
  REQUIRE(manifest["cases"].size() >= 20);
  for (const json& c : manifest["cases"]) {
    const std::string name = c["name"];
    CAPTURE(name);
    test::TempDir tmp;
    Prepare(c, tmp.path());
    const LintResult result = test::LintPath(tmp.path());

    for (const json& e : c["expect"]) {
      const std::string code = e["code"];
      if (!implemented.count(code)) continue;
      const std::string path = e["path"];
      CAPTURE(code);
      CAPTURE(path);
      int n = 0;
      for (const Finding& f : result.findings) {
        if (code != f.rule->code || f.path != path) continue;
        if (e.contains("severity")) CHECK(SeverityName(f.severity) == e["severity"].get<std::string>());
        if (e.contains("offset")) CHECK(f.offset == e["offset"].get<uint64_t>());
        if (e.contains("record")) CHECK(f.record == e["record"].get<uint64_t>());
        if (e.contains("tag")) CHECK(f.tag == e["tag"].get<std::string>());
        ++n;
      }
      CHECK(n >= e["min_count"].get<int>());
    }
    std::set<std::string> forbidden;
    for (const json& f : c["forbid"]) forbidden.insert(f.get<std::string>());
    for (const Finding& f : result.findings) {
      CAPTURE(f.message);
      CHECK_MESSAGE(!forbidden.count(f.rule->code), f.rule->code << " at " << f.path << " is forbidden");
    }
    if (c["expect"].empty()) {
      for (const Finding& f : result.findings) {
        CAPTURE(f.message);
        CHECK(f.severity == Severity::kInfo);
      }
    }
  }
}

TEST_CASE("TB103 on the bit-flipped length counts the records a resync recovers") {
  const json manifest = Manifest();
  for (const json& c : manifest["cases"]) {
    if (c["name"] != "length_bitflip") continue;
    test::TempDir tmp;
    Prepare(c, tmp.path());
    const LintResult result = test::LintPath(tmp.path());
    const json& e = c["expect"][0];
    REQUIRE(test::Count(result, "TB103") == 1);
    for (const Finding& f : result.findings) {
      if (std::string(f.rule->code) != "TB103") continue;
      CHECK(f.message.find(std::to_string(e["resync_records"].get<int>()) + " valid records") != std::string::npos);
    }
  }
}

TEST_CASE("fixable corpus cases are fixed and keep every intact record byte-identical") {
  const json manifest = Manifest();
  int fixed_cases = 0;
  for (const json& c : manifest["cases"]) {
    const bool fixable = c["fixable"].get<bool>();
    const bool live = c.value("touch_before_use", false);
    if (!fixable && !live) continue;
    const std::string name = c["name"];
    CAPTURE(name);
    test::TempDir tmp;
    Prepare(c, tmp.path());
    std::map<std::string, std::string> before;
    for (const auto& [rel, n] : c["intact_records"].items()) before[rel] = test::ReadFile(tmp / rel);

    const test::CliResult run = test::RunCli({"--fix", "--format", "json", tmp.path()});
    CAPTURE(run.out);
    const json report = json::parse(run.out);
    if (live) {
      // A file that may still be written is never fixed.
      CHECK(run.exit_code == 0);  // TB101 is info only
      for (const auto& [rel, bytes] : before) CHECK(test::ReadFile(tmp / rel) == bytes);
      REQUIRE(report["fixes"].size() == 1);
      CHECK(report["fixes"][0]["status"] == "not fixed");
      continue;
    }
    ++fixed_cases;
    CHECK(run.exit_code == 0);
    for (const json& f : report["findings"]) CHECK(f["severity"] == "info");
    for (const auto& [rel, n] : c["intact_records"].items()) {
      const std::string after = test::ReadFile(tmp / rel);
      const std::string kept = LeadingRecords(before[rel], n.get<uint64_t>());
      CHECK(after.substr(0, kept.size()) == kept);
      // The cut bytes are kept, under a name without "tfevents".
      bool found = false;
      for (fs::recursive_directory_iterator it(tmp / ".tblint-backup"), end; it != end; ++it) {
        if (!fs::is_regular_file(it->status())) continue;
        const std::string fname = it->path().filename().string();
        CHECK(fname.find("tfevents") == std::string::npos);
        if (fname == "journal.json") continue;
        const std::string side = test::ReadFile(it->path().string());
        if (after + side == before[rel]) found = true;
      }
      CHECK(found);
    }
  }
  CHECK(fixed_cases >= 5);
}

}  // namespace
}  // namespace tblint
