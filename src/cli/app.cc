#include "cli/app.h"

#include <unistd.h>

#include <boost/program_options.hpp>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "cli/runs_command.h"
#include "fix/fixer.h"
#include "record/crc32c.h"
#include "report/report.h"
#include "rule/registry.h"
#include "scan/scanner.h"
#include "util/text.h"

namespace tblint {
namespace {

namespace po = boost::program_options;

constexpr const char* kUsage =
    "Usage: tblint [OPTIONS] [PATH...]\n"
    "       tblint runs [OPTIONS] [PATH...]\n"
    "       tblint restore [--backup-dir DIR] [PATH...]\n"
    "\n"
    "Finds damaged records, empty and impostor files and other problems in\n"
    "TensorBoard log directories (default PATH: .). A PATH may also be a single\n"
    "event file. Exit status: 0 clean, 1 findings at or above --fail-on, 2 usage\n"
    "error (an option value out of its range included), a PATH that does not\n"
    "exist, or output that could not be written in full (a full disk, a closed\n"
    "stdout).\n"
    "\n"
    "'tblint runs' lists the runs TensorBoard would show (same names, same order),\n"
    "each with its event files, its tags by kind and its findings by severity; it\n"
    "exits 0 unless a PATH does not exist.\n"
    "\n"
    "'tblint restore' puts back, byte-identical, every file that --fix changed or\n"
    "moved under PATH (from its backup folder and journal); it exits 1 if a file\n"
    "changed after the fix and could not be restored. To lint a directory named\n"
    "'runs' or 'restore', write ./runs or ./restore.\n";

constexpr const char* kEpilog =
    "\n"
    "Examples:\n"
    "  tblint ./logs                      lint a logdir\n"
    "  tblint --format json ./logs        findings as one JSON document (docs/json.md)\n"
    "  tblint --select TB1 --fail-on error ./logs\n"
    "  tblint --fix --dry-run ./logs      show what --fix would truncate\n"
    "  tblint --fix ./logs                truncate damaged tails (TB101, TB102)\n"
    "  tblint --fix --unsafe-fixes ./logs also salvage damaged files, move impostors aside\n"
    "  tblint restore ./logs              undo every fix, byte-identical\n"
    "  tblint --explain TB101             the rule's documentation\n"
    "  tblint runs ./logs                 the runs, files and tags TensorBoard sees\n";

std::vector<std::string> SplitCodes(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (const std::string& a : args) {
    std::stringstream ss(a);
    std::string item;
    while (std::getline(ss, item, ',')) {
      while (!item.empty() && item.front() == ' ') item.erase(item.begin());
      while (!item.empty() && item.back() == ' ') item.pop_back();
      for (char& c : item) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (!item.empty()) out.push_back(item);
    }
  }
  return out;
}

bool Matches(const std::string& code, const std::vector<std::string>& prefixes) {
  for (const std::string& p : prefixes) {
    if (code.compare(0, p.size(), p) == 0) return true;
  }
  return false;
}

void ListRules(std::ostream& out, bool json) {
  if (json) {
    nlohmann::json rules = nlohmann::json::array();
    for (const auto& r : AllRules()) {
      const RuleInfo& i = r->info();
      rules.push_back({{"code", i.code},
                       {"name", i.name},
                       {"severity", SeverityName(i.default_severity)},
                       {"fix", ApplicabilityName(i.fix)},
                       {"summary", i.summary}});
    }
    out << rules.dump(2) << "\n";
    return;
  }
  out << std::left << std::setw(7) << "code" << std::setw(25) << "name" << std::setw(9) << "severity"
      << std::setw(8) << "fix" << "summary\n";
  for (const auto& r : AllRules()) {
    const RuleInfo& i = r->info();
    out << std::setw(7) << i.code << std::setw(25) << i.name << std::setw(9) << SeverityName(i.default_severity)
        << std::setw(8) << ApplicabilityName(i.fix) << i.summary << "\n";
  }
}

double Now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Drops one leading '+', which std::from_chars does not take; false for "+"
// followed by another sign.
bool StripPlus(std::string_view* text) {
  if (text->empty() || text->front() != '+') return true;
  text->remove_prefix(1);
  return text->empty() || (text->front() != '+' && text->front() != '-');
}

// A decimal number written in full: an optional sign, digits, an optional
// fraction and exponent (std::from_chars: no spaces, no hex, no "inf" or
// "nan" accepted as finite). nullopt for anything else, "1e" and "12abc"
// included, and for values a double cannot hold.
std::optional<double> ParseFiniteReal(std::string_view text) {
  if (!StripPlus(&text)) return std::nullopt;
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

// A whole decimal number written in full ("1.5", "1e3", "0x10" are not).
std::optional<int64_t> ParseWhole(std::string_view text) {
  if (!StripPlus(&text)) return std::nullopt;
  int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// The usage error for a numeric option: names the option, its accepted range
// and the value given (escaped: it is any bytes from the command line).
int BadValue(std::ostream& err, const char* option, const char* range, const std::string& text) {
  err << "tblint: --" << option << " must be " << range << ", not '" << EscapeForText(text) << "'\n";
  return kExitUsage;
}

// The numeric options, kept as text by program_options so that every bad
// value gets a message with the option's range (program_options' own says
// only "invalid", and a combined check used to name options that were fine).
struct NumericOptions {
  std::string jobs = "0";
  std::string grace_period = "120";
  std::string max_record_mib = "64";
  std::string max_depth = "3";
};

struct NumericValues {
  int jobs = 0;
  double grace_period_s = 120;
  uint64_t max_record_bytes = 64ull << 20;
  int max_depth = 3;
};

// Validates each option on its own; returns kExitClean or kExitUsage (with
// the message on `err`).
int ParseNumericOptions(const NumericOptions& in, NumericValues* values, std::ostream& err) {
  constexpr const char* kJobsRange = "a whole number from 0 (one per core) to 1024";
  constexpr const char* kGraceRange = "a number of seconds from 0 to 315360000 (ten years)";
  // The upper bound keeps MiB -> bytes (at most 2^60) inside uint64_t.
  constexpr const char* kRecordRange = "a number of MiB above 0 and at most 1099511627776 (2^40 MiB, 1 EiB)";
  constexpr const char* kDepthRange = "a whole number from 0 to 1024";
  static_assert(
      kMaxJobs == 1024 && kMaxMaxDepth == 1024 && kMaxGracePeriodS == 315360000.0 && kMaxRecordMib == 1099511627776.0,
      "the range messages above spell these limits out");

  const std::optional<int64_t> jobs = ParseWhole(in.jobs);
  if (!jobs || *jobs < 0 || *jobs > kMaxJobs) return BadValue(err, "jobs", kJobsRange, in.jobs);
  values->jobs = static_cast<int>(*jobs);

  const std::optional<double> grace = ParseFiniteReal(in.grace_period);
  if (!grace || *grace < 0 || *grace > kMaxGracePeriodS) {
    return BadValue(err, "grace-period", kGraceRange, in.grace_period);
  }
  values->grace_period_s = *grace;

  const std::optional<double> mib = ParseFiniteReal(in.max_record_mib);
  if (!mib || !(*mib > 0) || *mib > kMaxRecordMib) {
    return BadValue(err, "max-record-mib", kRecordRange, in.max_record_mib);
  }
  // At most 2^60: exact in a double and far from uint64_t's limit.
  values->max_record_bytes = static_cast<uint64_t>(*mib * 1048576.0);

  const std::optional<int64_t> depth = ParseWhole(in.max_depth);
  if (!depth || *depth < 0 || *depth > kMaxMaxDepth) return BadValue(err, "max-depth", kDepthRange, in.max_depth);
  values->max_depth = static_cast<int>(*depth);
  return kExitClean;
}

int RunCommand(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  po::options_description visible("Options");
  std::string format = "text", fail_on = "warning", explain, color = "auto";
  std::vector<std::string> select, ignore;
  NumericOptions numeric;
  std::string backup_dir;
  // clang-format off
  visible.add_options()
    ("help,h", "show this help and exit")
    ("version", "show the version and exit")
    ("format,f", po::value(&format)->value_name("text|json"), "output format (default text)")
    ("select", po::value(&select)->composing()->value_name("CODES"),
     "only these rules: comma-separated codes or prefixes (TB1, TB101)")
    ("ignore", po::value(&ignore)->composing()->value_name("CODES"),
     "skip these rules: comma-separated codes or prefixes")
    ("fail-on", po::value(&fail_on)->value_name("LEVEL"),
     "exit 1 when a finding is at or above LEVEL: error, warning (default), info or never")
    ("list-rules", "list every rule and exit")
    ("explain", po::value(&explain)->value_name("CODE"), "print a rule's documentation and exit")
    ("jobs,j", po::value(&numeric.jobs)->value_name("N"),
     "files scanned in parallel: 0 (one per core, the default) to 1024")
    ("quiet,q", "print findings only: no impact lines, no summary")
    ("color", po::value(&color)->value_name("WHEN"), "colour text output: auto (default, on a terminal), always, never")
    ("grace-period", po::value(&numeric.grace_period)->value_name("SECONDS"),
     "a file modified less than this long ago may still be written: a truncated tail is info, "
     "and --fix leaves it alone (default 120; 0 to 315360000, ten years)")
    ("max-record-mib", po::value(&numeric.max_record_mib)->value_name("MIB"),
     "TB107 flags records larger than this (default 64; above 0, at most 1099511627776 = 2^40 MiB, "
     "1 EiB)")
    ("max-depth", po::value(&numeric.max_depth)->value_name("N"),
     "TB501 flags runs more than N directory levels below the logdir (default 3; 0 to 1024)")
    ("fix", "apply safe fixes: truncate damaged tails (TB101, TB102), keeping the cut bytes")
    ("unsafe-fixes", "with --fix: also salvage damaged files (TB103-TB105) and move impostor, empty "
     "and stray files out of the logdir (TB106, TB201, TB503); everything removed is backed up")
    ("dry-run", "with --fix: say what would be done, write nothing")
    ("backup-dir", po::value(&backup_dir)->value_name("DIR"),
     "where --fix keeps what it removes and 'tblint restore' looks (default: <logdir>/.tblint-backup)");
  // clang-format on
  po::options_description hidden;
  std::vector<std::string> paths;
  hidden.add_options()("path", po::value(&paths));
  po::options_description all;
  all.add(visible).add(hidden);
  po::positional_options_description pos;
  pos.add("path", -1);

  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    err << "tblint: " << e.what() << "\nTry 'tblint --help'.\n";
    return kExitUsage;
  }

  if (vm.count("help")) {
    out << kUsage << "\n" << visible << kEpilog;
    return kExitClean;
  }
  if (vm.count("version")) {
    out << "tblint " << TBLINT_VERSION << " (crc32c: " << crc32c::ImplementationName() << ")\n";
    return kExitClean;
  }
  NumericValues values;
  if (ParseNumericOptions(numeric, &values, err) != kExitClean) return kExitUsage;
  if (format != "text" && format != "json") {
    err << "tblint: --format must be text or json, not '" << format << "'\n";
    return kExitUsage;
  }
  if (vm.count("list-rules")) {
    ListRules(out, format == "json");
    return kExitClean;
  }
  if (vm.count("explain")) {
    std::string code = SplitCodes({explain}).empty() ? "" : SplitCodes({explain}).front();
    std::string_view doc = RuleDoc(code);
    if (FindRule(code) == nullptr || doc.empty()) {
      err << "tblint: no rule " << explain << "; see 'tblint --list-rules'\n";
      return kExitUsage;
    }
    out << doc;
    return kExitClean;
  }
  std::optional<Severity> fail_level;
  if (fail_on != "never") {
    fail_level = ParseSeverity(fail_on);
    if (!fail_level) {
      err << "tblint: --fail-on must be error, warning, info or never, not '" << fail_on << "'\n";
      return kExitUsage;
    }
  }
  if (color != "auto" && color != "always" && color != "never") {
    err << "tblint: --color must be auto, always or never\n";
    return kExitUsage;
  }
  const bool fix = vm.count("fix") > 0;
  const bool dry_run = vm.count("dry-run") > 0;
  const bool unsafe = vm.count("unsafe-fixes") > 0;
  const bool restore = !paths.empty() && paths.front() == "restore";
  if ((dry_run || unsafe) && !fix && !restore) {
    err << "tblint: --dry-run and --unsafe-fixes only make sense with --fix\n";
    return kExitUsage;
  }
  // `tblint restore [PATH...]`: undo every journaled fix, byte-identical.
  if (restore) {
    paths.erase(paths.begin());
    if (paths.empty()) paths.push_back(".");
    bool all_ok = true;
    nlohmann::json report = nlohmann::json::array();
    for (const std::string& path : paths) {
      std::vector<RestoreOutcome> outcomes;
      std::string error;
      const bool ok = Restore(path, backup_dir, &outcomes, &error);
      if (!error.empty()) {
        err << "tblint: " << EscapeForText(error) << "\n";
        return kExitUsage;
      }
      all_ok = all_ok && ok;
      for (const RestoreOutcome& o : outcomes) {
        // Paths are any bytes: escaped for the terminal, exact in JSON (PutName).
        if (format == "json") {
          nlohmann::json j = {{"status", o.status}, {"message", ToValidUtf8(o.message)}};
          PutName(j, "path", o.path);
          report.push_back(std::move(j));
        } else {
          out << EscapeForText(o.path) << ": " << o.status << ": " << EscapeForText(o.message) << "\n";
        }
      }
      if (outcomes.empty() && format != "json") out << EscapeForText(path) << ": nothing to restore\n";
    }
    if (format == "json") out << DumpJson(nlohmann::json{{"restored", report}}) << "\n";
    return all_ok ? kExitClean : kExitFindings;
  }

  const std::vector<std::string> selected = SplitCodes(select), ignored = SplitCodes(ignore);
  for (const auto* list : {&selected, &ignored}) {
    for (const std::string& p : *list) {
      bool any = false;
      for (const auto& r : AllRules()) any = any || Matches(r->info().code, {p});
      if (!any) {
        err << "tblint: no rule matches '" << p << "'; see 'tblint --list-rules'\n";
        return kExitUsage;
      }
    }
  }

  ScanConfig config;
  config.jobs = values.jobs;
  config.lint.now = Now();
  config.lint.grace_period_s = values.grace_period_s;
  config.lint.oversized_record_bytes = values.max_record_bytes;
  config.lint.max_depth = values.max_depth;
  config.lint.skip_dir = backup_dir;
  for (const auto& r : AllRules()) {
    const std::string code = r->info().code;
    if (!selected.empty() && !Matches(code, selected)) continue;
    if (Matches(code, ignored)) continue;
    config.rules.push_back(r.get());
  }

  // `tblint runs [PATH...]`: list the runs instead of the findings.
  if (!paths.empty() && paths.front() == "runs") {
    paths.erase(paths.begin());
    if (fix) {
      err << "tblint: 'tblint runs' only lists runs; it does not take --fix\n";
      return kExitUsage;
    }
    if (paths.empty()) paths.push_back(".");
    return RunRunsCommand(paths, config, format == "json", out, err);
  }
  if (paths.empty()) paths.push_back(".");
  std::vector<std::unique_ptr<LintResult>> results;
  ReportInput report;
  report.fix_ran = fix;
  report.dry_run = dry_run;
  for (const std::string& path : paths) {
    auto result = std::make_unique<LintResult>();
    std::string error;
    if (!Lint(path, config, result.get(), &error)) {
      err << "tblint: " << EscapeForText(error) << "\n";
      return kExitUsage;
    }
    if (fix) {
      FixOptions fo;
      fo.dry_run = dry_run;
      fo.unsafe = unsafe;
      fo.now = config.lint.now;
      fo.grace_period_s = values.grace_period_s;
      fo.backup_dir = backup_dir;
      std::vector<FixOutcome> outcomes = ApplyFixes(*result, fo);
      bool changed = false;
      for (const FixOutcome& o : outcomes) changed = changed || o.status == FixStatus::kFixed;
      report.fixes.insert(report.fixes.end(), outcomes.begin(), outcomes.end());
      if (changed) {
        // Re-lint: the report and the exit code reflect what is left.
        auto again = std::make_unique<LintResult>();
        if (!Lint(path, config, again.get(), &error)) {
          err << "tblint: " << EscapeForText(error) << "\n";
          return kExitUsage;
        }
        result = std::move(again);
      }
    }
    results.push_back(std::move(result));
  }
  for (const auto& r : results) report.results.push_back(r.get());

  if (format == "json") {
    out << DumpJson(ToJson(report)) << "\n";
  } else {
    TextOptions to;
    to.quiet = vm.count("quiet") > 0;
    const char* no_color = std::getenv("NO_COLOR");
    to.color = color == "always" ||
               (color == "auto" && ::isatty(STDOUT_FILENO) && (no_color == nullptr || *no_color == '\0') &&
                &out == &std::cout);
    WriteText(out, report, to);
  }

  bool failed = false;
  for (const auto& r : results) {
    for (const Finding& f : r->findings) failed = failed || (fail_level && f.severity >= *fail_level);
  }
  for (const FixOutcome& o : report.fixes) failed = failed || o.status == FixStatus::kFailed;
  return failed ? kExitFindings : kExitClean;
}

}  // namespace

int RunApp(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  const int code = RunCommand(argc, argv, out, err);
  // Decided last: a report that did not reach its reader is not a clean run.
  return CheckOutputWritten(out, err) ? code : kExitUsage;
}

bool CheckOutputWritten(std::ostream& out, std::ostream& err) {
  const bool is_stdout = &out == &std::cout;
  int error = 0;
  out.flush();
  // Any failed write sets badbit; failbit means later writes were skipped.
  bool ok = !out.fail();
  if (const auto* fd_buffer = dynamic_cast<const FdOutputBuffer*>(out.rdbuf())) error = fd_buffer->error();
  if (is_stdout) {
    // Whatever went through C's stdout (std::cout's default buffer, or a
    // printf) is checked too: buffered there, a small report is only written,
    // and only fails, at this flush.
    errno = 0;
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
      ok = false;
      if (error == 0) error = errno;
    }
  }
  if (ok) return true;
  err << "tblint: cannot write the report to " << (is_stdout ? "standard output" : "the output stream");
  if (error != 0) err << ": " << std::strerror(error);
  err << "\n";
  return false;
}

FdOutputBuffer::FdOutputBuffer(int fd, size_t buffer_size) : fd_(fd), buffer_(buffer_size > 0 ? buffer_size : 1) {
  setp(buffer_.data(), buffer_.data() + buffer_.size());
}

FdOutputBuffer::~FdOutputBuffer() { Drain(); }

FdOutputBuffer::int_type FdOutputBuffer::overflow(int_type c) {
  if (!Drain()) return traits_type::eof();
  if (!traits_type::eq_int_type(c, traits_type::eof())) {
    *pptr() = traits_type::to_char_type(c);
    pbump(1);
  }
  return traits_type::not_eof(c);
}

int FdOutputBuffer::sync() { return Drain() ? 0 : -1; }

bool FdOutputBuffer::Drain() {
  const char* p = pbase();
  const char* const end = pptr();
  while (error_ == 0 && p < end) {
    const ssize_t n = ::write(fd_, p, static_cast<size_t>(end - p));
    if (n > 0) {
      p += n;
    } else if (n < 0 && errno != EINTR) {
      error_ = errno;
    } else if (n == 0) {
      error_ = EIO;  // write(2) made no progress on a non-empty buffer
    }
  }
  setp(buffer_.data(), buffer_.data() + buffer_.size());
  return error_ == 0;
}

}  // namespace tblint
