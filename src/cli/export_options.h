// What `tblint export` and `tblint query` share: the options that choose
// which values are exported (--view, --kinds, --tags, --runs, --media-dir).
#ifndef TBLINT_CLI_EXPORT_OPTIONS_H_
#define TBLINT_CLI_EXPORT_OPTIONS_H_

#include <boost/program_options.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "export/export.h"

namespace tblint {

struct ExportOptionText {
  std::string view = "raw";
  std::vector<std::string> kinds, tags, runs;
  std::string media_dir;
};

void AddExportOptions(boost::program_options::options_description* options, ExportOptionText* text);

// Fills `out`; false, with one line on `err`, for a bad value.
bool ResolveExportOptions(const ExportOptionText& text, xport::ExportOptions* out, std::ostream& err);

// The logdir specs of the positional words.
std::vector<xport::LogdirSpec> LogdirSpecs(const std::vector<std::string>& paths);

}  // namespace tblint

#endif  // TBLINT_CLI_EXPORT_OPTIONS_H_
