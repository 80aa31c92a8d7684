// The config file (tblint.toml, [tool.tblint] in pyproject.toml: discovery,
// precedence, errors, per-path ignores, severity overrides) and baselines
// (--write-baseline, --baseline), run in process through the CLI.
#include "cli/config.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/baseline.h"
#include "rule/registry.h"
#include "test_util.h"

namespace tblint {
namespace {

using nlohmann::json;
using test::RunCli;

constexpr double kPast = 1795298000.0;
const std::string kGood = "good/events.out.tfevents.1795298000.host.1.0";
const std::string kBad = "bad/events.out.tfevents.1795298000.host.2.0";

// `root`/logs: one clean run and one whose file is cut mid-record (TB101,
// an error: the file is old).
std::string MakeDamagedLogdir(const test::TempDir& root) {
  const std::string logs = root / "logs";
  test::WriteFile(logs + "/" + kGood, test::SmallEventFile(5));
  std::string bad = test::SmallEventFile(8);
  bad.resize(bad.size() - 7);
  test::WriteFile(logs + "/" + kBad, bad);
  test::SetMtime(logs + "/" + kGood, kPast + 100);
  test::SetMtime(logs + "/" + kBad, kPast + 100);
  return logs;
}

// Runs tblint with `args` and --format json; returns the parsed report (null
// when the output is not JSON).
json CheckJson(std::vector<std::string> args) {
  args.insert(args.begin(), "--format=json");
  const test::CliResult r = RunCli(args);
  return json::parse(r.out, nullptr, /*allow_exceptions=*/false);
}

std::vector<std::string> Codes(const json& report) {
  std::vector<std::string> codes;
  for (const json& f : report["findings"]) codes.push_back(f["code"]);
  return codes;
}

TEST_CASE("config: a tblint.toml in a parent folder changes the outcome") {
  test::TempDir root;
  const std::string logs = MakeDamagedLogdir(root);
  CHECK(RunCli({logs}).exit_code == 1);

  SUBCASE("ignore") {
    test::WriteFile(root / "tblint.toml", "ignore = [\"TB101\"]\n");
    CHECK(RunCli({logs}).exit_code == 0);
    CHECK(Codes(CheckJson({logs})).empty());
  }
  SUBCASE("select") {
    test::WriteFile(root / "tblint.toml", "select = [\"TB2\", \"tb5\"]\n");
    CHECK(RunCli({logs}).exit_code == 0);
  }
  SUBCASE("extend-select adds to select") {
    test::WriteFile(root / "tblint.toml", "select = [\"TB2\"]\nextend-select = [\"TB101\"]\n");
    CHECK(RunCli({logs}).exit_code == 1);
  }
  SUBCASE("fail-on") {
    test::WriteFile(root / "tblint.toml", "fail-on = \"never\"\n");
    const test::CliResult r = RunCli({logs});
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("TB101") != std::string::npos);  // reported, not failing
  }
  SUBCASE("severity") {
    test::WriteFile(root / "tblint.toml", "[severity]\nTB101 = \"info\"\n");
    const test::CliResult r = RunCli({logs});
    CHECK(r.exit_code == 0);
    CHECK(r.out.find(": info: ") != std::string::npos);
  }
  SUBCASE("grace-period") {
    // Ten years: the old file may still be written, so its cut tail is info.
    test::WriteFile(root / "tblint.toml", "grace-period = 315360000\n");
    const json report = CheckJson({logs});
    REQUIRE(report["findings"].size() == 1);
    CHECK(report["findings"][0]["severity"] == "info");
    CHECK(RunCli({logs}).exit_code == 0);
  }
  SUBCASE("a file PATH finds the config above its directory") {
    test::WriteFile(root / "tblint.toml", "fail-on = \"never\"\n");
    CHECK(RunCli({logs + "/" + kBad}).exit_code == 0);
  }
}

TEST_CASE("config: pyproject.toml's [tool.tblint] is read, a pyproject.toml without it is skipped") {
  test::TempDir root;
  const std::string logs = MakeDamagedLogdir(root);
  SUBCASE("[tool.tblint]") {
    test::WriteFile(root / "pyproject.toml", "[project]\nname = \"x\"\n\n[tool.tblint]\nignore = [\"TB1\"]\n");
    CHECK(RunCli({logs}).exit_code == 0);
  }
  SUBCASE("without the table the walk goes on up") {
    test::WriteFile(root / "logs/pyproject.toml", "[project]\nname = \"x\"\n[tool.other]\nkey = 1\n");
    test::WriteFile(root / "tblint.toml", "fail-on = \"never\"\n");
    CHECK(RunCli({logs}).exit_code == 0);
    const test::CliResult shown = RunCli({"--show-settings", logs});
    CHECK(shown.exit_code == 0);
    CHECK(shown.out.find("# config file: " + root / "tblint.toml\n") != std::string::npos);
  }
  SUBCASE("tblint.toml comes before pyproject.toml in the same folder") {
    test::WriteFile(root / "pyproject.toml", "[tool.tblint]\nfail-on = \"never\"\n");
    test::WriteFile(root / "tblint.toml", "fail-on = \"warning\"\n");
    CHECK(RunCli({logs}).exit_code == 1);
  }
  SUBCASE("the nearest file wins and only it is read") {
    test::WriteFile(root / "tblint.toml", "ignore = [\"TB101\"]\n");
    test::WriteFile(root / "logs/pyproject.toml", "[tool.tblint]\njobs = 1\n");
    CHECK(RunCli({logs}).exit_code == 1);
  }
}

TEST_CASE("config: --config names the file, --isolated reads none") {
  test::TempDir root;
  const std::string logs = MakeDamagedLogdir(root);
  test::WriteFile(root / "tblint.toml", "ignore = [\"TB101\"]\n");
  CHECK(RunCli({logs}).exit_code == 0);
  CHECK(RunCli({"--isolated", logs}).exit_code == 1);
  CHECK(RunCli({"runs", "--isolated", logs}).exit_code == 0);

  test::TempDir elsewhere;
  test::WriteFile(elsewhere / "ci.toml", "select = [\"TB1\"]\n");
  CHECK(RunCli({"--config", elsewhere / "ci.toml", logs}).exit_code == 1);  // replaces the found one
  test::WriteFile(elsewhere / "pyproject.toml", "[tool.tblint]\nfail-on = \"never\"\n");
  CHECK(RunCli({"--config", elsewhere / "pyproject.toml", logs}).exit_code == 0);

  const test::CliResult both = RunCli({"--config", elsewhere / "ci.toml", "--isolated", logs});
  CHECK(both.exit_code == 2);
  CHECK(both.err.find("--config and --isolated") != std::string::npos);
  const test::CliResult missing = RunCli({"--config", elsewhere / "nope.toml", logs});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("nope.toml") != std::string::npos);
  test::WriteFile(elsewhere / "empty/pyproject.toml", "[project]\nname = \"x\"\n");
  const test::CliResult no_table = RunCli({"--config", elsewhere / "empty/pyproject.toml", logs});
  CHECK(no_table.exit_code == 2);
  CHECK(no_table.err.find("no [tool.tblint] table") != std::string::npos);
}

