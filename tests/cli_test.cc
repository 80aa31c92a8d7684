// The command line: options, exit codes, formats, and the fix workflow, run
// in process through RunApp; what needs a real process (stdout redirected to
// /dev/full) spawns the built binary, TBLINT_BINARY.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <thread>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

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

// A logdir that lints clean with the default options.
void MakeCleanLogdir(const test::TempDir& dir) {
  test::WriteFile(dir / "run/events.out.tfevents.1795298000.host.1.0", test::SmallEventFile(3));
  test::SetMtime(dir / "run/events.out.tfevents.1795298000.host.1.0", kPast + 10);
}

std::string ShellQuote(const std::string& word) {
  std::string quoted = "'";
  for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

struct BinaryResult {
  int exit_code = -1;
  std::string err;
};

// Runs the real tblint with its standard output sent to `stdout_path` and
// returns its exit code and standard error.
BinaryResult RunBinary(const std::vector<std::string>& args, const std::string& stdout_path) {
  std::string cmd = ShellQuote(TBLINT_BINARY);
  for (const std::string& a : args) cmd += " " + ShellQuote(a);
  cmd += " 2>&1 >" + ShellQuote(stdout_path);  // stderr to the pipe, then stdout to the file
  BinaryResult r;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) r.err.append(buf, n);
  const int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

bool HaveDevFull() { return ::access("/dev/full", W_OK) == 0; }

// What tblint says when standard output is /dev/full.
std::string NoSpaceMessage() {
  return std::string("tblint: cannot write the report to standard output: ") + std::strerror(ENOSPC) + "\n";
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

TEST_CASE("a report that cannot be written to standard output exits 2 and says why") {
  if (!HaveDevFull()) {
    MESSAGE("skipped: /dev/full is missing or not writable, and it is how a full disk is simulated");
    return;
  }
  test::TempDir dir;
  MakeLogdir(dir);
  struct Case {
    std::vector<std::string> args;
    int exit_code_when_written;  // proves the 2 comes from the failed write alone
  };
  const std::vector<Case> cases = {
      {{"--format", "json", dir.path()}, kExitFindings},
      {{dir.path()}, kExitFindings},  // text
      {{"--quiet", dir.path()}, kExitFindings},
      {{"runs", dir.path()}, kExitClean},
      {{"--format", "json", "runs", dir.path()}, kExitClean},
      {{"--list-rules"}, kExitClean},  // a few KiB: only written, and only fails, at the final flush
      {{"--list-rules", "--format", "json"}, kExitClean},
      {{"--explain", "TB101"}, kExitClean},
      {{"--help"}, kExitClean},
      {{"--version"}, kExitClean},
  };
  for (const Case& c : cases) {
    std::string joined;
    for (const std::string& a : c.args) joined += a + " ";
    CAPTURE(joined);
    const BinaryResult written = RunBinary(c.args, "/dev/null");
    CHECK(written.exit_code == c.exit_code_when_written);
    CHECK(written.err.empty());
    const BinaryResult full = RunBinary(c.args, "/dev/full");
    CHECK(full.exit_code == kExitUsage);
    CHECK(full.err == NoSpaceMessage());
  }
}

TEST_CASE("tblint restore exits 2 when its report cannot be written") {
  if (!HaveDevFull()) {
    MESSAGE("skipped: /dev/full is missing or not writable, and it is how a full disk is simulated");
    return;
  }
  for (const char* format : {"text", "json"}) {
    CAPTURE(format);
    test::TempDir dir;
    MakeLogdir(dir);
    REQUIRE(RunCli({"--fix", dir.path()}).exit_code == kExitClean);
    const BinaryResult full = RunBinary({"--format", format, "restore", dir.path()}, "/dev/full");
    CHECK(full.exit_code == kExitUsage);
    CHECK(full.err == NoSpaceMessage());
  }
}

TEST_CASE("a report larger than the output buffer that fails mid-way still exits 2 with the error") {
  if (!HaveDevFull()) {
    MESSAGE("skipped: /dev/full is missing or not writable, and it is how a full disk is simulated");
    return;
  }
  // 400 empty files: about 250 KiB of text, several times FdOutputBuffer's 64 KiB.
  test::TempDir dir;
  for (int i = 0; i < 400; ++i) {
    const std::string file = dir / ("events.out.tfevents.1795298000.host" + std::to_string(i));
    test::WriteFile(file, "");
    test::SetMtime(file, kPast);
  }
  const BinaryResult full = RunBinary({dir.path()}, "/dev/full");
  CHECK(full.exit_code == kExitUsage);
  CHECK(full.err == NoSpaceMessage());
}

TEST_CASE("an output stream that fails in process makes RunApp exit 2 and say so") {
  test::TempDir dir;
  MakeCleanLogdir(dir);
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{dir.path()}, {"--list-rules"}, {"--explain", "TB101"}}) {
    std::vector<const char*> argv = {"tblint"};
    for (const std::string& a : args) argv.push_back(a.c_str());
    std::ostream failing(nullptr);  // no buffer: every write fails
    std::ostringstream err;
    CHECK(RunApp(static_cast<int>(argv.size()), argv.data(), failing, err) == kExitUsage);
    CHECK(err.str() == "tblint: cannot write the report to the output stream\n");
  }
}

