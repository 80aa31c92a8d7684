// Rule tests, ruff style: a loop over fixtures/rules/TBxxx/{bad,good}/<case>
// (written by tools/make_fixtures.cc; never edit them by hand). Each bad case
// lists its expected findings in expected.json; each good case lints quiet.
// The fixable rules (TB101, TB102) also check the fix, and a few cases git
// cannot store (FIFOs, sockets, device symlinks, fresh mtimes, live writers)
// are made here.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "event_builders.h"
#include "record/record_reader.h"
#include "report/report.h"
#include "rule/registry.h"
#include "rule/writer_name.h"
#include "scan/discover.h"
#include "test_util.h"

namespace tblint::test {
namespace {

namespace fs = boost::filesystem;
using nlohmann::json;

// ---------------------------------------------------------------------------
// Fixture cases.

struct ExpectedFinding {
  std::string code;
  std::string path;
  std::string severity;
  std::optional<uint64_t> offset;
  std::optional<uint64_t> record;
};

struct FixtureCase {
  std::string name;  // "TB101/bad/truncated_in_payload"
  std::string dir;   // in the source tree
  json options = json::object();
  std::vector<ExpectedFinding> findings;
};

std::string FixtureRoot() { return SourceDir() + "/fixtures/rules"; }

// The cases of one rule and kind ("bad" or "good"), sorted by name.
std::vector<FixtureCase> Cases(const std::string& code, const std::string& kind) {
  std::vector<FixtureCase> out;
  const fs::path dir = fs::path(FixtureRoot()) / code / kind;
  if (!fs::is_directory(dir)) return out;
  for (fs::directory_iterator it(dir), end; it != end; ++it) {
    if (!fs::is_directory(it->symlink_status())) continue;
    FixtureCase c;
    c.name = code + "/" + kind + "/" + it->path().filename().string();
    c.dir = it->path().string();
    const json j = json::parse(ReadFile(c.dir + "/expected.json"));
    if (j.contains("options")) c.options = j["options"];
    for (const json& f : j.at("findings")) {
      ExpectedFinding e;
      e.code = f.at("code").get<std::string>();
      e.path = f.at("path").get<std::string>();
      e.severity = f.at("severity").get<std::string>();
      if (f.contains("offset")) e.offset = f["offset"].get<uint64_t>();
      if (f.contains("record")) e.record = f["record"].get<uint64_t>();
      c.findings.push_back(std::move(e));
    }
    out.push_back(std::move(c));
  }
  std::sort(out.begin(), out.end(), [](const FixtureCase& a, const FixtureCase& b) { return a.name < b.name; });
  return out;
}

// Copies a fixture case: directories, regular files and symlinks as they are
// (test_util's CopyTree skips symlinks, and TB504's fixtures are symlinks).
// Every regular file gets mtime `mtime`: git checks files out with fresh
// mtimes, which would make a truncated tail look like a live writer.
void Materialize(const std::string& from, const std::string& to, double mtime) {
  fs::create_directories(to);
  for (fs::recursive_directory_iterator it(from), end; it != end; ++it) {
    // Lexically: fs::relative would resolve the (broken, looping) symlinks.
    const fs::path dst = fs::path(to) / it->path().lexically_relative(from);
    const fs::file_status st = it->symlink_status();
    if (fs::is_symlink(st)) {
      fs::create_directories(dst.parent_path());
      fs::create_symlink(fs::read_symlink(it->path()), dst);
    } else if (fs::is_directory(st)) {
      fs::create_directories(dst);
    } else if (fs::is_regular_file(st)) {
      fs::create_directories(dst.parent_path());
      fs::copy_file(it->path(), dst, fs::copy_options::overwrite_existing);
      fs::permissions(dst, fs::owner_read | fs::owner_write | fs::group_read | fs::others_read);
      SetMtime(dst.string(), mtime);
    }
  }
}

// Lints with every registered rule and the case's options.
LintResult LintCase(const std::string& dir, const json& options = json::object(), double now = 0,
                    FindingsConsumer* consumer = nullptr, bool release_file_details = false) {
  ScanConfig config;
  config.consumer = consumer;
  config.release_file_details = release_file_details;
  config.lint.now = now > 0 ? now : Now();
  config.jobs = 2;
  if (options.contains("max_record_mib")) {
    config.lint.oversized_record_bytes = static_cast<uint64_t>(options["max_record_mib"].get<double>() * 1048576.0);
  }
  if (options.contains("grace_period_s")) config.lint.grace_period_s = options["grace_period_s"].get<double>();
  if (options.contains("max_depth")) config.lint.max_depth = options["max_depth"].get<int>();
  if (options.contains("oversized_file_bytes")) {
    config.lint.oversized_file_bytes = options["oversized_file_bytes"].get<uint64_t>();
  }
  if (options.contains("oversized_graph_bytes")) {
    config.lint.oversized_graph_bytes = options["oversized_graph_bytes"].get<uint64_t>();
  }
  for (const auto& r : AllRules()) config.rules.push_back(r.get());
  LintResult result;
  std::string error;
  REQUIRE_MESSAGE(Lint(dir, config, &result, &error), error);
  return result;
}

LintResult LintCorpusCase(const std::string& name) {
  TempDir tmp;
  Materialize(SourceDir() + "/fixtures/corpus/cases/" + name, tmp.path(), Now() - 3600);
  return LintCase(tmp.path());
}

// Lints a copy of fixtures/rules/<rel>, dated an hour back.
LintResult LintFixture(const std::string& rel) {
  TempDir tmp;
  Materialize(FixtureRoot() + "/" + rel, tmp.path(), Now() - 3600);
  return LintCase(tmp.path());
}

std::string Describe(const Finding& f) {
  std::ostringstream s;
  s << f.rule->code << " " << SeverityName(f.severity) << " " << f.path;
  if (f.offset) s << " offset " << *f.offset;
  if (f.record) s << " record " << *f.record;
  s << ": " << f.message;
  return s.str();
}

std::string Describe(const ExpectedFinding& e) {
  std::ostringstream s;
  s << e.code << " " << e.severity << " " << e.path;
  if (e.offset) s << " offset " << *e.offset;
  if (e.record) s << " record " << *e.record;
  return s.str();
}

std::string DescribeAll(const LintResult& r) {
  std::string s;
  for (const Finding& f : r.findings) s += "\n  " + Describe(f);
  return s.empty() ? " (none)" : s;
}

bool Matches(const Finding& f, const ExpectedFinding& e) {
  return e.code == f.rule->code && e.path == f.path && e.severity == SeverityName(f.severity) &&
         (!e.offset || f.offset == e.offset) && (!e.record || f.record == e.record);
}

// Every expected finding is reported, and the rule under test reports
// nothing else.
void CheckBadCase(const std::string& code, const FixtureCase& c, const LintResult& result) {
  const std::string findings = DescribeAll(result);
  INFO("reported:" << findings);
  int expected_of_code = 0;
  for (const ExpectedFinding& e : c.findings) {
    const std::string expected = Describe(e);
    CAPTURE(expected);
    bool found = false;
    for (const Finding& f : result.findings) found = found || Matches(f, e);
    CHECK(found);
    if (e.code == code) ++expected_of_code;
  }
  CHECK(expected_of_code > 0);
  CHECK(Count(result, code) == expected_of_code);
}

// The rule under test reports nothing at all, and no rule reports anything at
// warning or above: good fixtures are clean logdirs.
void CheckGoodCase(const std::string& code, const LintResult& result) {
  const std::string findings = DescribeAll(result);
  INFO("reported:" << findings);
  CHECK(Count(result, code) == 0);
  int loud = 0;
  for (const Finding& f : result.findings) loud += f.severity >= Severity::kWarning ? 1 : 0;
  CHECK(loud == 0);
}

void RunFixtureCases(const std::string& code) {
  const std::vector<FixtureCase> bad = Cases(code, "bad");
  const std::vector<FixtureCase> good = Cases(code, "good");
  REQUIRE(!bad.empty());
  REQUIRE(!good.empty());
  for (const FixtureCase& c : bad) {
    const std::string& fixture = c.name;
    CAPTURE(fixture);
    TempDir tmp;
    Materialize(c.dir, tmp.path(), Now() - 3600);
    CheckBadCase(code, c, LintCase(tmp.path(), c.options));
  }
  for (const FixtureCase& c : good) {
    const std::string& fixture = c.name;
    CAPTURE(fixture);
    TempDir tmp;
    Materialize(c.dir, tmp.path(), Now() - 3600);
    CheckGoodCase(code, LintCase(tmp.path(), c.options));
  }
}

// ---------------------------------------------------------------------------
// Fix checks (TB101, TB102).

// Every regular file under dir: relative path -> bytes.
std::map<std::string, std::string> Snapshot(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (fs::recursive_directory_iterator it(dir), end; it != end; ++it) {
    if (fs::is_regular_file(it->symlink_status())) {
      out[it->path().lexically_relative(dir).string()] = ReadFile(it->path().string());
    }
  }
  return out;
}

bool ContainsNoCase(const std::string& s, const std::string& needle) {
  for (size_t i = 0; i + needle.size() <= s.size(); ++i) {
    if (strncasecmp(s.c_str() + i, needle.c_str(), needle.size()) == 0) return true;
  }
  return false;
}

// For each bad case of `code`: --fix cuts the damaged file at the finding's
// offset and nowhere else, the result lints clean of TB1xx, the cut bytes are
// kept in a side file under .tblint-backup/ whose name has no "tfevents", and
// --fix --dry-run writes nothing.
void RunFixCases(const std::string& code) {
  for (const FixtureCase& c : Cases(code, "bad")) {
    const std::string& fixture = c.name;
    CAPTURE(fixture);
    std::optional<ExpectedFinding> target;
    for (const ExpectedFinding& e : c.findings) {
      if (e.code == code && e.offset) target = e;
    }
    REQUIRE(target.has_value());
    const uint64_t cut = *target->offset;

    // --fix --dry-run writes nothing: no file changes, no backup folder.
    {
      TempDir tmp;
      Materialize(c.dir, tmp.path(), Now() - 3600);
      const auto before = Snapshot(tmp.path());
      const CliResult r = RunCli({"--fix", "--dry-run", tmp.path()});
      INFO(r.out << r.err);
      CHECK(r.exit_code != 2);
      CHECK(r.out.find("would fix") != std::string::npos);
      CHECK(Snapshot(tmp.path()) == before);
      CHECK(!fs::exists(tmp / kBackupDirName));
    }
    // --fix cuts at the finding's offset.
    {
      TempDir tmp;
      Materialize(c.dir, tmp.path(), Now() - 3600);
      const std::string file = tmp / target->path;
      const std::string original = ReadFile(file);
      REQUIRE(cut <= original.size());
      const CliResult r = RunCli({"--fix", tmp.path()});
      INFO(r.out << r.err);
      CHECK(r.exit_code != 2);

      // Every valid record before the damage is kept byte for byte, and
      // nothing after it.
      const std::string fixed = ReadFile(file);
      CHECK(fixed.size() == cut);
      CHECK(fixed == original.substr(0, cut));
      const LintResult after = LintPath(tmp.path(), "TB1");
      INFO("after the fix:" << DescribeAll(after));
      CHECK(after.findings.empty());

      // The cut bytes are kept, under a name TensorBoard never loads.
      int side_files = 0;
      bool kept = false;
      const fs::path backup = tmp / kBackupDirName;
      REQUIRE(fs::is_directory(backup));
      for (fs::recursive_directory_iterator it(backup), end; it != end; ++it) {
        if (!fs::is_regular_file(it->symlink_status())) continue;
        const std::string name = it->path().filename().string();
        CAPTURE(name);
        CHECK(!ContainsNoCase(name, "tfevents"));
        ++side_files;
        kept = kept || ReadFile(it->path().string()) == original.substr(cut);
      }
      CHECK(side_files >= 1);
      CHECK(kept);
      // The backup folder is not a run: linting the logdir again ignores it.
      for (const Finding& f : LintPath(tmp.path()).findings) CHECK(f.path.find(kBackupDirName) == std::string::npos);
    }
  }
}

// Aborts the test binary with a message if the scope is not left within
// `seconds`: a lint that hangs (a FIFO opened for reading blocks for ever)
// must fail loudly rather than stall ctest.
class Watchdog {
 public:
  Watchdog(const char* what, int seconds) : what_(what) {
    thread_ = std::thread([this, seconds] {
      std::unique_lock<std::mutex> lock(mu_);
      if (!cv_.wait_for(lock, std::chrono::seconds(seconds), [this] { return done_; })) {
        std::fprintf(stderr, "rules_test: %s did not finish within %d s (hung?)\n", what_, seconds);
        std::abort();
      }
    });
  }
  ~Watchdog() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  const char* what_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

const Finding* FindingAt(const LintResult& r, const std::string& code, const std::string& path) {
  for (const Finding& f : r.findings) {
    if (code == f.rule->code && f.path == path) return &f;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------
// TB1xx

TEST_CASE("TB101 truncated-record fires on bad fixtures and stays quiet on good ones") { RunFixtureCases("TB101"); }

TEST_CASE("TB101 truncated-record: --fix cuts each bad fixture at its last whole record") { RunFixCases("TB101"); }

TEST_CASE("TB101 truncated-record on a freshly modified file is info and --fix refuses it") {
  const std::vector<FixtureCase> bad = Cases("TB101", "bad");
  REQUIRE(!bad.empty());
  for (const FixtureCase& c : bad) {
    const std::string& fixture = c.name;
    CAPTURE(fixture);
    TempDir tmp;
    Materialize(c.dir, tmp.path(), Now());  // just written: a writer may still append
    const ExpectedFinding& e = c.findings.front();
    REQUIRE(e.code == "TB101");
    const LintResult r = LintCase(tmp.path());
    const Finding* f = FindingAt(r, "TB101", e.path);
    REQUIRE(f != nullptr);
    CHECK(f->severity == Severity::kInfo);
    CHECK(!f->fix.truncate_to.has_value());

    const auto before = Snapshot(tmp.path());
    const CliResult cli = RunCli({"--fix", tmp.path()});
    INFO(cli.out << cli.err);
    CHECK(cli.out.find("not fixed") != std::string::npos);
    CHECK(Snapshot(tmp.path()) == before);
    CHECK(!fs::exists(tmp / kBackupDirName));
  }
}

TEST_CASE("TB102 zero-filled-tail fires on bad fixtures and stays quiet on good ones") { RunFixtureCases("TB102"); }

TEST_CASE("TB102 zero-filled-tail: --fix cuts each bad fixture where the zeros begin") { RunFixCases("TB102"); }

TEST_CASE("TB103 length-crc-mismatch fires on bad fixtures and stays quiet on good ones") { RunFixtureCases("TB103"); }

TEST_CASE("TB103 length-crc-mismatch counts the records a resynchronising scan finds after the damage") {
  const LintResult r = LintFixture("TB103/bad/length_bitflip_with_records_after");
  const Finding* f = FindingAt(r, "TB103", "train/events.out.tfevents.1795298000.gpu-node-1.4242.0");
  REQUIRE(f != nullptr);
  INFO(f->message);
  // Records 4 to 9 follow the damaged record 3.
  CHECK(f->message.find("finds 6 valid records") != std::string::npos);
}

TEST_CASE("TB104 data-crc-mismatch fires on bad fixtures and stays quiet on good ones") { RunFixtureCases("TB104"); }

TEST_CASE("TB105 undecodable-event fires on bad fixtures and stays quiet on good ones") { RunFixtureCases("TB105"); }

TEST_CASE("TB106 not-an-event-file fires on bad fixtures and stays quiet on good ones") { RunFixtureCases("TB106"); }

TEST_CASE("TB106 not-an-event-file names what the file looks like") {
  const std::map<std::string, std::string> looks_like = {
      {"gzip", "gzip"},
      {"zip", "zip"},
      {"git_lfs_pointer", "git-lfs"},
      {"html_error_page", "HTML"},
      {"plain_text", "text"},
      {"unrecognised_binary", "unrecognised binary"},
  };
  for (const auto& [name, words] : looks_like) {
    CAPTURE(name);
    const LintResult r = LintFixture("TB106/bad/" + name);
    const Finding* f = FindingAt(r, "TB106", "train/events.out.tfevents.1795298000.gpu-node-1.4242.0");
    REQUIRE(f != nullptr);
    INFO(f->message);
    CHECK(f->message.find(words) != std::string::npos);
  }
}

TEST_CASE("TB107 oversized-record fires on bad fixtures and stays quiet on good ones") {
  // The fixtures lower the limit (options.max_record_mib: 0.001) rather than
  // hold a 64 MiB record.
  RunFixtureCases("TB107");
}

TEST_CASE("TB107 oversized-record follows --max-record-mib on the command line") {
  TempDir tmp;
  Materialize(FixtureRoot() + "/TB107/bad/oversized_graph_def", tmp.path(), Now() - 3600);
  const CliResult low = RunCli({"--select", "TB107", "--max-record-mib", "0.001", tmp.path()});
  CHECK(low.exit_code == 1);
  CHECK(low.out.find("TB107") != std::string::npos);
  const CliResult dflt = RunCli({"--select", "TB107", tmp.path()});
  CHECK(dflt.exit_code == 0);
}

// ---------------------------------------------------------------------------
// TB2xx

TEST_CASE("TB201 empty-event-file fires on bad fixtures and stays quiet on good ones") { RunFixtureCases("TB201"); }

TEST_CASE("TB202 header-only-file fires on bad fixtures and stays quiet on good ones") { RunFixtureCases("TB202"); }

TEST_CASE("TB203 missing-file-version fires on bad fixtures and stays quiet on good ones") { RunFixtureCases("TB203"); }

TEST_CASE("TB204 bad-wall-time fires on bad fixtures and stays quiet on good ones") { RunFixtureCases("TB204"); }

TEST_CASE("TB205 non-finite-value fires on bad fixtures and stays quiet on good ones") { RunFixtureCases("TB205"); }

TEST_CASE("TB205 non-finite-value names the first tag and step and counts the values") {
  const LintResult r = LintFixture("TB205/bad/simple_value_nan");
  const Finding* f = FindingAt(r, "TB205", "train/events.out.tfevents.1795298000.gpu-node-1.4242.0");
  REQUIRE(f != nullptr);
  INFO(f->message);
  CHECK(f->tag == std::optional<std::string>("train/loss"));
  CHECK(f->step == std::optional<int64_t>(3));
  CHECK(f->message.find("3 non-finite") != std::string::npos);  // steps 3, 4 and 5
}

// ---------------------------------------------------------------------------
// TB3xx

const std::string kTorchFixtureFile = "train/events.out.tfevents.1795298000.gpu-node-1.4242.0";

// A case of the real corpus, fixtures/corpus/cases/<name>, linted from a copy
// whose files were last modified an hour ago.
bool Says(const Finding* f, const std::string& words) {
  return f != nullptr && f->message.find(words) != std::string::npos;
}

TEST_CASE("TB301 overwritten-step fires on bad fixtures and stays quiet on good ones") { RunFixtureCases("TB301"); }

TEST_CASE("TB301 overwritten-step counts the re-logged points and names the first tag and step") {
  {
    const LintResult r = LintFixture("TB301/bad/same_step_logged_twice");
    const Finding* f = FindingAt(r, "TB301", kTorchFixtureFile);
    REQUIRE(f != nullptr);
    INFO(f->message);
    CHECK(f->message.rfind("10 points re-log", 0) == 0);  // steps 0-9, each a second time
    CHECK(f->tag == std::optional<std::string>("train/loss"));
    CHECK(f->step == std::optional<int64_t>(0));
  }
  {
    // The real files: a loop logging the batch index (3 epochs of 80), and a
    // loop and a callback both logging every step.
    const LintResult reset = LintCorpusCase("step_reset_each_epoch");
    const Finding* f = FindingAt(reset, "TB301", "run/events.out.tfevents.1795300611.vm.17738.0");
    CHECK(Says(f, "160 points re-log"));
    const LintResult twice = LintCorpusCase("same_step_logged_twice");
    CHECK(Says(FindingAt(twice, "TB301", "train/events.out.tfevents.1795300612.vm.17740.0"), "100 points re-log"));
  }
}

TEST_CASE("TB301 overwritten-step: steps after a SessionLog START in the same file are not counted as re-logs") {
  // One file: steps 0-9, then torch's purge_step pair at step 6 and steps
  // 6-15. The START lowers the highest step still shown to 5, so 6-9 are not
  // re-logs for TB301; the step still goes back, so TB302 reports it; the
  // file_version + START pair is not a second writer.
  TempDir tmp;
  std::vector<std::string> payloads = {events::PlainHeader(1795298000.0)};
  for (int s = 0; s < 10; ++s) payloads.push_back(events::Scalar(1795298001.0 + s, s, "loss", 1.0f));
  tensorboard::Event purge;
  purge.set_wall_time(1795298011.0);
  purge.set_step(6);
  purge.set_file_version("brain.Event:2");
  payloads.push_back(events::Serialize(purge));
  payloads.push_back(events::SessionLog(1795298011.0, 6, tensorboard::SessionLog::START));
  for (int s = 6; s < 16; ++s) payloads.push_back(events::Scalar(1795298012.0 + s, s, "loss", 1.0f));
  const std::string file = "run/events.out.tfevents.1795298000.gpu-node-1.4242.0";
  WriteFile(tmp / file, Frame(payloads));
  SetMtime(tmp / file, Now() - 3600);
  const LintResult r = LintCase(tmp.path());
  INFO("reported:" << DescribeAll(r));
  CHECK(Count(r, "TB301") == 0);
  CHECK(Says(FindingAt(r, "TB302", file), "goes back from step 9 to 6"));
  CHECK(Count(r, "TB401") == 0);
}

TEST_CASE("TB302 step-regression fires on bad fixtures and stays quiet on good ones") { RunFixtureCases("TB302"); }

TEST_CASE("TB302 step-regression says from which step to which, and how often") {
  {
    const LintResult r = LintFixture("TB302/bad/reset_to_0");
    const Finding* f = FindingAt(r, "TB302", kTorchFixtureFile);
    REQUIRE(f != nullptr);
    INFO(f->message);
    CHECK(Says(f, "train/loss goes back from step 9 to 0"));
    CHECK(!Says(f, "times)"));  // once
    CHECK(f->step == std::optional<int64_t>(0));
  }
  {
    const LintResult r = LintCorpusCase("step_reset_each_epoch");
    const Finding* f = FindingAt(r, "TB302", "run/events.out.tfevents.1795300611.vm.17738.0");
    REQUIRE(f != nullptr);
    INFO(f->message);
    CHECK(Says(f, "from step 79 to 0 (2 times)"));
  }
}

TEST_CASE("TB303 resumed-run-overlap fires on bad fixtures and stays quiet on good ones") { RunFixtureCases("TB303"); }

TEST_CASE("TB303 resumed-run-overlap gives the overlapping steps, the points and both files") {
  {
    const LintResult r = LintFixture("TB303/bad/resumed_run_relogs_110_150");
    const Finding* f = FindingAt(r, "TB303", "train");
    REQUIRE(f != nullptr);
    INFO(f->message);
    CHECK(Says(f,
               "events.out.tfevents.1795299000.gpu-node-1.5310.0 re-logs steps 110–150 that "
               "events.out.tfevents.1795298000.gpu-node-1.4242.0 already holds: 41 earlier points"));
    CHECK(f->step == std::optional<int64_t>(110));
  }
  {
    // purge_step on the resume alone does not help: the run had no START yet.
    const LintResult r = LintFixture("TB303/bad/purge_step_without_earlier_start");
    const Finding* f = FindingAt(r, "TB303", "train");
    REQUIRE(f != nullptr);
    INFO(f->message);
    CHECK(Says(f, "re-logs steps 20–30"));
    CHECK(Says(f, "a resumed job: resume with purge_step on the first job too"));
    CHECK(Says(f, "fresh run directory"));
  }
  {
    // A copy beside its original overlaps it in wall time: not a resumed job.
    const LintResult r = LintCorpusCase("backup_copy_beside_original");
    const Finding* f = FindingAt(r, "TB303", "run");
    REQUIRE(f != nullptr);
    INFO(f->message);
    CHECK(Says(f, "written at the same time"));
    CHECK(Says(f, "not a resumed job"));
  }
  {
    // The real files: steps 0-150, then a restart from the step-110 checkpoint.
    const LintResult r = LintCorpusCase("resumed_run_overlap");
    const Finding* f = FindingAt(r, "TB303", "run");
    REQUIRE(f != nullptr);
    INFO(f->message);
    CHECK(Says(f, "re-logs steps 110–150"));
    CHECK(Says(f, "82 earlier points in 2 tags (acc, loss)"));
    CHECK(Says(f, "a resumed job"));
    CHECK_FALSE(Says(f, "written at the same time"));
  }
}

// ---------------------------------------------------------------------------
// TB4xx

TEST_CASE("TB401 duplicate-writer fires on bad fixtures and stays quiet on good ones") { RunFixtureCases("TB401"); }

TEST_CASE("TB401 duplicate-writer says which signs of a second writer it saw") {
  {
    const LintResult r = LintFixture("TB401/bad/second_file_version_mid_file");
    const Finding* f = FindingAt(r, "TB401", "train/events.out.tfevents.1795298000.gpu-node-2");
    CHECK(Says(f, "1 more file_version record after the first (record 6)"));
  }
  {
    const LintResult r = LintFixture("TB401/bad/same_second_collision");
    const Finding* f = FindingAt(r, "TB401", "train/events.out.tfevents.1795298000.gpu-node-2");
    CHECK(Says(f, "wall time jumps back 3 times (by up to 0.4 s), first at record 17"));
    // The trials overwrote each other block for block: the steps never go back.
    CHECK(Count(r, "TB302") == 0);
  }
  {
    const LintResult r = LintCorpusCase("tensorboardX_same_second_collision");
    CHECK(Says(FindingAt(r, "TB401", "sweep/events.out.tfevents.1795300588.vm"), "wall time jumps back 4 times"));
  }
}

TEST_CASE("TB402 concurrent-writers fires on bad fixtures and stays quiet on good ones") { RunFixtureCases("TB402"); }

TEST_CASE("TB402 concurrent-writers names each writer's host and pid") {
  {
    const LintResult r = LintFixture("TB402/bad/trainer_and_evaluator");
    const Finding* f = FindingAt(r, "TB402", "run");
    REQUIRE(f != nullptr);
    INFO(f->message);
    CHECK(Says(f, "2 event files in run 'run'"));
    CHECK(Says(f, "events.out.tfevents.1795298000.gpu-node-1.4242.0 (gpu-node-1 pid 4242 #0)"));
    CHECK(Says(f, "events.out.tfevents.1795298005.gpu-node-1.4250.0 (gpu-node-1 pid 4250 #0)"));
  }
  {
    const LintResult r = LintCorpusCase("trainer_and_evaluator_one_run");
    const Finding* f = FindingAt(r, "TB402", "run");
    REQUIRE(f != nullptr);
    INFO(f->message);
    CHECK(Says(f, "vm pid 17730"));
    CHECK(Says(f, "vm pid 17732"));
  }
}

// A child process holding a file open for writing (O_WRONLY | O_APPEND, as an
// event writer does) until it is killed: a live writer that is not this
// process, which tblint never counts. Killed and reaped on scope exit.
class LiveWriter {
 public:
  explicit LiveWriter(const std::string& path) : path_(path) {
    const char* p = path_.c_str();
    pid_ = ::fork();
    if (pid_ == 0) {
      // Only async-signal-safe calls between fork and exit.
      ::alarm(60);  // never outlive a test that crashed
      if (::open(p, O_WRONLY | O_APPEND) < 0) ::_exit(1);
      for (;;) ::pause();
    }
  }
  ~LiveWriter() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  LiveWriter(const LiveWriter&) = delete;
  LiveWriter& operator=(const LiveWriter&) = delete;

  // Polls /proc/<pid>/fd (up to 10 s) until the child holds the file.
  bool WaitUntilOpen() const {
    if (pid_ <= 0) return false;
    struct stat want {};
    if (::stat(path_.c_str(), &want) != 0) return false;
    const std::string fd_dir = "/proc/" + std::to_string(pid_) + "/fd";
    for (int i = 0; i < 1000; ++i) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) return false;  // could not open it
      boost::system::error_code ec;
      for (fs::directory_iterator it(fd_dir, ec), end; !ec && it != end; it.increment(ec)) {
        struct stat st {};
        if (::stat(it->path().c_str(), &st) == 0 && st.st_dev == want.st_dev && st.st_ino == want.st_ino) {
          return true;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

 private:
  std::string path_;
  pid_t pid_ = -1;
};

TEST_CASE("TB403 live-writer fires on bad fixtures and stays quiet on good ones") {
  // git cannot store a running process: each bad case's file is held open for
  // writing by a child process while it is linted.
  if (!fs::is_directory("/proc/self/fdinfo")) {
    MESSAGE("no /proc/<pid>/fdinfo here: TB403 cannot see writers; test skipped");
    return;
  }
  const std::vector<FixtureCase> bad = Cases("TB403", "bad");
  const std::vector<FixtureCase> good = Cases("TB403", "good");
  REQUIRE(!bad.empty());
  REQUIRE(!good.empty());
  for (const FixtureCase& c : bad) {
    const std::string& fixture = c.name;
    CAPTURE(fixture);
    TempDir tmp;
    Materialize(c.dir, tmp.path(), Now() - 3600);
    std::string held;
    for (const ExpectedFinding& e : c.findings) {
      if (e.code == "TB403") held = e.path;
    }
    REQUIRE(!held.empty());
    {
      LiveWriter writer(tmp / held);
      REQUIRE(writer.WaitUntilOpen());
      CheckBadCase("TB403", c, LintCase(tmp.path(), c.options));

      // A truncated tail under a live writer is not cut.
      const auto before = Snapshot(tmp.path());
      const CliResult cli = RunCli({"--fix", tmp.path()});
      INFO(cli.out << cli.err);
      CHECK(cli.out.find("not fixed: a process has it open for writing") != std::string::npos);
      CHECK(Snapshot(tmp.path()) == before);
      CHECK(!fs::exists(tmp / kBackupDirName));
    }
    // The writer is gone: TB403 says nothing, and the tail is an error again.
    const LintResult after = LintCase(tmp.path(), c.options);
    INFO("after the writer exited:" << DescribeAll(after));
    CHECK(Count(after, "TB403") == 0);
    const Finding* tail = FindingAt(after, "TB101", held);
    REQUIRE(tail != nullptr);
    CHECK(tail->severity == Severity::kError);
  }
  for (const FixtureCase& c : good) {
    const std::string& fixture = c.name;
    CAPTURE(fixture);
    TempDir tmp;
    Materialize(c.dir, tmp.path(), Now() - 3600);
    CheckGoodCase("TB403", LintCase(tmp.path(), c.options));
  }
}

TEST_CASE("TB403 live-writer ignores files this process itself has open for writing") {
  // tblint skips its own pid: the test process holding the file is not a writer.
  if (!fs::is_directory("/proc/self/fdinfo")) return;
  TempDir tmp;
  const std::string file = tmp / kTorchFixtureFile;
  WriteFile(file, SmallEventFile(3));
  SetMtime(file, Now() - 3600);
  const int fd = ::open(file.c_str(), O_WRONLY | O_APPEND);
  REQUIRE(fd >= 0);
  CHECK(Count(LintCase(tmp.path()), "TB403") == 0);
  ::close(fd);
}

TEST_CASE("TB404 short-lived-writers fires on bad fixtures and stays quiet on good ones") { RunFixtureCases("TB404"); }

TEST_CASE("TB404 short-lived-writers gives the files, the process and the steps in TensorBoard's order") {
  {
    const LintResult r = LintFixture("TB404/bad/writer_per_step");
    const Finding* f = FindingAt(r, "TB404", "run");
    REQUIRE(f != nullptr);
    INFO(f->message);
    CHECK(Says(f, "12 event files in run 'run' come from one process (gpu-node-1 pid 4242)"));
    CHECK(Says(f, "median 1"));
    CHECK(Says(f, "steps come back out of order as 0, 1, 10, 11, 2, 3, 4, 5, ..."));
    CHECK(Says(f, "create the writer once, outside the loop"));
  }
  {
    const LintResult r = LintFixture("TB404/bad/writer_per_epoch_never_closed");
    const Finding* f = FindingAt(r, "TB404", "run");
    REQUIRE(f != nullptr);
    INFO(f->message);
    CHECK(Says(f, "6 event files in run 'run'"));
    CHECK(Says(f, "median 3"));
    CHECK(Says(f, "in name order (first steps 0, 3, 6, 9, 12, 15)"));
  }
}

TEST_CASE("TB404 short-lived-writers needs 5 files from one pid: 4 short files, or 6 from 6 pids, are quiet") {
  TempDir tmp;
  for (int i = 0; i < 4; ++i) {
    const std::string name = "run/events.out.tfevents.1795298000.gpu-node-1.4242." + std::to_string(i);
    WriteFile(tmp / name, SmallEventFile(1, 1795298000.0 + i));
    SetMtime(tmp / name, Now() - 3600);
  }
  for (int i = 0; i < 6; ++i) {
    const std::string name = "other/events.out.tfevents.1795298000.gpu-node-1." + std::to_string(5000 + i) + ".0";
    WriteFile(tmp / name, SmallEventFile(1, 1795298000.0 + i));
    SetMtime(tmp / name, Now() - 3600);
  }
  const LintResult r = LintCase(tmp.path());
  INFO("reported:" << DescribeAll(r));
  CHECK(Count(r, "TB404") == 0);
}

// ---------------------------------------------------------------------------
// TB5xx

// The findings of `code` in a real corpus case, by path.
std::map<std::string, std::string> CorpusFindings(const std::string& name, const std::string& code) {
  TempDir tmp;
  Materialize(SourceDir() + "/fixtures/corpus/cases/" + name, tmp.path(), Now() - 3600);
  std::map<std::string, std::string> out;
  for (const Finding& f : LintCase(tmp.path()).findings) {
    if (code == f.rule->code) out[f.path] += f.message;
  }
  return out;
}

TEST_CASE("TB501 deep-run fires on bad fixtures and stays quiet on good ones") { RunFixtureCases("TB501"); }

TEST_CASE("TB501 deep-run flags torch's add_hparams and add_scalars runs and the deep run in the real corpus") {
  const auto found = CorpusFindings("layout_hparams_scalars_deep", "TB501");
  CHECK(found.size() == 4);
  REQUIRE(found.count("sweep/trial_0/1795300613.1663823"));
  CHECK(found.at("sweep/trial_0/1795300613.1663823").find("add_hparams") != std::string::npos);
  REQUIRE(found.count("sweep/trial_0/loss_cmp_train"));
  CHECK(found.at("sweep/trial_0/loss_cmp_train").find("add_scalars") != std::string::npos);
  CHECK(found.at("sweep/trial_0/loss_cmp_train").find("'loss_cmp'") != std::string::npos);
  CHECK(found.count("sweep/trial_0/loss_cmp_val") == 1);
  REQUIRE(found.count("projects/vision/resnet/2026-11/seed_7"));
  CHECK(found.at("projects/vision/resnet/2026-11/seed_7").find("5 directory levels") != std::string::npos);
  // The trial's own run is neither deep nor a torch nest.
  CHECK(found.count("sweep/trial_0") == 0);
}

TEST_CASE("TB501 deep-run follows --max-depth on the command line") {
  TempDir tmp;
  Materialize(FixtureRoot() + "/TB501/bad/five_levels_deep", tmp.path(), Now() - 3600);
  const CliResult dflt = RunCli({"--select", "TB501", tmp.path()});
  CHECK(dflt.exit_code == 1);
  CHECK(dflt.out.find("TB501") != std::string::npos);
  CHECK(RunCli({"--select", "TB501", "--max-depth", "5", tmp.path()}).exit_code == 0);
  CHECK(RunCli({"--select", "TB501", "--max-depth", "4", tmp.path()}).exit_code == 1);
  CHECK(RunCli({"--max-depth", "-1", tmp.path()}).exit_code == 2);
}

TEST_CASE("TB502 events-beside-runs fires on bad fixtures and stays quiet on good ones") { RunFixtureCases("TB502"); }

TEST_CASE("TB502 events-beside-runs flags the logdir root and a parent run in the real corpus") {
  const auto root = CorpusFindings("events_in_root_and_runs", "TB502");
  CHECK(root.size() == 1);
  REQUIRE(root.count("."));
  CHECK(root.at(".").find("2 nested runs: run_a, run_b") != std::string::npos);
  const auto layout = CorpusFindings("layout_hparams_scalars_deep", "TB502");
  CHECK(layout.size() == 1);
  CHECK(layout.count("sweep/trial_0") == 1);
}

TEST_CASE("TB503 stray-event-copy fires on bad fixtures and stays quiet on good ones") { RunFixtureCases("TB503"); }

TEST_CASE("TB503 stray-event-copy flags the .bak copy in the real corpus and not the original") {
  const auto found = CorpusFindings("backup_copy_beside_original", "TB503");
  CHECK(found.size() == 1);
  REQUIRE(found.count("run/events.out.tfevents.1795300619.vm.17755.0.bak"));
  CHECK(found.at("run/events.out.tfevents.1795300619.vm.17755.0.bak").find(".bak copy") != std::string::npos);
}

TEST_CASE("TB503 stray-event-copy leaves torch's free-form filename_suffix alone") {
  // torch's SummaryWriter(filename_suffix=...) appends anything; only known
  // copy and temporary patterns are flagged.
  const std::string base = "events.out.tfevents.1795298000.gpu-node-1.4242.0";
  for (const char* suffix : {"", ".rank0", "_worker1", ".v2", ".profile-empty", ".json", "-final"}) {
    CAPTURE(suffix);
    CHECK(StrayCopyReason(base + suffix).empty());
  }
  for (const char* suffix : {".bak", ".orig", "~", " (2)", ".tmp", ".part"}) {
    CAPTURE(suffix);
    CHECK(!StrayCopyReason(base + suffix).empty());
  }
  CHECK(!StrayCopyReason("." + base + ".q8XzLm").empty());  // rsync temporary
  CHECK(!StrayCopyReason("Copy of " + base).empty());       // renamed copy
}

TEST_CASE("TB504 unreadable-path fires on bad fixtures and stays quiet on good ones") { RunFixtureCases("TB504"); }

TEST_CASE("TB504 unreadable-path reports a FIFO, a socket and a device named like event files without hanging") {
  TempDir tmp;
  WriteFile(tmp / "eval/events.out.tfevents.1795298000.gpu-node-1.4242.1", SmallEventFile(3));
  SetMtime(tmp / "eval/events.out.tfevents.1795298000.gpu-node-1.4242.1", Now() - 3600);
  fs::create_directories(tmp / "train");
  // A FIFO: opening it for reading would block until a writer appears.
  const std::string fifo = "train/events.out.tfevents.1795298000.gpu-node-1.4242.0";
  REQUIRE(::mkfifo((tmp / fifo).c_str(), 0644) == 0);
  // A symlink to /dev/zero: reading it never ends.
  const std::string zero = "train/events.out.tfevents.x";
  fs::create_symlink("/dev/zero", tmp / zero);
  // A socket, where the path fits in sockaddr_un.
  const std::string sock = "train/events.out.tfevents.sock";
  bool have_socket = false;
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string sock_path = tmp / sock;
  if (sock_path.size() < sizeof(addr.sun_path)) {
    std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", sock_path.c_str());
    have_socket = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  if (!have_socket) MESSAGE("could not bind a socket under " << tmp.path() << "; socket case skipped");

  LintResult r;
  {
    Watchdog watchdog("linting a logdir with a FIFO, a socket and /dev/zero", 30);
    r = LintCase(tmp.path());
  }
  INFO("reported:" << DescribeAll(r));
  CHECK(FindingAt(r, "TB504", fifo) != nullptr);
  CHECK(FindingAt(r, "TB504", zero) != nullptr);
  if (have_socket) CHECK(FindingAt(r, "TB504", sock) != nullptr);
  for (const Finding& f : r.findings) {
    if (std::string("TB504") == f.rule->code) CHECK(f.severity == Severity::kError);
  }

  // Given directly, as the one path to lint, the FIFO is a finding too.
  {
    Watchdog watchdog("linting a FIFO given as the path", 30);
    const LintResult single = LintCase(tmp / fifo);
    CHECK(Count(single, "TB504") == 1);
  }
  // And the CLI finishes, reporting it.
  {
    Watchdog watchdog("tblint on a logdir with a FIFO", 30);
    const CliResult cli = RunCli({"--select", "TB504", tmp.path()});
    CHECK(cli.exit_code == 1);
    CHECK(cli.out.find("FIFO") != std::string::npos);
  }
  ::close(fd);
}

TEST_CASE("TB504 unreadable-path reports a directory that cannot be listed") {
  TempDir tmp;
  WriteFile(tmp / "eval/events.out.tfevents.1795298000.gpu-node-1.4242.1", SmallEventFile(3));
  WriteFile(tmp / "train/events.out.tfevents.1795298000.gpu-node-1.4242.0", SmallEventFile(3));
  REQUIRE(::chmod((tmp / "train").c_str(), 0) == 0);
  if (::access((tmp / "train").c_str(), R_OK) == 0) {
    // Root (as in the CI container) reads through any permission bits.
    MESSAGE("running with permission to read a mode-000 directory (root?); case skipped");
    return;
  }
  const LintResult r = LintCase(tmp.path());
  INFO("reported:" << DescribeAll(r));
  CHECK(FindingAt(r, "TB504", "train") != nullptr);
}

TEST_CASE("TB505 no-event-files fires on bad fixtures and stays quiet on good ones") { RunFixtureCases("TB505"); }

TEST_CASE("TB505 no-event-files fires on an empty directory") {
  // git cannot store an empty directory, so this case is made here.
  TempDir tmp;
  const LintResult r = LintCase(tmp.path());
  CHECK(Count(r, "TB505", ".") == 1);
}

TEST_CASE("TB506 missing-projector-asset fires on bad fixtures and stays quiet on good ones") {
  RunFixtureCases("TB506");
}

TEST_CASE("TB506 missing-projector-asset names the missing tensor file of the real corpus") {
  const auto found = CorpusFindings("projector_missing_tensor", "TB506");
  CHECK(found.size() == 1);
  REQUIRE(found.count("emb/projector_config.pbtxt"));
  const std::string& message = found.at("emb/projector_config.pbtxt");
  CHECK(message.find("tensor_path '00000/features/tensors.tsv'") != std::string::npos);
  CHECK(message.find("metadata") == std::string::npos);  // metadata.tsv exists
}

TEST_CASE("TB506 missing-projector-asset checks absolute paths as they are") {
  // Fixtures cannot hold absolute paths, so this case is made here.
  TempDir tmp;
  WriteFile(tmp / "emb/events.out.tfevents.1795298000.gpu-node-1.4242.0", SmallEventFile(3));
  SetMtime(tmp / "emb/events.out.tfevents.1795298000.gpu-node-1.4242.0", Now() - 3600);
  WriteFile(tmp / "assets/tensors.tsv", "0.1\t0.2\n");
  WriteFile(tmp / "emb/projector_config.pbtxt", "embeddings {\n  tensor_path: \"" + (tmp / "assets/tensors.tsv") +
                                                    "\"\n  metadata_path: \"" + (tmp / "assets/metadata.tsv") +
                                                    "\"\n}\n");
  const LintResult r = LintCase(tmp.path());
  INFO("reported:" << DescribeAll(r));
  REQUIRE(Count(r, "TB506") == 1);
  const Finding* f = FindingAt(r, "TB506", "emb/projector_config.pbtxt");
  REQUIRE(f != nullptr);
  CHECK(f->message.find("metadata_path '" + (tmp / "assets/metadata.tsv") + "'") != std::string::npos);
  CHECK(f->run == "emb");
}

TEST_CASE("TB507 duplicate-run-copy fires on bad fixtures and stays quiet on good ones") { RunFixtureCases("TB507"); }

TEST_CASE("TB507 duplicate-run-copy names the runs holding the copies, once per group") {
  const std::string name = "events.out.tfevents.1795298000.gpu-node-1.4242.0";
  {
    const LintResult r = LintFixture("TB507/bad/run_copied_with_cp");
    REQUIRE(Count(r, "TB507") == 1);
    const Finding* f = FindingAt(r, "TB507", "runs/exp1/" + name);
    REQUIRE(f != nullptr);
    INFO(f->message);
    CHECK(Says(f, "event file '" + name +
                      "' is in 2 runs with the same first 8 records: 'runs/exp1' and "
                      "'runs/exp1_backup'"));
    CHECK(Says(f, "keep one copy"));
    CHECK(f->run == "runs/exp1");
    CHECK(f->impact.find("2 runs with identical curves") != std::string::npos);
  }
  {
    // Copies made while the file was written are shorter: compared on the
    // records all of them hold.
    const LintResult r = LintFixture("TB507/bad/copied_twice_while_written");
    REQUIRE(Count(r, "TB507") == 1);
    const Finding* f = FindingAt(r, "TB507", "archive/monday/exp1/" + name);
    REQUIRE(f != nullptr);
    INFO(f->message);
    CHECK(Says(f,
               "is in 3 runs with the same first 4 records: 'archive/monday/exp1', 'archive/tuesday/exp1' and "
               "'exp1'"));
  }
}

TEST_CASE("TB507 duplicate-run-copy leaves a stray copy inside one run to TB503") {
  TempDir tmp;
  const std::string name = "events.out.tfevents.1795298000.gpu-node-1.4242.0";
  WriteFile(tmp / ("run/" + name), SmallEventFile(3));
  WriteFile(tmp / ("run/" + name + ".bak"), SmallEventFile(3));
  SetMtime(tmp / ("run/" + name), Now() - 3600);
  SetMtime(tmp / ("run/" + name + ".bak"), Now() - 3600);
  const LintResult r = LintCase(tmp.path());
  INFO("reported:" << DescribeAll(r));
  CHECK(Count(r, "TB507") == 0);
  CHECK(Count(r, "TB503") == 1);
}

// ---------------------------------------------------------------------------
// TB6xx

TEST_CASE("TB601 downsampled-tag fires on bad fixtures and stays quiet on good ones") { RunFixtureCases("TB601"); }

TEST_CASE("TB601 downsampled-tag says how many points are hidden and which setting shows them") {
  const LintResult r = LintFixture("TB601/bad/twelve_images");
  const Finding* f = FindingAt(r, "TB601", "train");
  REQUIRE(f != nullptr);
  CHECK(f->tag == std::optional<std::string>("samples/reconstruction"));
  for (const char* words : {"12 points (images)", "keeps 10", "hides 2", "--samples_per_plugin images=0"}) {
    CAPTURE(words);
    CHECK(f->message.find(words) != std::string::npos);
  }
  // The 12 scalars of the same run are far below the 1000 kept.
  CHECK(Count(r, "TB601") == 1);
}

TEST_CASE("TB601 downsampled-tag reports a run once, listing every downsampled tag") {
  TempDir tmp;
  // Run "a": two scalar tags and a histogram tag over the limits, one tag within them.
  std::vector<std::string> records = {events::PlainHeader(1795298000.0)};
  for (int i = 0; i < 1001; ++i) {
    records.push_back(events::Scalar(1795298001.0 + i, i, "train/loss", 0.5f));
    records.push_back(events::Scalar(1795298001.0 + i, i, "lr", 0.1f));
  }
  for (int i = 0; i < 501; ++i) records.push_back(events::Histogram(1795298001.0 + i, i, "weights", 0.0));
  for (int i = 0; i < 5; ++i) records.push_back(events::Scalar(1795298001.0 + i, i, "val/acc", 0.9f));
  WriteFile(tmp / "a/events.out.tfevents.1795298000.h.1.0", Frame(records));
  // Run "b": 22 downsampled tags, more than the message lists.
  records = {events::PlainHeader(1795298000.0)};
  for (int t = 0; t < 22; ++t) {
    char tag[16];
    std::snprintf(tag, sizeof tag, "h%02d", t);
    for (int i = 0; i < 501; ++i) records.push_back(events::Histogram(1795298001.0 + i, i, tag, 0.0, 1));
  }
  WriteFile(tmp / "b/events.out.tfevents.1795298000.h.2.0", Frame(records));

  const LintResult r = LintPath(tmp.path(), "TB601");
  CHECK(Count(r, "TB601") == 2);
  const Finding* a = FindingAt(r, "TB601", "a");
  REQUIRE(a != nullptr);
  CHECK(a->run == "a");
  CHECK(a->tag == std::optional<std::string>("lr"));  // the first in tag order
  CHECK(a->message ==
        "3 tags have more points than TensorBoard keeps by default: lr 1001 points (scalars), keeps 1000, hides 1; "
        "train/loss 1001 points (scalars), keeps 1000, hides 1; weights 501 points (histograms), keeps 500, hides 1; "
        "`--samples_per_plugin histograms=0,scalars=0` shows them all");
  CHECK(a->message.find("val/acc") == std::string::npos);
  const Finding* b = FindingAt(r, "TB601", "b");
  REQUIRE(b != nullptr);
  CHECK(b->tag == std::optional<std::string>("h00"));
  CHECK(b->message.find("22 tags have more points") == 0);
  CHECK(b->message.find("h19 501 points") != std::string::npos);
  CHECK(b->message.find("h20") == std::string::npos);  // the first 20 are listed
  CHECK(b->message.find("; and 2 more; `--samples_per_plugin histograms=0` shows them all") != std::string::npos);
}

TEST_CASE("TB602 tag-kind-conflict fires on bad fixtures and stays quiet on good ones") { RunFixtureCases("TB602"); }

TEST_CASE("TB602 tag-kind-conflict names both kinds and the dashboard that wins") {
  const LintResult r = LintFixture("TB602/bad/images_then_text_in_a_later_file");
  const Finding* f = FindingAt(r, "TB602", "train");
  REQUIRE(f != nullptr);
  CHECK(f->tag == std::optional<std::string>("samples"));
  CHECK(f->message.find("images and text across 2 files") != std::string::npos);
  CHECK(f->impact.find("images dashboard only") != std::string::npos);
}

TEST_CASE("TB603 oversized-event-file fires on bad fixtures and stays quiet on good ones") {
  // The fixtures lower the limits (options.oversized_file_bytes and
  // oversized_graph_bytes) rather than hold a 1 GiB file or a 32 MiB graph.
  RunFixtureCases("TB603");
}

TEST_CASE("TB603 oversized-event-file keeps its limits at 1 GiB and 32 MiB by default") {
  const LintOptions defaults;
  CHECK(defaults.oversized_file_bytes == (1ull << 30));
  CHECK(defaults.oversized_graph_bytes == (32ull << 20));
}

// ---------------------------------------------------------------------------
// TB8xx

// ---------------------------------------------------------------------------
// TB7xx: the HParams dashboard. Besides the fixtures, the real writers'
// layouts are built here with tools/event_builders: torch's and tensorboardX's
// add_hparams (a <time.time()> run inside the trial's run) and TF's
// hp.hparams_config + hp.hparams.

// One trial as torch (or tensorboardX) leaves it: the writer's run logging
// train/loss, and add_hparams' nested run. Returns the nested run's name.
std::string WriteAddHparamsTrial(const TempDir& tmp, const std::string& trial, int index,
                                 const std::vector<events::HparamSetting>& hp,
                                 const std::vector<std::pair<std::string, float>>& metrics, bool tbx = false,
                                 double mtime = 0) {
  const double t0 = 1795298000.0 + 100 * index;
  std::string run_file;
  AppendRecord(&run_file, tbx ? events::PlainHeader(t0) : events::TorchHeader(t0));
  for (int step = 0; step < 5; ++step) AppendRecord(&run_file, events::Scalar(t0 + step, step, "train/loss", 1.0f));
  const std::string name = "events.out.tfevents." + std::to_string(static_cast<int64_t>(t0)) + ".gpu-node-1.4242." +
                           std::to_string(2 * index);
  fs::create_directories(tmp / trial);
  WriteFile(tmp / (trial + "/" + name), run_file);
  const double at = t0 + 50.25;
  std::string hp_file;
  for (const std::string& e : tbx ? events::TbxAddHparams(at, hp, metrics) : events::TorchAddHparams(at, hp, metrics)) {
    AppendRecord(&hp_file, e);
  }
  const std::string run = trial + "/" + events::TimeDotTimeName(at);
  fs::create_directories(tmp / run);
  const std::string hp_name = "events.out.tfevents." + std::to_string(static_cast<int64_t>(at)) + ".gpu-node-1.4242." +
                              std::to_string(2 * index + 1);
  WriteFile(tmp / (run + "/" + hp_name), hp_file);
  const double when = mtime > 0 ? mtime : Now() - 3600;
  SetMtime(tmp / (trial + "/" + name), when);
  SetMtime(tmp / (run + "/" + hp_name), when);
  return run;
}

int CountTB7(const LintResult& r) {
  int n = 0;
  for (const Finding& f : r.findings) n += std::string(f.rule->code).rfind("TB7", 0) == 0 ? 1 : 0;
  return n;
}

// The streamed check (a consumer; each file's tags, session starts and path
// released as soon as its run is checked, as `tblint check` does) finds
// exactly what the collected scan finds: every rule's fixtures, the
// logdir-wide ones (TB502, TB504, TB507, TB701-TB704) among them.
class CollectFindings final : public FindingsConsumer {
 public:
  void OnFindings(const LintResult&, const RunResult*, std::vector<Finding>* findings) override {
    for (Finding& f : *findings) got.push_back(std::move(f));
  }
  std::vector<Finding> got;
};

void CheckSameFindings(const std::vector<Finding>& a, const std::vector<Finding>& b) {
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    CAPTURE(i);
    CHECK(Describe(a[i]) == Describe(b[i]));
    CHECK(a[i].run == b[i].run);
    CHECK(a[i].tag == b[i].tag);
    CHECK(a[i].impact == b[i].impact);
    CHECK(a[i].severity == b[i].severity);
  }
}

TEST_CASE("the streamed check with file details released finds what the collected scan finds, every fixture") {
  size_t cases = 0, logdir_wide = 0;
  for (const auto& rule : AllRules()) {
    const std::string code = rule->info().code;
    for (const char* kind : {"bad", "good"}) {
      for (const FixtureCase& c : Cases(code, kind)) {
        const std::string& fixture = c.name;
        CAPTURE(fixture);
        TempDir tmp;
        Materialize(c.dir, tmp.path(), Now() - 3600);
        const double now = Now();
        const LintResult collected = LintCase(tmp.path(), c.options, now);
        for (bool release : {false, true}) {
          CAPTURE(release);
          CollectFindings consumer;
          const LintResult streamed = LintCase(tmp.path(), c.options, now, &consumer, release);
          CHECK(streamed.findings.empty());
          CheckSameFindings(consumer.got, collected.findings);
          CHECK(streamed.logdir.files.size() == collected.logdir.files.size());
          CHECK(streamed.logdir.runs.size() == collected.logdir.runs.size());
          CHECK(streamed.records == collected.records);
          if (release) {
            for (const FileResult& f : streamed.logdir.files) {
              CHECK(f.tags.empty());
              CHECK(f.findings.empty());
            }
          }
        }
        ++cases;
        for (const Finding& f : collected.findings) {
          const std::string fc = f.rule->code;
          if (fc == "TB502" || fc == "TB507" || fc.rfind("TB70", 0) == 0) ++logdir_wide;
        }
      }
    }
  }
  CHECK(cases > 60);
  CHECK(logdir_wide > 10);
}

// Several fixtures' logdirs side by side in one: many runs, with TB502, TB507
// and TB701-TB704 findings, and run findings between them.
TEST_CASE("tblint check streams the same report with file details released: text, json, github, sarif") {
  TempDir tmp;
  const std::string logs = tmp / "logs";
  for (const char* rel : {"TB507/bad/run_copied_with_cp", "TB701/bad", "TB702/bad", "TB703/bad", "TB704/bad",
                          "TB502/bad", "TB104/bad"}) {
    Materialize(FixtureRoot() + "/" + rel, logs + "/" + rel, Now() - 3600);
  }
  const LintResult collected = LintCase(logs);
  for (const char* code : {"TB502", "TB507", "TB701", "TB702", "TB703", "TB704", "TB104"}) {
    CAPTURE(code);
    CHECK(Count(collected, code) > 0);
  }
  CollectFindings consumer;
  const LintResult streamed = LintCase(logs, json::object(), 0, &consumer, true);
  CheckSameFindings(consumer.got, collected.findings);
  // The CLI (which releases file details when it streams) against the
  // report rendered from the collected findings.
  for (const char* format : {"text", "json", "github", "sarif"}) {
    CAPTURE(format);
    const CliResult cli = RunCli({"--color", "never", "--format", format, "--fail-on", "never", logs});
    CHECK(cli.exit_code == 0);
    const LintResult again = LintCase(logs);
    ReportInput in;
    in.results.push_back(&again);
    std::ostringstream rendered;
    RenderOptions options;
    Render(rendered, in, *ParseFormat(format), options);
    if (std::string(format) == "json") {
      json a = json::parse(cli.out), b = json::parse(rendered.str());
      a["summary"]["seconds"] = 0;
      b["summary"]["seconds"] = 0;
      CHECK(a == b);
    } else {
      const std::regex seconds(" in [0-9]+\\.[0-9]{2} s: ");
      CHECK(std::regex_replace(cli.out, seconds, " in X s: ") ==
            std::regex_replace(rendered.str(), seconds, " in X s: "));
    }
  }
}

TEST_CASE("TB701 hparams-run-missing fires on bad fixtures and stays quiet on good ones") { RunFixtureCases("TB701"); }

TEST_CASE("TB702 hparams-metric-not-logged fires on bad fixtures and stays quiet on good ones") {
  RunFixtureCases("TB702");
}

TEST_CASE("TB703 hparams-type-conflict fires on bad fixtures and stays quiet on good ones") { RunFixtureCases("TB703"); }

TEST_CASE("TB704 hparams-config-mismatch fires on bad fixtures and stays quiet on good ones") {
  RunFixtureCases("TB704");
}

TEST_CASE("TB701-TB704 stay quiet on a clean sweep in torch's and in tensorboardX's add_hparams layout") {
  for (const bool tbx : {false, true}) {
    CAPTURE(tbx);
    TempDir tmp;
    for (int i = 0; i < 3; ++i) {
      WriteAddHparamsTrial(tmp, "sweep/trial_" + std::to_string(i), i,
                           {events::HpNumber("lr", 0.01 * (i + 1)), events::HpString("opt", "adam"),
                            events::HpBool("amsgrad", i == 1)},
                           {{"hparam/accuracy", 0.8f}, {"hparam/loss", 0.2f}}, tbx);
    }
    const LintResult r = LintPath(tmp.path());
    INFO("reported:" << DescribeAll(r));
    CHECK(CountTB7(r) == 0);
    // The scan saw the three sessions (TB501 flags the nested runs, as designed).
    int sessions = 0;
    for (const FileResult& f : r.logdir.files) sessions += static_cast<int>(f.hparams->session_start_count);
    CHECK(sessions == 3);
  }
}

TEST_CASE("TB701 hparams-run-missing flags the crashed torch trial, in the real torch 1.13 corpus layout too") {
  // The corpus case as written by torch 1.13: no TB7xx finding.
  const LintResult clean = LintCorpusCase("layout_hparams_scalars_deep");
  CHECK(CountTB7(clean) == 0);
  // The same sweep with a second trial that crashed before add_hparams: a
  // copy of trial_0's own event file only.
  TempDir tmp;
  Materialize(SourceDir() + "/fixtures/corpus/cases/layout_hparams_scalars_deep", tmp.path(), Now() - 3600);
  const std::string file = "events.out.tfevents.1795300613.vm.17742.0";
  fs::create_directories(tmp / "sweep/trial_1");
  WriteFile(tmp / ("sweep/trial_1/" + file), ReadFile(tmp / ("sweep/trial_0/" + file)));
  SetMtime(tmp / ("sweep/trial_1/" + file), Now() - 3600);
  const LintResult r = LintPath(tmp.path());
  INFO("reported:" << DescribeAll(r));
  CHECK(Count(r, "TB701") == 1);
  const Finding* f = FindingAt(r, "TB701", "sweep/trial_1");
  REQUIRE(f != nullptr);
  CHECK(f->message.find("'sweep/trial_0/1795300613.1663823'") != std::string::npos);
  CHECK(f->impact.find("HParams dashboard has no row") != std::string::npos);
  // The trial's add_scalars runs and the unrelated deep experiment are not trials.
  CHECK(FindingAt(r, "TB701", "sweep/trial_0/loss_cmp_train") == nullptr);
  CHECK(FindingAt(r, "TB701", "projects/vision/resnet/2026-11/seed_7") == nullptr);
}

TEST_CASE("TB701 hparams-run-missing is info for a trial that may still be written") {
  TempDir tmp;
  WriteAddHparamsTrial(tmp, "sweep/trial_0", 0, {events::HpNumber("lr", 0.1)}, {{"hparam/accuracy", 0.8f}});
  std::string running;
  AppendRecord(&running, events::TorchHeader(Now() - 10));
  AppendRecord(&running, events::Scalar(Now() - 5, 0, "train/loss", 1.0f));
  fs::create_directories(tmp / "sweep/trial_1");
  WriteFile(tmp / "sweep/trial_1/events.out.tfevents.1795298100.gpu-node-1.4242.2", running);
  const LintResult r = LintPath(tmp.path());
  const Finding* f = FindingAt(r, "TB701", "sweep/trial_1");
  REQUIRE(f != nullptr);
  CHECK(f->severity == Severity::kInfo);
  CHECK(f->message.find("still being written") != std::string::npos);
}

TEST_CASE("TB702 hparams-metric-not-logged suggests the Keras tag and group the sessions do log") {
  const LintResult r = LintFixture("TB702/bad/keras_metric_named_without_group");
  const Finding* f = FindingAt(r, "TB702", ".");
  REQUIRE(f != nullptr);
  CHECK(f->message.find("logged by none of the 3 sessions") != std::string::npos);
  CHECK(f->message.find("hp.Metric(\"epoch_accuracy\", group=\"validation\")") != std::string::npos);
  CHECK(f->tag == "accuracy");
  CHECK(f->impact.find("empty column") != std::string::npos);

  const LintResult partial = LintFixture("TB702/bad/torch_metric_in_some_trials");
  REQUIRE(Count(partial, "TB702") == 1);
  for (const Finding& g : partial.findings) {
    if (std::string(g.rule->code) != "TB702") continue;
    CHECK(g.message.find("'hparam/loss'") != std::string::npos);
    CHECK(g.message.find("logged by 1 of the 2 sessions") != std::string::npos);
    CHECK(g.message.find("sweep/trial_1/") != std::string::npos);
  }
}

TEST_CASE("TB703 hparams-type-conflict names each type, its sessions and a value") {
  TempDir tmp;
  WriteAddHparamsTrial(tmp, "sweep/trial_0", 0, {events::HpNumber("lr", 0.01)}, {{"hparam/accuracy", 0.8f}});
  WriteAddHparamsTrial(tmp, "sweep/trial_1", 1, {events::HpNumber("lr", 0.02)}, {{"hparam/accuracy", 0.8f}});
  const std::string odd =
      WriteAddHparamsTrial(tmp, "sweep/trial_2", 2, {events::HpString("lr", "1e-3")}, {{"hparam/accuracy", 0.8f}});
  const LintResult r = LintPath(tmp.path());
  INFO("reported:" << DescribeAll(r));
  REQUIRE(Count(r, "TB703") == 1);
  const Finding* f = FindingAt(r, "TB703", odd);
  REQUIRE(f != nullptr);
  CHECK(f->message.find("'lr' is a number in 2 sessions") != std::string::npos);
  CHECK(f->message.find("a string in 1 session") != std::string::npos);
  CHECK(f->message.find(": 1e-3)") != std::string::npos);
  CHECK(f->impact.find("sorting the table by it fails") != std::string::npos);
}

TEST_CASE("TB704 hparams-config-mismatch names the hyperparameters that get no column") {
  const LintResult one = LintFixture("TB704/bad/tf_config_missing_a_hparam");
  const Finding* f = FindingAt(one, "TB704", ".");
  REQUIRE(f != nullptr);
  CHECK(f->message.find("declares 2 hyperparameters, but sessions also set 'units' (3 sessions)") !=
        std::string::npos);
  CHECK(f->impact.find("'units' are missing") != std::string::npos);

  const LintResult two = LintFixture("TB704/bad/torch_trials_with_different_keys");
  REQUIRE(Count(two, "TB704") == 1);
  for (const Finding& g : two.findings) {
    if (std::string(g.rule->code) != "TB704") continue;
    CHECK(g.message.find("2 experiment configs declare different hyperparameters") != std::string::npos);
    CHECK(g.message.find("depending on the one taken, these get no column: 'dropout'") != std::string::npos);
  }
}

TEST_CASE("TB801 empty-profile-session fires on bad fixtures and stays quiet on good ones") {
  RunFixtureCases("TB801");
}

TEST_CASE("TB801 empty-profile-session says what is missing or which file is damaged and how") {
  const std::string session = "train/plugins/profile/2026_11_21_21_53_20";
  {
    const LintResult r = LintFixture("TB801/bad/session_without_profile_data");
    const Finding* f = FindingAt(r, "TB801", session);
    REQUIRE(f != nullptr);
    INFO(f->message);
    CHECK(Says(f, "profile session '2026_11_21_21_53_20' holds no profile data (no *.xplane.pb"));
    CHECK(f->run == "train");
  }
  {
    const LintResult r = LintFixture("TB801/bad/empty_xplane");
    const Finding* f = FindingAt(r, "TB801", session);
    REQUIRE(f != nullptr);
    INFO(f->message);
    CHECK(Says(f,
               "1 of the 1 profile data files of session '2026_11_21_21_53_20' cannot be read: "
               "'gpu-node-1.xplane.pb' is empty (0 bytes)"));
  }
  {
    const LintResult r = LintFixture("TB801/bad/truncated_xplane");
    const Finding* f = FindingAt(r, "TB801", session);
    REQUIRE(f != nullptr);
    INFO(f->message);
    CHECK(Says(f, "1 of the 2 profile data files"));
    CHECK(Says(f, "'gpu-node-1.xplane.pb' is cut short (protobuf): the field at offset"));
    CHECK(Says(f, "runs 7 bytes past the end"));
    CHECK(f->message.find("gpu-node-2") == std::string::npos);
  }
  {
    const LintResult r = LintFixture("TB801/bad/truncated_trace_json_gz");
    const Finding* f = FindingAt(r, "TB801", session);
    REQUIRE(f != nullptr);
    INFO(f->message);
    CHECK(Says(f, "'gpu-node-1.trace.json.gz' is cut short (gzip): its last bytes give an uncompressed size of"));
  }
}

TEST_CASE("TB801 empty-profile-session flags an empty session folder at the logdir root, and nothing elsewhere") {
  TempDir tmp;  // git keeps no empty folders, so this case is made here
  WriteFile(tmp / "events.out.tfevents.1795298000.gpu-node-1.4242.0", SmallEventFile(3));
  SetMtime(tmp / "events.out.tfevents.1795298000.gpu-node-1.4242.0", Now() - 3600);
  fs::create_directories(fs::path(tmp / "plugins/profile/2026_11_21_21_53_20"));
  // Not a session: too shallow, or not below plugins/profile.
  fs::create_directories(fs::path(tmp / "plugins/profile"));
  fs::create_directories(fs::path(tmp / "other/profile/2026_11_21_21_53_20"));
  const LintResult r = LintCase(tmp.path());
  INFO("reported:" << DescribeAll(r));
  CHECK(Count(r, "TB801") == 1);
  const Finding* f = FindingAt(r, "TB801", "plugins/profile/2026_11_21_21_53_20");
  REQUIRE(f != nullptr);
  CHECK(f->run == ".");
}

// ---------------------------------------------------------------------------
// The README's first command: `tblint fixtures/demo`.

TEST_CASE("the demo logdir shows exactly one finding per planted problem") {
  TempDir tmp;
  Materialize(SourceDir() + "/fixtures/demo", tmp.path(), Now() - 3600);
  const LintResult r = LintCase(tmp.path());
  INFO("reported:" << DescribeAll(r));
  CHECK(FindingAt(r, "TB101", "lr-0.003/train/events.out.tfevents.1795298060.gpu-node-1.4377.0") != nullptr);
  CHECK(FindingAt(r, "TB102", "wd-0.1/train/events.out.tfevents.1795298090.gpu-node-3.5120.0") != nullptr);
  CHECK(FindingAt(r, "TB201", "tbx-baseline/events.out.tfevents.1795298123.gpu-node-2") != nullptr);
  CHECK(FindingAt(r, "TB205", "lr-0.01/train/events.out.tfevents.1795298030.gpu-node-1.4301.0") != nullptr);
  int loud = 0;
  for (const Finding& f : r.findings) loud += f.severity >= Severity::kWarning ? 1 : 0;
  CHECK(loud == 4);
  // The clean baseline run has nothing to report.
  for (const Finding& f : r.findings) CHECK(f.run.rfind("baseline", 0) != 0);
}

}  // namespace
}  // namespace tblint::test