TEST_CASE("config: the command line overrides the file") {
  test::TempDir root;
  const std::string logs = MakeDamagedLogdir(root);
  SUBCASE("--select replaces select, --fail-on replaces fail-on") {
    test::WriteFile(root / "tblint.toml", "select = [\"TB2\"]\nfail-on = \"never\"\n");
    CHECK(RunCli({logs}).exit_code == 0);
    CHECK(RunCli({"--select", "TB1", "--fail-on", "error", logs}).exit_code == 1);
  }
  SUBCASE("--extend-select adds to the file's select, and is dropped with the file's by --select") {
    test::WriteFile(root / "tblint.toml", "select = [\"TB2\"]\nextend-select = [\"TB5\"]\n");
    CHECK(RunCli({logs}).exit_code == 0);
    CHECK(RunCli({"--extend-select", "TB101", logs}).exit_code == 1);
    const test::CliResult shown = RunCli({"--show-settings", "--extend-select", "TB101", logs});
    CHECK(shown.out.find("select = [\"TB2\"]\nextend-select = [\"TB5\", \"TB101\"]\n") != std::string::npos);
    const test::CliResult replaced = RunCli({"--show-settings", "--select", "TB3", logs});
    CHECK(replaced.out.find("select = [\"TB3\"]\nextend-select = []\n") != std::string::npos);
    CHECK(RunCli({"--isolated", "--select", "TB2", "--extend-select", "tb1", logs}).exit_code == 1);
    CHECK(RunCli({"--isolated", "--extend-select", "TB999", logs}).exit_code == 2);
  }
  SUBCASE("--ignore adds to ignore") {
    test::WriteFile(root / "tblint.toml", "ignore = [\"TB2\"]\n");
    CHECK(RunCli({logs}).exit_code == 1);
    CHECK(RunCli({"--ignore", "TB101", logs}).exit_code == 0);
    const test::CliResult shown = RunCli({"--show-settings", "--ignore", "TB101", logs});
    CHECK(shown.out.find("ignore = [\"TB2\", \"TB101\"]") != std::string::npos);
  }
  SUBCASE("--grace-period replaces grace-period") {
    test::WriteFile(root / "tblint.toml", "grace-period = 315360000\n");
    CHECK(RunCli({logs}).exit_code == 0);
    CHECK(RunCli({"--grace-period", "0", logs}).exit_code == 1);
  }
  SUBCASE("--format replaces format") {
    test::WriteFile(root / "tblint.toml", "format = \"json\"\n");
    CHECK(json::parse(RunCli({logs}).out, nullptr, false).is_object());
    CHECK(RunCli({"--format", "text", logs}).out.find("error: truncated record") != std::string::npos);
  }
  SUBCASE("a bad value in the file is refused even when the command line gives the option") {
    test::WriteFile(root / "tblint.toml", "jobs = -1\n");
    CHECK(RunCli({"--jobs", "2", logs}).exit_code == 2);
  }
}

