// Hostile file systems, end to end (issue 7): the real binary run on logdirs
// that hold FIFOs, sockets and devices named like event files, symlink loops,
// names made of any bytes, unreadable paths, files that change during the
// scan, full and read-only file systems, sparse terabyte files and huge
// directories. Every run must end on its own within a deadline, with exit
// code 0 or 1 (never 2, never a signal), and say what it met as a finding in
// its --format json report.
//
// Cases that need root (mount, setuid, mknod) or a file system feature
// (sparse terabyte files) are skipped with a MESSAGE giving the reason when
// the machine cannot provide them.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/filesystem.hpp>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "record/crc32c.h"
#include "record/record_reader.h"
#include "test_util.h"
#include "util/text.h"

namespace tblint {
namespace {

namespace fs = boost::filesystem;
using nlohmann::json;
using test::SmallEventFile;
using test::TempDir;
using test::WriteFile;

constexpr double kPast = 1795298000.0;  // an mtime far outside the grace period
constexpr double kDeadlineSeconds = 5;  // a run still going then is killed and fails
constexpr double kQuickSeconds = 1;     // what "quickly" means below

// ---------------------------------------------------------------------------
// Running the binary.

struct Run {
  bool started = false;    // pipes and fork worked
  bool timed_out = false;  // killed at the deadline
  int exit_code = -1;      // when it exited
  int signal = 0;          // when a signal ended it (not our SIGKILL at the deadline)
  double seconds = 0;      // wall time until it ended
  long max_rss_kib = 0;
  std::string out;
  std::string err;
};

struct RunOptions {
  double deadline_s = kDeadlineSeconds;
  // When set, the child drops to this uid and gid before exec (needs root).
  std::optional<std::pair<uid_t, gid_t>> as_user;
  std::string cwd;  // empty: the test's own
  std::string binary;  // empty: TBLINT_BINARY
};

// Runs TBLINT_BINARY with `args`, stdin from /dev/null, capturing stdout and
// stderr; SIGKILLs it at the deadline.
Run RunTblint(const std::vector<std::string>& args, const RunOptions& options = {}) {
  Run run;
  std::vector<std::string> strings = {options.binary.empty() ? std::string(TBLINT_BINARY) : options.binary};
  strings.insert(strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  const char* cwd = options.cwd.empty() ? nullptr : options.cwd.c_str();
  const bool drop = options.as_user.has_value();
  const uid_t uid = drop ? options.as_user->first : 0;
  const gid_t gid = drop ? options.as_user->second : 0;

  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return run;
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return run;
  }
  const int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec: the test may have
    // threads running (the churn case).
    ::dup2(devnull, 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    if (cwd != nullptr && ::chdir(cwd) != 0) ::_exit(126);
    if (drop && (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0)) ::_exit(125);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (devnull >= 0) ::close(devnull);
  if (pid < 0) {
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    return run;
  }
  run.started = true;
  const auto deadline = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                    std::chrono::duration<double>(options.deadline_s));

  // Both pipes are drained together, so a child that fills one while we wait
  // on the other cannot deadlock.
  struct pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&run.out, &run.err};
  int open_pipes = 2;
  while (open_pipes > 0) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) {
      run.timed_out = true;
      break;
    }
    const int ready = ::poll(fds, 2, static_cast<int>(left) + 1);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[1 << 16];
      const ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      if (got > 0) {
        sinks[i]->append(buf, static_cast<size_t>(got));
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_pipes;
      }
    }
  }

  int status = 0;
  struct rusage usage {};
  bool reaped = false;
  while (!run.timed_out && !reaped) {
    const pid_t got = ::wait4(pid, &status, WNOHANG, &usage);
    if (got == pid) {
      reaped = true;
    } else if (got < 0 && errno != EINTR) {
      break;
    } else if (std::chrono::steady_clock::now() >= deadline) {
      run.timed_out = true;
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!reaped) {
    ::kill(pid, SIGKILL);
    while (::wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
    }
  }
  for (const pollfd& p : fds) {
    if (p.fd >= 0) ::close(p.fd);
  }
  run.max_rss_kib = usage.ru_maxrss;
  if (run.timed_out) return run;
  if (WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) run.signal = WTERMSIG(status);
  return run;
}

// The run ended on its own within `limit` seconds, with exit code 0 or 1.
void CheckEndedCleanly(const Run& r, double limit = kDeadlineSeconds) {
  INFO("stderr: " << r.err);
  REQUIRE(r.started);
  CHECK_MESSAGE(!r.timed_out, "still running after " << kDeadlineSeconds << " s: killed");
  CHECK_MESSAGE(r.signal == 0, "ended by signal " << r.signal << " (" << std::string(::strsignal(r.signal)) << ")");
  CHECK_MESSAGE(r.exit_code != 125, "could not drop privileges in the child");
  CHECK_MESSAGE(r.exit_code != 127, "could not exec " << TBLINT_BINARY);
  CHECK_MESSAGE((r.exit_code == 0 || r.exit_code == 1), "exit code " << r.exit_code);
  CHECK_MESSAGE(r.seconds < limit, "took " << r.seconds << " s, limit " << limit << " s");
}

json ParseReport(const Run& r) {
  INFO("stdout: " << r.out);
  INFO("stderr: " << r.err);
  try {
    return json::parse(r.out);
  } catch (const json::exception& e) {
    FAIL("stdout is not a JSON document: " << std::string(e.what()));
  }
  return json();
}

