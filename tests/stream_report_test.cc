// Findings streamed run by run (ScanConfig::consumer, ReportWriter): the
// report `tblint check` writes as the scan hands findings over is the report
// rendered from every finding collected first (docs/performance.md).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "report/report.h"
#include "report/spool.h"
#include "rule/registry.h"
#include "test_util.h"
#include "util/text.h"

namespace tblint {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr double kPast = 1795298000.0;

// An event file whose every record (file_version and `n` scalars) has a
// damaged data CRC: n + 1 TB104 findings.
std::string DamagedFile(int n) {
  std::string data = test::SmallEventFile(n);
  // SmallEventFile frames file_version then n scalars; flip each record's
  // last byte (its data CRC) by walking the framing.
  size_t at = 0;
  while (at + 16 <= data.size()) {
    uint64_t len = 0;
    for (int i = 7; i >= 0; --i) len = (len << 8) | static_cast<uint8_t>(data[at + i]);
    const size_t end = at + 12 + len + 4;
    if (end > data.size()) break;
    data[end - 1] = static_cast<char>(data[end - 1] ^ 0x5a);
    at = end;
  }
  return data;
}

// Two paths with findings from file checks (many per file), run checks and
// logdir-wide checks, in several runs; one path a single file.
struct Logdirs {
  test::TempDir tmp;
  std::string logs, single;
  Logdirs() {
    logs = tmp / "logs";
    single = tmp / "single/events.out.tfevents.9.h.9.0";
    auto put = [](const std::string& path, const std::string& bytes) {
      test::WriteFile(path, bytes);
      test::SetMtime(path, kPast);
    };
    put(logs + "/events.out.tfevents.1.h.1.0", test::SmallEventFile(2));  // beside runs: TB502
    put(logs + "/a/events.out.tfevents.2.h.2.0", DamagedFile(300));
    std::string cut = test::SmallEventFile(5);
    cut.resize(cut.size() - 3);
    put(logs + "/a/events.out.tfevents.3.h.3.0", cut);
    put(logs + "/b/c/events.out.tfevents.4.h.4.0", DamagedFile(200) + std::string(64, '\0'));
    put(logs + "/b/c/events.out.tfevents.4.h.5.0", test::SmallEventFile(3));
    put(logs + "/d/events.out.tfevents.6.h.6.0", "");  // empty: TB201
    put(logs + "/e/events.out.tfevents.7.h.7.0", test::SmallEventFile(4));
    put(single, DamagedFile(50));
  }
};

// The summary's seconds are the one thing two scans differ in.
std::string WithoutSeconds(const std::string& text) {
  return std::regex_replace(text, std::regex(" in [0-9]+\\.[0-9]{2} s: "), " in X s: ");
}
json JsonWithoutSeconds(const std::string& text) {
  json doc = json::parse(text);
  doc["summary"]["seconds"] = 0;
  return doc;
}

// What the CLI would print with every finding collected first: Lint without
// a consumer, then Render.
std::string Collected(const std::vector<std::string>& paths, Format format, const RenderOptions& options) {
  std::vector<LintResult> results;
  for (const std::string& p : paths) results.push_back(test::LintPath(p));
  ReportInput in;
  for (const LintResult& r : results) in.results.push_back(&r);
  std::ostringstream out;
  Render(out, in, format, options);
  return out.str();
}

class Collect final : public FindingsConsumer {
 public:
  void OnFindings(const LintResult& result, const RunResult*, std::vector<Finding>* findings) override {
    CHECK(!findings->empty());
    CHECK(result.findings.empty());
    ++calls;
    for (Finding& f : *findings) got.push_back(std::move(f));
    findings->clear();
  }
  std::vector<Finding> got;
  int calls = 0;
};

TEST_CASE("Lint hands each run's findings to a consumer, in the order it collects them") {
  Logdirs l;
  const LintResult collected = test::LintPath(l.logs);
  REQUIRE(collected.findings.size() > 500);
  ScanConfig config;
  config.lint.now = test::Now();
  config.jobs = 2;
  for (const auto& r : AllRules()) config.rules.push_back(r.get());
  Collect consumer;
  config.consumer = &consumer;
  LintResult streamed;
  std::string error;
  REQUIRE(Lint(l.logs, config, &streamed, &error));
  CHECK(streamed.findings.empty());
  REQUIRE(consumer.got.size() == collected.findings.size());
  for (size_t i = 0; i < consumer.got.size(); ++i) {
    CAPTURE(i);
    CHECK(consumer.got[i].rule == collected.findings[i].rule);
    CHECK(consumer.got[i].path == collected.findings[i].path);
    CHECK(consumer.got[i].run == collected.findings[i].run);
    CHECK(consumer.got[i].offset == collected.findings[i].offset);
    CHECK(consumer.got[i].message == collected.findings[i].message);
    CHECK(consumer.got[i].impact == collected.findings[i].impact);
  }
  // One call per run with findings (a, b/c, d) and one for the logdir-wide
  // TB502; the totals are the same.
  CHECK(consumer.calls == 4);
  CHECK(streamed.records == collected.records);
  CHECK(streamed.bytes == collected.bytes);
  CHECK(streamed.logdir.files.size() == collected.logdir.files.size());
  // Each file's own vector was handed over and released.
  for (const FileResult& f : streamed.logdir.files) CHECK(f.findings.empty());
}

TEST_CASE("the JSON and SARIF writers write ToJson's and ToSarif's documents byte for byte") {
  Logdirs l;
  std::vector<LintResult> results;
  results.push_back(test::LintPath(l.logs));
  results.push_back(test::LintPath(l.single));
  for (bool two : {false, true}) {
    ReportInput in;
    in.results.push_back(&results[0]);
    if (two) in.results.push_back(&results[1]);
    for (bool fix_ran : {false, true}) {
      in.fix_ran = fix_ran;
      in.dry_run = fix_ran;
      in.baseline_suppressed = fix_ran ? std::optional<uint64_t>(7) : std::nullopt;
      RenderOptions options;
      std::ostringstream out;
      Render(out, in, Format::kJson, options);
      CHECK(out.str() == DumpJson(ToJson(in)) + "\n");
      std::ostringstream sarif;
      Render(sarif, in, Format::kSarif, options);
      CHECK(sarif.str() == DumpJson(ToSarif(in)) + "\n");
      options.statistics = true;
      std::ostringstream with_stats;
      Render(with_stats, in, Format::kJson, options);
      json doc = ToJson(in);
      doc["statistics"] = StatisticsToJson(ComputeStatistics(in));
      CHECK(with_stats.str() == DumpJson(doc) + "\n");
    }
  }
  // No findings at all: an empty array, as the document has it.
  test::TempDir clean;
  test::WriteFile(clean / "run/events.out.tfevents.1.h.1.0", test::SmallEventFile(3));
  test::SetMtime(clean / "run/events.out.tfevents.1.h.1.0", kPast);
  const LintResult r = test::LintPath(clean.path());
  REQUIRE(r.findings.empty());
  ReportInput in;
  in.results.push_back(&r);
  std::ostringstream out;
  Render(out, in, Format::kJson, RenderOptions{});
  CHECK(out.str() == DumpJson(ToJson(in)) + "\n");
  std::ostringstream sarif;
  Render(sarif, in, Format::kSarif, RenderOptions{});
  CHECK(sarif.str() == DumpJson(ToSarif(in)) + "\n");
}

TEST_CASE("tblint check streams the report it used to render whole: text, json, github, sarif, junit, and -o") {
  Logdirs l;
  const std::vector<std::string> both = {l.logs, l.single};
  struct Case {
    std::vector<std::string> flags;
    Format format;
    RenderOptions options;
  };
  RenderOptions quiet;
  quiet.text.quiet = true;
  RenderOptions stats;
  stats.statistics = true;
  const std::vector<Case> cases = {
      {{}, Format::kText, {}},
      {{"--quiet"}, Format::kText, quiet},
      {{"--statistics"}, Format::kText, stats},
      {{"--format", "json"}, Format::kJson, {}},
      {{"--format", "json", "--statistics"}, Format::kJson, stats},
      {{"--format", "github"}, Format::kGithub, {}},
      {{"--format", "sarif"}, Format::kSarif, {}},
      {{"--format", "junit"}, Format::kJunit, {}},
  };
  for (const auto& paths : {std::vector<std::string>{l.logs}, both}) {
    for (const Case& c : cases) {
      std::vector<std::string> args = {"--color", "never"};
      args.insert(args.end(), c.flags.begin(), c.flags.end());
      args.insert(args.end(), paths.begin(), paths.end());
      CAPTURE(args.size());
      CAPTURE(c.flags.empty() ? std::string("text") : c.flags.back());
      const test::CliResult r = test::RunCli(args);
      CHECK(r.exit_code == 1);
      const std::string expected = Collected(paths, c.format, c.options);
      if (c.format == Format::kJson) {
        CHECK(JsonWithoutSeconds(r.out) == JsonWithoutSeconds(expected));
      } else {
        CHECK(WithoutSeconds(r.out) == WithoutSeconds(expected));
      }
      // -o: the same bytes, written atomically (more than the writer's 64 KiB buffer).
      test::TempDir out;
      std::vector<std::string> to_file = args;
      to_file.insert(to_file.begin(), {"-o", out / "report"});
      const test::CliResult f = test::RunCli(to_file);
      CHECK(f.exit_code == 1);
      CHECK(f.out.empty());
      if (c.format == Format::kJson) {
        CHECK(JsonWithoutSeconds(test::ReadFile(out / "report")) == JsonWithoutSeconds(r.out));
      } else {
        CHECK(WithoutSeconds(test::ReadFile(out / "report")) == WithoutSeconds(r.out));
      }
    }
  }
  // The streamed JSON report is large: the -o buffer was crossed many times.
  const test::CliResult big = test::RunCli({"--format", "json", l.logs});
  CHECK(big.out.size() > (256u << 10));
  CHECK(json::parse(big.out)["findings"].size() > 500);
}

TEST_CASE("streamed: the config file's settings, --select, --baseline and the exit code act as before") {
  Logdirs l;
  test::TempDir cfg;
  test::WriteFile(cfg / "tblint.toml",
                  "[severity]\nTB104 = \"info\"\n[per-path-ignores]\n\"b/**\" = [\"TB104\"]\n");
  // --config: per-path ignores and severities on each run's findings.
  const test::CliResult r =
      test::RunCli({"--config", cfg / "tblint.toml", "--format", "json", "--fail-on", "error", l.logs});
  const json doc = json::parse(r.out);
  int tb104 = 0;
  for (const json& f : doc["findings"]) {
    if (f["code"] != "TB104") continue;
    ++tb104;
    CHECK(f["severity"] == "info");
    CHECK(f["run"] == "a");
  }
  CHECK(tb104 == 301);
  // TB101 (error) is left: exit 1 at --fail-on error; only info at --select TB104.
  CHECK(r.exit_code == 1);
  CHECK(test::RunCli({"--config", cfg / "tblint.toml", "--select", "TB104", "--fail-on", "warning", l.logs})
            .exit_code == 0);

  // A baseline written (collected) from part of the damage suppresses
  // exactly that part when read back (streamed).
  test::TempDir b;
  const test::CliResult w = test::RunCli({"--select", "TB104", "--write-baseline", b / "base.json", l.logs});
  CHECK(w.exit_code == 0);
  test::WriteFile(l.logs + "/e/events.out.tfevents.7.h.7.0", DamagedFile(20));
  test::SetMtime(l.logs + "/e/events.out.tfevents.7.h.7.0", kPast);
  const test::CliResult s =
      test::RunCli({"--select", "TB104", "--baseline", b / "base.json", "--format", "json", l.logs});
  CHECK(s.exit_code == 1);
  const json sdoc = json::parse(s.out);
  CHECK(sdoc["findings"].size() == 21);
  for (const json& f : sdoc["findings"]) CHECK(f["run"] == "e");
  CHECK(sdoc["summary"]["baseline_suppressed"] == 502);
  CHECK(sdoc["summary"]["findings"]["error"] == 21);
}

}  // namespace
}  // namespace tblint

