// The command line: parse arguments, lint, fix, report. main() only calls
// RunApp; tests call it too.
#ifndef TBLINT_CLI_APP_H_
#define TBLINT_CLI_APP_H_

#include <ostream>

namespace tblint {

// Exit codes.
inline constexpr int kExitClean = 0;     // nothing at or above --fail-on
inline constexpr int kExitFindings = 1;  // findings at or above --fail-on
inline constexpr int kExitUsage = 2;     // usage error, or a path that does not exist

int RunApp(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace tblint

#endif  // TBLINT_CLI_APP_H_