// A finding of the report, with its names' exact bytes.
struct Found {
  std::string code;
  std::string path;
  std::string run;
  std::string message;
};

std::vector<Found> FindingsOf(const json& doc) {
  std::vector<Found> out;
  if (!doc.is_object() || !doc.contains("findings") || !doc["findings"].is_array()) return out;
  for (const json& f : doc["findings"]) {
    Found found;
    found.code = f.value("code", "");
    found.path = GetName(f, "path").value_or("<no path>");
    found.run = GetName(f, "run").value_or("<no run>");
    found.message = f.value("message", "");
    out.push_back(std::move(found));
  }
  return out;
}

// For INFO: one line per finding, escaped for the terminal.
std::string Describe(const json& doc) {
  std::string out;
  for (const Found& f : FindingsOf(doc)) out += "\n  " + f.code + " " + EscapeForText(f.path) + ": " + f.message;
  return out.empty() ? " (no findings)" : out;
}

int CountFindings(const json& doc, const std::string& code, const std::string& path) {
  int n = 0;
  for (const Found& f : FindingsOf(doc)) n += f.code == code && f.path == path;
  return n;
}

uint64_t SummaryFiles(const json& doc) {
  return doc.contains("summary") ? doc["summary"].value("files", uint64_t{999999}) : 999999;
}

// The fixes entry for `path`, or null.
json FixFor(const json& doc, const std::string& path) {
  if (doc.contains("fixes")) {
    for (const json& f : doc["fixes"]) {
      if (GetName(f, "path") == path) return f;
    }
  }
  return json();
}

// Raw control bytes (other than '\n') and DEL: what must never reach a
// terminal from a name.
std::string ControlBytesIn(const std::string& text) {
  std::string found;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\n') || c == 0x7f) {
      char buf[48];
      std::snprintf(buf, sizeof buf, " 0x%02x at %zu", c, i);
      found += buf;
    }
  }
  return found;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// ---------------------------------------------------------------------------
// Building logdirs.

// An event file name for run `i`, counter `c`.
std::string EventName(int i, int c = 0) {
  return "events.out.tfevents.1795298000.host." + std::to_string(100 + i) + "." + std::to_string(c);
}

// A valid file whose last record lost its last 7 bytes: TB101, an error once
// its mtime is set outside the grace period.
std::string TruncatedEventFile() {
  const std::string bytes = SmallEventFile(5, kPast);
  return bytes.substr(0, bytes.size() - 7);
}

void WriteOldFile(const std::string& path, const std::string& bytes) {
  WriteFile(path, bytes);
  test::SetMtime(path, kPast);
}

// Symlinks, removed on scope exit before the TempDir that holds them (declare
// it after the TempDir): TempDir's destructor chmods every path it lists, and
// chmod follows symlinks, so a link left to /dev/zero or / would have them
// chmodded to 0755.
class Symlinks {
 public:
  Symlinks() = default;
  ~Symlinks() {
    for (const std::string& at : made_) ::unlink(at.c_str());
  }
  Symlinks(const Symlinks&) = delete;
  Symlinks& operator=(const Symlinks&) = delete;

  void Add(const std::string& target, const std::string& at) {
    fs::create_directories(fs::path(at).parent_path());
    REQUIRE_MESSAGE(::symlink(target.c_str(), at.c_str()) == 0,
                    "symlink " << at << ": " << std::string(std::strerror(errno)));
    made_.push_back(at);
  }

 private:
  std::vector<std::string> made_;
};

// Every file below `dir` (not following symlinks), relative to it.
std::vector<std::string> FilesBelow(const std::string& dir) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!fs::is_directory(it->symlink_status())) out.push_back(fs::relative(it->path(), dir).string());
  }
  return out;
}

// The byte offset of record `index` in a framed file.
uint64_t RecordOffset(const std::string& bytes, int index) {
  uint64_t p = 0;
  for (int i = 0; i < index; ++i) {
    uint64_t len = 0;
    for (int b = 7; b >= 0; --b) len = (len << 8) | static_cast<uint8_t>(bytes[p + b]);
    p += kFramingSize + len;
  }
  return p;
}

// A tmpfs mounted on an existing directory for one test, unmounted on scope
// exit even when a REQUIRE fails. Needs root (CAP_SYS_ADMIN).
class TmpfsMount {
 public:
  TmpfsMount(const std::string& dir, const std::string& options) : dir_(dir) {
    if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, options.c_str()) == 0) {
      mounted_ = true;
    } else {
      error_ = std::strerror(errno);
    }
  }
  ~TmpfsMount() {
    if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;

  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }
  bool RemountReadOnly() {
    if (::mount(nullptr, dir_.c_str(), nullptr, MS_REMOUNT | MS_RDONLY, nullptr) == 0) return true;
    error_ = std::strerror(errno);
    return false;
  }

 private:
  std::string dir_;
  bool mounted_ = false;
  std::string error_;
};

// A tmpfs on `dir`, or the reason there is none (empty when mounted).
std::string WhyNoTmpfs(const TmpfsMount& m) {
  if (m.mounted()) return "";
  if (::geteuid() != 0) return "not root: cannot mount a tmpfs";
  return "mount -t tmpfs failed: " + m.error();
}

// ---------------------------------------------------------------------------
// 1. Special files named like event files.