namespace tblint {
namespace {

// --format junit, checked against the JSON report: a test per event file of
// every run and per other path a finding names, in its run's suite, holding
// exactly that path's findings (failures at and above --fail-on, the others in
// its <system-out>). The logdir-wide findings (TB507 across runs, TB502 beside
// runs) arrive after their runs' suites were begun: they still land in them.
TEST_CASE("--format junit streamed: each finding in its run's suite and its path's test, counts first") {
  REQUIRE_MESSAGE(std::system("python3 -c 'import xml.etree.ElementTree' >/dev/null 2>&1") == 0, "python3 needed");
  Logdirs l;
  test::TempDir out;
  const std::vector<std::string> logdirs = {l.logs, test::SourceDir() + "/fixtures/rules/TB507/bad/run_copied_with_cp",
                                            test::SourceDir() + "/fixtures/rules/TB502"};
  int n = 0;
  for (const std::string& logdir : logdirs) {
    for (const char* fail_on : {"warning", "error", "never"}) {
      CAPTURE(logdir);
      CAPTURE(fail_on);
      const test::CliResult r = test::RunCli({"--format", "junit", "--fail-on", fail_on, logdir});
      REQUIRE(r.exit_code != 2);
      const std::string file = out / ("junit-" + std::to_string(n++) + ".xml");
      test::WriteFile(file, r.out);
      const std::string cases_file = file + ".cases.json";
      REQUIRE(std::system(("python3 '" + test::SourceDir() + "/tests/check_junit.py' --cases '" + file + "' >'" +
                           cases_file + "'")
                              .c_str()) == 0);
      REQUIRE(std::system(("python3 '" + test::SourceDir() + "/tests/check_junit.py' '" + file + "'").c_str()) == 0);
      // (suite, file) -> the codes failing and the codes reported below --fail-on, sorted.
      using Codes = std::pair<std::vector<std::string>, std::vector<std::string>>;
      std::map<std::pair<std::string, std::string>, Codes> got, want;
      const json cases = json::parse(test::ReadFile(cases_file));
      for (const json& c : cases) {
        Codes& codes = got[{c["suite"], c["file"]}];
        REQUIRE(codes.first.empty());  // one test per (suite, file)
        REQUIRE(codes.second.empty());
        codes.first = c["failures"].get<std::vector<std::string>>();
        codes.second = c["out"].get<std::vector<std::string>>();
        std::sort(codes.first.begin(), codes.first.end());
        std::sort(codes.second.begin(), codes.second.end());
      }
      const json doc = json::parse(test::RunCli({"--format", "json", "--fail-on", fail_on, logdir}).out);
      const std::string given = logdir;
      auto display = [&](const std::string& path) { return path == "." ? given : given + "/" + path; };
      // Every event file is a test, passing or not.
      const json runs = json::parse(test::RunCli({"runs", "--format", "json", logdir}).out);
      for (const json& run : runs["logdirs"][0]["runs"]) {
        for (const json& f : run["files"]) want[{run["name"], display(f["path"])}];
      }
      const std::string level = fail_on;
      size_t findings = 0;
      for (const json& f : doc["findings"]) {
        ++findings;
        const std::string sev = f["severity"];
        const bool fails = level != "never" && (sev == "error" || (level == "warning" && sev == "warning"));
        Codes& codes = want[{f["run"], display(f["path"])}];
        (fails ? codes.first : codes.second).push_back(f["code"]);
      }
      CHECK(findings > 0);
      for (auto& [key, codes] : want) {
        std::sort(codes.first.begin(), codes.first.end());
        std::sort(codes.second.begin(), codes.second.end());
      }
      for (const auto& [key, codes] : want) {
        auto it = got.find(key);
        CHECK_MESSAGE((it != got.end() && it->second == codes), "want " << key.first << " | " << key.second);
      }
      for (const auto& [key, codes] : got)
        CHECK_MESSAGE(want.count(key) == 1, "got " << key.first << " | " << key.second);
    }
  }
}

// --format html streamed: the page is the one rendered from every finding
// collected first, sparklines included (the files' tags are kept for it), for
// one path and for two.
TEST_CASE("--format html streamed is the page rendered from the collected findings") {
  Logdirs l;
  for (const auto& paths : {std::vector<std::string>{l.logs}, std::vector<std::string>{l.logs, l.single}}) {
    CAPTURE(paths.size());
    std::vector<LintResult> results(paths.size());
    ReportInput in;
    for (size_t i = 0; i < paths.size(); ++i) {
      ScanConfig config;
      config.lint.now = test::Now();
      config.lint.sample_scalars = true;
      for (const auto& r : AllRules()) config.rules.push_back(r.get());
      std::string error;
      REQUIRE(Lint(paths[i], config, &results[i], &error));
      in.results.push_back(&results[i]);
    }
    REQUIRE(results[0].findings.size() > 500);
    std::ostringstream collected;
    Render(collected, in, Format::kHtml, RenderOptions{});
    std::vector<std::string> args = {"--format", "html"};
    args.insert(args.end(), paths.begin(), paths.end());
    const test::CliResult r = test::RunCli(args);
    CHECK(r.exit_code == 1);
    CHECK(r.out == collected.str());
    // Sparklines were drawn: scalar samples reached the page.
    CHECK(r.out.find("\"v\":[[") != std::string::npos);
  }
}

// --write-baseline streamed: each finding is recorded as it passes (a key,
// not the finding) and none reaches the report, which is written after the
// file, as when the findings were collected.
TEST_CASE("--write-baseline streamed: every finding recorded and accepted, the file written before the report") {
  Logdirs l;
  test::TempDir tmp;
  const json plain = json::parse(test::RunCli({"--format", "json", l.logs, l.single}).out);
  const size_t n = plain["findings"].size();
  REQUIRE(n > 500);
  for (const char* format : {"json", "junit", "html", "text"}) {
    CAPTURE(format);
    const std::string file = tmp / (std::string("baseline-") + format + ".json");
    const test::CliResult r = test::RunCli({"--format", format, "--write-baseline", file, l.logs, l.single});
    CHECK(r.exit_code == 0);
    CHECK(r.err.find("recorded " + std::to_string(n) + " findings in the baseline") != std::string::npos);
    if (std::string(format) == "json") {
      const json doc = json::parse(r.out);
      CHECK(doc["findings"].empty());
      CHECK(doc["summary"]["baseline_suppressed"] == n);
    }
    // The file counts every finding once per occurrence, and holds them all back.
    const json baseline = json::parse(test::ReadFile(file));
    uint64_t total = 0;
    for (const json& e : baseline["findings"]) total += e["count"].get<uint64_t>();
    CHECK(total == n);
    CHECK(DumpJson(baseline) + "\n" == test::ReadFile(file));
    const test::CliResult again = test::RunCli({"--format", "json", "--baseline", file, l.logs, l.single});
    CHECK(again.exit_code == 0);
    CHECK(json::parse(again.out)["findings"].empty());
  }
  // The same file as with --fix where it fixes nothing.
  const std::string fixed = tmp / "baseline-fix.json";
  REQUIRE(test::RunCli({"--fix", "--dry-run", "--write-baseline", fixed, l.logs, l.single}).exit_code == 0);
  CHECK(test::ReadFile(fixed) == test::ReadFile(tmp / "baseline-json.json"));
  // A baseline that cannot be written: exit 2 and no report at all.
  for (const char* format : {"json", "text"}) {
    const test::CliResult bad = test::RunCli({"--format", format, "--write-baseline", tmp / "missing/b.json", l.logs});
    CHECK(bad.exit_code == 2);
    CHECK(bad.out.empty());
    CHECK(bad.err.find("cannot write the baseline") != std::string::npos);
  }
}

// tblint runs counts each run's findings as the scan hands them over (none is
// kept): the counts are the check report's, the config file's severities and
// per-path ignores applied.
TEST_CASE("tblint runs: each run's finding counts, streamed, are the check report's") {
  Logdirs l;
  test::TempDir cfg;
  test::WriteFile(cfg / "tblint.toml", "[severity]\nTB104 = \"info\"\n[per-path-ignores]\n\"b/**\" = [\"TB104\"]\n");
  const json check = json::parse(test::RunCli({"--config", cfg / "tblint.toml", "--format", "json", l.logs}).out);
  std::map<std::string, std::map<std::string, uint64_t>> want;  // run -> severity -> count
  std::map<std::string, uint64_t> want_total;
  for (const json& f : check["findings"]) {
    ++want[f["run"]][f["severity"]];
    ++want_total[f["severity"]];
  }
  REQUIRE(want_total["info"] > 100);  // TB104, made info
  const json runs = json::parse(test::RunCli({"runs", "--config", cfg / "tblint.toml", "--format", "json", l.logs}).out);
  const json& logdir = runs["logdirs"][0];
  for (const char* sev : {"error", "warning", "info"}) {
    CAPTURE(sev);
    CHECK(logdir["findings"][sev].get<uint64_t>() == want_total[sev]);
    for (const json& run : logdir["runs"]) {
      CAPTURE(run["name"].get<std::string>());
      CHECK(run["findings"][sev].get<uint64_t>() == want[run["name"]][sev]);
    }
  }
}

// The spool JUnit keeps its findings' XML in: a temporary file, unlinked at
// once, read back in any order; in memory when no temporary file can be made.
TEST_CASE("Spool: bytes read back in any order, on disk or in memory") {
  test::TempDir tmp;
  const char* old = std::getenv("TMPDIR");
  const std::string saved = old != nullptr ? old : "";
  for (const bool disk : {true, false}) {
    CAPTURE(disk);
    ::setenv("TMPDIR", disk ? tmp.path().c_str() : (tmp / "missing").c_str(), 1);
    Spool spool;
    CHECK(spool.on_disk() == disk);
    // Nothing visible is left in TMPDIR, even while the spool is open.
    CHECK(fs::is_empty(tmp.path()));
    std::vector<std::pair<uint64_t, std::string>> pieces;
    uint64_t total = 0;
    for (int i = 0; i < 3000; ++i) {
      // Pieces of 1 byte to 3 KB: many cross the 64 KiB flush.
      std::string piece(static_cast<size_t>(1 + (i * 7919) % 3000), static_cast<char>('a' + i % 26));
      piece += std::to_string(i);
      CHECK(spool.Append(piece) == total);
      total += piece.size();
      pieces.emplace_back(total - piece.size(), std::move(piece));
    }
    CHECK(spool.size() == total);
    std::ostringstream back;
    for (size_t k = 0; k < pieces.size(); ++k) {
      const auto& [at, piece] = pieces[(k * 1237) % pieces.size()];  // out of order
      std::ostringstream one;
      REQUIRE(spool.CopyTo(one, at, piece.size()));
      CHECK(one.str() == piece);
    }
    std::ostringstream all;
    REQUIRE(spool.CopyTo(all, 0, total));
    std::string expected;
    for (const auto& [at, piece] : pieces) expected += piece;
    CHECK(all.str() == expected);
    std::ostringstream none;
    CHECK_FALSE(spool.CopyTo(none, total, 1));  // past the end
    CHECK(spool.CopyTo(none, total, 0));
  }
  if (old != nullptr) {
    ::setenv("TMPDIR", saved.c_str(), 1);
  } else {
    ::unsetenv("TMPDIR");
  }
}

// Every field of a finding, as text: two findings are the same when these are.
std::string Fields(const Finding& f) {
  std::ostringstream o;
  auto opt = [&](const auto& v) {
    if (v) {
      o << *v << "|";
    } else {
      o << "-|";
    }
  };
  o << f.rule << "|" << static_cast<int>(f.severity) << "|" << f.message << "|" << f.impact << "|" << f.path << "|"
    << f.run << "|";
  opt(f.offset);
  opt(f.length);
  opt(f.record);
  opt(f.tag);
  opt(f.step);
  o << static_cast<int>(f.fix.applicability) << "|" << static_cast<int>(f.fix.kind) << "|" << f.fix.description << "|";
  opt(f.fix.truncate_to);
  o << f.fix.drop_begin << "|" << f.fix.drop_end << "|" << f.fix.withheld;
  return o.str();
}

// --fix holds a path's findings in a FindingSpool while it fixes: they come
// back whole and in order, whatever their size and the batch.
TEST_CASE("FindingSpool: findings read back whole, in order, a batch at a time, on disk or in memory") {
  test::TempDir tmp;
  const char* old = std::getenv("TMPDIR");
  const std::string saved = old != nullptr ? old : "";
  const RuleInfo* rules[] = {&FindRule("TB101")->info(), &FindRule("TB205")->info(), &FindRule("TB503")->info()};
  std::vector<Finding> made;
  for (int i = 0; i < 5000; ++i) {
    Finding f;
    f.rule = rules[i % 3];
    f.severity = static_cast<Severity>(i % 3);
    f.message = "message " + std::to_string(i) + std::string(static_cast<size_t>(i % 50), 'm');
    f.impact = i % 4 == 0 ? "" : "impact \n\t\x01 " + std::to_string(i);
    f.path = "run/" + std::to_string(i % 17) + "/events.out.tfevents.1.h";
    f.run = i % 5 == 0 ? "" : "run/" + std::to_string(i % 17);
    if (i % 2 == 0) f.offset = uint64_t{1} << (i % 64);
    if (i % 3 == 0) f.length = static_cast<uint64_t>(i);
    if (i % 5 == 0) f.record = static_cast<uint64_t>(i) * 3;
    if (i % 7 != 0) f.tag = std::string(1, '\0') + "tag/" + std::to_string(i);
    if (i % 11 != 0) f.step = i % 2 == 0 ? INT64_MIN + i : INT64_MAX - i;
    f.fix.applicability = static_cast<Applicability>(i % 3);
    f.fix.kind = static_cast<FixKind>(i % 4);
    f.fix.description = i % 6 == 0 ? "" : "cut it";
    if (i % 4 == 1) f.fix.truncate_to = static_cast<uint64_t>(i) * 12;
    f.fix.drop_begin = static_cast<uint64_t>(i);
    f.fix.drop_end = static_cast<uint64_t>(i) * 2;
    if (i % 9 == 0) f.fix.withheld = "may still be written";
    made.push_back(std::move(f));
  }
  // Longer than the 1 MiB read window: read whole, first and in the middle.
  made[0].message.assign((size_t{1} << 20) + 5, 'x');
  made[2500].impact.assign(3u << 20, 'y');
  for (const bool disk : {true, false}) {
    CAPTURE(disk);
    ::setenv("TMPDIR", disk ? tmp.path().c_str() : (tmp / "missing").c_str(), 1);
    for (const size_t batch : {size_t{1}, size_t{7}, size_t{4096}, size_t{100000}}) {
      CAPTURE(batch);
      FindingSpool spool;
      for (const Finding& f : made) spool.Add(f);
      CHECK(spool.count() == made.size());
      CHECK(fs::is_empty(tmp.path()));  // unlinked at once
      std::vector<Finding> back;
      size_t calls = 0;
      REQUIRE(spool.Replay(batch, [&](std::vector<Finding>* b) {
        CHECK(!b->empty());
        CHECK(b->size() <= batch);
        ++calls;
        for (Finding& f : *b) back.push_back(std::move(f));
      }));
      CHECK(calls == (made.size() + batch - 1) / batch);
      REQUIRE(back.size() == made.size());
      for (size_t i = 0; i < made.size(); ++i) {
        if (Fields(back[i]) != Fields(made[i])) {
          FAIL("finding " << i << " differs");
          break;
        }
      }
    }
  }
  FindingSpool empty;
  CHECK(empty.Replay(10, [](std::vector<Finding>*) { FAIL("no batch"); }));
  // Read back in parts, as --fix does run by run: Skip and Replay go on from
  // where the last stopped.
  FindingSpool parts;
  for (const Finding& f : made) parts.Add(f);
  CHECK(parts.Skip(3));
  std::vector<Finding> some;
  REQUIRE(parts.Replay(5, 2, [&](std::vector<Finding>* b) {
    CHECK(b->size() <= 2);
    for (Finding& f : *b) some.push_back(std::move(f));
  }));
  REQUIRE(some.size() == 5);
  for (size_t i = 0; i < some.size(); ++i) CHECK(Fields(some[i]) == Fields(made[3 + i]));
  CHECK(parts.Skip(made.size() - 9));
  some.clear();
  REQUIRE(parts.Replay(4096, [&](std::vector<Finding>* b) {
    for (Finding& f : *b) some.push_back(std::move(f));
  }));
  REQUIRE(some.size() == 1);
  CHECK(Fields(some[0]) == Fields(made.back()));
  CHECK(!parts.Skip(1));  // nothing left
  if (old != nullptr) {
    ::setenv("TMPDIR", saved.c_str(), 1);
  } else {
    ::unsetenv("TMPDIR");
  }
}

// What a scan hands over, call by call: each run's findings (run "" for the
// logdir-wide ones), and (Rescan) "kept <run>" for a run not checked again.
class Deliveries final : public FindingsConsumer {
 public:
  struct Call {
    std::string run;
    std::vector<Finding> findings;
  };
  void OnFindings(const LintResult&, const RunResult* run, std::vector<Finding>* findings) override {
    calls.push_back({run == nullptr ? "" : run->name, std::move(*findings)});
    findings->clear();
  }
  void OnRunKept(const LintResult&, const RunResult& run) override { calls.push_back({"kept " + run.name, {}}); }
  std::vector<std::string> Names() const {
    std::vector<std::string> names;
    for (const Call& c : calls) names.push_back(c.run);
    return names;
  }
  std::vector<Call> calls;
};

// The report after a Rescan: a kept run's findings are those `first` was
// handed for it; the others, what `rescan` was.
std::vector<std::string> AfterRescan(const Deliveries& first, const Deliveries& rescan) {
  std::vector<std::string> out;
  for (const Deliveries::Call& c : rescan.calls) {
    if (c.run.starts_with("kept ")) {
      for (const Deliveries::Call& k : first.calls) {
        if (k.run == c.run.substr(5)) {
          for (const Finding& f : k.findings) out.push_back(Fields(f));
        }
      }
    } else {
      for (const Finding& f : c.findings) out.push_back(Fields(f));
    }
  }
  return out;
}

std::vector<std::string> AllFields(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const Finding& f : findings) out.push_back(Fields(f));
  return out;
}

ScanConfig StreamedFixConfig(FindingsConsumer* consumer, double now, bool release) {
  ScanConfig config;
  config.lint.now = now;
  config.jobs = 2;
  for (const auto& r : AllRules()) config.rules.push_back(r.get());
  config.consumer = consumer;
  config.release_file_details = release;
  config.keep_tail_checkpoints = true;
  config.jobs = 1;  // Rescan never prefers a new lint on more cores
  return config;
}

// Cuts a file as the fixer does: in place, keeping its times.
void CutKeepingTimes(const std::string& path, uint64_t size) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  REQUIRE(::truncate(path.c_str(), static_cast<off_t>(size)) == 0);
  const struct timespec times[2] = {st.st_atim, st.st_mtim};
  REQUIRE(::utimensat(AT_FDCWD, path.c_str(), times, 0) == 0);
}

