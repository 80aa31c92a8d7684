// --shard I/N and `tblint merge-reports`: the shards of a logdir, merged,
// report exactly the findings (and totals) of one full scan, for every corpus
// case and for a logdir of many runs with logdir-wide findings; and
// merge-reports' checks on what it is given.
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "cli/common.h"
#include "scan/shard.h"
#include "test_util.h"

namespace tblint {
namespace {

using nlohmann::json;
using test::RunCli;

constexpr double kPast = 1795298000.0;

// (code, path, run, offset, tag, step, message), the identity of a finding.
using Key = std::tuple<std::string, std::string, std::string, std::string, std::string, std::string, std::string>;

std::string Get(const json& f, const char* key) {
  if (!f.contains(key)) return "-";
  const json& v = f[key];
  if (f.contains(std::string(key) + "_bytes")) return "bytes:" + f[std::string(key) + "_bytes"].get<std::string>();
  return v.is_string() ? v.get<std::string>() : v.dump();
}

std::multiset<Key> Findings(const json& doc) {
  std::multiset<Key> out;
  for (const json& f : doc["findings"]) {
    out.insert({Get(f, "code"), Get(f, "path"), Get(f, "run"), Get(f, "offset"), Get(f, "tag"), Get(f, "step"),
                Get(f, "message")});
  }
  return out;
}

json Summary(const json& doc) {
  json s = doc["summary"];
  s.erase("seconds");
  return s;
}

json JsonOf(const test::CliResult& r) {
  INFO(r.err);
  REQUIRE(r.exit_code != kExitUsage);
  return json::parse(r.out);
}

// The full scan, `count` shards written to files and merged: the same
// findings and totals. Returns the merged document.
json CheckShardsMatch(const std::string& logdir, const test::TempDir& out, uint32_t count,
                      const std::vector<std::string>& extra = {}) {
  std::vector<std::string> full_args = {"--format", "json", "--fail-on", "never"};
  full_args.insert(full_args.end(), extra.begin(), extra.end());
  full_args.push_back(logdir);
  const json full = JsonOf(RunCli(full_args));
  CHECK_FALSE(full.contains("shard"));

  std::vector<std::string> merge_args = {"merge-reports", "--format", "json", "--fail-on", "never"};
  uint64_t findings_in_shards = 0;
  for (uint32_t i = 1; i <= count; ++i) {
    const std::string file = out / ("shard-" + std::to_string(i) + ".json");
    std::vector<std::string> args = full_args;
    args.insert(args.begin(), {"--shard", std::to_string(i) + "/" + std::to_string(count), "-o", file});
    const test::CliResult r = RunCli(args);
    INFO(r.err);
    REQUIRE(r.exit_code != kExitUsage);
    const json shard = json::parse(test::ReadFile(file));
    CHECK(shard["shard"] == json({{"index", i}, {"count", count}}));
    findings_in_shards += shard["findings"].size();
    merge_args.push_back(file);
  }
  const test::CliResult m = RunCli(merge_args);
  INFO(m.err);
  REQUIRE(m.exit_code == kExitClean);
  const json merged = json::parse(m.out);
  CHECK(Findings(merged) == Findings(full));
  CHECK(findings_in_shards == full["findings"].size());  // no finding in two shards
  CHECK(Summary(merged) == Summary(full));
  CHECK(merged["paths"] == full["paths"]);
  CHECK_FALSE(merged.contains("shard"));
  return merged;
}

// Copies a corpus case and gives its files the mtimes the manifest implies.
void Prepare(const json& c, const std::string& dir) {
  test::CopyTree(test::SourceDir() + "/fixtures/corpus/cases/" + c["name"].get<std::string>(), dir);
  for (const auto& [rel, t] : c["mtimes"].items()) {
    test::SetMtime(dir + "/" + rel, t.is_string() ? test::Now() : t.get<double>());
  }
}

TEST_CASE("shard: FNV-1a 64 and the shard of a run are fixed, documented values") {
  CHECK(Fnv1a64("") == 0xcbf29ce484222325ull);
  CHECK(Fnv1a64("a") == 0xaf63dc4c8601ec8cull);
  CHECK(Fnv1a64("foobar") == 0x85944171f73967e8ull);
  // Bytes count as unsigned: a name that is not UTF-8 hashes the same everywhere.
  CHECK(Fnv1a64("\xff") == ((0xcbf29ce484222325ull ^ 0xffull) * 1099511628211ull));
  CHECK(ShardOf("a", 1) == 1);
  CHECK(ShardOf("a", 4) == 0xaf63dc4c8601ec8cull % 4 + 1);
  for (uint32_t n : {1u, 2u, 3u, 7u}) {
    for (const char* run : {".", "train", "eval", "a/b/c"}) {
      int owners = 0;
      for (uint32_t i = 1; i <= n; ++i) owners += InShard(run, Shard{i, n});
      CHECK(owners == 1);
    }
  }
}

TEST_CASE("shard: --shard takes I/N, 1-based, and says so when the value is wrong") {
  CHECK(ParseShard("1/1") == Shard{1, 1});
  CHECK(ParseShard("3/4") == Shard{3, 4});
  CHECK(ParseShard("1000000/1000000") == Shard{1000000, 1000000});
  for (const char* bad : {"0/4", "5/4", "1/0", "1", "/4", "1/", "-1/4", "1/4/2", "a/4", "1 /4", "+1/4", "1/1000001",
                          "99999999/99999999"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseShard(bad).has_value());
  }
  test::TempDir dir;
  test::WriteFile(dir / "run/events.out.tfevents.1795298000.host.1.0", test::SmallEventFile(3));
  for (const char* command : {"check", "runs"}) {
    const test::CliResult r = RunCli({command, "--shard", "0/4", dir.path()});
    CHECK(r.exit_code == kExitUsage);
    CHECK(r.err.find("--shard must be I/N with 1 <= I <= N") != std::string::npos);
    CHECK(r.err.find("JOB_COMPLETION_INDEX") != std::string::npos);
  }
}

TEST_CASE("shard: two shards of every corpus case, merged, give the findings of one full run") {
  const json manifest = json::parse(test::ReadFile(test::SourceDir() + "/fixtures/corpus/MANIFEST.json"));
  REQUIRE(manifest["cases"].size() >= 20);
  for (const json& c : manifest["cases"]) {
    const std::string name = c["name"];
    CAPTURE(name);
    test::TempDir tmp, out;
    Prepare(c, tmp / "logdir");
    CheckShardsMatch(tmp / "logdir", out, 2);
  }
}

// 60 runs, some nested (TB502), deep (TB501), damaged (TB101), stray copies
// (TB503), a projector config naming a missing file (TB506), a run named with
// invalid UTF-8, and a broken symlink (TB504).
void MakeManyRuns(const std::string& root) {
  for (int i = 0; i < 60; ++i) {
    const std::string run = root + "/exp" + std::to_string(i % 6) + "/run-" + std::to_string(i);
    std::string bytes = test::SmallEventFile(4 + i % 5);
    if (i % 7 == 0) bytes.resize(bytes.size() - 5);
    test::WriteFile(run + "/events.out.tfevents.1795298000.host." + std::to_string(i) + ".0", bytes);
    if (i % 11 == 0) {
      test::WriteFile(run + "/events.out.tfevents.1795298000.host." + std::to_string(i) + ".0.bak", bytes);
    }
  }
  test::WriteFile(root + "/exp1/events.out.tfevents.1795298000.host.900.0", test::SmallEventFile(3));
  test::WriteFile(root + "/a/b/c/d/e/events.out.tfevents.1795298000.host.901.0", test::SmallEventFile(3));
  test::WriteFile(root + "/r\xff/events.out.tfevents.1795298000.host.902.0", test::SmallEventFile(3));
  test::WriteFile(root + "/exp2/run-2/projector_config.pbtxt",
                  "embeddings {\n  tensor_name: \"x\"\n  tensor_path: \"missing.tsv\"\n}\n");
  REQUIRE(::symlink("nowhere", (root + "/exp3/dangling").c_str()) == 0);
  // Runs copied into other folders (TB507): the copies' runs fall in various shards.
  for (int i : {5, 8, 13}) {
    const std::string name = "/events.out.tfevents.1795298000.host." + std::to_string(i) + ".0";
    const std::string bytes =
        test::ReadFile(root + "/exp" + std::to_string(i % 6) + "/run-" + std::to_string(i) + name);
    for (const char* copy : {"/copy-a/run-", "/copy-b/run-", "/copy-c/run-"}) {
      test::WriteFile(root + copy + std::to_string(i) + name, bytes);
    }
  }
}

TEST_CASE("shard: a logdir of many runs, split 1, 2, 3 and 7 ways, merges to the full scan") {
  test::TempDir tmp;
  const std::string root = tmp / "logs";
  MakeManyRuns(root);
  // Every file in the past: nothing is "may still be written".
  for (int i = 0; i < 60; ++i) {
    const std::string run = root + "/exp" + std::to_string(i % 6) + "/run-" + std::to_string(i);
    test::SetMtime(run + "/events.out.tfevents.1795298000.host." + std::to_string(i) + ".0", kPast);
  }
  for (uint32_t n : {1u, 2u, 3u, 7u}) {
    CAPTURE(n);
    test::TempDir out;
    const json merged = CheckShardsMatch(root, out, n, {"--grace-period", "0"});
    std::set<std::string> codes;
    for (const json& f : merged["findings"]) codes.insert(f["code"].get<std::string>());
    // The logdir-wide rules had something to say, so the split was tested on them.
    for (const char* code : {"TB101", "TB501", "TB502", "TB503", "TB504", "TB506", "TB507"}) {
      CAPTURE(code);
      CHECK(codes.count(code) == 1);
    }
  }
  // Two PATHs at once, the second a single file.
  test::TempDir out;
  CheckShardsMatch(root, out, 3, {"--grace-period", "0", root + "/exp0/run-0/events.out.tfevents.1795298000.host.0.0"});
}

TEST_CASE("shard: 'tblint runs --shard' lists each run in exactly one shard") {
  test::TempDir tmp;
  MakeManyRuns(tmp / "logs");
  const json full = JsonOf(RunCli({"runs", "--format", "json", tmp / "logs"}));
  std::multiset<std::string> all, split;
  for (const json& r : full["logdirs"][0]["runs"]) all.insert(r["name"].dump());
  for (int i = 1; i <= 3; ++i) {
    const json part = JsonOf(RunCli({"runs", "--format", "json", "--shard", std::to_string(i) + "/3", tmp / "logs"}));
    for (const json& r : part["logdirs"][0]["runs"]) split.insert(r["name"].dump());
  }
  CHECK(all.size() > 60);
  CHECK(split == all);
}

// Three shard reports of a small logdir with findings, in `out`.
std::vector<std::string> ThreeShards(const test::TempDir& tmp) {
  for (int i = 0; i < 12; ++i) {
    std::string bytes = test::SmallEventFile(4);
    if (i % 2 == 0) bytes.resize(bytes.size() - 5);
    const std::string file =
        tmp / ("logs/run" + std::to_string(i) + "/events.out.tfevents.1795298000.h." + std::to_string(i) + ".0");
    test::WriteFile(file, bytes);
    test::SetMtime(file, kPast);
  }
  std::vector<std::string> files;
  for (int i = 1; i <= 3; ++i) {
    files.push_back(tmp / ("s" + std::to_string(i) + ".json"));
    const test::CliResult r =
        RunCli({"--format", "json", "--shard", std::to_string(i) + "/3", "-o", files.back(), tmp / "logs"});
    REQUIRE(r.exit_code != kExitUsage);
  }
  return files;
}

TEST_CASE("merge-reports: a missing shard is an error unless allowed, a repeated shard is read once") {
  test::TempDir tmp;
  const std::vector<std::string> s = ThreeShards(tmp);
  const json full = JsonOf(RunCli({"--format", "json", tmp / "logs"}));

  test::CliResult r = RunCli({"merge-reports", s[0], s[2]});
  CHECK(r.exit_code == kExitUsage);
  CHECK(r.err.find("missing shard 2/3") != std::string::npos);
  CHECK(r.out.empty());

  r = RunCli({"merge-reports", "--allow-missing-shards", "--format", "json", s[0], s[2]});
  CHECK(r.exit_code == kExitFindings);
  CHECK(r.err.find("warning: missing shard 2/3") != std::string::npos);

  // Given twice (and out of order): read once, a note on stderr, the same report.
  r = RunCli({"merge-reports", "--format", "json", s[2], s[1], s[0], s[1]});
  CHECK(r.exit_code == kExitFindings);
  CHECK(r.err.find("is shard 2/3 again: skipped") != std::string::npos);
  const json merged = json::parse(r.out);
  CHECK(Findings(merged) == Findings(full));
  CHECK(Summary(merged) == Summary(full));
  // Shards come in index order whatever the command line's order: the
  // findings are in the full scan's order.
  CHECK(merged["findings"] == full["findings"]);
}

TEST_CASE("merge-reports: reports of different splits, bad files and no files are usage errors") {
  test::TempDir tmp;
  const std::vector<std::string> s = ThreeShards(tmp);
  const std::string half = tmp / "half.json";
  REQUIRE(RunCli({"--format", "json", "--shard", "1/2", "-o", half, tmp / "logs"}).exit_code != kExitUsage);
  test::CliResult r = RunCli({"merge-reports", s[0], s[1], s[2], half});
  CHECK(r.exit_code == kExitUsage);
  CHECK(r.err.find("same number of shards") != std::string::npos);

  test::WriteFile(tmp / "bad.json", "{\"tool\": {\"name\": \"other\"}}");
  r = RunCli({"merge-reports", tmp / "bad.json"});
  CHECK(r.exit_code == kExitUsage);
  CHECK(r.err.find("not a tblint JSON report") != std::string::npos);
  test::WriteFile(tmp / "trunc.json", test::ReadFile(s[0]).substr(0, 40));
  r = RunCli({"merge-reports", tmp / "trunc.json"});
  CHECK(r.exit_code == kExitUsage);
  CHECK(r.err.find("not JSON") != std::string::npos);
  r = RunCli({"merge-reports", tmp / "absent.json"});
  CHECK(r.exit_code == kExitUsage);
  CHECK(r.err.find("cannot open") != std::string::npos);
  r = RunCli({"merge-reports"});
  CHECK(r.exit_code == kExitUsage);
  CHECK(r.err.find("at least one JSON report") != std::string::npos);
  std::string unknown = test::ReadFile(s[0]);
  const size_t at = unknown.find("\"TB101\"");
  REQUIRE(at != std::string::npos);
  unknown.replace(at, 7, "\"TB999\"");
  test::WriteFile(tmp / "unknown.json", unknown);
  r = RunCli({"merge-reports", "--allow-missing-shards", tmp / "unknown.json"});
  CHECK(r.exit_code == kExitUsage);
  CHECK(r.err.find("TB999") != std::string::npos);
}

TEST_CASE("merge-reports: renders text and the CI formats, with check's exit status") {
  test::TempDir tmp;
  const std::vector<std::string> s = ThreeShards(tmp);
  const test::CliResult full = RunCli({"--color", "never", tmp / "logs"});
  test::CliResult r = RunCli({"merge-reports", "--color", "never", s[0], s[1], s[2]});
  CHECK(r.exit_code == kExitFindings);
  // Everything but the time taken is what one full run prints.
  auto without_time = [](std::string text) { return text.substr(0, text.rfind(" in ")); };
  CHECK(without_time(r.out) == without_time(full.out));
  CHECK(RunCli({"merge-reports", "--fail-on", "never", s[0], s[1], s[2]}).exit_code == kExitClean);
  for (const char* format : {"sarif", "github", "junit"}) {
    CAPTURE(format);
    r = RunCli({"merge-reports", "--format", format, "-o", tmp / "merged.out", s[0], s[1], s[2]});
    CHECK(r.exit_code == kExitFindings);
    CHECK(r.out.empty());
    CHECK(test::ReadFile(tmp / "merged.out").find("TB101") != std::string::npos);
  }
  r = RunCli({"merge-reports", "--format", "xml", s[0]});
  CHECK(r.exit_code == kExitUsage);
}

TEST_CASE("merge-reports: reports of different logdirs are joined, names of any bytes kept exact") {
  test::TempDir tmp;
  test::WriteFile(tmp / "one/r\xff/events.out.tfevents.1795298000.h.1.0", test::SmallEventFile(3).substr(0, 30));
  test::WriteFile(tmp / "two/x\n/events.out.tfevents.1795298000.h.1.0", test::SmallEventFile(3).substr(0, 30));
  test::SetMtime(tmp / "one/r\xff/events.out.tfevents.1795298000.h.1.0", kPast);
  test::SetMtime(tmp / "two/x\n/events.out.tfevents.1795298000.h.1.0", kPast);
  REQUIRE(RunCli({"--format", "json", "-o", tmp / "a.json", tmp / "one"}).exit_code == kExitFindings);
  REQUIRE(RunCli({"--format", "json", "-o", tmp / "b.json", tmp / "two"}).exit_code == kExitFindings);
  const json both = JsonOf(RunCli({"--format", "json", tmp / "one", tmp / "two"}));
  const test::CliResult r = RunCli({"merge-reports", "--format", "json", tmp / "a.json", tmp / "b.json"});
  CHECK(r.exit_code == kExitFindings);
  const json merged = json::parse(r.out);
  CHECK(Findings(merged) == Findings(both));
  CHECK(Summary(merged) == Summary(both));
  CHECK(merged["paths"] == both["paths"]);
  // The same report twice: each finding once, as documented.
  const json twice = JsonOf(RunCli({"merge-reports", "--format", "json", tmp / "a.json", tmp / "a.json"}));
  CHECK(twice["findings"].size() == json::parse(test::ReadFile(tmp / "a.json"))["findings"].size());
  const test::CliResult text = RunCli({"merge-reports", tmp / "a.json", tmp / "b.json"});
  CHECK(text.out.find("r\\xff") != std::string::npos);
  CHECK(text.out.find("x\\n") != std::string::npos);
}

}  // namespace
}  // namespace tblint