TEST_CASE("config: an unknown key or a bad value exits 2 naming the file, the line and the key") {
  test::TempDir root;
  const std::string logs = MakeDamagedLogdir(root);
  struct Case {
    std::string file, toml, expected;
  };
  const std::vector<Case> cases = {
      {"tblint.toml", "jobs = 4\nbogus = 1\n", ":2: key 'bogus': unknown key; the keys are select, "},
      {"tblint.toml", "\n\njobs = 2000\n",
       ":3: key 'jobs': --jobs must be a whole number from 0 (one per core) to 1024, not '2000'"},
      {"tblint.toml", "jobs = 1.5\n", ":1: key 'jobs': --jobs must be a whole number"},
      {"tblint.toml", "grace-period = \"120\"\n", ":1: key 'grace-period': must be a number, not a string"},
      {"tblint.toml", "grace-period = inf\n", ":1: key 'grace-period': --grace-period must be a number of seconds"},
      {"tblint.toml", "max-record-mib = 0\n",
       ":1: key 'max-record-mib': --max-record-mib must be a number of MiB above 0 and at most 1099511627776 "
       "(2^40 MiB, 1 EiB), not '0'"},
      {"tblint.toml", "max-depth = 1025\n", ":1: key 'max-depth': --max-depth must be a whole number from 0 to 1024"},
      {"tblint.toml", "select = [\"TB999\"]\n", ":1: key 'select': no rule matches 'TB999'; see 'tblint --list-rules'"},
      {"tblint.toml", "select = []\n", ":1: key 'select': must list at least one rule code"},
      {"tblint.toml", "ignore = \"TB101\"\n", ":1: key 'ignore': must be an array of rule codes, not a string"},
      {"tblint.toml", "extend-select = [\n  \"TB1\",\n  \"XX\",\n]\n", ":3: key 'extend-select': no rule matches 'XX'"},
      {"tblint.toml", "fail-on = \"fatal\"\n",
       ":1: key 'fail-on': --fail-on must be error, warning, info or never, not 'fatal'"},
      {"tblint.toml", "format = \"xml\"\n", ":1: key 'format': unknown format 'xml': --format must be text, json"},
      {"tblint.toml", "[severity]\nTB101 = \"fatal\"\n",
       ":2: key 'severity.TB101': must be error, warning or info, not 'fatal'"},
      {"tblint.toml", "[severity]\nTB999 = \"info\"\n", ":2: key 'severity.TB999': no rule matches 'TB999'"},
      {"tblint.toml", "[per-path-ignores]\n\"bad/*\" = [\"TB9\"]\n",
       ":2: key 'per-path-ignores.\"bad/*\"': no rule matches 'TB9'"},
      {"tblint.toml", "per-path-ignores = [\"x\"]\n", ":1: key 'per-path-ignores': must be a table"},
      {"tblint.toml", "jobs = \n", ":1: not valid TOML"},
      {"pyproject.toml", "[tool.tblint]\njobs = 1\nbad-key = 1\n", ":3: key 'tool.tblint.bad-key': unknown key"},
      {"pyproject.toml", "[tool]\ntblint = 3\n", ":2: key 'tool.tblint': must be a table, not an integer"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.toml);
    test::WriteFile(root / c.file, c.toml);
    const test::CliResult r = RunCli({logs});
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK_MESSAGE(r.err.find("tblint: " + root / c.file + c.expected) != std::string::npos, r.err);
    // tblint runs reads the same file the same way.
    CHECK(RunCli({"runs", logs}).exit_code == 2);
    ::unlink((root / c.file).c_str());
  }
}