// After --fix cut a damaged tail, Rescan checks again the runs of the files
// cut, and only those; a file cut where its scan kept a checkpoint is not
// read again. The report is a new lint's.
enum class Scenario { kNewLint, kNotRead, kNotAsCheckpointed, kShard, kMostOfTheLogdir };

void RescanScenario(bool release, Scenario scenario) {
  CAPTURE(release);
  CAPTURE(static_cast<int>(scenario));
  Logdirs l;
  const double now = test::Now();
  Deliveries first;
  ScanConfig config = StreamedFixConfig(&first, now, release);
  LintResult result;
  std::string error;
  REQUIRE(Lint(l.logs, config, &result, &error));
  // One checkpoint: run a's cut-short file, whose TB101 offers the cut. The
  // other damage is no tail a safe fix cuts.
  REQUIRE(result.tails.size() == 1);
  const size_t cut = result.tails.begin()->first;
  const FileResult& file = result.logdir.files[cut];
  const std::string path = file.info.path();
  const std::string rel = "a/events.out.tfevents.3.h.3.0";
  CHECK(file.info.rel_path() == rel);
  const uint64_t offset = result.tails.begin()->second->offset;
  int offers = 0;
  for (const Deliveries::Call& c : first.calls) {
    for (const Finding& f : c.findings) offers += f.fix.kind == FixKind::kTruncate && f.fix.truncate_to == offset;
  }
  CHECK(offers == 1);
  Deliveries rescan;
  config.consumer = &rescan;
  switch (scenario) {
    case Scenario::kNewLint: {
      CutKeepingTimes(path, offset);
      REQUIRE(Rescan(config, {cut}, &result));
      CHECK(rescan.Names() == std::vector<std::string>{"kept .", "a", "kept b/c", "kept d", "kept e", ""});
      CHECK(result.tails.empty());
      const LintResult fresh = test::LintPath(l.logs, "", now);
      CHECK(AfterRescan(first, rescan) == AllFields(fresh.findings));
      CHECK(result.records == fresh.records);
      CHECK(result.bytes == fresh.bytes);
      CHECK(result.logdir.files[cut].info.size == offset);
      break;
    }
    case Scenario::kNotRead: {
      // A byte of its first record changed behind the scan's back (same
      // size, inode and mtime): a read would find TB104 there, the
      // checkpoint does not.
      CutKeepingTimes(path, offset);
      std::string bytes = test::ReadFile(path);
      bytes[20] = static_cast<char>(bytes[20] ^ 1);
      const int fd = ::open(path.c_str(), O_WRONLY);
      REQUIRE(fd >= 0);
      REQUIRE(::pwrite(fd, bytes.data(), bytes.size(), 0) == static_cast<ssize_t>(bytes.size()));
      ::close(fd);
      test::SetMtime(path, kPast);
      REQUIRE(Rescan(config, {cut}, &result));
      const LintResult fresh = test::LintPath(l.logs, "", now);
      CHECK(test::Count(fresh, "TB104", rel) == 1);
      int tb104 = 0;
      for (const Deliveries::Call& c : rescan.calls) {
        for (const Finding& f : c.findings) tb104 += f.path == rel && f.rule->code == std::string("TB104");
      }
      CHECK(tb104 == 0);
      break;
    }
    case Scenario::kNotAsCheckpointed: {
      CutKeepingTimes(path, offset - 1);  // into the last record kept: read again
      REQUIRE(Rescan(config, {cut}, &result));
      const LintResult fresh = test::LintPath(l.logs, "", now);
      CHECK(test::Count(fresh, "TB101", rel) == 1);
      CHECK(AfterRescan(first, rescan) == AllFields(fresh.findings));
      break;
    }
    case Scenario::kShard:
      config.shard = Shard{1, 1};
      CHECK(!Rescan(config, {cut}, &result));
      CHECK(rescan.calls.empty());
      break;
    case Scenario::kMostOfTheLogdir: {
      // Run a holds more than half of the logdir's bytes (its other file):
      // on two cores a new lint is quicker than reading it again on one.
      uint64_t in_a = 0, total = 0;
      for (const FileResult& f : result.logdir.files) {
        total += f.info.size;
        if (f.info.run() == "a" && &f != &file) in_a += f.info.size;
      }
      REQUIRE(in_a > total / 2);
      CutKeepingTimes(path, offset);
      config.jobs = 2;
      CHECK(!Rescan(config, {cut}, &result));
      CHECK(rescan.calls.empty());
      config.jobs = 1;
      CHECK(Rescan(config, {cut}, &result));
      break;
    }
  }
}

