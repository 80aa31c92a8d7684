#include <unistd.h>

#include <exception>
#include <iostream>
#include <streambuf>

#include "cli/app.h"
#include "util/text.h"

int main(int argc, char** argv) {
  // std::cout writes through a buffer that remembers why a write failed
  // (tblint --format json logs > /dev/full must exit 2 and say "No space
  // left on device"), and is flushed and checked before the exit code is
  // decided, never by the runtime after main returns.
  tblint::FdOutputBuffer stdout_buffer(STDOUT_FILENO);
  std::streambuf* const original = std::cout.rdbuf(&stdout_buffer);
  int code = tblint::kExitUsage;
  try {
    code = tblint::RunApp(argc, argv, std::cout, std::cerr);  // flushes and checks std::cout
  } catch (const std::exception& e) {
    // what() may hold a path or other bytes from the command line or a logdir.
    std::cerr << "tblint: " << tblint::EscapeForText(e.what()) << "\n";
    tblint::CheckOutputWritten(std::cout, std::cerr);
    code = tblint::kExitUsage;
  } catch (...) {
    std::cerr << "tblint: unexpected error\n";
    tblint::CheckOutputWritten(std::cout, std::cerr);
    code = tblint::kExitUsage;
  }
  std::cout.rdbuf(original);
  return code;
}