TEST_CASE("config: the file's ranges and messages are the command line's") {
  test::TempDir root;
  const std::string logs = MakeDamagedLogdir(root);
  for (const auto& [option, value] : std::vector<std::pair<std::string, std::string>>{
           {"jobs", "2000"}, {"grace-period", "-1"}, {"max-record-mib", "0"}, {"max-depth", "4096"}}) {
    CAPTURE(option);
    const test::CliResult cli = RunCli({"--isolated", "--" + option, value, logs});
    REQUIRE(cli.exit_code == 2);
    test::WriteFile(root / "tblint.toml", option + " = " + value + "\n");
    const test::CliResult file = RunCli({logs});
    CHECK(file.exit_code == 2);
    const std::string reason = cli.err.substr(std::string("tblint: ").size());
    CHECK(file.err == "tblint: " + root / "tblint.toml" + ":1: key '" + option + "': " + reason);
  }
}

TEST_CASE("config: per-path ignores drop findings by glob, and an ignored finding is not fixed") {
  test::TempDir root;
  const std::string logs = MakeDamagedLogdir(root);
  SUBCASE("anchored globs") {
    test::WriteFile(root / "tblint.toml", "[per-path-ignores]\n\"bad/**\" = [\"TB101\"]\n");
    CHECK(RunCli({logs}).exit_code == 0);
    test::WriteFile(root / "tblint.toml", "[per-path-ignores]\n\"good/**\" = [\"TB101\"]\n");
    CHECK(RunCli({logs}).exit_code == 1);
    test::WriteFile(root / "tblint.toml", "[per-path-ignores]\n\"bad\" = [\"TB1\"]\n");
    CHECK(RunCli({logs}).exit_code == 0);
    test::WriteFile(root / "tblint.toml", "[per-path-ignores]\n\"bad/*.host.2.*\" = [\"TB2\"]\n");
    CHECK(RunCli({logs}).exit_code == 1);
  }
  SUBCASE("an ignored finding is not fixed") {
    test::WriteFile(root / "tblint.toml", "[per-path-ignores]\n\"events.out.*\" = [\"TB101\"]\n");
    const std::string before = test::ReadFile(logs + "/" + kBad);
    const test::CliResult r = RunCli({"--fix", logs});
    CHECK(r.exit_code == 0);
    CHECK(test::ReadFile(logs + "/" + kBad) == before);
  }
  SUBCASE("the glob dialect") {
    CHECK(GlobMatches("**", "a/b/c"));
    CHECK(GlobMatches("*.0", "train/events.out.tfevents.1.h.1.0"));  // no '/': any component
    CHECK(GlobMatches("train", "train/events.out.tfevents.1"));
    CHECK_FALSE(GlobMatches("tra", "train/events.out.tfevents.1"));
    CHECK(GlobMatches("runs/**/eval/*", "runs/a/b/eval/events.x"));
    CHECK(GlobMatches("runs/**/eval/*", "runs/eval/events.x"));
    CHECK_FALSE(GlobMatches("runs/*/eval/*", "runs/a/b/eval/events.x"));
    CHECK(GlobMatches("runs/*", "runs/a/b"));  // a leading directory matches
    CHECK_FALSE(GlobMatches("a/*", "b/a/c"));  // anchored at the logdir
    CHECK(GlobMatches("/a/*", "a/c"));
    CHECK(GlobMatches("./a/c", "a/c"));
    CHECK(GlobMatches("run-[0-9]/x", "run-7/x"));
    CHECK_FALSE(GlobMatches("run-[!0-9]/x", "run-7/x"));
    CHECK(GlobMatches("r?n/x", "run/x"));
    CHECK_FALSE(GlobMatches("r?n/x", "r/n/x"));
    CHECK(GlobMatches("a\\*b/x", "a*b/x"));
    CHECK_FALSE(GlobMatches("a\\*b/x", "azb/x"));
    CHECK(GlobMatches("r\xff/*", "r\xff/e"));
  }
}