TEST_CASE("Rescan after a tail cut: only the cut file's run is checked again, and the file is not read") {
  for (const bool release : {true, false}) {
    for (const Scenario s : {Scenario::kNewLint, Scenario::kNotRead, Scenario::kNotAsCheckpointed, Scenario::kShard,
                             Scenario::kMostOfTheLogdir}) {
      RescanScenario(release, s);
    }
  }
}

// The checkpoint's findings are those of a scan of the file cut there, for
// every fixture and corpus case: each is linted with checkpoints, every file
// with one is cut where it says, and Rescan's report is a new lint's.
TEST_CASE("Rescan after tail cuts gives a new lint's findings on every fixture and corpus case") {
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(test::SourceDir() + "/fixtures/corpus/cases")) dirs.push_back(e.path());
  for (const auto& rule : fs::directory_iterator(test::SourceDir() + "/fixtures/rules")) {
    // TB504's paths are unreadable on purpose (no copy of them can be made),
    // and no tail is cut there.
    if (rule.path().filename() == "TB504") continue;
    for (const auto& e : fs::directory_iterator(rule.path())) dirs.push_back(e.path());
  }
  std::sort(dirs.begin(), dirs.end());
  REQUIRE(dirs.size() > 90);
  const double now = test::Now();
  int cut_cases = 0;
  for (const fs::path& dir : dirs) {
    CAPTURE(dir.string());
    test::TempDir tmp;
    const std::string logs = tmp / "logs";
    test::CopyTree(dir.string(), logs);
    for (const auto& e : fs::recursive_directory_iterator(logs)) {
      if (e.is_regular_file()) test::SetMtime(e.path().string(), kPast);
    }
    Deliveries first;
    ScanConfig config = StreamedFixConfig(&first, now, /*release=*/true);
    LintResult result;
    std::string error;
    REQUIRE(Lint(logs, config, &result, &error));
    if (result.tails.empty()) continue;
    ++cut_cases;
    std::vector<size_t> changed;
    for (const auto& [i, cp] : result.tails) {
      CutKeepingTimes(result.logdir.files[i].info.path(), cp->offset);
      changed.push_back(i);
    }
    Deliveries rescan;
    config.consumer = &rescan;
    REQUIRE(Rescan(config, changed, &result));
    const LintResult fresh = test::LintPath(logs, "", now);
    CHECK(AfterRescan(first, rescan) == AllFields(fresh.findings));
    CHECK(result.records == fresh.records);
    CHECK(result.bytes == fresh.bytes);
  }
  // TB101's and TB102's bad fixtures and the corpus's cut and zero-filled
  // tails: 10 when written.
  CHECK(cut_cases >= 10);
}

