// What the subcommands share: exit codes, option ranges, the --format option,
// the numeric and rule-selection options that decide a scan, and the
// Command interface every subcommand implements. The subcommands (check,
// runs, restore) include this header, never app.h or each other's files.
#ifndef TBLINT_CLI_COMMON_H_
#define TBLINT_CLI_COMMON_H_

#include <boost/program_options.hpp>
#include <cstdint>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "report/format.h"
#include "report/report.h"
#include "scan/scanner.h"

namespace tblint {

// Exit codes.
inline constexpr int kExitClean = 0;     // nothing at or above --fail-on
inline constexpr int kExitFindings = 1;  // findings at or above --fail-on
inline constexpr int kExitUsage = 2;     // usage error, a path that does not exist, or output that
                                         // could not be written

// Option ranges, checked before anything is read (README, "Using it").
inline constexpr double kMaxGracePeriodS = 10 * 365 * 86400.0;  // ten years
// 2^40 MiB = 1 EiB: the limit in bytes (2^60) cannot overflow uint64_t.
inline constexpr double kMaxRecordMib = 1099511627776.0;
inline constexpr int kMaxJobs = 1024;
inline constexpr int kMaxMaxDepth = 1024;

// --- output formats ---------------------------------------------------------

// Format, FormatName and ParseFormat live in the report layer
// (report/format.h), where the renderers are.

// Declares -f/--format for a subcommand that can produce `formats` (the first
// is the default), kept as text in *text until ResolveFormat.
void AddFormatOption(boost::program_options::options_description* options, std::span<const Format> formats,
                     std::string* text);

// Parses --format's value, once: nullopt, with a usage message on `err`
// naming --format and the subcommand, when `text` is no format ("unknown
// format 'xml'") or one `command` cannot produce ("'tblint runs' cannot
// produce sarif").
std::optional<Format> ResolveFormat(const std::string& text, std::string_view command, std::span<const Format> formats,
                                    std::ostream& err);

// --- options that decide a scan (check, runs) --------------------------------

// The numeric options, kept as text by program_options so that every bad
// value gets a message with the option's range (program_options' own says
// only "invalid", and a combined check used to name options that were fine).
struct ScanOptionText {
  std::string jobs = "0";
  // Defaults come from the scan's own (rule/model.h), written once there.
  std::string grace_period = std::to_string(static_cast<int64_t>(kDefaultGracePeriodS));
  std::string max_record_mib = std::to_string(LintOptions{}.oversized_record_bytes >> 20);
  std::string max_depth = std::to_string(LintOptions{}.max_depth);
  std::vector<std::string> select, ignore;
  std::vector<std::string> extend_select;  // added to a non-empty select (--extend-select)
  std::string shard;                       // --shard I/N; empty: the whole logdir
};

struct NumericValues {
  int jobs = 0;
  double grace_period_s = kDefaultGracePeriodS;
  uint64_t max_record_bytes = LintOptions{}.oversized_record_bytes;
  int max_depth = LintOptions{}.max_depth;
  std::optional<Shard> shard;
};

// Declares --select, --ignore, -j/--jobs, --grace-period, --max-record-mib,
// --max-depth and --shard, bound to *text; `fixes` when the subcommand can fix (the help
// of --grace-period then says what it does to --fix).
void AddScanOptions(boost::program_options::options_description* options, ScanOptionText* text, bool fixes);

// "I/N" with 1 <= I <= N <= kMaxShards (1-based, as jest and playwright
// write it); nullopt otherwise.
std::optional<Shard> ParseShard(std::string_view text);

// Validates each numeric option (and --shard) on its own; returns kExitClean or kExitUsage
// (with one line on `err` naming the option, its range and the value).
int ParseNumericOptions(const ScanOptionText& text, NumericValues* values, std::ostream& err);

// The rules --select and --ignore leave enabled; kExitUsage (with a message)
// when a code or prefix matches no rule.
int SelectRules(const ScanOptionText& text, std::vector<const Rule*>* rules, std::ostream& err);

// "TB1, tb101" -> {"TB1", "TB101"}.
std::vector<std::string> SplitCodes(const std::vector<std::string>& args);

// The scan configuration for the current time; `skip_dir` (a --backup-dir) is
// left out of discovery.
ScanConfig MakeScanConfig(const NumericValues& values, std::vector<const Rule*> rules, const std::string& skip_dir);

// --- reports (check, merge-reports) -------------------------------------------

// "tblint: cannot write the report to PATH: ERROR" on `err` (both escaped);
// returns kExitUsage.
int ReportFileError(std::ostream& err, const std::string& path, const std::string& error);

// Renders `report` to `out`, or, when `to_file`, atomically to `path` (-o);
// kExitUsage, with a message on `err`, when the file cannot be written.
int WriteReport(const ReportInput& report, Format format, const RenderOptions& options, bool to_file,
                const std::string& path, std::ostream& out, std::ostream& err);

// kExitFindings when a finding is at or above `fail_on` (nullopt: never) or a
// fix failed, else kExitClean.
int ReportExitCode(const ReportInput& report, std::optional<Severity> fail_on);

// --- subcommands -------------------------------------------------------------

// One subcommand: its help text, its options and its run function, in one
// place. A fresh object per invocation: AddOptions binds the options to its
// members, program_options fills them, then Run reads them.
class Command {
 public:
  virtual ~Command() = default;

  // The usage line(s), each ending in "\n": "tblint runs [OPTIONS] [PATH...]\n".
  virtual std::string_view Synopsis() const = 0;
  // What it does and its exit status: printed by --help under the synopsis.
  virtual std::string_view Description() const = 0;
  // Example command lines, printed by --help after the options.
  virtual std::string_view Examples() const = 0;

  // Declares its options (every subcommand also gets -h/--help, handled by
  // the dispatcher).
  virtual void AddOptions(boost::program_options::options_description* options) = 0;

  // After a successful parse. `paths` holds the positional words ({"."} when
  // none was given); `vm` says which flags were given.
  virtual int Run(const boost::program_options::variables_map& vm, const std::vector<std::string>& paths,
                  std::ostream& out, std::ostream& err) = 0;
};

}  // namespace tblint

#endif  // TBLINT_CLI_COMMON_H_