TEST_CASE("FdOutputBuffer keeps small writes until the flush and remembers the errno of a failed write") {
  if (!HaveDevFull()) {
    MESSAGE("skipped: /dev/full is missing or not writable, and it is how a full disk is simulated");
    return;
  }
  const int fd = ::open("/dev/full", O_WRONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  {
    FdOutputBuffer buffer(fd, 16);
    std::ostream out(&buffer);
    out << "short";
    CHECK(out.good());  // buffered, nothing written yet
    CHECK(buffer.error() == 0);
    out.flush();
    CHECK(out.bad());
    CHECK(buffer.error() == ENOSPC);
  }
  {
    FdOutputBuffer buffer(fd, 16);
    std::ostream out(&buffer);
    out << std::string(100, 'x');  // overflows the buffer: fails before any flush
    CHECK(out.bad());
    CHECK(buffer.error() == ENOSPC);
    std::ostringstream err;
    CHECK_FALSE(CheckOutputWritten(out, err));
    CHECK(err.str() ==
          std::string("tblint: cannot write the report to the output stream: ") + std::strerror(ENOSPC) + "\n");
  }
  ::close(fd);
}

TEST_CASE("FdOutputBuffer writes large pieces directly, in order with what it buffered") {
  test::TempDir dir;
  const std::string path = dir.path() + "/out.txt";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  REQUIRE(fd >= 0);
  std::string want;
  {
    FdOutputBuffer buffer(fd, 16);
    std::ostream out(&buffer);
    const std::string big(100, 'x'), exact(16, 'y');
    for (const std::string& piece : {std::string("ab"), big, std::string("cd"), exact, std::string("e")}) {
      out << piece;  // 100 and 16 bytes: at least the buffer, written past it
      want += piece;
    }
    out.flush();
    CHECK(out.good());
    CHECK(buffer.error() == 0);
  }
  ::close(fd);
  std::ifstream in(path, std::ios::binary);
  const std::string got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(got == want);
}

TEST_CASE("-o to a FIFO or /dev/null writes into it and leaves it what it was; SQLite refuses them") {
  test::TempDir dir;
  MakeCleanLogdir(dir);
  test::TempDir out;
  const std::string fifo = out.path() + "/pipe";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  auto is_fifo = [&] {
    struct stat st {};
    return ::lstat(fifo.c_str(), &st) == 0 && S_ISFIFO(st.st_mode);
  };
  auto left_in_dir = [&] {
    std::vector<std::string> names;
    for (const auto& e : boost::filesystem::directory_iterator(out.path())) names.push_back(e.path().filename().string());
    return names;
  };
  // The report and the export, read from the FIFO by another thread (an open
  // for writing blocks until there is a reader, as with a shell).
  for (const std::vector<std::string>& command :
       {std::vector<std::string>{"--format", "json", "-o", fifo, dir.path()},
        std::vector<std::string>{"export", "--format", "csv", "-o", fifo, dir.path()}}) {
    CAPTURE(command.front());
    std::string got;
    std::thread reader([&] {
      std::ifstream in(fifo, std::ios::binary);
      got.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    });
    const auto r = RunCli(command);
    // Had the command failed before opening the FIFO, the reader would wait
    // forever: a writer that opens and closes it gives the reader its end.
    const int unblock = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (unblock >= 0) ::close(unblock);
    reader.join();
    CHECK(r.exit_code == 0);
    CHECK(r.err.empty());
    CHECK(is_fifo());
    CHECK(left_in_dir() == std::vector<std::string>{"pipe"});  // no temporary left beside it
    if (command.front() == "export") {
      CHECK(got.rfind("kind,dir_name,", 0) == 0);
    } else {
      CHECK(nlohmann::json::parse(got)["summary"]["files"] == 1);
    }
  }
  // A SQLite database is built beside its target and renamed over it: a
  // FIFO is refused before anything is created.
  const auto r = RunCli({"export", "--format", "sqlite", "-o", fifo, dir.path()});
  CHECK(r.exit_code == kExitUsage);
  CHECK(r.err.find("not a regular file") != std::string::npos);
  CHECK(is_fifo());
  CHECK(left_in_dir() == std::vector<std::string>{"pipe"});
  // /dev/null stays the device it is (a rename over it, as root, made it a file).
  struct stat before {}, after {};
  if (::stat("/dev/null", &before) == 0 && S_ISCHR(before.st_mode)) {
    CHECK(RunCli({"--format", "sarif", "-o", "/dev/null", dir.path()}).exit_code == 0);
    REQUIRE(::stat("/dev/null", &after) == 0);
    CHECK(S_ISCHR(after.st_mode));
    CHECK(after.st_rdev == before.st_rdev);
  }
}

TEST_CASE("-o through a symlink replaces the file it names and keeps the link") {
  test::TempDir dir;
  MakeCleanLogdir(dir);
  test::TempDir out;
  const std::string real = out.path() + "/real.json", link = out.path() + "/link.json";
  {
    std::ofstream old(real);
    old << "old";
  }
  REQUIRE(::symlink("real.json", link.c_str()) == 0);
  const auto r = RunCli({"--format", "json", "-o", link, dir.path()});
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
  struct stat st {};
  REQUIRE(::lstat(link.c_str(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));
  std::ifstream in(real, std::ios::binary);
  const std::string got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(nlohmann::json::parse(got)["summary"]["files"] == 1);
  std::vector<std::string> names;
  for (const auto& e : boost::filesystem::directory_iterator(out.path())) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"link.json", "real.json"});  // no temporary left
}