TEST_CASE("config: severity overrides change the output and the exit code, but never fail a live file") {
  test::TempDir root;
  const std::string logs = MakeDamagedLogdir(root);
  test::WriteFile(root / "tblint.toml", "fail-on = \"error\"\n[severity]\nTB1 = \"error\"\nTB101 = \"warning\"\n");
  const json report = CheckJson({logs});
  REQUIRE(report["findings"].size() == 1);
  CHECK(report["findings"][0]["severity"] == "warning");  // the longer prefix wins
  CHECK(report["summary"]["findings"]["warning"] == 1);
  CHECK(RunCli({logs}).exit_code == 0);
  test::WriteFile(root / "tblint.toml", "[severity]\nTB101 = \"error\"\n");
  // A file written just now is cut: TB101 lowers it to info, and it stays so.
  std::string live = test::SmallEventFile(4);
  live.resize(live.size() - 3);
  test::WriteFile(root / "live/run/events.out.tfevents.1795298000.host.3.0", live);
  const json live_report = CheckJson({root / "live"});
  REQUIRE(live_report["findings"].size() == 1);
  CHECK(live_report["findings"][0]["severity"] == "info");
  CHECK(RunCli({root / "live"}).exit_code == 0);
}

TEST_CASE("config: tblint runs takes the scan settings, per-path ignores and severities") {
  test::TempDir root;
  const std::string logs = MakeDamagedLogdir(root);
  auto run_findings = [&]() {
    const json doc = json::parse(RunCli({"runs", "--format", "json", logs}).out);
    return doc["logdirs"][0]["findings"];
  };
  CHECK(run_findings()["error"] == 1);
  test::WriteFile(root / "tblint.toml", "[severity]\nTB101 = \"warning\"\n");
  CHECK(run_findings()["error"] == 0);
  CHECK(run_findings()["warning"] == 1);
  test::WriteFile(root / "tblint.toml", "ignore = [\"TB101\"]\nformat = \"json\"\nfail-on = \"info\"\n");
  CHECK(run_findings()["error"] == 0);
  CHECK(run_findings()["warning"] == 0);
  // format and fail-on are check's: runs still prints text.
  CHECK(RunCli({"runs", logs}).out.find("run bad:") != std::string::npos);
}

