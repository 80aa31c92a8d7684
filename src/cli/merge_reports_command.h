// `tblint merge-reports REPORT.json...`: joins the JSON reports of
// `tblint --format json` (the shards of a `--shard I/N` split, or reports of
// different logdirs) into one report, rendered in any format check has.
#ifndef TBLINT_CLI_MERGE_REPORTS_COMMAND_H_
#define TBLINT_CLI_MERGE_REPORTS_COMMAND_H_

#include <memory>

#include "cli/common.h"

namespace tblint {

std::unique_ptr<Command> MakeMergeReportsCommand();

}  // namespace tblint

#endif  // TBLINT_CLI_MERGE_REPORTS_COMMAND_H_
