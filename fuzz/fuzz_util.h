// Helpers shared by the libFuzzer harnesses: a scratch directory on tmpfs,
// writing a file with a given mtime, linting with every rule, and dying
// loudly when a harness's invariant does not hold.
#ifndef TBLINT_FUZZ_FUZZ_UTIL_H_
#define TBLINT_FUZZ_FUZZ_UTIL_H_

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/filesystem.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "rule/registry.h"
#include "scan/scanner.h"

namespace tblint::fuzz {

// Prints what broke and aborts, so that libFuzzer saves the input.
[[noreturn]] inline void Fail(const std::string& what) {
  std::fprintf(stderr, "\n*** tblint fuzz invariant broken: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

inline double Now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// A directory for this process's files, made once and removed at exit: under
// $TBLINT_FUZZ_TMPDIR (scripts/fuzz.sh points it at tmpfs), else /dev/shm
// (a fix fsyncs every step: free in memory, milliseconds on a disk), else
// $TMPDIR or /tmp.
inline const std::string& ScratchRoot() {
  // Never destroyed: the exit handler that removes it runs after static
  // destructors would have.
  static const std::string* const root = [] {
    std::string base;
    if (const char* d = std::getenv("TBLINT_FUZZ_TMPDIR"); d && *d) {
      base = d;
    } else if (::access("/dev/shm", W_OK | X_OK) == 0) {
      base = "/dev/shm";
    } else if (const char* t = std::getenv("TMPDIR"); t && *t) {
      base = t;
    } else {
      base = "/tmp";
    }
    std::string tmpl = base + "/tblint-fuzz-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) Fail("mkdtemp in " + base);
    auto* path = new std::string(tmpl);
    std::atexit([] {
      boost::system::error_code ec;
      boost::filesystem::remove_all(ScratchRoot(), ec);
    });
    return path;
  }();
  return *root;
}

// Writes `bytes` to `path` (creating directories) and dates it `mtime`.
inline void WriteFileAt(const std::string& path, std::string_view bytes, double mtime) {
  boost::filesystem::create_directories(boost::filesystem::path(path).parent_path());
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) Fail("cannot create " + path);
  for (size_t done = 0; done < bytes.size();) {
    ssize_t w = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (w <= 0) Fail("cannot write " + path);
    done += static_cast<size_t>(w);
  }
  struct timespec times[2];
  times[0].tv_sec = times[1].tv_sec = static_cast<time_t>(mtime);
  times[0].tv_nsec = times[1].tv_nsec = 0;
  if (::futimens(fd, times) != 0) Fail("cannot set the mtime of " + path);
  ::close(fd);
}

// Every rule, no /proc scan (nothing here is open for writing, and reading
// /proc per input would dominate the run).
inline ScanConfig AllRulesConfig() {
  ScanConfig config;
  config.lint.now = Now();
  config.jobs = 1;
  config.detect_live_writers = false;
  for (const auto& r : AllRules()) config.rules.push_back(r.get());
  return config;
}

inline std::string Hex(std::string_view s, size_t max = 4096) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < s.size() && i < max; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  if (s.size() > max) out += "...";
  return out;
}

}  // namespace tblint::fuzz

#endif  // TBLINT_FUZZ_FUZZ_UTIL_H_