TEST_CASE("config: --show-settings prints the config file and the resolved settings") {
  test::TempDir root;
  const std::string logs = MakeDamagedLogdir(root);
  test::WriteFile(root / "tblint.toml",
                  "select = [\"TB1\"]\nmax-depth = 5\n[per-path-ignores]\n\"a/**\" = [\"TB3\"]\n[severity]\n"
                  "TB107 = \"error\"\n");
  const test::CliResult r = RunCli({"--show-settings", "--jobs", "3", logs});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("# config file: " + root / "tblint.toml\n") != std::string::npos);
  CHECK(r.out.find("select = [\"TB1\"]\n") != std::string::npos);
  CHECK(r.out.find("max-depth = 5\n") != std::string::npos);
  CHECK(r.out.find("jobs = 3\n") != std::string::npos);
  CHECK(r.out.find("fail-on = \"warning\"\n") != std::string::npos);
  CHECK(r.out.find("\"a/**\" = [\"TB3\"]\n") != std::string::npos);
  CHECK(r.out.find("TB107 = \"error\"\n") != std::string::npos);
  CHECK(r.out.find("TB201") == std::string::npos);  // not among the enabled rules
  const test::CliResult isolated = RunCli({"--show-settings", "--isolated", logs});
  CHECK(isolated.out.find("# config file: none\n") != std::string::npos);
  CHECK(isolated.out.find("select = [\"TB\"]\n") != std::string::npos);
}

// --- baselines ---------------------------------------------------------------

TEST_CASE("baseline: --write-baseline then --baseline exits 0 and says how many it suppressed") {
  test::TempDir root;
  const std::string logs = MakeDamagedLogdir(root);
  const std::string baseline = root / "baseline.json";
  const test::CliResult write = RunCli({"--write-baseline", baseline, logs});
  CHECK(write.exit_code == 0);
  CHECK(write.err.find("recorded 1 finding in the baseline") != std::string::npos);
  CHECK(write.out.find("1 suppressed by the baseline") != std::string::npos);
  const json doc = json::parse(test::ReadFile(baseline));
  CHECK(doc["baseline_version"] == 1);
  REQUIRE(doc["findings"].size() == 1);
  CHECK(doc["findings"][0]["code"] == "TB101");
  CHECK(doc["findings"][0]["path"] == kBad);
  CHECK(doc["findings"][0]["run"] == "bad");
  CHECK(doc["findings"][0]["count"] == 1);
  CHECK(doc["findings"][0]["fingerprint"].get<std::string>().size() == 16);

  const test::CliResult read = RunCli({"--baseline", baseline, logs});
  CHECK(read.exit_code == 0);
  CHECK(read.out.find("0 errors, 0 warnings, 0 info; 1 suppressed by the baseline") != std::string::npos);
  const json report = CheckJson({"--baseline", baseline, logs});
  CHECK(report["findings"].empty());
  CHECK(report["summary"]["baseline_suppressed"] == 1);
  // Without --baseline the field is absent.
  CHECK_FALSE(CheckJson({logs})["summary"].contains("baseline_suppressed"));
  // The same logdir named another way: fingerprints do not hold the PATH.
  CHECK(RunCli({"--baseline", baseline, logs + "/./"}).exit_code == 0);
}