// Runs `--option value` on a clean logdir and checks it is refused: exit 2,
// no report, one message naming the option, its range and the value, and
// no other option.
void CheckRejected(const std::string& option, const std::string& value, const std::string& range) {
  CAPTURE(option);
  CAPTURE(value);
  test::TempDir dir;
  MakeCleanLogdir(dir);
  const auto r = RunCli({"--" + option, value, dir.path()});
  CHECK(r.exit_code == kExitUsage);
  CHECK(r.out.empty());
  CHECK(r.err.rfind("tblint: --" + option + " must be ", 0) == 0);
  CHECK(r.err.find(range) != std::string::npos);
  CHECK(r.err.find("not '" + value + "'") != std::string::npos);
  CHECK(r.err.find('\n') == r.err.size() - 1);  // one line
  for (const char* other : {"--jobs", "--grace-period", "--max-record-mib", "--max-depth"}) {
    if (other != "--" + option) CHECK(r.err.find(other) == std::string::npos);
  }
}

void CheckAccepted(const std::string& option, const std::string& value) {
  CAPTURE(option);
  CAPTURE(value);
  test::TempDir dir;
  MakeCleanLogdir(dir);
  const auto r = RunCli({"--" + option, value, dir.path()});
  CHECK(r.exit_code == kExitClean);
  CHECK(r.err.empty());
}

TEST_CASE("--grace-period takes finite seconds from 0 to ten years and names itself when refusing the rest") {
  for (const char* v : {"nan", "NaN", "inf", "-inf", "infinity", "-1", "-0.5", "315360001", "1e30", "1e400", "abc",
                        "1e", "12s", "0x10", " 5", ""}) {
    CheckRejected("grace-period", v, "from 0 to 315360000 (ten years)");
  }
  for (const char* v : {"0", "120", "+5", "0.5", "315360000"}) CheckAccepted("grace-period", v);
}

