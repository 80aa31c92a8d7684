// The subcommand table: every `tblint NAME` there is, with a one-line
// summary and the factory of its Command (cli/common.h). RunApp only looks a
// name up here and dispatches.
#ifndef TBLINT_CLI_SUBCOMMANDS_H_
#define TBLINT_CLI_SUBCOMMANDS_H_

#include <memory>
#include <span>
#include <string_view>

#include "cli/common.h"

namespace tblint {

struct Subcommand {
  std::string_view name;     // the word after `tblint`
  std::string_view summary;  // one line, for `tblint --help`
  std::unique_ptr<Command> (*make)();
};

// In the order `tblint --help` lists them. The first is the default: the
// subcommand when the first word that is not an option names no other one.
std::span<const Subcommand> Subcommands();

// The entry named `name`, or nullptr.
const Subcommand* FindSubcommand(std::string_view name);

}  // namespace tblint

#endif  // TBLINT_CLI_SUBCOMMANDS_H_