// Every rule's per-file check can be copied for a checkpoint: a check that
// could not would make --fix read a cut file again.
TEST_CASE("Every rule's file check can be copied") {
  FileInfo info;
  info.SetPaths("/logs/run/events.out.tfevents.1.h.1.0.bak", std::string("run/events.out.tfevents.1.h.1.0.bak").size());
  for (const auto& rule : AllRules()) {
    CAPTURE(rule->info().code);
    if (auto check = rule->NewFileCheck(info, LintOptions{})) CHECK(rule->CloneFileCheck(*check) != nullptr);
  }
}

// --fix streams: a path's findings are held in a temporary file while its
// fixes are applied, then reported when no fix changed a file (read back), or
// found again by a second scan when one did. Either way the report is what a
// lint of the logdir as it is afterwards finds, with the fixes' outcomes.
TEST_CASE("--fix streamed: the findings are those of the paths as the fixes left them") {
  Logdirs l;
  const json before = json::parse(test::RunCli({"--format", "json", l.logs, l.single}).out);
  // A safe fix cuts a file of l.logs (TB101; the zero tail behind TB104's
  // damage needs the rewrite); l.single needs an unsafe one: its findings
  // are read back from where they were held.
  const test::CliResult r = test::RunCli({"--fix", "--format", "json", l.logs, l.single});
  CHECK(r.exit_code == 1);
  const json fixed = json::parse(r.out);
  const json after = json::parse(Collected({l.logs, l.single}, Format::kJson, {}));
  CHECK(fixed["findings"] == after["findings"]);
  CHECK(fixed["findings"] != before["findings"]);
  CHECK(fixed["dry_run"] == false);
  std::map<std::string, int> statuses;
  for (const json& o : fixed["fixes"]) ++statuses[o["status"].get<std::string>()];
  CHECK(statuses["fixed"] == 1);
  CHECK(statuses["needs --unsafe-fixes"] >= 3);  // TB104's rewrites, TB201's move, the single file
  CHECK(statuses.size() == 2);
  // Nothing left to cut: every path's findings are read back, and the
  // report is the plain lint's with the fixes' outcomes.
  for (const char* format : {"json", "text", "sarif", "junit"}) {
    CAPTURE(format);
    const test::CliResult again = test::RunCli({"--fix", "--color", "never", "--format", format, l.logs, l.single});
    CHECK(again.exit_code == 1);
    const test::CliResult plain = test::RunCli({"--color", "never", "--format", format, l.logs, l.single});
    if (std::string(format) == "json") {
      json a = JsonWithoutSeconds(again.out);
      CHECK(a["fixes"].size() == statuses["needs --unsafe-fixes"]);
      a.erase("fixes");
      a.erase("dry_run");
      CHECK(a == JsonWithoutSeconds(plain.out));
    } else if (std::string(format) == "text") {
      // The plain report with what --fix did after the findings: a blank
      // line, then a line per file.
      std::vector<std::string> lines;
      std::istringstream in(WithoutSeconds(again.out));
      for (std::string line; std::getline(in, line);) lines.push_back(line);
      size_t k = 0;
      while (k < lines.size() && lines[k].find(": needs --unsafe-fixes: ") == std::string::npos) ++k;
      REQUIRE(k > 0);
      REQUIRE(k < lines.size());
      CHECK(lines[k - 1].empty());
      size_t end = k;
      while (end < lines.size() && lines[end].find(": needs --unsafe-fixes: ") != std::string::npos) ++end;
      CHECK(end - k == statuses["needs --unsafe-fixes"]);
      lines.erase(lines.begin() + static_cast<std::ptrdiff_t>(k - 1), lines.begin() + static_cast<std::ptrdiff_t>(end));
      std::string text;
      for (const std::string& line : lines) text += line + "\n";
      CHECK(text == WithoutSeconds(plain.out));
    } else {
      CHECK(WithoutSeconds(again.out) == WithoutSeconds(plain.out));
    }
  }
  // --dry-run changes nothing and holds nothing: the plain lint's findings.
  const json dry = json::parse(test::RunCli({"--fix", "--dry-run", "--format", "json", l.logs, l.single}).out);
  CHECK(dry["findings"] == after["findings"]);
  CHECK(dry["dry_run"] == true);
}