TEST_CASE("--max-record-mib takes a finite size above 0 and at most 2^40 MiB and names itself when refusing the rest") {
  for (const char* v : {"0", "-0", "-1", "nan", "inf", "1e30", "1099511627777", "abc", "1e", "64MiB", ""}) {
    CheckRejected("max-record-mib", v, "above 0 and at most 1099511627776 (2^40 MiB, 1 EiB)");
  }
  for (const char* v : {"64", "0.5", "1099511627776"}) CheckAccepted("max-record-mib", v);
}

TEST_CASE("--max-record-mib 1e30 is refused instead of overflowing into a limit that flags every record") {
  test::TempDir dir;
  MakeCleanLogdir(dir);
  const auto r = RunCli({"--select", "TB107", "--max-record-mib", "1e30", dir.path()});
  CHECK(r.exit_code == kExitUsage);
  CHECK(r.out.find("TB107") == std::string::npos);
  CHECK(r.err.find("--max-record-mib") != std::string::npos);
}

TEST_CASE("--max-record-mib 0 is refused with a message about --max-record-mib only") {
  // On main one combined check answered it with "--jobs and --grace-period
  // must not be negative, --max-record-mib must be positive".
  test::TempDir dir;
  MakeCleanLogdir(dir);
  const auto r = RunCli({"--max-record-mib", "0", dir.path()});
  CHECK(r.exit_code == kExitUsage);
  CHECK(r.err ==
        "tblint: --max-record-mib must be a number of MiB above 0 and at most 1099511627776 (2^40 MiB, 1 EiB), "
        "not '0'\n");
}

TEST_CASE("--max-record-mib is TB107's limit in MiB, fractions included") {
  test::TempDir dir;
  MakeCleanLogdir(dir);
  // 0.00001 MiB is 10 bytes: every scalar record of the file is larger.
  const auto small = RunCli({"--select", "TB107", "--max-record-mib", "0.00001", dir.path()});
  CHECK(small.exit_code == kExitFindings);
  CHECK(small.out.find("over the 10 B limit [TB107 oversized-record]") != std::string::npos);
  CHECK(RunCli({"--select", "TB107", "--max-record-mib", "64", dir.path()}).exit_code == kExitClean);
}

TEST_CASE("--jobs takes a whole number from 0 (one per core) to 1024 and names itself when refusing the rest") {
  for (const char* v : {"-1", "1025", "99999999999", "99999999999999999999999", "abc", "1.5", "1e3", "4x", ""}) {
    CheckRejected("jobs", v, "a whole number from 0 (one per core) to 1024");
  }
  for (const char* v : {"0", "1", "1024"}) CheckAccepted("jobs", v);
}

TEST_CASE("--max-depth takes a whole number from 0 to 1024 and names itself when refusing the rest") {
  for (const char* v : {"-1", "1025", "99999999999999999999999", "abc", "1e", "2.5", ""}) {
    CheckRejected("max-depth", v, "a whole number from 0 to 1024");
  }
  for (const char* v : {"3", "1024"}) CheckAccepted("max-depth", v);
  // The value reaches TB501: the run is one level below the logdir.
  test::TempDir dir;
  MakeCleanLogdir(dir);
  CHECK(RunCli({"--max-depth", "0", dir.path()}).exit_code == kExitFindings);
}

