// The configuration file: tblint.toml, or the [tool.tblint] table of a
// pyproject.toml (docs/config.md). Found by walking up from the first PATH,
// or named with --config; --isolated reads none. Every value is checked when
// the file is read, by the same functions that check the command line's
// (ParseNumericOptions, SelectRules, ResolveFormat), so the ranges and the
// wording are the same; a refusal also names the file, the line and the key.
// The command line wins over the file (MergeConfig); per-path ignores and
// severity overrides act on the findings after the scan
// (ApplyFindingSettings).
#ifndef TBLINT_CLI_CONFIG_H_
#define TBLINT_CLI_CONFIG_H_

#include <boost/program_options.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/common.h"
#include "rule/finding.h"
#include "scan/scanner.h"

namespace tblint {

// A scalar setting as the command line would give it (text), with its line.
struct ConfigValue {
  bool set = false;
  std::string text;
  int line = 0;
};

// A list of rule codes or prefixes, upper-cased as SplitCodes leaves them.
struct ConfigCodes {
  bool set = false;
  std::vector<std::string> codes;
  int line = 0;
};

struct PathIgnore {
  std::string glob;
  std::vector<std::string> codes;  // codes or prefixes
  int line = 0;
};

struct SeverityOverride {
  std::string code;  // a code or a prefix
  Severity severity = Severity::kWarning;
  int line = 0;
};

struct Config {
  std::string path;    // the file read; empty when none was (none found, or --isolated)
  std::string table;   // "" for tblint.toml, "tool.tblint" for a pyproject.toml
  bool found = false;  // discovered by walking up (false: --config, or none)
  ConfigValue jobs, grace_period, max_record_mib, max_depth, format, fail_on;
  ConfigCodes select, ignore, extend_select;
  std::vector<PathIgnore> per_path_ignores;  // in file order
  std::vector<SeverityOverride> severity;    // in file order
};

// Bound by AddConfigOptions.
struct ConfigOptionText {
  std::string file;  // --config
};

// Declares --config FILE, --isolated and --show-settings.
void AddConfigOptions(boost::program_options::options_description* options, ConfigOptionText* text);

// The config file for a run: --config's, none with --isolated (both given is
// a usage error), else the first found walking up from the first PATH
// (its directory when it is a file): in each directory tblint.toml, then a
// pyproject.toml that has a [tool.tblint] table. kExitUsage with a message
// when the file cannot be read or holds an unknown key or a bad value.
int LoadConfig(const boost::program_options::variables_map& vm, const ConfigOptionText& text,
               const std::vector<std::string>& paths, Config* config, std::ostream& err);

// The file discovery would pick, walking up from `start` (a PATH), in
// *found; nullopt when there is none. kExitUsage (with a message) when a
// pyproject.toml on the way cannot be read or is not valid TOML.
int FindConfig(const std::string& start, std::optional<std::string>* found, std::ostream& err);

// Parses and checks a config file's bytes. `path` names it in messages;
// `pyproject` reads the [tool.tblint] table (absent: an empty config).
int ParseConfig(const std::string& path, std::string_view bytes, bool pyproject, Config* config, std::ostream& err);

// Fills in what the command line did not give from the file: the numeric
// options and select/ignore/extend-select into *scan; format and fail-on
// when the pointers are non-null (check; runs has neither). On the command
// line --select replaces the file's select and extend-select, while
// --ignore and --extend-select add to the file's.
void MergeConfig(const Config& config, const boost::program_options::variables_map& vm, ScanOptionText* scan,
                 std::string* format, std::string* fail_on);

// Drops the findings a per-path ignore covers and applies the severity
// overrides (docs/config.md). Run on each LintResult after the scan, before
// fixes and reporting.
void ApplyFindingSettings(const Config& config, LintResult* result);
// The same for some of a result's findings (a run's, as a scan streams them).
void ApplyFindingSettings(const Config& config, std::vector<Finding>* findings);

// Whether `glob` matches `path` (relative to the logdir), in the dialect
// docs/config.md describes: '*' and '?' within a component, '[...]' classes,
// '**' as a whole component for any number of components, '\' escapes; a
// glob without '/' matches any single component; a glob with '/' is anchored
// at the logdir and matches the path or one of its leading directories.
bool GlobMatches(std::string_view glob, std::string_view path);

// --show-settings: the file used and every resolved setting, as TOML.
void WriteSettings(std::ostream& out, const Config& config, const ScanOptionText& scan,
                   const std::vector<const Rule*>& rules, const std::string* format, const std::string* fail_on);

}  // namespace tblint

#endif  // TBLINT_CLI_CONFIG_H_