TEST_CASE("baseline: appending valid records to a live file keeps it green; a newly damaged file fails alone") {
  test::TempDir root;
  const std::string logs = MakeDamagedLogdir(root);
  // A live run (written just now) that re-logs steps 2 and 3: TB301, TB302.
  const std::string live = logs + "/live/events.out.tfevents.1795298000.host.9.0";
  std::vector<std::string> payloads = {events::PlainHeader(kPast)};
  for (int step : {0, 1, 2, 3, 4, 2, 3}) payloads.push_back(events::Scalar(kPast + 1, step, "loss", 0.5f));
  test::WriteFile(live, test::Frame(payloads));
  const json before = CheckJson({logs});
  const size_t n = before["findings"].size();
  REQUIRE(n >= 2);

  const std::string baseline = root / "baseline.json";
  REQUIRE(RunCli({"--write-baseline", baseline, logs}).exit_code == 0);
  CHECK(RunCli({"--baseline", baseline, logs}).exit_code == 0);

  // The writer goes on: more points, more re-logged steps. Messages change
  // (their counts grow), fingerprints do not.
  std::string appended = test::ReadFile(live);
  appended += test::Frame({events::Scalar(kPast + 2, 1, "loss", 0.5f), events::Scalar(kPast + 3, 5, "loss", 0.5f),
                           events::Scalar(kPast + 4, 6, "loss", 0.5f), events::Scalar(kPast + 5, 4, "loss", 0.5f)});
  test::WriteFile(live, appended);
  const json after = CheckJson({logs});
  CHECK(after["findings"].size() == n);
  CHECK(after.dump() != before.dump());
  const json green = CheckJson({"--baseline", baseline, logs});
  CHECK(green["findings"].empty());
  CHECK(green["summary"]["baseline_suppressed"] == n);
  CHECK(RunCli({"--baseline", baseline, logs}).exit_code == 0);

  // A new damaged file: only its finding is reported, and it fails.
  std::string cut = test::SmallEventFile(6);
  cut.resize(cut.size() - 5);
  const std::string fresh = logs + "/new/events.out.tfevents.1795298000.host.4.0";
  test::WriteFile(fresh, cut);
  test::SetMtime(fresh, kPast + 100);
  const test::CliResult red = RunCli({"--baseline", baseline, logs});
  CHECK(red.exit_code == 1);
  const json report = CheckJson({"--baseline", baseline, logs});
  REQUIRE(report["findings"].size() == 1);
  CHECK(report["findings"][0]["code"] == "TB101");
  CHECK(report["findings"][0]["path"] == "new/events.out.tfevents.1795298000.host.4.0");
  CHECK(report["summary"]["baseline_suppressed"] == n);
}

TEST_CASE("baseline: a fingerprint counted N times suppresses at most N findings") {
  const RuleInfo& info = FindRule("TB402")->info();
  auto finding = [&](const std::string& message, uint64_t offset) {
    Finding f;
    f.rule = &info;
    f.message = message;
    f.path = "run";
    f.run = "run";
    f.offset = offset;
    return f;
  };
  LintResult first;
  first.findings = {finding("2 event files", 0)};
  const Baseline b = MakeBaseline({&first});
  CHECK(b.Total() == 1);
  LintResult later;
  // Messages and offsets are not part of the fingerprint.
  later.findings = {finding("3 event files", 10), finding("4 event files", 20)};
  CHECK(FingerprintKey(FingerprintOf(later.findings[0])) == FingerprintKey(FingerprintOf(first.findings[0])));
  CHECK(ApplyBaseline(b, {&later}) == 1);
  CHECK(later.findings.size() == 1);
  // Two in the baseline suppress both.
  Baseline two = b;
  two.entries.begin()->second.count = 2;
  LintResult again;
  again.findings = {finding("x", 0), finding("y", 0)};
  CHECK(ApplyBaseline(two, {&again}) == 2);
  CHECK(again.findings.empty());
  // Tag, step and record tell findings apart.
  Finding tagged = finding("x", 0);
  tagged.tag = "loss";
  CHECK(FingerprintKey(FingerprintOf(tagged)) != FingerprintKey(FingerprintOf(first.findings[0])));
  Finding stepped = tagged;
  stepped.step = 3;
  CHECK(FingerprintKey(FingerprintOf(stepped)) != FingerprintKey(FingerprintOf(tagged)));
  Finding recorded = stepped;
  recorded.record = 3;
  CHECK(FingerprintKey(FingerprintOf(recorded)) != FingerprintKey(FingerprintOf(stepped)));
}