TEST_CASE("--help states the range of each numeric option and that a failed write exits 2") {
  // program_options wraps descriptions: compare with runs of spaces and
  // newlines collapsed to one space.
  std::string help;
  for (char c : RunCli({"--help"}).out) {
    if (c == '\n') c = ' ';
    if (c != ' ' || help.empty() || help.back() != ' ') help += c;
  }
  for (const char* text : {"files scanned in parallel: 0 (one per core, the default) to 1024",
                           "leaves it alone (default 120; 0 to 315360000, ten years)",
                           "larger than this (default 64; above 0, at most 1099511627776 = 2^40 MiB, 1 EiB)",
                           "below the logdir (default 3; 0 to 1024)", "or output that could not be written in full"}) {
    CAPTURE(text);
    CHECK(help.find(text) != std::string::npos);
  }
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

// Runs the test body with `dir` as the working directory, and goes back.
class ScopedCwd {
 public:
  explicit ScopedCwd(const std::string& dir) {
    char buf[4096];
    REQUIRE(::getcwd(buf, sizeof buf) != nullptr);
    previous_ = buf;
    REQUIRE(::chdir(dir.c_str()) == 0);
  }
  ~ScopedCwd() { (void)::chdir(previous_.c_str()); }
  ScopedCwd(const ScopedCwd&) = delete;
  ScopedCwd& operator=(const ScopedCwd&) = delete;

 private:
  std::string previous_;
};

TEST_CASE("an option another subcommand takes is a usage error naming the option and the subcommand") {
  test::TempDir dir;
  MakeLogdir(dir);
  REQUIRE(RunCli({"--fix", dir.path()}).exit_code == kExitClean);
  const auto r = RunCli({"restore", "--fix", dir.path()});
  CHECK(r.exit_code == kExitUsage);
  CHECK(r.out.empty());
  CHECK(r.err.find("--fix") != std::string::npos);
  CHECK(r.err.find("tblint restore") != std::string::npos);
  // Nothing was restored: the fixed file is still fixed.
  CHECK(RunCli({dir.path()}).exit_code == kExitClean);
  for (const std::vector<std::string>& args : {std::vector<std::string>{"restore", "--dry-run", dir.path()},
                                               {"restore", "--jobs", "2", dir.path()},
                                               {"runs", "--quiet", dir.path()},
                                               {"runs", "--color", "never", dir.path()}}) {
    CAPTURE(args[1]);
    const auto refused = RunCli(args);
    CHECK(refused.exit_code == kExitUsage);
    CHECK(refused.err.find(args[1]) != std::string::npos);
    CHECK(refused.err.find("tblint " + args[0]) != std::string::npos);
  }
}

TEST_CASE("an unknown option names itself") {
  const auto r = RunCli({"runs", "--no-such-option"});
  CHECK(r.exit_code == kExitUsage);
  CHECK(r.err.find("'--no-such-option'") != std::string::npos);
  CHECK(r.err.find("tblint runs") != std::string::npos);
}

TEST_CASE("a format a subcommand cannot produce is a usage error naming the format") {
  test::TempDir dir;
  MakeCleanLogdir(dir);
  const auto sarif = RunCli({"runs", "--format", "sarif", dir.path()});
  CHECK(sarif.exit_code == kExitUsage);
  CHECK(sarif.out.empty());
  CHECK(sarif.err.find("'tblint runs' cannot produce sarif") != std::string::npos);
  const auto xyz = RunCli({"restore", "--format", "xyz", dir.path()});
  CHECK(xyz.exit_code == kExitUsage);
  CHECK(xyz.err.find("unknown format 'xyz'") != std::string::npos);
  CHECK(RunCli({"check", "--format", "xml", dir.path()}).exit_code == kExitUsage);
  // The formats each can produce are accepted.
  CHECK(RunCli({"runs", "--format", "json", dir.path()}).exit_code == kExitClean);
  test::TempDir fixed;
  MakeLogdir(fixed);
  REQUIRE(RunCli({"--fix", fixed.path()}).exit_code == kExitClean);
  const auto restored = RunCli({"restore", "--format", "json", fixed.path()});
  CHECK(restored.exit_code == kExitClean);
  CHECK(json::parse(restored.out)["restored"].size() == 1);
}

TEST_CASE("a directory named like a subcommand is linted when written as a path or after check") {
  test::TempDir dir;
  MakeLogdir(dir);
  ::rename((dir / "bad").c_str(), (dir / "runs").c_str());
  ScopedCwd cwd(dir.path());
  for (const std::vector<std::string>& args : {std::vector<std::string>{"check", "runs"}, {"./runs"}, {"--", "runs"}}) {
    CAPTURE(args.front());
    const auto r = RunCli(args);
    CHECK(r.exit_code == kExitFindings);
    CHECK(r.out.find("runs/events.out.tfevents.1795298000.host.2.0:") != std::string::npos);
    CHECK(r.out.find("TB101 truncated-record") != std::string::npos);
    CHECK(r.out.find("1 file in 1 run") != std::string::npos);
  }
  // A bare `runs` is the subcommand, listing the runs of '.'.
  const auto bare = RunCli({"runs"});
  CHECK(bare.exit_code == kExitClean);
  CHECK(bare.out.find(".: 2 runs, 2 event files") == 0);
}

TEST_CASE("tblint check with no PATH lints the working directory") {
  test::TempDir dir;
  MakeLogdir(dir);
  ScopedCwd cwd(dir.path());
  const auto r = RunCli({"check"});
  CHECK(r.exit_code == kExitFindings);
  CHECK(r.out.find("run bad\n") != std::string::npos);
  CHECK(r.out.find("2 files in 2 runs") != std::string::npos);
}

TEST_CASE("options may come before the subcommand, and still only those it takes") {
  test::TempDir dir;
  MakeCleanLogdir(dir);
  CHECK(json::parse(RunCli({"--format", "json", "runs", dir.path()}).out).contains("logdirs"));
  CHECK(json::parse(RunCli({"-j", "2", "runs", "--format=json", dir.path()}).out).contains("logdirs"));
  CHECK(RunCli({"--fix", "runs", dir.path()}).exit_code == kExitUsage);
  // An option's value is not the subcommand: this lints `dir` with backups in ./runs.
  const auto r = RunCli({"--backup-dir", "runs", dir.path()});
  CHECK(r.exit_code == kExitClean);
  CHECK(r.out.find("1 file in 1 run") != std::string::npos);
}

TEST_CASE("each subcommand has its own --help, and tblint --help lists them") {
  const auto main_help = RunCli({"--help"});
  CHECK(main_help.exit_code == kExitClean);
  CHECK(main_help.out.find("Subcommands:") != std::string::npos);
  for (const char* line : {"\n  check    ", "\n  runs     ", "\n  restore  "}) {
    CAPTURE(line);
    CHECK(main_help.out.find(line) != std::string::npos);
  }

  const auto runs = RunCli({"runs", "--help"});
  CHECK(runs.exit_code == kExitClean);
  CHECK(runs.out.rfind("Usage: tblint runs [OPTIONS] [PATH...]\n", 0) == 0);
  // Its options only (an option's line starts "  --name ").
  CHECK(runs.out.find("\n  --max-depth ") != std::string::npos);
  CHECK(runs.out.find("\n  --fix ") == std::string::npos);
  CHECK(runs.out.find("\n  --list-rules ") == std::string::npos);

  const auto check = RunCli({"check", "--help"});
  CHECK(check.exit_code == kExitClean);
  CHECK(check.out.rfind("Usage: tblint [check] [OPTIONS] [PATH...]\n", 0) == 0);
  CHECK(check.out.find("\n  --fix ") != std::string::npos);
  CHECK(check.out.find("\n  --unsafe-fixes ") != std::string::npos);
  CHECK(check.out.find("Subcommands:") == std::string::npos);

  const auto restore = RunCli({"restore", "-h"});
  CHECK(restore.exit_code == kExitClean);
  CHECK(restore.out.rfind("Usage: tblint restore ", 0) == 0);
  CHECK(restore.out.find("\n  --backup-dir ") != std::string::npos);
  CHECK(restore.out.find("--jobs") == std::string::npos);
}

TEST_CASE("a PATH that is itself a run gets one note, never a failure; a logdir of runs gets none") {
  test::TempDir dir;
  test::WriteFile(dir / "run/events.out.tfevents.1795298000.host.1.0", test::SmallEventFile(3));
  test::SetMtime(dir / "run/events.out.tfevents.1795298000.host.1.0", 1795298100.0);
  const test::CliResult run = test::RunCli({dir / "run"});
  INFO(run.out);
  CHECK(run.exit_code == 0);
  CHECK(run.out.find("is a run (event files directly in it, no runs below); its parent is the logdir") !=
        std::string::npos);
  const nlohmann::json doc = nlohmann::json::parse(test::RunCli({"--format", "json", dir / "run"}).out);
  CHECK(doc["paths"][0]["is_run"] == true);
  CHECK(doc["findings"].empty());

  const test::CliResult logdir = test::RunCli({dir.path()});
  CHECK(logdir.exit_code == 0);
  CHECK(logdir.out.find("is a run") == std::string::npos);
  CHECK(nlohmann::json::parse(test::RunCli({"--format", "json", dir.path()}).out)["paths"][0]["is_run"] == false);
  // Quiet output is findings only.
  CHECK(test::RunCli({"-q", dir / "run"}).out.find("is a run") == std::string::npos);
}

}  // namespace
}  // namespace tblint
