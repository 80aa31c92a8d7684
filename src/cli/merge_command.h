// `tblint merge [OPTIONS] -o OUTDIR SPEC...`: combine logdirs into one, join a
// run's files into one event file, or reduce runs to statistics.
// docs/merge.md.
#ifndef TBLINT_CLI_MERGE_COMMAND_H_
#define TBLINT_CLI_MERGE_COMMAND_H_

#include <memory>

#include "cli/common.h"

namespace tblint {

std::unique_ptr<Command> MakeMergeCommand();

}  // namespace tblint

#endif  // TBLINT_CLI_MERGE_COMMAND_H_