TEST_CASE("baseline: names with any bytes round-trip through the file") {
  const RuleInfo& info = FindRule("TB205")->info();
  Finding f;
  f.rule = &info;
  f.run = "r\xff\n";
  f.path = "r\xff\n/events.out.tfevents.1.h.1.0";
  f.tag = std::string("t\x00\x1b[31m", 7);
  f.step = -5;
  f.record = 18446744073709551615ull;
  LintResult r;
  r.findings = {f};
  const Baseline b = MakeBaseline({&r});
  std::ostringstream text;
  std::vector<std::pair<std::string_view, uint64_t>> entries;
  for (const auto& [key, e] : b.entries) entries.emplace_back(key, e.count);
  WriteBaselineDocument(text, entries);
  const json doc = json::parse(text.str());
  // Written entry by entry, it is the document a JSON library prints whole.
  CHECK(DumpJson(doc) + "\n" == text.str());
  CHECK(doc["findings"][0].contains("path_bytes"));
  Baseline back;
  std::string error;
  REQUIRE(BaselineFromJson(doc, &back, &error));
  REQUIRE(back.entries.size() == 1);
  CHECK(back.entries.begin()->first == FingerprintKey(FingerprintOf(f)));
  CHECK(back.entries.begin()->second.fields.tag == f.tag);
  CHECK(ApplyBaseline(back, {&r}) == 1);

  // And through the CLI, for a run directory whose name is not UTF-8.
  test::TempDir root;
  std::string cut = test::SmallEventFile(6);
  cut.resize(cut.size() - 5);
  const std::string file = root / "logs/r\xff/events.out.tfevents.1795298000.host.4.0";
  test::WriteFile(file, cut);
  test::SetMtime(file, kPast);
  REQUIRE(RunCli({"--isolated", "--write-baseline", root / "b.json", root / "logs"}).exit_code == 0);
  CHECK(RunCli({"--isolated", root / "logs"}).exit_code == 1);
  CHECK(RunCli({"--isolated", "--baseline", root / "b.json", root / "logs"}).exit_code == 0);
}

TEST_CASE("baseline: a missing or malformed baseline exits 2 naming the file") {
  test::TempDir root;
  const std::string logs = MakeDamagedLogdir(root);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "No such file"},
      {"{", "not valid JSON"},
      {"[]", "not a baseline"},
      {"{\"baseline_version\": 2, \"findings\": []}", "baseline_version 2"},
      {"{\"baseline_version\": 1, \"findings\": [{\"code\": \"TB101\"}]}", "findings[0]: \"run\" and \"path\""},
      {"{\"baseline_version\": 1, \"findings\": [{\"code\": \"TB101\", \"run\": \".\", \"path\": \"x\", \"count\": "
       "0}]}",
       "\"count\" must be a whole number above 0"},
  };
  for (const auto& [contents, expected] : cases) {
    CAPTURE(contents);
    const std::string file = root / "b.json";
    ::unlink(file.c_str());
    if (!contents.empty()) test::WriteFile(file, contents);
    const test::CliResult r = RunCli({"--baseline", file, logs});
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(r.err.find("tblint: cannot use the baseline " + file + ": ") != std::string::npos);
    CHECK_MESSAGE(r.err.find(expected) != std::string::npos, r.err);
  }
  // A baseline that cannot be written: exit 2, the reason given.
  const test::CliResult w = RunCli({"--write-baseline", root / "no/such/dir/b.json", logs});
  CHECK(w.exit_code == 2);
  CHECK(w.err.find("cannot write the baseline") != std::string::npos);
}

}  // namespace
}  // namespace tblint
