// `tblint export [OPTIONS] PATH...`: every value of one or more logdirs as one
// long table (CSV, JSON Lines or SQLite), and `tblint query [OPTIONS] PATH...
// SQL`: the same table in SQLite, queried. docs/export.md.
#ifndef TBLINT_CLI_EXPORT_COMMAND_H_
#define TBLINT_CLI_EXPORT_COMMAND_H_

#include <memory>

#include "cli/common.h"

namespace tblint {

std::unique_ptr<Command> MakeExportCommand();
std::unique_ptr<Command> MakeQueryCommand();

}  // namespace tblint

#endif  // TBLINT_CLI_EXPORT_COMMAND_H_