// Each path's held findings are its own: the first path has a file moved
// (TB201, --unsafe-fixes), so it is linted again in full; the second has a
// tail cut in run a (checked again) and run b's cut held back (its file was
// just written), whose findings are read back in their place.
TEST_CASE("--fix streamed: a path linted again in full, then one checked again in part") {
  test::TempDir tmp;
  const std::string p1 = tmp / "p1", p2 = tmp / "p2";
  std::string cut = test::SmallEventFile(5);
  cut.resize(cut.size() - 3);
  test::WriteFile(p1 + "/run/events.out.tfevents.1.h.1.0", "");
  test::SetMtime(p1 + "/run/events.out.tfevents.1.h.1.0", kPast);
  test::WriteFile(p1 + "/run2/events.out.tfevents.1.h.1.0", test::SmallEventFile(2));
  test::SetMtime(p1 + "/run2/events.out.tfevents.1.h.1.0", kPast);
  test::WriteFile(p2 + "/a/events.out.tfevents.2.h.2.0", cut);
  test::SetMtime(p2 + "/a/events.out.tfevents.2.h.2.0", kPast);
  test::WriteFile(p2 + "/b/events.out.tfevents.3.h.3.0", cut);  // now: within the grace period
  const test::CliResult r = test::RunCli({"--fix", "--unsafe-fixes", "--format", "json", p1, p2});
  CHECK(r.err.empty());
  const json fixed = json::parse(r.out);
  std::map<std::string, int> outcomes;
  for (const json& o : fixed["fixes"])
    ++outcomes[o["action"].get<std::string>() + " " + o["status"].get<std::string>()];
  CHECK(outcomes == std::map<std::string, int>{{"move fixed", 1}, {"truncate fixed", 1}, {"none not fixed", 1}});
  const json after = json::parse(Collected({p1, p2}, Format::kJson, {}));
  CHECK(fixed["findings"] == after["findings"]);
  REQUIRE(fixed["findings"].size() == 1);  // b's TB101, held back
  CHECK(fixed["findings"][0]["path"] == "b/events.out.tfevents.3.h.3.0");
  CHECK(fixed["summary"]["files"] == after["summary"]["files"]);
}

}  // namespace
}  // namespace tblint
