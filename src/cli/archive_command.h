// `tblint archive --older-than AGE [--dead] [--to DIR] [--dry-run] [PATH...]`:
// moves whole runs that are old (or dead) out of each logdir into an archive
// folder TensorBoard does not load, journaled for `tblint restore`
// (docs/archive.md; the moving itself is src/fix/archive.h).
#ifndef TBLINT_CLI_ARCHIVE_COMMAND_H_
#define TBLINT_CLI_ARCHIVE_COMMAND_H_

#include <memory>
#include <optional>
#include <string_view>

#include "cli/common.h"

namespace tblint {

// "30d", "12h", "90m", "45s", "2w" or plain seconds ("3600", "1.5d"), at most
// ten years; nullopt for anything else (a negative, an unknown unit, garbage).
std::optional<double> ParseAge(std::string_view text);

std::unique_ptr<Command> MakeArchiveCommand();

}  // namespace tblint

#endif  // TBLINT_CLI_ARCHIVE_COMMAND_H_
