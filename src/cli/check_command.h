// `tblint [check] [OPTIONS] [PATH...]`, the default subcommand: lint each
// PATH (a logdir or a single event file) into one report, optionally fix
// what can be fixed, and say what is left; also --list-rules, --explain and
// --version.
#ifndef TBLINT_CLI_CHECK_COMMAND_H_
#define TBLINT_CLI_CHECK_COMMAND_H_

#include <memory>

#include "cli/common.h"

namespace tblint {

std::unique_ptr<Command> MakeCheckCommand();

}  // namespace tblint

#endif  // TBLINT_CLI_CHECK_COMMAND_H_
