// The command line: options, exit codes, formats, and the fix workflow, run
// in process through RunApp.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <string>

#include "cli/app.h"
#include "test_util.h"

namespace tblint {
namespace {

using nlohmann::json;
using test::RunCli;

constexpr double kPast = 1795298000.0;

// A logdir with one clean run and one run whose file is cut mid-record.
void MakeLogdir(const test::TempDir& dir) {
  test::WriteFile(dir / "good/events.out.tfevents.1795298000.host.1.0", test::SmallEventFile(5));
  std::string bad = test::SmallEventFile(8);
  bad.resize(bad.size() - 7);
  test::WriteFile(dir / "bad/events.out.tfevents.1795298000.host.2.0", bad);
  test::SetMtime(dir / "good/events.out.tfevents.1795298000.host.1.0", kPast + 100);
  test::SetMtime(dir / "bad/events.out.tfevents.1795298000.host.2.0", kPast + 100);
}

TEST_CASE("exit code 0 on a clean logdir, 1 on findings, 2 on a missing path") {
  test::TempDir dir;
  test::WriteFile(dir / "run/events.out.tfevents.1795298000.host.1.0", test::SmallEventFile(3));
  test::SetMtime(dir / "run/events.out.tfevents.1795298000.host.1.0", kPast + 10);
  CHECK(RunCli({dir.path()}).exit_code == kExitClean);

  test::TempDir bad;
  MakeLogdir(bad);
  const auto r = RunCli({bad.path()});
  CHECK(r.exit_code == kExitFindings);
  CHECK(r.out.find("TB101 truncated-record") != std::string::npos);

  const auto missing = RunCli({dir / "does-not-exist"});
  CHECK(missing.exit_code == kExitUsage);
  CHECK(missing.err.find("does-not-exist") != std::string::npos);
}

TEST_CASE("usage errors exit 2 with a message") {
  CHECK(RunCli({"--no-such-option"}).exit_code == kExitUsage);
  CHECK(RunCli({"--format", "xml", "."}).exit_code == kExitUsage);
  CHECK(RunCli({"--fail-on", "sometimes", "."}).exit_code == kExitUsage);
  CHECK(RunCli({"--select", "TB999", "."}).exit_code == kExitUsage);
  CHECK(RunCli({"--dry-run", "."}).exit_code == kExitUsage);
  CHECK(RunCli({"--explain", "TB999"}).exit_code == kExitUsage);
  CHECK(RunCli({"--jobs", "-1", "."}).exit_code == kExitUsage);
}

TEST_CASE("text output: path:offset: severity: message [code name], grouped by run, with a summary") {
  test::TempDir dir;
  MakeLogdir(dir);
  const auto r = RunCli({dir.path()});
  CHECK(r.out.find("run bad\n") != std::string::npos);
  CHECK(r.out.find(dir / "bad/events.out.tfevents.1795298000.host.2.0:") != std::string::npos);
  CHECK(r.out.find(": error: truncated record 8 at offset") != std::string::npos);
  CHECK(r.out.find("tensorboard: ") != std::string::npos);
  CHECK(r.out.find("2 files in 2 runs") != std::string::npos);
  CHECK(r.out.find("1 error, 0 warnings, 0 info") != std::string::npos);
  CHECK(r.out.find("\033[") == std::string::npos);  // no colour off a terminal

  const auto quiet = RunCli({"--quiet", dir.path()});
  CHECK(quiet.out.find("files in") == std::string::npos);
  CHECK(quiet.out.find("TB101") != std::string::npos);
}

TEST_CASE("JSON output follows docs/json.md") {
  test::TempDir dir;
  MakeLogdir(dir);
  const auto r = RunCli({"--format", "json", dir.path()});
  const json doc = json::parse(r.out);
  CHECK(doc["tool"]["name"] == "tblint");
  CHECK(doc["tool"]["version"] == TBLINT_VERSION);
  CHECK(doc["summary"]["files"] == 2);
  CHECK(doc["summary"]["runs"] == 2);
  CHECK(doc["summary"]["records"] == 6 + 8);  // complete records
  CHECK(doc["summary"]["findings"]["error"] == 1);
  REQUIRE(doc["findings"].size() == 1);
  const json& f = doc["findings"][0];
  CHECK(f["code"] == "TB101");
  CHECK(f["name"] == "truncated-record");
  CHECK(f["severity"] == "error");
  CHECK(f["path"] == "bad/events.out.tfevents.1795298000.host.2.0");
  CHECK(f["run"] == "bad");
  CHECK(f["record"] == 8);
  CHECK(f["offset"].is_number());
  CHECK(f["fix"]["applicability"] == "safe");
  CHECK(f["impact"].is_string());
}

TEST_CASE("--select, --ignore and --fail-on decide what is reported and what fails") {
  test::TempDir dir;
  MakeLogdir(dir);
  CHECK(RunCli({"--select", "TB2", dir.path()}).exit_code == kExitClean);
  CHECK(RunCli({"--ignore", "TB101", dir.path()}).exit_code == kExitClean);
  CHECK(RunCli({"--select", "tb1", dir.path()}).exit_code == kExitFindings);  // case-insensitive prefix
  CHECK(RunCli({"--select", "TB104,TB101", dir.path()}).exit_code == kExitFindings);
  CHECK(RunCli({"--fail-on", "never", dir.path()}).exit_code == kExitClean);
  CHECK(RunCli({"--fail-on", "error", dir.path()}).exit_code == kExitFindings);

  // A fresh truncation is info: it fails only with --fail-on info.
  test::SetMtime(dir / "bad/events.out.tfevents.1795298000.host.2.0", test::Now());
  CHECK(RunCli({dir.path()}).exit_code == kExitClean);
  CHECK(RunCli({"--fail-on", "info", dir.path()}).exit_code == kExitFindings);
  CHECK(RunCli({"--grace-period", "0", dir.path()}).exit_code == kExitFindings);
}

TEST_CASE("a path that is an event file is linted on its own and said so") {
  test::TempDir dir;
  MakeLogdir(dir);
  const std::string file = dir / "bad/events.out.tfevents.1795298000.host.2.0";
  const auto r = RunCli({file});
  CHECK(r.exit_code == kExitFindings);
  CHECK(r.out.find("is a single event file") != std::string::npos);
  const json doc = json::parse(RunCli({"--format", "json", file}).out);
  CHECK(doc["paths"][0]["single_file"] == true);
  CHECK(doc["findings"][0]["path"] == "events.out.tfevents.1795298000.host.2.0");
}

TEST_CASE("several paths are linted into one report") {
  test::TempDir a, b;
  MakeLogdir(a);
  test::WriteFile(b / "events.out.tfevents.1795298000.h", "");
  test::SetMtime(b / "events.out.tfevents.1795298000.h", kPast);
  const json doc = json::parse(RunCli({"--format", "json", a.path(), b.path()}).out);
  CHECK(doc["summary"]["files"] == 3);
  REQUIRE(doc["findings"].size() == 2);
  CHECK(doc["findings"][1]["code"] == "TB201");
  CHECK(doc["findings"][1]["logdir"] == b.path());
}

TEST_CASE("--list-rules, --version and --help") {
  const auto list = RunCli({"--list-rules"});
  CHECK(list.exit_code == 0);
  CHECK(list.out.find("TB101  truncated-record") != std::string::npos);
  CHECK(list.out.find("TB505  no-event-files") != std::string::npos);
  const json rules = json::parse(RunCli({"--list-rules", "--format", "json"}).out);
  CHECK(rules.size() >= 14);
  CHECK(RunCli({"--version"}).out.find("tblint " TBLINT_VERSION) == 0);
  const auto help = RunCli({"--help"});
  for (const char* opt : {"--format", "--select", "--ignore", "--fail-on", "--list-rules", "--explain", "--jobs",
                          "--quiet", "--version", "--grace-period", "--fix", "--dry-run"}) {
    CAPTURE(opt);
    CHECK(help.out.find(opt) != std::string::npos);
  }
}

TEST_CASE("--fix --dry-run says what it would do and writes nothing") {
  test::TempDir dir;
  MakeLogdir(dir);
  const std::string file = dir / "bad/events.out.tfevents.1795298000.host.2.0";
  const std::string before = test::ReadFile(file);
  const auto r = RunCli({"--fix", "--dry-run", dir.path()});
  CHECK(r.exit_code == kExitFindings);
  CHECK(r.out.find("would fix") != std::string::npos);
  CHECK(test::ReadFile(file) == before);
  struct stat st {};
  CHECK(::stat((dir / ".tblint-backup").c_str(), &st) != 0);
}

TEST_CASE("--fix truncates, keeps the cut bytes, re-lints and keeps file permissions") {
  test::TempDir dir;
  MakeLogdir(dir);
  const std::string file = dir / "bad/events.out.tfevents.1795298000.host.2.0";
  ::chmod(file.c_str(), 0640);
  test::SetMtime(file, kPast + 100);
  const std::string before = test::ReadFile(file);
  const auto r = RunCli({"--fix", "--format", "json", dir.path()});
  CHECK(r.exit_code == kExitClean);
  const json doc = json::parse(r.out);
  CHECK(doc["findings"].empty());
  REQUIRE(doc["fixes"].size() == 1);
  CHECK(doc["fixes"][0]["status"] == "fixed");
  const std::string side = doc["fixes"][0]["side_file"];
  CHECK(side.find("tfevents") == std::string::npos);
  const std::string after = test::ReadFile(file);
  CHECK(after.size() < before.size());
  CHECK(after + test::ReadFile(side) == before);
  struct stat st {};
  REQUIRE(::stat(file.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0640);
  // No temporary left behind.
  CHECK(RunCli({"--format", "json", dir.path()}).exit_code == kExitClean);
}

TEST_CASE("--fix refuses a file that changed since the scan") {
  // Simulated by fixing with a grace period that makes the fresh file live.
  test::TempDir dir;
  MakeLogdir(dir);
  const std::string file = dir / "bad/events.out.tfevents.1795298000.host.2.0";
  test::SetMtime(file, test::Now() - 5);
  const std::string before = test::ReadFile(file);
  const auto r = RunCli({"--fix", dir.path()});
  CHECK(r.out.find("not fixed") != std::string::npos);
  CHECK(test::ReadFile(file) == before);
}

}  // namespace
}  // namespace tblint
