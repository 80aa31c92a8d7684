// `tblint restore [--backup-dir DIR] [--format text|json] [PATH...]`: put
// back, byte-identical, every file --fix changed or moved under each PATH,
// from its backup folder and journal.
#ifndef TBLINT_CLI_RESTORE_COMMAND_H_
#define TBLINT_CLI_RESTORE_COMMAND_H_

#include <memory>

#include "cli/common.h"

namespace tblint {

std::unique_ptr<Command> MakeRestoreCommand();

}  // namespace tblint

#endif  // TBLINT_CLI_RESTORE_COMMAND_H_
