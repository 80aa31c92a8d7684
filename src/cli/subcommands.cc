#include "cli/subcommands.h"

#include "cli/archive_command.h"
#include "cli/check_command.h"
#include "cli/export_command.h"
#include "cli/merge_command.h"
#include "cli/merge_reports_command.h"
#include "cli/restore_command.h"
#include "cli/runs_command.h"

namespace tblint {
namespace {

// A new subcommand (export, merge, archive): its Command in
// src/cli/<name>_command.{h,cc} and one line here.
constexpr Subcommand kSubcommands[] = {
    {"check", "lint logdirs or single event files, and fix them (the default)", MakeCheckCommand},
    {"runs", "list the runs TensorBoard would show, with files, tags and findings", MakeRunsCommand},
    {"restore", "undo every fix made under PATH, byte-identical", MakeRestoreCommand},
    {"archive", "move old or dead runs out of a logdir into an archive folder, undoable by restore",
     MakeArchiveCommand},
    {"export", "write every value of logdirs as one table: JSON Lines, CSV or SQLite", MakeExportCommand},
    {"query", "run SQL over every value of logdirs (the export's SQLite tables)", MakeQueryCommand},
    {"merge", "combine logdirs, join a run's files in step order, or reduce seeds to mean and spread",
     MakeMergeCommand},
    {"merge-reports", "join JSON reports (the shards of --shard I/N) into one report, in any format",
     MakeMergeReportsCommand},
};

}  // namespace

std::span<const Subcommand> Subcommands() { return kSubcommands; }

const Subcommand* FindSubcommand(std::string_view name) {
  for (const Subcommand& s : kSubcommands) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

}  // namespace tblint
