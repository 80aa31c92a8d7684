// The command line: find the subcommand in the table (cli/subcommands.h),
// parse its options, run it, and check that its output was written. main()
// only calls RunApp; tests call it too. Exit codes and option ranges are in
// cli/common.h.
#ifndef TBLINT_CLI_APP_H_
#define TBLINT_CLI_APP_H_

#include <cstddef>
#include <ostream>
#include <streambuf>
#include <vector>

#include "cli/common.h"

namespace tblint {

// Runs one command. `out` gets the report (or --help, --list-rules, ...),
// `err` the diagnostics. `out` is flushed and checked before returning: when
// it could not be written in full the result is kExitUsage, with a message on
// `err` naming the stream and, when known, the reason.
int RunApp(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

// Flushes `out` (and C's stdout when `out` is std::cout) and returns true
// when everything written to it reached its destination; otherwise says so on
// `err` ("tblint: cannot write the report to standard output: No space left
// on device") and returns false. RunApp calls it last; main() calls it when
// RunApp threw.
bool CheckOutputWritten(std::ostream& out, std::ostream& err);

// A buffered streambuf over a file descriptor that remembers why its first
// write failed. main() puts it under std::cout so that a failed write is
// reported with its errno, however long before the final flush it happened:
// through C's stdout the error number of an early failed write is gone by
// the time the stream is checked. After a failure everything is discarded.
class FdOutputBuffer : public std::streambuf {
 public:
  explicit FdOutputBuffer(int fd, size_t buffer_size = 64 * 1024);
  FdOutputBuffer(const FdOutputBuffer&) = delete;
  FdOutputBuffer& operator=(const FdOutputBuffer&) = delete;
  ~FdOutputBuffer() override;  // flushes; the caller should have checked already

  // The errno of the first failed write, 0 while none failed.
  int error() const { return error_; }

 protected:
  int_type overflow(int_type c) override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;
  int sync() override;

 private:
  bool Drain();
  bool WriteAll(const char* p, const char* end);

  int fd_;
  int error_ = 0;
  std::vector<char> buffer_;
};

}  // namespace tblint

#endif  // TBLINT_CLI_APP_H_