TEST_CASE("hostile fs: a FIFO named like an event file is a TB504 finding and nothing blocks on it") {
  TempDir tmp;
  WriteOldFile(tmp / ("train/" + EventName(1)), SmallEventFile(3, kPast));
  const std::string fifo = "train/" + EventName(1, 1);
  REQUIRE(::mkfifo((tmp / fifo).c_str(), 0644) == 0);
  // Held open for writing, so that a reader that opened it would wait for
  // data for ever instead of seeing end of file.
  const int writer = ::open((tmp / fifo).c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
  REQUIRE(writer >= 0);

  const Run r = RunTblint({"--format", "json", tmp.path()});
  CheckEndedCleanly(r);
  CHECK(r.exit_code == 1);
  const json doc = ParseReport(r);
  INFO("findings:" << Describe(doc));
  CHECK(CountFindings(doc, "TB504", fifo) == 1);
  CHECK(SummaryFiles(doc) == 1);

  // The FIFO given as PATH, linted as a single file.
  const Run single = RunTblint({"--format", "json", tmp / fifo});
  CheckEndedCleanly(single);
  CHECK(single.exit_code == 1);
  const json single_doc = ParseReport(single);
  INFO("single-file findings:" << Describe(single_doc));
  CHECK(CountFindings(single_doc, "TB504", EventName(1, 1)) == 1);
  ::close(writer);
}

TEST_CASE("hostile fs: a UNIX socket named like an event file is a TB504 finding") {
  TempDir tmp;
  WriteOldFile(tmp / ("train/" + EventName(1)), SmallEventFile(3, kPast));
  const std::string sock = "train/" + EventName(1, 1);
  const std::string sock_path = tmp / sock;
  struct sockaddr_un addr {};
  addr.sun_family = AF_UNIX;
  if (sock_path.size() >= sizeof(addr.sun_path)) {
    MESSAGE("skipped: " << sock_path << " is too long for a UNIX socket address");
    return;
  }
  std::memcpy(addr.sun_path, sock_path.c_str(), sock_path.size() + 1);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  REQUIRE_MESSAGE(::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0,
                  "bind " << sock_path << ": " << std::string(std::strerror(errno)));
  REQUIRE(::listen(fd, 1) == 0);  // a live socket: connecting would succeed

  const Run r = RunTblint({"--format", "json", tmp.path()});
  ::close(fd);
  CheckEndedCleanly(r);
  CHECK(r.exit_code == 1);
  const json doc = ParseReport(r);
  INFO("findings:" << Describe(doc));
  CHECK(CountFindings(doc, "TB504", sock) == 1);
}

TEST_CASE("hostile fs: a character device named like an event file is a TB504 finding") {
  TempDir tmp;
  Symlinks links;
  WriteOldFile(tmp / ("train/" + EventName(1)), SmallEventFile(3, kPast));
  // Symlinks to devices need no privilege; /dev/zero never ends and
  // /dev/null always does.
  std::vector<std::string> devices = {"train/" + EventName(1, 1), "train/" + EventName(1, 2)};
  links.Add("/dev/null", tmp / devices[0]);
  links.Add("/dev/zero", tmp / devices[1]);
  const std::string node = "train/" + EventName(1, 3);
  if (::mknod((tmp / node).c_str(), S_IFCHR | 0644, ::makedev(1, 5)) == 0) {  // /dev/zero's numbers
    devices.push_back(node);
  } else {
    const std::string why = std::string(::geteuid() == 0 ? "" : "not root: ") + std::strerror(errno);
    MESSAGE("mknod of a character device skipped (" << why << "); symlinks to /dev/null and /dev/zero checked");
  }

  const Run r = RunTblint({"--format", "json", tmp.path()});
  CheckEndedCleanly(r);
  CHECK(r.exit_code == 1);
  const json doc = ParseReport(r);
  INFO("findings:" << Describe(doc));
  for (const std::string& d : devices) {
    CAPTURE(d);
    CHECK(CountFindings(doc, "TB504", d) == 1);
  }
  CHECK(SummaryFiles(doc) == 1);
}

// ---------------------------------------------------------------------------
// 2. Symlink loops and links out of the logdir.

TEST_CASE("hostile fs: a symlink to its own directory is a TB504 finding and the walk ends") {
  TempDir tmp;
  Symlinks links;
  WriteOldFile(tmp / ("train/" + EventName(1)), SmallEventFile(3, kPast));
  links.Add(".", tmp / "train/self");

  const Run r = RunTblint({"--format", "json", tmp.path()});
  CheckEndedCleanly(r, kQuickSeconds);
  CHECK(r.exit_code == 1);
  const json doc = ParseReport(r);
  INFO("findings:" << Describe(doc));
  CHECK(CountFindings(doc, "TB504", "train/self") == 1);
  CHECK(SummaryFiles(doc) == 1);
}

TEST_CASE("hostile fs: a symlink to the parent directory is a TB504 finding and the walk ends") {
  TempDir tmp;
  Symlinks links;
  const std::string logdir = tmp / "logs";
  WriteOldFile(logdir + "/train/" + EventName(1), SmallEventFile(3, kPast));
  links.Add("..", logdir + "/train/up");             // the logdir
  links.Add("../..", logdir + "/train/up2");         // the logdir's parent
  links.Add("../../..", logdir + "/train/a/b/up3");  // the logdir again, from deeper

  const Run r = RunTblint({"--format", "json", logdir});
  CheckEndedCleanly(r, kQuickSeconds);
  CHECK(r.exit_code == 1);
  const json doc = ParseReport(r);
  INFO("findings:" << Describe(doc));
  CHECK(CountFindings(doc, "TB504", "train/up") == 1);
  CHECK(CountFindings(doc, "TB504", "train/up2") == 1);
  CHECK(CountFindings(doc, "TB504", "train/a/b/up3") == 1);
  CHECK(SummaryFiles(doc) == 1);
}

TEST_CASE("hostile fs: three directories symlinked in a cycle are TB504 findings and the walk ends") {
  TempDir tmp;
  Symlinks links;
  WriteOldFile(tmp / ("train/" + EventName(1)), SmallEventFile(3, kPast));
  links.Add("../d2", tmp / "d1/next");
  links.Add("../d3", tmp / "d2/next");
  links.Add("../d1", tmp / "d3/next");

  const Run r = RunTblint({"--format", "json", tmp.path()});
  CheckEndedCleanly(r, kQuickSeconds);
  CHECK(r.exit_code == 1);
  const json doc = ParseReport(r);
  INFO("findings:" << Describe(doc));
  // Walked from each entry point in turn, each cycle is cut where it comes
  // back to where it started.
  for (const std::string p : {"d1/next/next/next", "d2/next/next/next", "d3/next/next/next"}) {
    CAPTURE(p);
    CHECK(CountFindings(doc, "TB504", p) == 1);
  }
  CHECK(SummaryFiles(doc) == 1);
}

TEST_CASE("hostile fs: three symlinks naming each other in a cycle are TB504 findings") {
  TempDir tmp;
  Symlinks links;
  WriteOldFile(tmp / ("train/" + EventName(1)), SmallEventFile(3, kPast));
  // Named like event files, so the run also gets them as (unreadable) files.
  const std::string a = "train/" + EventName(1, 1), b = "train/" + EventName(1, 2), c = "train/" + EventName(1, 3);
  links.Add(EventName(1, 2), tmp / a);
  links.Add(EventName(1, 3), tmp / b);
  links.Add(EventName(1, 1), tmp / c);
  links.Add("l2", tmp / "loop/l1");  // and a cycle of plain names
  links.Add("l3", tmp / "loop/l2");
  links.Add("l1", tmp / "loop/l3");

  const Run r = RunTblint({"--format", "json", tmp.path()});
  CheckEndedCleanly(r, kQuickSeconds);
  CHECK(r.exit_code == 1);
  const json doc = ParseReport(r);
  INFO("findings:" << Describe(doc));
  for (const std::string& p : {a, b, c, std::string("loop/l1"), std::string("loop/l2"), std::string("loop/l3")}) {
    CAPTURE(p);
    CHECK(CountFindings(doc, "TB504", p) == 1);
  }
}

TEST_CASE("hostile fs: a symlink to / is a TB504 finding and nothing under / is walked") {
  TempDir tmp;
  Symlinks links;
  WriteOldFile(tmp / ("train/" + EventName(1)), SmallEventFile(3, kPast));
  links.Add("/", tmp / "root");
  links.Add("/", tmp / "train/deep/er/root");

  const Run r = RunTblint({"--format", "json", tmp.path()});
  CheckEndedCleanly(r, kQuickSeconds);
  CHECK(r.exit_code == 1);
  const json doc = ParseReport(r);
  INFO("findings:" << Describe(doc));
  CHECK(CountFindings(doc, "TB504", "root") == 1);
  CHECK(CountFindings(doc, "TB504", "train/deep/er/root") == 1);
  CHECK(SummaryFiles(doc) == 1);
  CHECK(doc["summary"].value("runs", 0) == 1);
}

TEST_CASE("hostile fs: a broken symlink named like an event file is a TB504 finding") {
  TempDir tmp;
  Symlinks links;
  WriteOldFile(tmp / ("train/" + EventName(1)), SmallEventFile(3, kPast));
  const std::string broken = "train/" + EventName(1, 1);
  links.Add("no/such/file", tmp / broken);

  const Run r = RunTblint({"--format", "json", tmp.path()});
  CheckEndedCleanly(r);
  CHECK(r.exit_code == 1);
  const json doc = ParseReport(r);
  INFO("findings:" << Describe(doc));
  CHECK(CountFindings(doc, "TB504", broken) == 1);
  CHECK(SummaryFiles(doc) == 1);
}

// ---------------------------------------------------------------------------
// 3. Names made of any bytes.

// Lints `logdir` holding a truncated event file at each of `files` (run,
// file name) in JSON and text, and with `tblint runs`: the JSON parses and
// gives every name's exact bytes; the text has no raw control byte, is valid
// UTF-8, and no line of it starts with a forged "x: error: fake".
void CheckHostileNames(const std::string& logdir, const std::vector<std::pair<std::string, std::string>>& files) {
  for (const auto& [run, name] : files) WriteOldFile(logdir + "/" + run + "/" + name, TruncatedEventFile());

  const Run r = RunTblint({"--format", "json", logdir});
  CheckEndedCleanly(r);
  CHECK(r.exit_code == 1);
  const json doc = ParseReport(r);
  INFO("findings:" << Describe(doc));
  CHECK(IsValidUtf8(r.out));
  for (const auto& [run, name] : files) {
    const std::string rel = run + "/" + name;
    CAPTURE(EscapeForText(rel));
    CHECK(CountFindings(doc, "TB101", rel) == 1);
    for (const Found& f : FindingsOf(doc)) {
      if (f.path == rel) CHECK(f.run == run);
    }
  }
  for (const json& f : doc["findings"]) CHECK(GetName(f, "logdir") == logdir);
  REQUIRE(doc["paths"].size() == 1);
  CHECK(GetName(doc["paths"][0], "path") == logdir);

  const Run text = RunTblint({logdir});
  CheckEndedCleanly(text);
  CHECK(text.exit_code == 1);
  const Run runs = RunTblint({"runs", logdir});
  CheckEndedCleanly(runs);
  const Run runs_json = RunTblint({"runs", "--format", "json", logdir});
  CheckEndedCleanly(runs_json);
  ParseReport(runs_json);
  for (const Run* t : {&text, &runs}) {
    INFO("text output:\n" << EscapeForText(t->out));
    CHECK(ControlBytesIn(t->out) == "");
    CHECK(ControlBytesIn(t->err) == "");
    CHECK(IsValidUtf8(t->out));
    for (const auto& [run, name] : files) CHECK(t->out.find(EscapeForText(run)) != std::string::npos);
    for (const std::string& line : Lines(t->out)) {
      CAPTURE(line);
      CHECK(line.rfind("x: error: fake", 0) == std::string::npos);
    }
  }
}

TEST_CASE("hostile fs: non-UTF-8 directory and file names keep their exact bytes in JSON and are escaped in text") {
  TempDir tmp;
  CheckHostileNames(tmp.path(), {{"r\xff", "events.out.tfevents.1795298000.h\xfe\xc0.1.0"},
                                 {"\xc3\x28/\xed\xa0\x80", "events.out.tfevents.1795298000.ok.2.0"},
                                 {"ok", "events.out.tfevents.1795298000.\x80\x81.3.0"}});
}

TEST_CASE("hostile fs: names with a newline cannot forge a line of text output") {
  TempDir tmp;
  CheckHostileNames(tmp.path(), {{"a\nb", "events.out.tfevents.1795298000.h.1.0\n"},
                                 {"c", "events.out.tfevents.1795298000.\r\nh.2.0"}});
}

TEST_CASE("hostile fs: names with escape sequences and DEL reach the terminal escaped") {
  TempDir tmp;
  CheckHostileNames(tmp.path(),
                    {{"\x1b[2J\x1b]0;pwned\x07", "events.out.tfevents.1795298000.\x1b[31mred\x7f.1.0"},
                     {std::string("\xc2\x9b") + "31m\xe2\x80\xae", "events.out.tfevents.1795298000.\t\x01.2.0"}});
}

TEST_CASE("hostile fs: a name that reads like a finding cannot forge one in text output") {
  TempDir tmp;
  CheckHostileNames(tmp.path(), {{"x: error: fake [TB999 x]", "events.out.tfevents.1795298000.h.1.0"},
                                 {"run", "events.out.tfevents.1\nx: error: fake [TB999 x]\n"}});
}

TEST_CASE("hostile fs: a logdir PATH whose own name is not UTF-8 and holds control bytes is reported exactly") {
  TempDir tmp;
  CheckHostileNames(tmp / "logs\xff\n\x1b[0m", {{"train", "events.out.tfevents.1795298000.h.1.0"}});
}

// ---------------------------------------------------------------------------
// 4. Unreadable paths.

TEST_CASE("hostile fs: an unreadable directory and an unreadable event file are TB504 findings") {
  TempDir tmp;
  // World-readable down to the logdir, so that the unprivileged user reaches it.
  REQUIRE(::chmod(tmp.path().c_str(), 0755) == 0);
  const std::string logdir = tmp / "logs";
  WriteOldFile(logdir + "/ok/" + EventName(1), SmallEventFile(3, kPast));
  WriteOldFile(logdir + "/locked/" + EventName(2), SmallEventFile(3, kPast));
  const std::string secret = "secret/" + EventName(3);
  WriteOldFile(logdir + "/" + secret, SmallEventFile(3, kPast));
  for (const std::string& d : {logdir, logdir + "/ok", logdir + "/secret"}) REQUIRE(::chmod(d.c_str(), 0755) == 0);
  REQUIRE(::chmod((logdir + "/ok/" + EventName(1)).c_str(), 0644) == 0);
  REQUIRE(::chmod((logdir + "/locked").c_str(), 0) == 0);
  REQUIRE(::chmod((logdir + "/" + secret).c_str(), 0) == 0);

  RunOptions options;
  if (::geteuid() == 0) {
    options.as_user = std::make_pair(uid_t{65534}, gid_t{65534});  // nobody
    options.cwd = tmp.path();
    // The build tree may sit under a private directory (mktemp -d is 0700):
    // run a copy nobody can reach.
    options.binary = tmp / "tblint";
    boost::filesystem::copy_file(TBLINT_BINARY, options.binary);
    REQUIRE(::chmod(options.binary.c_str(), 0755) == 0);
    MESSAGE("running tblint as uid 65534 (nobody)");
  } else if (::access((logdir + "/" + secret).c_str(), R_OK) == 0) {
    MESSAGE("skipped: not root, and a mode 000 file is still readable (CAP_DAC_OVERRIDE?)");
    return;
  }
  const Run r = RunTblint({"--format", "json", logdir}, options);
  CheckEndedCleanly(r);
  CHECK(r.exit_code == 1);
  const json doc = ParseReport(r);
  INFO("findings:" << Describe(doc));
  CHECK(CountFindings(doc, "TB504", "locked") == 1);
  CHECK(CountFindings(doc, "TB504", secret) == 1);
}

// ---------------------------------------------------------------------------
// 5. Files that change during the scan.

// Stops and joins a thread on scope exit, even when a REQUIRE fails.
class StopAndJoin {
 public:
  StopAndJoin(std::atomic<bool>* stop, std::thread* thread) : stop_(stop), thread_(thread) {}
  ~StopAndJoin() {
    *stop_ = true;
    if (thread_->joinable()) thread_->join();
  }
  StopAndJoin(const StopAndJoin&) = delete;
  StopAndJoin& operator=(const StopAndJoin&) = delete;

 private:
  std::atomic<bool>* stop_;
  std::thread* thread_;
};

// Writes `bytes` to a new `path` with plain syscalls: the churn thread must
// not throw.
void RawWrite(const std::string& path, const std::string& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return;
  if (::write(fd, bytes.data(), bytes.size()) < 0) {
    // Nothing to do: the next operation may fix it.
  }
  ::close(fd);
}

TEST_CASE("hostile fs: event files growing, shrinking and vanishing during the scan never crash or hang tblint") {
  TempDir tmp;
  std::vector<std::string> files, runs;
  for (int run = 0; run < 4; ++run) {
    runs.push_back(tmp / ("run" + std::to_string(run)));
    for (int c = 0; c < 3; ++c) {
      files.push_back(runs.back() + "/" + EventName(run, c));
      WriteOldFile(files.back(), SmallEventFile(200, kPast));
    }
  }
  const std::string fresh = SmallEventFile(200, kPast);
  const std::string record = FrameRecord(events::Scalar(kPast, 1000, "loss", 0.5f));

  std::atomic<bool> stop{false};
  std::atomic<long> ops{0};
  std::thread churn([&] {
    std::mt19937 rng(7);
    while (!stop) {
      const std::string& path = files[rng() % files.size()];
      switch (rng() % 6) {
        case 0:
        case 1: {  // a writer appends a record, or half of one
          const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
          if (fd >= 0) {
            const size_t n = rng() % 2 ? record.size() : record.size() / 2;
            if (::write(fd, record.data(), n) < 0) {
              // The file may be gone again: fine.
            }
            ::close(fd);
          }
          break;
        }
        case 2: {  // shrinks to half
          const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
          struct stat st {};
          if (fd >= 0 && ::fstat(fd, &st) == 0 && ::ftruncate(fd, st.st_size / 2) != 0) {
            // Raced with a delete: fine.
          }
          if (fd >= 0) ::close(fd);
          break;
        }
        case 3:  // vanishes and comes back
          ::unlink(path.c_str());
          std::this_thread::sleep_for(std::chrono::microseconds(200));
          RawWrite(path, fresh);
          break;
        case 4:  // is briefly replaced by a FIFO
          ::unlink(path.c_str());
          ::mkfifo(path.c_str(), 0644);
          std::this_thread::sleep_for(std::chrono::microseconds(200));
          ::unlink(path.c_str());
          RawWrite(path, fresh);
          break;
        case 5: {  // a whole run directory moves away and back
          const std::string& run = runs[rng() % runs.size()];
          if (::rename(run.c_str(), (run + ".away").c_str()) == 0) {
            std::this_thread::sleep_for(std::chrono::microseconds(200));
            ::rename((run + ".away").c_str(), run.c_str());
          }
          break;
        }
      }
      ++ops;
    }
  });
  StopAndJoin join(&stop, &churn);

  constexpr int kRuns = 20;
  for (int i = 0; i < kRuns; ++i) {
    CAPTURE(i);
    std::vector<std::string> args = {"--format", "json", "--jobs", "2"};
    if (i % 4 == 3) {  // repairs racing the changes too
      for (const char* a : {"--fix", "--unsafe-fixes", "--grace-period", "0"}) args.push_back(a);
    }
    args.push_back(tmp.path());
    const Run r = RunTblint(args);
    CheckEndedCleanly(r);
    ParseReport(r);
  }
  stop = true;
  churn.join();
  MESSAGE(kRuns << " runs raced " << ops.load() << " file changes");
  CHECK(ops.load() > kRuns);  // the race was really run
}

// ---------------------------------------------------------------------------
// 6, 7. --fix on a full and on a read-only file system.

// An event file of at least `min_bytes` whose middle record has a flipped
// payload byte (TB104: only an unsafe rewrite fixes it).
std::string DamagedEventFile(size_t min_bytes) {
  int n = 100;
  std::string bytes;
  while ((bytes = SmallEventFile(n, kPast)).size() < min_bytes) n += n / 8;
  const uint64_t at = RecordOffset(bytes, n / 2);
  bytes[at + kHeaderSize + 2] ^= 0x20;
  return bytes;
}

// `tblint restore` after a fix that failed: exits 0 (each file already
// original), or, when the fix never made a backup folder, exits 2 saying
// there is nothing to restore.
void CheckRestoreLeavesItAlone(const std::vector<std::string>& args) {
  const Run restore = RunTblint(args);
  INFO("restore stdout: " << restore.out);
  INFO("restore stderr: " << restore.err);
  REQUIRE(restore.started);
  CHECK(!restore.timed_out);
  CHECK(restore.signal == 0);
  if (restore.exit_code == 2 && restore.err.find("nothing was fixed or archived there") != std::string::npos) {
    CHECK(restore.out == "");
    return;
  }
  CHECK(restore.exit_code == 0);
  const json doc = ParseReport(restore);
  for (const json& r : doc["restored"]) CHECK(r.value("status", "") == "already original");
}

// Under `dir`: files named like event files other than `keep`, and
// temporaries of the fixer, with their sizes, for failure messages.
std::string StrayFiles(const std::string& dir, const std::string& keep) {
  std::string out;
  for (const std::string& rel : FilesBelow(dir)) {
    const std::string base = fs::path(rel).filename().string();
    const bool event_like = base.find("tfevents") != std::string::npos && rel != keep;
    const bool temporary = base.rfind(".tblint-fix-", 0) == 0;
    if (event_like || temporary) out += " " + EscapeForText(rel);
  }
  return out;
}

TEST_CASE("hostile fs: a --fix that fills the file system fails cleanly and leaves the original byte-identical") {
  for (const bool backup_elsewhere : {false, true}) {
    // Either the backup of the original does not fit, or (backup on another
    // file system) the rewrite's temporary does not.
    CAPTURE(backup_elsewhere);
    TempDir tmp;
    const std::string mnt = tmp / "mnt";
    fs::create_directories(mnt);
    TmpfsMount mount(mnt, "size=256k");
    if (const std::string why = WhyNoTmpfs(mount); !why.empty()) {
      MESSAGE("skipped: " << why);
      return;
    }
    const std::string logdir = mnt + "/logs";
    const std::string rel = "train/" + EventName(1);
    const std::string original = DamagedEventFile(150 << 10);
    WriteOldFile(logdir + "/" + rel, original);
    const std::string backup = tmp / "backup";

    std::vector<std::string> args = {"--format", "json", "--fix", "--unsafe-fixes", "--fail-on", "never"};
    std::vector<std::string> restore_args = {"restore", "--format", "json"};
    if (backup_elsewhere) {
      for (auto* a : {&args, &restore_args}) {
        a->push_back("--backup-dir");
        a->push_back(backup);
      }
    }
    args.push_back(logdir);
    restore_args.push_back(logdir);
    const Run r = RunTblint(args);
    CheckEndedCleanly(r);
    const json doc = ParseReport(r);
    INFO("report: " << r.out);
    CHECK(r.exit_code == 1);  // with --fail-on never, only a failed fix makes it 1
    const json fix = FixFor(doc, rel);
    REQUIRE(fix.is_object());
    CHECK(fix.value("status", "") == "fix failed");
    CHECK(fix.value("message", "") != "");
    MESSAGE("backup elsewhere: " << backup_elsewhere << "; fix failed: " << fix.value("message", ""));
    CHECK(test::ReadFile(logdir + "/" + rel) == original);
    CHECK(StrayFiles(logdir, rel) == "");

    CheckRestoreLeavesItAlone(restore_args);
    CHECK(test::ReadFile(logdir + "/" + rel) == original);
  }
}

TEST_CASE("hostile fs: a --fix on a read-only file system fails cleanly and leaves the file unchanged") {
  for (const bool backup_elsewhere : {false, true}) {
    // Either the backup folder cannot be created, or (backup on another file
    // system) the backup is made and the swap cannot be.
    CAPTURE(backup_elsewhere);
    TempDir tmp;
    const std::string mnt = tmp / "mnt";
    fs::create_directories(mnt);
    TmpfsMount mount(mnt, "size=4m");
    if (const std::string why = WhyNoTmpfs(mount); !why.empty()) {
      MESSAGE("skipped: " << why);
      return;
    }
    const std::string logdir = mnt + "/logs";
    const std::string truncated = "train/" + EventName(1), damaged = "eval/" + EventName(2);
    WriteOldFile(logdir + "/" + truncated, TruncatedEventFile());  // a safe truncation
    WriteOldFile(logdir + "/" + damaged, DamagedEventFile(4096));  // an unsafe rewrite
    const std::string truncated_bytes = test::ReadFile(logdir + "/" + truncated);
    const std::string damaged_bytes = test::ReadFile(logdir + "/" + damaged);
    if (!mount.RemountReadOnly()) {
      MESSAGE("skipped: mount -o remount,ro failed: " << mount.error());
      return;
    }
    const std::string backup = tmp / "backup";

    std::vector<std::string> args = {"--format", "json", "--fix", "--unsafe-fixes", "--fail-on", "never"};
    std::vector<std::string> restore_args = {"restore", "--format", "json"};
    if (backup_elsewhere) {
      for (auto* a : {&args, &restore_args}) {
        a->push_back("--backup-dir");
        a->push_back(backup);
      }
    }
    args.push_back(logdir);
    restore_args.push_back(logdir);
    const Run r = RunTblint(args);
    CheckEndedCleanly(r);
    const json doc = ParseReport(r);
    INFO("report: " << r.out);
    CHECK(r.exit_code == 1);
    for (const std::string& rel : {truncated, damaged}) {
      CAPTURE(rel);
      const json fix = FixFor(doc, rel);
      REQUIRE(fix.is_object());
      CHECK(fix.value("status", "") == "fix failed");
      CHECK(fix.value("message", "") != "");
      MESSAGE("backup elsewhere: " << backup_elsewhere << "; fix failed: " << fix.value("message", ""));
    }
    CHECK(test::ReadFile(logdir + "/" + truncated) == truncated_bytes);
    CHECK(test::ReadFile(logdir + "/" + damaged) == damaged_bytes);

    CheckRestoreLeavesItAlone(restore_args);
    CHECK(test::ReadFile(logdir + "/" + truncated) == truncated_bytes);
    CHECK(test::ReadFile(logdir + "/" + damaged) == damaged_bytes);
  }
}

// ---------------------------------------------------------------------------
// 8. Sparse terabyte files.

constexpr off_t kTerabyte = off_t{1} << 40;

// Writes `head`, then extends the file to 1 TiB with a hole; false when the
// file system cannot hold such a file.
bool WriteSparseTerabyte(const std::string& path, const std::string& head, std::string* why) {
  WriteOldFile(path, head);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  const bool ok = fd >= 0 && ::ftruncate(fd, kTerabyte) == 0;
  if (!ok) *why = std::strerror(errno);
  if (fd >= 0) ::close(fd);
  test::SetMtime(path, kPast);
  return ok;
}

TEST_CASE("hostile fs: a sparse 1 TB file whose record claims 2^63-1 bytes is a quick TB101") {
  TempDir tmp;
  std::string head = SmallEventFile(3, kPast);
  const uint64_t claimed = (uint64_t{1} << 63) - 1;
  char header[kHeaderSize];
  for (int i = 0; i < 8; ++i) header[i] = static_cast<char>(claimed >> (8 * i));
  const uint32_t crc = crc32c::Mask(crc32c::Value(header, 8));
  for (int i = 0; i < 4; ++i) header[8 + i] = static_cast<char>(crc >> (8 * i));
  head.append(header, kHeaderSize);
  head += "payload that never ends";
  const std::string rel = "train/" + EventName(1);
  std::string why;
  if (!WriteSparseTerabyte(tmp / rel, head, &why)) {
    MESSAGE("skipped: cannot make a sparse 1 TiB file in " << tmp.path() << ": " << why);
    return;
  }
  // The file ends in data, not in the hole: the record is cut by the end of
  // the file, not by a zero-filled tail.
  const int fd = ::open((tmp / rel).c_str(), O_WRONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  const std::string last = "the last bytes of a terabyte";
  REQUIRE(::pwrite(fd, last.data(), last.size(), kTerabyte - static_cast<off_t>(last.size())) ==
          static_cast<ssize_t>(last.size()));
  ::close(fd);
  test::SetMtime(tmp / rel, kPast);

  const Run r = RunTblint({"--format", "json", tmp.path()});
  CheckEndedCleanly(r, kQuickSeconds);
  CHECK(r.exit_code == 1);
  const json doc = ParseReport(r);
  INFO("findings:" << Describe(doc));
  MESSAGE("1 TiB sparse file with a 2^63-1 byte record: " << r.seconds << " s, max RSS " << r.max_rss_kib
                                                          << " KiB, codes:" << Describe(doc));
  CHECK(CountFindings(doc, "TB101", rel) == 1);
}

TEST_CASE("hostile fs: a sparse 1 TB file of holes only is a quick finding") {
  TempDir tmp;
  const std::string rel = "train/" + EventName(1);
  std::string why;
  if (!WriteSparseTerabyte(tmp / rel, "", &why)) {
    MESSAGE("skipped: cannot make a sparse 1 TiB file in " << tmp.path() << ": " << why);
    return;
  }
  const Run r = RunTblint({"--format", "json", tmp.path()});
  CheckEndedCleanly(r, kQuickSeconds);
  CHECK(r.exit_code == 1);
  const json doc = ParseReport(r);
  MESSAGE("1 TiB of holes: " << r.seconds << " s, max RSS " << r.max_rss_kib << " KiB, findings:" << Describe(doc));
  int about_it = 0;
  for (const Found& f : FindingsOf(doc)) about_it += f.path == rel;
  CHECK(about_it >= 1);
}

// ---------------------------------------------------------------------------
// 9. A huge directory.

TEST_CASE("hostile fs: a directory with 100,000 empty non-event files and one run is linted in under 5 seconds") {
  TempDir tmp;
  WriteOldFile(tmp / ("train/" + EventName(1)), SmallEventFile(3, kPast));
  const int dir = ::open(tmp.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  REQUIRE(dir >= 0);
  const auto start = std::chrono::steady_clock::now();
  constexpr int kFiles = 100000;
  int created = 0;
  for (int i = 0; i < kFiles; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "checkpoint-%06d.txt", i);
    const int fd = ::openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) break;
    ::close(fd);
    ++created;
  }
  ::close(dir);
  REQUIRE(created == kFiles);
  MESSAGE(kFiles << " files created in "
                 << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() << " s");

  const Run r = RunTblint({"--format", "json", tmp.path()});
  CheckEndedCleanly(r);
  CHECK(r.exit_code == 0);
  const json doc = ParseReport(r);
  INFO("findings:" << Describe(doc));
  MESSAGE("linted in " << r.seconds << " s, max RSS " << r.max_rss_kib << " KiB");
  CHECK(SummaryFiles(doc) == 1);
}

}  // namespace
}  // namespace tblint
