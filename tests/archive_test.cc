// `tblint archive` (docs/archive.md): whole runs move out of the logdir by
// age or deadness, live runs are refused, --dry-run writes nothing, names
// inside the logdir are defanged, and `tblint restore` puts everything back
// byte-identical (content, names, permissions, times), even after the
// archiver was killed at any of its durable steps.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/filesystem.hpp>
#include <cmath>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>
#include <vector>

#include "cli/archive_command.h"
#include "test_util.h"

namespace tblint {
namespace {

namespace fs = boost::filesystem;
using nlohmann::json;

constexpr double kDay = 86400;
const std::string kEv = "events.out.tfevents.1795298000.host.1.0";

// Every file under `dir` but the backup folder: bytes, mode and mtime (ns).
using Snap = std::map<std::string, std::tuple<std::string, unsigned, int64_t>>;
Snap Snapshot(const std::string& dir) {
  Snap out;
  if (!fs::exists(dir)) return out;
  for (fs::recursive_directory_iterator it(dir), end; it != end; ++it) {
    if (it->path().filename() == ".tblint-backup") {
      it.disable_recursion_pending();
      continue;
    }
    struct stat st {};
    ::lstat(it->path().c_str(), &st);
    const std::string rel = fs::relative(it->path(), dir).string();
    if (S_ISREG(st.st_mode)) {
      out[rel] = {test::ReadFile(it->path().string()), st.st_mode & 07777,
                  int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec};
    } else if (S_ISDIR(st.st_mode)) {
      out[rel + "/"] = {"", st.st_mode & 07777, 0};
    }
  }
  return out;
}

// A file dated `age` seconds ago.
void Put(const std::string& path, const std::string& bytes, double age) {
  test::WriteFile(path, bytes);
  test::SetMtime(path, test::Now() - age);
}

// The header alone: a file_version record.
std::string HeaderOnly() { return test::SmallEventFile(0); }

// A logdir with: an old run holding a checkpoint, a private file and names
// of any bytes; a young run; an old parent with nested old runs; an old
// parent with a young nested run.
void MakeLogdir(const std::string& d) {
  Put(d + "/old/" + kEv, test::SmallEventFile(10), 60 * kDay);
  Put(d + "/old/ckpt/model.pt", std::string(5000, 'w'), 59 * kDay);
  Put(d + "/old/secret\nname\xff.txt", "private", 61 * kDay);
  ::chmod((d + "/old/secret\nname\xff.txt").c_str(), 0600);
  Put(d + "/young/" + kEv, test::SmallEventFile(5), 1 * kDay);
  Put(d + "/exp/" + kEv, test::SmallEventFile(2), 50 * kDay);
  Put(d + "/exp/train/" + kEv, test::SmallEventFile(3), 50 * kDay);
  Put(d + "/exp/eval/" + kEv, test::SmallEventFile(4), 40 * kDay);
  Put(d + "/par/" + kEv, test::SmallEventFile(2), 90 * kDay);
  Put(d + "/par/child/" + kEv, test::SmallEventFile(2), 2 * kDay);
  for (const char* dir : {"/old/ckpt", "/old", "/exp/train", "/exp/eval", "/exp", "/par/child", "/par", "/young"}) {
    test::SetMtime(d + dir, test::Now() - 70 * kDay);
  }
  ::chmod((d + "/exp/eval").c_str(), 0750);
}

int RunBinary(const std::string& args, const std::string& env = "", std::string* out = nullptr) {
  const std::string cmd = env + " " + TBLINT_BINARY + " " + args + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  std::string text;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) text.append(buf, n);
  const int status = ::pclose(p);
  if (out) *out = text;
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

std::map<std::string, json> ByRun(const json& doc) {
  std::map<std::string, json> out;
  for (const json& r : doc["archive"][0]["runs"]) out[r["run"]] = r;
  return out;
}

TEST_CASE("archive: parses ages and refuses garbage with exit 2") {
  CHECK(ParseAge("30d") == 30 * kDay);
  CHECK(ParseAge("12h") == 12 * 3600.0);
  CHECK(ParseAge("90m") == 90 * 60.0);
  CHECK(ParseAge("2w") == 14 * kDay);
  CHECK(ParseAge("45s") == 45.0);
  CHECK(ParseAge("3600") == 3600.0);
  CHECK(ParseAge("1.5d") == 1.5 * kDay);
  for (const char* bad : {"", "d", "-3d", "3x", "30 d", "1e3", "3dd", ".", "1.2.3h", "99999w", "nan", "inf"}) {
    CAPTURE(bad);
    CHECK_FALSE(ParseAge(bad).has_value());
  }
  test::TempDir dir;
  Put(dir / ("run/" + kEv), test::SmallEventFile(1), 40 * kDay);
  const test::CliResult r = test::RunCli({"archive", "--older-than", "thirty days", dir.path()});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--older-than must be an age like 30d") != std::string::npos);
  CHECK(r.err.find("'thirty days'") != std::string::npos);
  const test::CliResult none = test::RunCli({"archive", dir.path()});
  CHECK(none.exit_code == 2);
  CHECK(none.err.find("needs --older-than AGE, --dead, or both") != std::string::npos);
  CHECK(fs::exists(dir / ("run/" + kEv)));
  CHECK(test::RunCli({"archive", "--older-than", "1d", dir / ("run/" + kEv)}).exit_code == 2);  // a file
}

TEST_CASE("archive: moves whole old runs (nested runs with them), keeps young ones, restore is byte-identical") {
  test::TempDir top;
  const std::string logdir = top / "logs";
  MakeLogdir(logdir);
  const Snap original = Snapshot(logdir);

  // --dry-run lists what would move, with sizes, and writes nothing.
  const test::CliResult dry = test::RunCli({"archive", "--older-than", "30d", "--dry-run", logdir});
  CAPTURE(dry.out);
  CHECK(dry.exit_code == 0);
  CHECK(dry.out.find("2 runs would move (6 files") != std::string::npos);
  CHECK(dry.out.find("would move  old") != std::string::npos);
  CHECK(dry.out.find("with 2 nested runs") != std::string::npos);
  CHECK(dry.out.find("secret") == std::string::npos);  // runs are listed, not files
  CHECK(Snapshot(logdir) == original);
  CHECK_FALSE(fs::exists(top / "logs.tblint-archive"));
  CHECK_FALSE(fs::exists(logdir + "/.tblint-backup"));

  const test::CliResult r = test::RunCli({"archive", "--older-than", "30d", "--format", "json", logdir});
  CAPTURE(r.out);
  CAPTURE(r.err);
  REQUIRE(r.exit_code == 0);
  const json doc = json::parse(r.out);
  std::map<std::string, json> runs = ByRun(doc);
  CHECK(runs["old"]["status"] == "moved");
  CHECK(runs["old"]["files"] == 3);
  CHECK(runs["exp"]["status"] == "moved");
  CHECK(runs["exp"]["nested_runs"].size() == 2);
  CHECK(runs.count("exp/train") == 0);  // moved with its parent, not listed on its own
  CHECK(runs["young"]["status"] == "kept");
  // The parent of a young run is young as a whole: it stays, and so does the child.
  CHECK(runs["par"]["status"] == "kept");
  CHECK(runs["par/child"]["status"] == "kept");
  CHECK(doc["archive"][0]["defanged"] == false);
  CHECK(doc["archive"][0]["archive_dir"] == fs::canonical(top.path()).string() + "/logs.tblint-archive");

  // Moved out whole: the archive holds the trees under their run paths, names as they were.
  CHECK_FALSE(fs::exists(logdir + "/old"));
  CHECK_FALSE(fs::exists(logdir + "/exp"));
  CHECK(fs::exists(logdir + "/par/child/" + kEv));
  const Snap archived = Snapshot(top / "logs.tblint-archive");
  for (const auto& [rel, v] : original) {
    if (rel.rfind("old/", 0) == 0 || rel.rfind("exp/", 0) == 0) {
      CAPTURE(rel);
      REQUIRE(archived.count(rel) == 1);
      if (rel.back() != '/') CHECK(archived.at(rel) == v);  // bytes, mode and mtime
    }
  }
  // TensorBoard (and tblint) no longer see the archived runs.
  const json after = json::parse(test::RunCli({"runs", "--format", "json", logdir}).out);
  CHECK(after["logdirs"][0]["runs"].size() == 3);

  // Archiving again finds nothing more to do.
  const test::CliResult again = test::RunCli({"archive", "--older-than", "30d", logdir});
  CHECK(again.exit_code == 0);
  CHECK(again.out.find("nothing to archive") != std::string::npos);

  const test::CliResult restore = test::RunCli({"restore", logdir});
  CAPTURE(restore.out);
  CHECK(restore.exit_code == 0);
  CHECK(Snapshot(logdir) == original);  // names, bytes, modes, file times
  // The removed folders come back with their modes and times too.
  struct stat st {};
  REQUIRE(::stat((logdir + "/exp/eval").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0750);
  CHECK(std::abs(st.st_mtim.tv_sec - (test::Now() - 70 * kDay)) < 60);
  REQUIRE(::stat((logdir + "/old").c_str(), &st) == 0);
  CHECK(std::abs(st.st_mtim.tv_sec - (test::Now() - 70 * kDay)) < 60);
  // The archive's emptied folders went with them.
  CHECK(Snapshot(top / "logs.tblint-archive").empty());
}

TEST_CASE("archive: refuses a run with a file open for writing or modified within the grace period") {
  test::TempDir top;
  const std::string logdir = top / "logs";
  Put(logdir + "/open/" + kEv, test::SmallEventFile(3), 40 * kDay);
  Put(logdir + "/fresh/" + kEv, HeaderOnly(), 40 * kDay);
  Put(logdir + "/fresh/notes.txt", "just written", 5);  // not an event file, but fresh
  Put(logdir + "/quiet/" + kEv, test::SmallEventFile(3), 40 * kDay);
  const Snap before = Snapshot(logdir);
  // This process holds /open's event file open for writing; tblint runs as
  // another process, so /proc shows it the writer.
  const int fd = ::open((logdir + "/open/" + kEv).c_str(), O_WRONLY | O_APPEND);
  REQUIRE(fd >= 0);
  std::string out;
  const int rc = RunBinary("archive --older-than 30d --dead --format json " + logdir, "", &out);
  ::close(fd);
  CAPTURE(out);
  CHECK(rc == 1);  // something selected was refused
  const std::map<std::string, json> runs = ByRun(json::parse(out));
  CHECK(runs.at("open").at("status") == "refused");
  CHECK(runs.at("open").at("reason").get<std::string>().find("open for writing by a live process") !=
        std::string::npos);
  // The header-only run is dead, but a file beside it was just written.
  CHECK(runs.at("fresh").at("status") == "refused");
  CHECK(runs.at("fresh").at("reason").get<std::string>().find("notes.txt was modified within the grace period") !=
        std::string::npos);
  CHECK(runs.at("quiet").at("status") == "moved");
  Snap expect = before;
  for (auto it = expect.begin(); it != expect.end();) it = it->first.rfind("quiet", 0) == 0 ? expect.erase(it) : ++it;
  CHECK(Snapshot(logdir) == expect);

  // Text: the refusals are listed with their reasons.
  const test::CliResult text = test::RunCli({"archive", "--dead", "--dry-run", logdir});
  CHECK(text.exit_code == 1);
  CHECK(text.out.find("refused") != std::string::npos);
  CHECK(text.out.find("grace period") != std::string::npos);
}

TEST_CASE("archive --dead moves runs whose event files hold no data, and only those") {
  test::TempDir top;
  const std::string logdir = top / "logs";
  Put(logdir + "/empty/" + kEv, "", 3 * kDay);
  Put(logdir + "/header/" + kEv, HeaderOnly(), 3 * kDay);
  Put(logdir + "/header/" + kEv + ".2", HeaderOnly(), 3 * kDay);
  Put(logdir + "/garbage/" + kEv, std::string(300, 'x'), 3 * kDay);
  // A damaged header, then a valid scalar record: salvageable, so not dead.
  std::string damaged = test::SmallEventFile(2);
  damaged[9] ^= 0x20;
  Put(logdir + "/salvageable/" + kEv, damaged, 3 * kDay);
  Put(logdir + "/data/" + kEv, test::SmallEventFile(3), 3 * kDay);
  // A dead event file with a profile session beside it holds data.
  Put(logdir + "/profiled/" + kEv + ".profile-empty", HeaderOnly(), 3 * kDay);
  Put(logdir + "/profiled/plugins/profile/2026_01_01/host.xplane.pb", std::string(64, 'p'), 3 * kDay);

  const test::CliResult r = test::RunCli({"archive", "--dead", "--format", "json", logdir});
  CAPTURE(r.out);
  CHECK(r.exit_code == 0);
  const std::map<std::string, json> runs = ByRun(json::parse(r.out));
  for (const char* dead : {"empty", "header", "garbage"}) {
    CAPTURE(dead);
    CHECK(runs.at(dead).at("status") == "moved");
    CHECK_FALSE(fs::exists(logdir + "/" + dead));
  }
  for (const char* alive : {"salvageable", "data", "profiled"}) {
    CAPTURE(alive);
    CHECK(runs.at(alive).at("status") == "kept");
    CHECK(fs::exists(logdir + "/" + alive));
  }
  CHECK(test::RunCli({"restore", logdir}).exit_code == 0);
  CHECK(test::ReadFile(logdir + "/garbage/" + kEv) == std::string(300, 'x'));
}

TEST_CASE("archive --to inside the logdir defangs every name, and restore gives the names back") {
  test::TempDir top;
  const std::string logdir = top / "logs";
  MakeLogdir(logdir);
  const Snap original = Snapshot(logdir);
  const test::CliResult r =
      test::RunCli({"archive", "--older-than", "30d", "--to", logdir + "/attic", "--format", "json", logdir});
  CAPTURE(r.out);
  REQUIRE(r.exit_code == 0);
  CHECK(json::parse(r.out)["archive"][0]["defanged"] == true);
  CHECK(fs::exists(logdir + "/attic/old/events.out.tf-events.1795298000.host.1.0"));
  CHECK(fs::exists(logdir + "/attic/exp/train/events.out.tf-events.1795298000.host.1.0"));
  for (fs::recursive_directory_iterator it(logdir + "/attic"), end; it != end; ++it) {
    CHECK(it->path().filename().string().find("tfevents") == std::string::npos);
  }
  // TensorBoard's discovery finds no run in the archive folder.
  const json after = json::parse(test::RunCli({"runs", "--format", "json", logdir}).out);
  for (const json& run : after["logdirs"][0]["runs"]) CHECK(run["name"].get<std::string>().rfind("attic", 0) != 0);

  CHECK(test::RunCli({"restore", logdir}).exit_code == 0);
  Snap now = Snapshot(logdir);
  for (auto it = now.begin(); it != now.end();) it = it->first.rfind("attic", 0) == 0 ? now.erase(it) : ++it;
  CHECK(now == original);
}

TEST_CASE("archive never overwrites: a run the archive already holds is refused, and --backup-dir keeps the journal") {
  test::TempDir top, backups;
  const std::string logdir = top / "logs";
  Put(logdir + "/a/" + kEv, test::SmallEventFile(3), 40 * kDay);
  Put(logdir + "/b/" + kEv, test::SmallEventFile(4), 40 * kDay);
  Put(top / ("logs.tblint-archive/a/" + kEv), "an earlier archive", 100 * kDay);
  const test::CliResult r = test::RunCli({"archive", "--older-than", "30d", "--backup-dir", backups.path(), logdir});
  CAPTURE(r.out);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("the archive already holds") != std::string::npos);
  CHECK(test::ReadFile(top / ("logs.tblint-archive/a/" + kEv)) == "an earlier archive");
  CHECK(fs::exists(logdir + "/a/" + kEv));
  CHECK_FALSE(fs::exists(logdir + "/b"));
  CHECK_FALSE(fs::exists(logdir + "/.tblint-backup"));
  CHECK(test::RunCli({"restore", logdir}).exit_code == 2);  // the journal is not there
  CHECK(test::RunCli({"restore", "--backup-dir", backups.path(), logdir}).exit_code == 0);
  CHECK(test::ReadFile(logdir + "/b/" + kEv) == test::SmallEventFile(4));
}

TEST_CASE("archive across file systems copies, verifies and only then removes; restore brings it back") {
  struct stat shm {}, tmp {};
  test::TempDir top;
  if (::stat("/dev/shm", &shm) != 0 || ::stat(top.path().c_str(), &tmp) != 0 || shm.st_dev == tmp.st_dev) {
    MESSAGE("no second file system at /dev/shm: skipped");
    return;
  }
  const std::string logdir = top / "logs";
  MakeLogdir(logdir);
  const Snap original = Snapshot(logdir);
  const std::string to = "/dev/shm/tblint-archive-test-" + std::to_string(::getpid());
  fs::remove_all(to);
  const test::CliResult r = test::RunCli({"archive", "--older-than", "30d", "--to", to, logdir});
  CAPTURE(r.out);
  CHECK(r.exit_code == 0);
  const Snap archived = Snapshot(to);
  CHECK(archived.at("old/ckpt/model.pt") == original.at("old/ckpt/model.pt"));
  CHECK(archived.at("old/secret\nname\xff.txt") == original.at("old/secret\nname\xff.txt"));  // mode 0600 too
  CHECK_FALSE(fs::exists(logdir + "/old"));
  CHECK(test::RunCli({"restore", logdir}).exit_code == 0);
  CHECK(Snapshot(logdir) == original);
  fs::remove_all(to);
}

// The archiver killed at every durable step (TBLINT_FAULT_AT=N, as in
// fix_test.cc): each file is whole in the logdir or whole in the archive
// (never missing, never a partial copy under its name), and restore puts
// back exactly the original logdir.
void FaultInjection(const std::string& to_base) {
  int killed = 0;
  for (int n = 1; n < 400; ++n) {
    CAPTURE(n);
    test::TempDir top;
    const std::string logdir = top / "logs";
    MakeLogdir(logdir);
    const Snap original = Snapshot(logdir);
    const std::string to = to_base.empty() ? top / "logs.tblint-archive" : to_base + "/" + std::to_string(n);
    const int rc = RunBinary("archive --older-than 30d --to '" + to + "' " + logdir, "TBLINT_FAULT_AT=" + std::to_string(n));
    const Snap now = Snapshot(logdir), archived = Snapshot(to);
    for (const auto& [rel, v] : original) {
      if (rel.back() == '/') continue;
      CAPTURE(rel);
      const auto here = now.find(rel), there = archived.find(rel);
      CHECK((here != now.end() || there != archived.end()));  // never neither
      if (here != now.end()) CHECK(here->second == v);
      if (there != archived.end()) CHECK(std::get<0>(there->second) == std::get<0>(v));
    }
    for (const auto& [rel, v] : now) CHECK(original.count(rel) == 1);
    std::string out;
    const int restore_rc = RunBinary("restore " + logdir, "", &out);
    CAPTURE(out);
    CHECK(restore_rc == 0);
    CHECK(Snapshot(logdir) == original);
    if (!to_base.empty()) fs::remove_all(to);
    if (rc != 128 + SIGABRT) {
      CHECK(rc == 0);
      break;  // the run finished: every step was covered
    }
    ++killed;
  }
  MESSAGE("killed at " << killed << " different steps");
  CHECK(killed > 20);
}

TEST_CASE("archive killed at any step leaves every file whole in one place, and restore recovers the logdir" *
          doctest::test_suite("slow")) {
  FaultInjection("");
}

TEST_CASE("archive across file systems killed at any step loses nothing, and restore recovers the logdir" *
          doctest::test_suite("slow")) {
  struct stat shm {}, tmp {};
  test::TempDir top;
  if (::stat("/dev/shm", &shm) != 0 || ::stat(top.path().c_str(), &tmp) != 0 || shm.st_dev == tmp.st_dev) {
    MESSAGE("no second file system at /dev/shm: skipped");
    return;
  }
  const std::string base = "/dev/shm/tblint-archive-fault-" + std::to_string(::getpid());
  FaultInjection(base);
  fs::remove_all(base);
}

}  // namespace
}  // namespace tblint
