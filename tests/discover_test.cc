// Discovery (src/scan/discover.h): TensorBoard's runs and order, and the
// bounds TensorBoard does not have (issue 7): hostile symlinks, trees too big
// to walk, unreadable and too-deep directories each end quickly in a
// PathProblem (TB504), never in a hang or a walk of the whole disk.
#include "scan/discover.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "rule/registry.h"
#include "test_util.h"

namespace tblint {
namespace {

using test::Count;
using test::LintPath;
using test::SmallEventFile;
using test::TempDir;
using test::WriteFile;

constexpr char kEvent[] = "events.out.tfevents.1795298000.gpu-node-1.4242.0";
// Every hostile case must end within this (issue 7).
constexpr double kBoundSeconds = 5.0;

// `dir`/kEvent.
std::string In(const std::string& dir) { return dir + "/" + kEvent; }

// Aborts the test binary when a step has not finished after `seconds`: a
// hang would otherwise stall the whole suite without saying where.
class Deadline {
 public:
  Deadline(std::string what, int seconds) : what_(std::move(what)) {
    thread_ = std::thread([this, seconds] {
      std::unique_lock<std::mutex> lock(mu_);
      if (!cv_.wait_for(lock, std::chrono::seconds(seconds), [this] { return done_; })) {
        std::fprintf(stderr, "discover_test: %s did not finish within %d s (hung?)\n", what_.c_str(), seconds);
        std::abort();
      }
    });
  }
  ~Deadline() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  std::string what_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

// A symlink removed when the test ends, before the TempDir holding it:
// TempDir's cleanup chmods every entry it meets and chmod follows symlinks,
// so a link to `/`, to a directory above the TempDir or to a device must be
// gone by then. Declare it after its TempDir.
class ScopedSymlink {
 public:
  ScopedSymlink(const std::string& target, const std::string& at) : at_(at) {
    REQUIRE(::symlink(target.c_str(), at.c_str()) == 0);
  }
  ~ScopedSymlink() { ::unlink(at_.c_str()); }
  ScopedSymlink(const ScopedSymlink&) = delete;
  ScopedSymlink& operator=(const ScopedSymlink&) = delete;

