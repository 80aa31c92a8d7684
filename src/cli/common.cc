#include "cli/common.h"

#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <sstream>
#include <system_error>
#include <utility>

#include "cli/output_file.h"
#include "rule/registry.h"
#include "util/text.h"

namespace tblint {
namespace {

namespace po = boost::program_options;

// "text or json", "text, json or sarif".
std::string JoinOr(std::span<const Format> formats) {
  std::string out;
  for (size_t i = 0; i < formats.size(); ++i) {
    if (i > 0) out += i + 1 == formats.size() ? " or " : ", ";
    out += FormatName(formats[i]);
  }
  return out;
}

bool Matches(const std::string& code, const std::vector<std::string>& prefixes) {
  for (const std::string& p : prefixes) {
    if (code.compare(0, p.size(), p) == 0) return true;
  }
  return false;
}

double Now() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

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

}  // namespace

void AddFormatOption(po::options_description* options, std::span<const Format> formats, std::string* text) {
  std::string names;
  for (Format f : formats) names += (names.empty() ? "" : "|") + std::string(FormatName(f));
  *text = std::string(FormatName(formats.front()));
  options->add_options()("format,f", po::value(text)->value_name(names),
                         ("output format (default " + *text + ")").c_str());
}

std::optional<Format> ResolveFormat(const std::string& text, std::string_view command, std::span<const Format> formats,
                                    std::ostream& err) {
  const std::optional<Format> format = ParseFormat(text);
  if (!format) {
    err << "tblint: unknown format '" << EscapeForText(text) << "': --format must be " << JoinOr(formats) << "\n";
    return std::nullopt;
  }
  for (Format f : formats) {
    if (f == *format) return format;
  }
  err << "tblint: 'tblint " << command << "' cannot produce " << FormatName(*format) << ": --format must be "
      << JoinOr(formats) << "\n";
  return std::nullopt;
}

void AddScanOptions(po::options_description* options, ScanOptionText* text, bool fixes) {
  const std::string grace_help =
      std::string("a file modified less than this long ago may still be written: a truncated tail is info") +
      (fixes ? ", and --fix leaves it alone" : "") + " (default " +
      std::to_string(static_cast<int64_t>(kDefaultGracePeriodS)) + "; 0 to 315360000, ten years)";
  // clang-format off
  options->add_options()
    ("select", po::value(&text->select)->composing()->value_name("CODES"),
     "only these rules: comma-separated codes or prefixes (TB1, TB101)")
    ("extend-select", po::value(&text->extend_select)->composing()->value_name("CODES"),
     "these rules too, on top of --select or the config file's select")
    ("ignore", po::value(&text->ignore)->composing()->value_name("CODES"),
     "skip these rules: comma-separated codes or prefixes")
    ("jobs,j", po::value(&text->jobs)->value_name("N"),
     "files scanned in parallel: 0 (one per core, the default) to 1024")
    ("grace-period", po::value(&text->grace_period)->value_name("SECONDS"), grace_help.c_str())
    ("max-record-mib", po::value(&text->max_record_mib)->value_name("MIB"),
     "TB107 flags records larger than this (default 64; above 0, at most 1099511627776 = 2^40 MiB, "
     "1 EiB)")
    ("max-depth", po::value(&text->max_depth)->value_name("N"),
     "TB501 flags runs more than N directory levels below the logdir (default 3; 0 to 1024)")
    ("shard", po::value(&text->shard)->value_name("I/N"),
     "only the I-th of N slices of the runs (1-based: 1/4 .. 4/4), by FNV-1a 64 of the run name; "
     "N jobs cover every run once, and 'tblint merge-reports' joins their JSON reports (docs/scale.md)");
  // clang-format on
}

int ParseNumericOptions(const ScanOptionText& in, NumericValues* values, std::ostream& err) {
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

  if (!in.shard.empty()) {
    values->shard = ParseShard(in.shard);
    if (!values->shard) {
      return BadValue(err, "shard",
                      "I/N with 1 <= I <= N <= 1000000 (1-based: 1/4 to 4/4; from a 0-based index such as "
                      "Kubernetes' JOB_COMPLETION_INDEX write $((JOB_COMPLETION_INDEX + 1))/N)",
                      in.shard);
    }
  }
  return kExitClean;
}

std::optional<Shard> ParseShard(std::string_view text) {
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto whole = [](std::string_view digits) -> std::optional<uint32_t> {
    if (digits.empty() || digits.size() > 7) return std::nullopt;
    uint32_t v = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + static_cast<uint32_t>(c - '0');
    }
    return v;
  };
  const std::optional<uint32_t> index = whole(text.substr(0, slash)), count = whole(text.substr(slash + 1));
  if (!index || !count || *count < 1 || *count > kMaxShards || *index < 1 || *index > *count) return std::nullopt;
  return Shard{*index, *count};
}

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

int SelectRules(const ScanOptionText& text, std::vector<const Rule*>* rules, std::ostream& err) {
  std::vector<std::string> selected = SplitCodes(text.select);
  const std::vector<std::string> ignored = SplitCodes(text.ignore), extended = SplitCodes(text.extend_select);
  for (const std::vector<std::string>* list : {&std::as_const(selected), &ignored, &extended}) {
    for (const std::string& p : *list) {
      bool any = false;
      for (const auto& r : AllRules()) any = any || Matches(r->info().code, {p});
      if (!any) {
        err << "tblint: no rule matches '" << EscapeForText(p) << "'; see 'tblint --list-rules'\n";
        return kExitUsage;
      }
    }
  }
  // With no select every rule is on already: extend-select adds nothing.
  if (!selected.empty()) selected.insert(selected.end(), extended.begin(), extended.end());
  rules->clear();
  for (const auto& r : AllRules()) {
    const std::string code = r->info().code;
    if (!selected.empty() && !Matches(code, selected)) continue;
    if (Matches(code, ignored)) continue;
    rules->push_back(r.get());
  }
  return kExitClean;
}

ScanConfig MakeScanConfig(const NumericValues& values, std::vector<const Rule*> rules, const std::string& skip_dir) {
  ScanConfig config;
  config.jobs = values.jobs;
  config.lint.now = Now();
  config.lint.grace_period_s = values.grace_period_s;
  config.lint.oversized_record_bytes = values.max_record_bytes;
  config.lint.max_depth = values.max_depth;
  config.lint.skip_dir = skip_dir;
  config.shard = values.shard;
  config.rules = std::move(rules);
  return config;
}

int WriteReport(const ReportInput& report, Format format, const RenderOptions& options, bool to_file,
                const std::string& path, std::ostream& out, std::ostream& err) {
  if (!to_file) {
    Render(out, report, format, options);
    return kExitClean;
  }
  std::ostringstream buffer;
  Render(buffer, report, format, options);
  std::string error;
  if (!WriteFileAtomically(path, buffer.str(), &error)) return ReportFileError(err, path, error);
  return kExitClean;
}

int ReportFileError(std::ostream& err, const std::string& path, const std::string& error) {
  err << "tblint: cannot write the report to " << EscapeForText(path) << ": " << EscapeForText(error) << "\n";
  return kExitUsage;
}

int ReportExitCode(const ReportInput& report, std::optional<Severity> fail_on) {
  bool failed = false;
  for (const LintResult* r : report.results) {
    for (const Finding& f : r->findings) failed = failed || (fail_on && f.severity >= *fail_on);
  }
  for (const FixOutcome& o : report.fixes) failed = failed || o.status == FixStatus::kFailed;
  return failed ? kExitFindings : kExitClean;
}

}  // namespace tblint
