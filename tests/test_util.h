// Helpers shared by the tests: temporary directories, files, real Events
// built with the generated protobuf classes, and in-process CLI runs.
#ifndef TBLINT_TESTS_TEST_UTIL_H_
#define TBLINT_TESTS_TEST_UTIL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "event.pb.h"
#include "event_builders.h"  // events::PlainHeader, Scalar, ... (tools/)
#include "scan/scanner.h"

namespace tblint::test {

// A fresh directory under $TMPDIR, removed with everything in it on scope exit.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

std::string SourceDir();  // the repository root
std::string ReadFile(const std::string& path);
// Creates parent directories as needed.
void WriteFile(const std::string& path, const std::string& bytes);
void SetMtime(const std::string& path, double seconds_since_epoch);
void CopyTree(const std::string& from, const std::string& to);
double Now();

// Frames payloads as TFRecords, back to back.
std::string Frame(const std::vector<std::string>& payloads);

// A small, valid event file: file_version then `n` scalars of tag "loss".
std::string SmallEventFile(int n, double wall_time = 1795298000.0);

// Lints a path with every registered rule (or those whose code starts with
// `prefix`), `now` defaulting to the current time.
LintResult LintPath(const std::string& path, const std::string& prefix = "", double now = 0);

// Runs the CLI in process.
struct CliResult {
  int exit_code = 0;
  std::string out;
  std::string err;
};
CliResult RunCli(const std::vector<std::string>& args);

// Count of findings with the code (and path when given).
int Count(const LintResult& r, const std::string& code, const std::string& path = "");

}  // namespace tblint::test

#endif  // TBLINT_TESTS_TEST_UTIL_H_