 private:
  std::string at_;
};

std::string RealPath(const std::string& path) {
  char* resolved = ::realpath(path.c_str(), nullptr);
  REQUIRE(resolved != nullptr);
  std::string out(resolved);
  std::free(resolved);
  return out;
}

struct Discovered {
  LogdirResult out;
  double seconds = 0;
};

Discovered DiscoverTimed(const std::string& path, const LintOptions& options = {}) {
  Deadline deadline("discovering " + path, 60);
  Discovered d;
  std::string error;
  const auto start = std::chrono::steady_clock::now();
  REQUIRE(Discover(path, options, &d.out, &error));
  d.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return d;
}

std::vector<std::string> RunNames(const LogdirResult& out) {
  std::vector<std::string> names;
  for (const RunResult& run : out.runs) names.push_back(run.name);
  return names;
}

std::vector<std::string> FilePaths(const LogdirResult& out) {
  std::vector<std::string> paths;
  for (const FileResult& file : out.files) paths.emplace_back(file.info.rel_path());
  return paths;
}

std::string Describe(const LogdirResult& out) {
  std::string s;
  for (const PathProblem& p : out.problems) s += "\n  problem " + p.rel_path + ": " + p.what;
  for (const RunResult& run : out.runs) s += "\n  run " + run.name;
  for (const FileResult& file : out.files) s += "\n  file " + std::string(file.info.rel_path());
  return s;
}

const Finding* TB504At(const LintResult& r, const std::string& path) {
  for (const Finding& f : r.findings) {
    if (std::string("TB504") == f.rule->code && f.path == path) return &f;
  }
  return nullptr;
}

bool Contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

TEST_CASE("discover: a file's relative path, name and run are views into the one path it keeps") {
  TempDir tmp;
  WriteFile(tmp / "logs/a/b/events.out.tfevents.1.h", SmallEventFile(3));
  WriteFile(tmp / "logs/events.out.tfevents.2.h", SmallEventFile(3));
  for (const std::string& given : {tmp / "logs", tmp / "logs/", tmp / "logs/."}) {
    CAPTURE(given);
    Discovered d = DiscoverTimed(given);
    REQUIRE(d.out.files.size() == 2);
    const FileInfo* nested = nullptr;
    const FileInfo* root = nullptr;
    for (const FileResult& f : d.out.files) (f.info.run() == "." ? root : nested) = &f.info;
    REQUIRE(nested != nullptr);
    REQUIRE(root != nullptr);
    CHECK(nested->rel_path() == "a/b/events.out.tfevents.1.h");
    CHECK(nested->name() == "events.out.tfevents.1.h");
    CHECK(nested->run() == "a/b");
    // The path as opened: the given one (without a trailing '/') joined with the relative one.
    const std::string base = given.ends_with('/') ? given : given + "/";
    CHECK(nested->path() == base + "a/b/events.out.tfevents.1.h");
    CHECK(root->rel_path() == "events.out.tfevents.2.h");
    CHECK(root->name() == "events.out.tfevents.2.h");
    CHECK(root->path() == base + "events.out.tfevents.2.h");
  }
  // A single file: its name is its relative path, its run ".".
  const std::string file = tmp / "logs/a/b/events.out.tfevents.1.h";
  Discovered single = DiscoverTimed(file);
  REQUIRE(single.out.files.size() == 1);
  const FileInfo& info = single.out.files[0].info;
  CHECK(info.path() == file);
  CHECK(info.rel_path() == "events.out.tfevents.1.h");
  CHECK(info.name() == "events.out.tfevents.1.h");
  CHECK(info.run() == ".");
  // SetPaths clamps a relative length longer than the path.
  FileInfo odd;
  odd.SetPaths("x/y", 99);
  CHECK(odd.rel_path() == "x/y");
  CHECK(odd.name() == "y");
  CHECK(odd.run() == "x");
}

TEST_CASE("discover: a symlink to / is reported and not walked") {
  TempDir tmp;
  WriteFile(tmp / In("train"), SmallEventFile(3));
  ScopedSymlink link("/", tmp / "train/rootfs");

  const Discovered d = DiscoverTimed(tmp.path());
  INFO("discovered:" << Describe(d.out));
  CHECK(d.seconds < kBoundSeconds);
  CHECK(RunNames(d.out) == std::vector<std::string>{"train"});
  CHECK(FilePaths(d.out) == std::vector<std::string>{In("train")});
  CHECK(d.out.projector_configs.empty());
  REQUIRE(d.out.problems.size() == 1);
  CHECK(d.out.problems[0].rel_path == "train/rootfs");
  CHECK(d.out.problems[0].what == "symlink to /, the root of the file system; not walked");

  // As a TB504 finding, saying what TensorBoard does with it.
  const LintResult r = LintPath(tmp.path(), "TB504");
  CHECK(Count(r, "TB504") == 1);
  const Finding* f = TB504At(r, "train/rootfs");
  REQUIRE(f != nullptr);
  CHECK(f->severity == Severity::kError);
  CHECK(f->message == "unreadable path: symlink to /, the root of the file system; not walked");
  CHECK(Contains(f->impact, "Rust data server walks the whole file system"));
  CHECK(Contains(f->impact, "Python reader's tf.io.gfile.walk"));
  CHECK(Contains(f->impact, "remove the link"));
}

TEST_CASE("discover: a symlink to the logdir itself is reported and not walked") {
  TempDir tmp;
  WriteFile(tmp / In("eval"), SmallEventFile(3));
  ScopedSymlink self(".", tmp / "self");
  ScopedSymlink up("..", tmp / "eval/all-runs");
  ScopedSymlink absolute(RealPath(tmp.path()), tmp / "eval/absolute");

  const Discovered d = DiscoverTimed(tmp.path());
  INFO("discovered:" << Describe(d.out));
  CHECK(d.seconds < kBoundSeconds);
  CHECK(RunNames(d.out) == std::vector<std::string>{"eval"});
  CHECK(d.out.files.size() == 1);
  // In walk order: the logdir's own entries when it is listed, then eval/.
  REQUIRE(d.out.problems.size() == 3);
  const std::string what = "symlink to the logdir itself (a loop); not walked";
  CHECK(d.out.problems[0].rel_path == "self");
  CHECK(d.out.problems[1].rel_path == "eval/absolute");
  CHECK(d.out.problems[2].rel_path == "eval/all-runs");
  for (const PathProblem& p : d.out.problems) CHECK(p.what == what);

  const LintResult r = LintPath(tmp.path(), "TB504");
  const Finding* f = TB504At(r, "self");
  REQUIRE(f != nullptr);
  CHECK(Contains(f->impact, "the Rust data server stops at the loop"));
  CHECK(Contains(f->impact, "tf.io.gfile.walk goes round it"));
}

TEST_CASE("discover: a symlink to an ancestor of the logdir is reported and not walked") {
  TempDir tmp;
  const std::string logdir = tmp / "lab/logdir";
  WriteFile(logdir + "/train/" + kEvent, SmallEventFile(3));
  WriteFile(tmp / In("lab/other-experiment"), SmallEventFile(3));  // must not be found
  ScopedSymlink parent("..", logdir + "/up");
  ScopedSymlink grandparent(RealPath(tmp.path()), logdir + "/train/top");

  const Discovered d = DiscoverTimed(logdir);
  INFO("discovered:" << Describe(d.out));
  CHECK(d.seconds < kBoundSeconds);
  CHECK(RunNames(d.out) == std::vector<std::string>{"train"});
  CHECK(d.out.files.size() == 1);
  REQUIRE(d.out.problems.size() == 2);
  CHECK(d.out.problems[0].rel_path == "up");
  CHECK(d.out.problems[0].what == "symlink to " + RealPath(tmp / "lab") + ", an ancestor of the logdir; not walked");
  CHECK(d.out.problems[1].rel_path == "train/top");
  CHECK(d.out.problems[1].what == "symlink to " + RealPath(tmp.path()) + ", an ancestor of the logdir; not walked");

  const LintResult r = LintPath(logdir, "TB504");
  const Finding* f = TB504At(r, "up");
  REQUIRE(f != nullptr);
  CHECK(Contains(f->impact, "the Rust data server walks everything under that directory"));
}

TEST_CASE("discover: symlink loops inside the logdir are reported and the walk ends") {
  TempDir tmp;
  for (const char* run : {"a", "b", "c"}) WriteFile(tmp / In(run), SmallEventFile(3));
  // A chain of directory links, a/next -> b, b/next -> c, c/next -> a.
  ScopedSymlink ab("../b", tmp / "a/next");
  ScopedSymlink bc("../c", tmp / "b/next");
  ScopedSymlink ca("../a", tmp / "c/next");
  // Two symlinks pointing at each other: following either fails with ELOOP.
  ScopedSymlink x("loop-y", tmp / "loop-x");
  ScopedSymlink y("loop-x", tmp / "loop-y");

  const Discovered d = DiscoverTimed(tmp.path());
  INFO("discovered:" << Describe(d.out));
  CHECK(d.seconds < kBoundSeconds);
  // Like the Rust data server, each link inside the logdir is followed once
  // per way of reaching it, and a link back to a directory being walked is not.
  CHECK(RunNames(d.out) == std::vector<std::string>{"a", "a/next", "a/next/next", "b", "b/next", "b/next/next", "c",
                                                    "c/next", "c/next/next"});
  REQUIRE(d.out.problems.size() == 5);
  CHECK(d.out.problems[0].rel_path == "loop-x");
  CHECK(d.out.problems[0].what == "symlink loop");
  CHECK(d.out.problems[1].rel_path == "loop-y");
  CHECK(d.out.problems[2].rel_path == "a/next/next/next");
  CHECK(d.out.problems[2].what == "symlink loop: points back to a");
  CHECK(d.out.problems[3].rel_path == "b/next/next/next");
  CHECK(d.out.problems[3].what == "symlink loop: points back to b");
  CHECK(d.out.problems[4].rel_path == "c/next/next/next");
  CHECK(d.out.problems[4].what == "symlink loop: points back to c");
}

TEST_CASE("discover: a directory that symlinks reach by exponentially many paths is walked a bounded number of times") {
  // Ten directories, each linking to the nine others: millions of paths, no
  // loop among them; only d0 holds an event file.
  TempDir tmp;
  std::vector<std::unique_ptr<ScopedSymlink>> links;
  for (int i = 0; i < 10; ++i) {
    REQUIRE(::mkdir((tmp / ("d" + std::to_string(i))).c_str(), 0755) == 0);
  }
  for (int i = 0; i < 10; ++i) {
    for (int j = 0; j < 10; ++j) {
      if (i == j) continue;
      links.push_back(std::make_unique<ScopedSymlink>("../d" + std::to_string(j),
                                                      tmp / ("d" + std::to_string(i) + "/l" + std::to_string(j))));
    }
  }
  WriteFile(tmp / In("d0"), SmallEventFile(3));

  const Discovered d = DiscoverTimed(tmp.path());
  MESSAGE("walked in " << d.seconds << " s: " << d.out.runs.size() << " runs, " << d.out.problems.size()
                       << " problems");
  CHECK(d.seconds < kBoundSeconds);
  // d0 itself, then d0 through links at most kMaxWalksThroughLinks times.
  CHECK(d.out.runs.size() > 1);
  CHECK(d.out.runs.size() <= 1 + kMaxWalksThroughLinks);
  CHECK(d.out.files.size() == d.out.runs.size());
  // Said at most once for each directory.
  int cut = 0;
  for (const PathProblem& p : d.out.problems) {
    if (p.what == "directory reached through symlinks by more than 16 paths; this and later paths not walked") ++cut;
  }
  CHECK(cut >= 1);
  CHECK(cut <= 10);
  // The loops met on the way are reported, a bounded number of them.
  CHECK(d.out.problems.size() < 10'000);
}

TEST_CASE("discover: a symlink out of the logdir to a small tree is walked like TensorBoard does") {
  TempDir tmp;
  WriteFile(tmp / In("logdir/train"), SmallEventFile(3));
  WriteFile(tmp / In("shared/exp1"), SmallEventFile(3));
  WriteFile(tmp / "shared/exp1/projector_config.pbtxt", "");
  ScopedSymlink link("../shared", tmp / "logdir/shared");

  LintOptions options;
  options.outside_link_entry_budget = 10;
  const Discovered d = DiscoverTimed(tmp / "logdir", options);
  INFO("discovered:" << Describe(d.out));
  CHECK(d.out.problems.empty());
  CHECK(RunNames(d.out) == std::vector<std::string>{"shared/exp1", "train"});
  CHECK(FilePaths(d.out) == std::vector<std::string>{In("shared/exp1"), In("train")});
  CHECK(d.out.projector_configs == std::vector<std::string>{"shared/exp1/projector_config.pbtxt"});
}

TEST_CASE("discover: a symlink out of the logdir to a tree over the entry budget is dropped with one problem") {
  // Below the link, in walk order: exp1/ (a run and a projector config),
  // exp2/ (a FIFO named like an event file: a problem), then zz-bulk/ with
  // 100 plain files. 3 + 2 + 1 + 100 = 106 entries in all.
  TempDir tmp;
  WriteFile(tmp / In("logdir/a-run"), SmallEventFile(3));
  WriteFile(tmp / In("logdir/z-run"), SmallEventFile(3));
  WriteFile(tmp / In("big/exp1"), SmallEventFile(3));
  WriteFile(tmp / "big/exp1/projector_config.pbtxt", "");
  WriteFile(tmp / "big/exp2/placeholder", "");
  REQUIRE(::unlink((tmp / "big/exp2/placeholder").c_str()) == 0);
  REQUIRE(::mkfifo((tmp / In("big/exp2")).c_str(), 0644) == 0);
  for (int i = 0; i < 100; ++i) WriteFile(tmp / "big/zz-bulk/ckpt-" + std::to_string(i), "");
  ScopedSymlink link("../big", tmp / "logdir/m-link");
  const std::string target = RealPath(tmp / "big");

  SUBCASE("over the budget: everything found below the link is rolled back") {
    LintOptions options;
    options.outside_link_entry_budget = 105;
    const Discovered d = DiscoverTimed(tmp / "logdir", options);
    INFO("discovered:" << Describe(d.out));
    CHECK(d.seconds < kBoundSeconds);
    CHECK(RunNames(d.out) == std::vector<std::string>{"a-run", "z-run"});
    CHECK(FilePaths(d.out) == std::vector<std::string>{In("a-run"), In("z-run")});
    CHECK(d.out.projector_configs.empty());
    REQUIRE(d.out.problems.size() == 1);
    CHECK(d.out.problems[0].rel_path == "m-link");
    CHECK(d.out.problems[0].what ==
          "symlink to " + target + ", outside the logdir, leads to more than 105 entries; not walked");
    // Runs sorted after the rollback still index the right files.
    REQUIRE(d.out.runs.size() == 2);
    CHECK(d.out.runs[1].file_indices == std::vector<size_t>{1});
  }
  SUBCASE("within the budget: all of it is walked") {
    LintOptions options;
    options.outside_link_entry_budget = 106;
    const Discovered d = DiscoverTimed(tmp / "logdir", options);
    INFO("discovered:" << Describe(d.out));
    CHECK(RunNames(d.out) == std::vector<std::string>{"a-run", "m-link/exp1", "m-link/exp2", "z-run"});
    CHECK(d.out.projector_configs == std::vector<std::string>{"m-link/exp1/projector_config.pbtxt"});
    REQUIRE(d.out.problems.size() == 1);
    CHECK(d.out.problems[0].rel_path == In("m-link/exp2"));
  }
  SUBCASE("the finding says TensorBoard would walk it all") {
    ScanConfig config;
    config.lint.now = test::Now();
    config.lint.outside_link_entry_budget = 20;
    for (const auto& rule : AllRules()) {
      if (std::string(rule->info().code) == "TB504") config.rules.push_back(rule.get());
    }
    LintResult r;
    std::string error;
    REQUIRE(Lint(tmp / "logdir", config, &r, &error));
    const Finding* f = TB504At(r, "m-link");
    REQUIRE(f != nullptr);
    CHECK(Contains(f->message, "outside the logdir, leads to more than 20 entries"));
    CHECK(Contains(f->impact, "TensorBoard follows it and walks the whole tree"));
  }
}

TEST_CASE("discover: the entry budget does not apply to a symlink that stays inside the logdir") {
  TempDir tmp;
  WriteFile(tmp / In("runs/exp1"), SmallEventFile(3));
  for (int i = 0; i < 30; ++i) WriteFile(tmp / "runs/exp1/ckpt-" + std::to_string(i), "");
  ScopedSymlink link("runs", tmp / "latest");

  LintOptions options;
  options.outside_link_entry_budget = 10;
  const Discovered d = DiscoverTimed(tmp.path(), options);
  INFO("discovered:" << Describe(d.out));
  CHECK(d.out.problems.empty());
  CHECK(RunNames(d.out) == std::vector<std::string>{"latest/exp1", "runs/exp1"});
}

TEST_CASE("discover: a FIFO, a socket, a device named like event files and a broken symlink end quickly in problems") {
  TempDir tmp;
  WriteFile(tmp / In("eval"), SmallEventFile(3));
  WriteFile(tmp / "train/placeholder", "");
  const std::string fifo = "train/events.out.tfevents.1795298000.gpu-node-1.4242.1";
  REQUIRE(::mkfifo((tmp / fifo).c_str(), 0644) == 0);
  const std::string zero = "train/events.out.tfevents.1795298000.gpu-node-1.4242.2";
  ScopedSymlink device("/dev/zero", tmp / zero);
  const std::string broken = "train/archive";
  ScopedSymlink dangling(tmp / "scratch-wiped", tmp / broken);
  const std::string sock = "train/events.out.tfevents.sock";
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string sock_path = tmp / sock;
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  bool have_socket = false;
  if (sock_path.size() < sizeof(addr.sun_path)) {
    std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", sock_path.c_str());
    have_socket = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  if (!have_socket) MESSAGE("could not bind a socket at " << sock_path << "; socket case skipped");

  const Discovered d = DiscoverTimed(tmp.path());
  ::close(fd);
  INFO("discovered:" << Describe(d.out));
  CHECK(d.seconds < kBoundSeconds);
  CHECK(FilePaths(d.out) == std::vector<std::string>{In("eval")});
  // Named like event files, they make train/ a run (TensorBoard decides by name).
  CHECK(RunNames(d.out) == std::vector<std::string>{"eval", "train"});
  REQUIRE(d.out.problems.size() == (have_socket ? 4u : 3u));
  CHECK(d.out.problems[0].rel_path == broken);
  CHECK(d.out.problems[0].what == "broken symlink (its target does not exist)");
  CHECK(d.out.problems[1].rel_path == fifo);
  CHECK(d.out.problems[1].what == "is a FIFO, not a regular file; not read");
  CHECK(d.out.problems[2].rel_path == zero);
  CHECK(d.out.problems[2].what == "is a character device, not a regular file; not read");
  if (have_socket) {
    CHECK(d.out.problems[3].rel_path == sock);
    CHECK(d.out.problems[3].what == "is a socket, not a regular file; not read");
  }
}

TEST_CASE("discover: a directory that cannot be listed is a problem and the rest is walked") {
  TempDir tmp;
  WriteFile(tmp / In("eval"), SmallEventFile(3));
  WriteFile(tmp / In("train"), SmallEventFile(3));
  REQUIRE(::chmod((tmp / "train").c_str(), 0) == 0);
  auto expected = [](const LogdirResult& out) {
    return out.problems.size() == 1 && out.problems[0].rel_path == "train" &&
           out.problems[0].what == "cannot list directory: Permission denied" && out.runs.size() == 1 &&
           out.runs[0].name == "eval" && out.files.size() == 1;
  };
  if (::geteuid() != 0) {
    const Discovered d = DiscoverTimed(tmp.path());
    INFO("discovered:" << Describe(d.out));
    CHECK(d.seconds < kBoundSeconds);
    CHECK(expected(d.out));
    return;
  }
  // Root reads through any permission bits: discover as `nobody` in a child.
  REQUIRE(::chmod(tmp.path().c_str(), 0755) == 0);
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::alarm(60);  // a hang kills the child, and the parent sees the signal
    if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(3);
    if (::access((tmp / "train").c_str(), R_OK) == 0) ::_exit(4);
    LogdirResult out;
    std::string error;
    if (!Discover(tmp.path(), LintOptions{}, &out, &error)) ::_exit(5);
    ::_exit(expected(out) ? 0 : 1);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  REQUIRE_MESSAGE(WIFEXITED(status), "the unprivileged child was killed by signal " << WTERMSIG(status));
  const int code = WEXITSTATUS(status);
  if (code == 3) {
    MESSAGE("cannot switch to uid 65534 here; case skipped");
    return;
  }
  CHECK_MESSAGE(code != 4, "uid 65534 can read a mode-000 directory");
  CHECK_MESSAGE(code != 5, "Discover failed on the logdir as uid 65534");
  CHECK_MESSAGE(code == 0, "discovered something other than one problem for train/ and the run eval");
  CHECK(seconds < kBoundSeconds);
}

TEST_CASE("discover: 200,000 non-event files in one directory leave only the event files" *
          doctest::test_suite("slow")) {
  TempDir tmp;
  const std::string dir = tmp / "train";
  WriteFile(dir + "/projector_config.pbtxt", "");
  const std::vector<std::string> events = {"events.out.tfevents.1795298000.gpu-node-1.4242.0",
                                           "events.out.tfevents.1795298100.gpu-node-1.4242.0",
                                           "events.out.tfevents.1795298200.gpu-node-1.4242.0"};
  for (const std::string& name : events) WriteFile(dir + "/" + name, SmallEventFile(1));
  // Hard links to a few files: listed exactly like files (DT_REG), and much
  // cheaper to make than 200,000 inodes (0.6 ms a file on an ext4 here);
  // ext4 allows 65,000 links to a file.
  constexpr int kPlainFiles = 200'000;
  constexpr int kLinksPerFile = 50'000;
  char name[32];
  for (int i = 0; i < kPlainFiles; ++i) {
    const std::string source = tmp / ("checkpoint-" + std::to_string(i / kLinksPerFile));
    if (i % kLinksPerFile == 0) WriteFile(source, "");
    std::snprintf(name, sizeof(name), "/ckpt-%06d.data", i);
    if (::link(source.c_str(), (dir + name).c_str()) != 0) FAIL("cannot link " << dir << name);
  }

  const Discovered d = DiscoverTimed(tmp.path());
  MESSAGE("discovered 200,004 entries in " << d.seconds << " s");
  CHECK(d.seconds < kBoundSeconds);
  CHECK(d.out.problems.empty());
  // Only what TensorBoard would read is kept: the event files, in name order.
  REQUIRE(d.out.files.size() == events.size());
  for (size_t i = 0; i < events.size(); ++i) CHECK(d.out.files[i].info.name() == events[i]);
  REQUIRE(d.out.runs.size() == 1);
  CHECK(d.out.runs[0].file_indices == std::vector<size_t>{0, 1, 2});
  CHECK(d.out.projector_configs == std::vector<std::string>{"train/projector_config.pbtxt"});
}

// A chain of `depth` directories named `name` under `base`, made and removed
// relative to directory descriptors: its paths grow longer than PATH_MAX,
// so neither mkdir(2) nor TempDir's cleanup can reach its bottom by path.
class DirectoryChain {
 public:
  DirectoryChain(const std::string& base, const std::string& name, int depth) : base_(base), name_(name) {
    int fd = ::open(base.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    for (int i = 0; i < depth; ++i) {
      REQUIRE(::mkdirat(fd, name.c_str(), 0755) == 0);
      const int child = ::openat(fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      ::close(fd);
      REQUIRE(child >= 0);
      fd = child;
    }
    ::close(fd);
  }
  ~DirectoryChain() {
    // Down to the bottom, then back up through "..", removing on the way
    // (what still holds files is left to TempDir).
    int fd = ::open(base_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int levels = 0;
    for (int child; fd >= 0 && (child = ::openat(fd, name_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0;
         ++levels) {
      ::close(fd);
      fd = child;
    }
    for (; fd >= 0 && levels > 0; --levels) {
      const int parent = ::openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      ::close(fd);
      fd = parent;
      if (fd >= 0) ::unlinkat(fd, name_.c_str(), AT_REMOVEDIR);
    }
    if (fd >= 0) ::close(fd);
  }
  DirectoryChain(const DirectoryChain&) = delete;
  DirectoryChain& operator=(const DirectoryChain&) = delete;

 private:
  std::string base_;
  std::string name_;
};

TEST_CASE("discover: a directory chain longer than PATH_MAX is reported where it crosses it, not walked on") {
  TempDir tmp;
  // 251 bytes a level: past PATH_MAX (4096) within 17 levels.
  const std::string name(250, 'd');
  DirectoryChain chain(tmp.path(), name, 24);
  const std::string run = name + "/" + name + "/" + name;
  WriteFile(tmp / In(run), SmallEventFile(3));

  const Discovered d = DiscoverTimed(tmp.path());
  CHECK(d.seconds < kBoundSeconds);
  CHECK(RunNames(d.out) == std::vector<std::string>{run});
  REQUIRE(d.out.problems.size() == 1);
  const PathProblem& p = d.out.problems[0];
  CHECK(p.what == "path longer than PATH_MAX (" + std::to_string(PATH_MAX) + " bytes); not walked");
  // The first path that does not fit, below one that does.
  CHECK(tmp.path().size() + 1 + p.rel_path.size() >= PATH_MAX);
  CHECK(tmp.path().size() + 1 + p.rel_path.size() - (name.size() + 1) < PATH_MAX);

  const LintResult r = LintPath(tmp.path(), "TB504");
  const Finding* f = TB504At(r, p.rel_path);
  REQUIRE(f != nullptr);
  CHECK(Contains(f->impact, "ENAMETOOLONG"));
}

TEST_CASE("discover: runs are in name order and a run's files in full-path lexicographic order") {
  TempDir tmp;
  const char* kRuns[] = {"b", "a/x", "a.b", "a", "A", "a b", "."};
  for (const char* run : kRuns) WriteFile(tmp / In(run), SmallEventFile(1));
  // Lexicographic, not numeric: ...1, ...10, ...2.
  for (const char* suffix : {"2", "10", "1"}) WriteFile(tmp / "a/events.out.tfevents.179529800" + suffix, "");
  for (int i = 0; i < 5; ++i) ::mkdir((tmp / ("empty-" + std::to_string(i))).c_str(), 0755);

  const Discovered d = DiscoverTimed(tmp.path());
  INFO("discovered:" << Describe(d.out));
  CHECK(RunNames(d.out) == std::vector<std::string>{".", "A", "a", "a b", "a.b", "a/x", "b"});
  REQUIRE(d.out.runs.size() == 7);
  std::vector<std::string> in_a;
  for (size_t i : d.out.runs[2].file_indices) in_a.emplace_back(d.out.files[i].info.name());
  CHECK(in_a == std::vector<std::string>{kEvent, "events.out.tfevents.1795298001", "events.out.tfevents.17952980010",
                                         "events.out.tfevents.1795298002"});
  CHECK(d.out.runs[5].depth == 2);
}

}  // namespace
}  // namespace tblint
