#include "cli/merge_reports_command.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/output_file.h"
#include "cli/progress.h"
#include "fix/fixer.h"
#include "report/report.h"
#include "rule/registry.h"
#include "rule/rule.h"
#include "util/text.h"

namespace tblint {
namespace {

namespace po = boost::program_options;
using nlohmann::json;

constexpr Format kMergeFormats[] = {Format::kText, Format::kJson, Format::kSarif, Format::kGithub, Format::kJunit};

// A report that does not have the shape docs/json.md gives: the message says
// which field.
struct BadReport {
  std::string what;
};

// One input report, parsed.
struct InputReport {
  std::string file;  // as given on the command line
  json doc;
  std::optional<Shard> shard;
  std::vector<std::pair<std::string, bool>> paths;  // (path bytes, single_file)
};

const json& Field(const json& obj, const char* key, json::value_t type, const char* what) {
  auto it = obj.find(key);
  if (it == obj.end()) throw BadReport{std::string("no \"") + key + "\" in " + what};
  const bool ok = it->type() == type || (type == json::value_t::number_unsigned && it->is_number_unsigned()) ||
                  (type == json::value_t::number_float && it->is_number());
  if (!ok) throw BadReport{std::string("\"") + key + "\" in " + what + " has the wrong type"};
  return *it;
}

std::string Name(const json& obj, const char* key, const char* what) {
  std::optional<std::string> v = GetName(obj, key);
  if (!v) throw BadReport{std::string("\"") + key + "\" in " + what + " is missing or not a name"};
  return *v;
}

template <typename T>
std::optional<T> Optional(const json& obj, const char* key, const char* what) {
  auto it = obj.find(key);
  if (it == obj.end()) return std::nullopt;
  try {
    return it->get<T>();
  } catch (const json::exception&) {
    throw BadReport{std::string("\"") + key + "\" in " + what + " has the wrong type"};
  }
}

InputReport ReadReport(const std::string& file) {
  InputReport r;
  r.file = file;
  std::ifstream in(file, std::ios::binary);
  if (!in) throw BadReport{"cannot open it"};
  std::stringstream buffer;
  buffer << in.rdbuf();
  try {
    r.doc = json::parse(buffer.str());
  } catch (const json::exception& e) {
    throw BadReport{std::string("not JSON: ") + e.what()};
  }
  if (!r.doc.is_object()) throw BadReport{"not a tblint JSON report (not an object)"};
  const json& tool = Field(r.doc, "tool", json::value_t::object, "the report");
  if (tool.value("name", "") != "tblint") throw BadReport{"not a tblint JSON report (tool.name is not \"tblint\")"};
  for (const json& p : Field(r.doc, "paths", json::value_t::array, "the report")) {
    r.paths.emplace_back(Name(p, "path", "paths[]"), p.value("single_file", false));
  }
  Field(r.doc, "summary", json::value_t::object, "the report");
  Field(r.doc, "findings", json::value_t::array, "the report");
  if (auto it = r.doc.find("shard"); it != r.doc.end()) {
    const uint32_t index = Optional<uint32_t>(*it, "index", "shard").value_or(0);
    const uint32_t count = Optional<uint32_t>(*it, "count", "shard").value_or(0);
    if (count < 1 || index < 1 || index > count) throw BadReport{"\"shard\" is not {index: 1..count, count}"};
    r.shard = Shard{index, count};
  }
  return r;
}

Finding ReadFinding(const json& j) {
  const char* what = "a finding";
  Finding f;
  const std::string code = Field(j, "code", json::value_t::string, what).get<std::string>();
  const Rule* rule = FindRule(code);
  if (rule == nullptr) {
    throw BadReport{"a finding of rule '" + EscapeForText(code) + "', which this tblint does not know (a newer one?)"};
  }
  f.rule = &rule->info();
  const std::optional<Severity> severity =
      ParseSeverity(Field(j, "severity", json::value_t::string, what).get<std::string>());
  if (!severity) throw BadReport{"a finding with an unknown severity"};
  f.severity = *severity;
  f.message = Field(j, "message", json::value_t::string, what).get<std::string>();
  f.impact = Optional<std::string>(j, "impact", what).value_or("");
  f.path = Name(j, "path", what);
  f.run = Name(j, "run", what);
  f.offset = Optional<uint64_t>(j, "offset", what);
  f.length = Optional<uint64_t>(j, "length", what);
  f.record = Optional<uint64_t>(j, "record", what);
  f.step = Optional<int64_t>(j, "step", what);
  if (j.contains("tag")) f.tag = Name(j, "tag", what);
  if (auto it = j.find("fix"); it != j.end() && it->is_object()) {
    const std::string a = it->value("applicability", "");
    f.fix.applicability = a == "safe"     ? Applicability::kSafe
                          : a == "unsafe" ? Applicability::kUnsafe
                                          : Applicability::kNone;
    f.fix.description = it->value("description", "");
  }
  return f;
}

FixOutcome ReadFix(const json& j, bool dry_run) {
  const char* what = "a fix";
  FixOutcome o;
  o.logdir = Name(j, "logdir", what);
  o.rel_path = Name(j, "path", what);
  const std::string status = Field(j, "status", json::value_t::string, what).get<std::string>();
  bool known = false;
  for (FixStatus s :
       {FixStatus::kFixed, FixStatus::kWouldFix, FixStatus::kSkipped, FixStatus::kRefused, FixStatus::kFailed}) {
    if (status == FixStatusName(s, dry_run)) {
      o.status = s;
      known = true;
      break;
    }
  }
  if (!known) throw BadReport{"a fix with an unknown status '" + EscapeForText(status) + "'"};
  const std::string action = j.value("action", "none");
  for (FixKind k : {FixKind::kNone, FixKind::kTruncate, FixKind::kRewrite, FixKind::kMove}) {
    if (action == FixKindName(k)) o.kind = k;
  }
  o.codes = j.value("codes", "");
  o.message = j.value("message", "");
  o.old_size = Optional<uint64_t>(j, "old_size", what).value_or(0);
  o.new_size = Optional<uint64_t>(j, "new_size", what).value_or(0);
  o.dropped_bytes = Optional<uint64_t>(j, "dropped_bytes", what).value_or(0);
  o.kept_records = Optional<uint64_t>(j, "kept_records", what).value_or(0);
  o.dropped_records = Optional<uint64_t>(j, "dropped_records", what).value_or(0);
  if (j.contains("side_file")) o.side_file = Name(j, "side_file", what);
  return o;
}

std::string ShardText(const Shard& s) { return std::to_string(s.index) + "/" + std::to_string(s.count); }

class MergeReportsCommand : public Command {
 public:
  std::string_view Synopsis() const override { return "tblint merge-reports [OPTIONS] REPORT.json...\n"; }

  std::string_view Description() const override {
    return "Joins JSON reports written by 'tblint --format json' into one report, in any\n"
           "format 'tblint check' has: the shards of a '--shard I/N' split (docs/scale.md),\n"
           "or reports of different logdirs. Findings of all reports are kept, ordered by\n"
           "PATH and run; a finding identical in every field to one already kept is\n"
           "listed once. The summary's files, runs, records, bytes and seconds are summed.\n"
           "Shard reports must all be of the same N; a shard given twice is read once\n"
           "(the first), and a missing shard is an error unless --allow-missing-shards.\n"
           "Exit status: 0 clean, 1 findings at or above --fail-on (or a failed fix in a\n"
           "report), 2 usage error or a report that cannot be read or is not tblint's.\n";
  }

  std::string_view Examples() const override {
    return "Examples:\n"
           "  tblint merge-reports shard-*.json  the shards' findings as text\n"
           "  tblint merge-reports -f sarif -o tblint.sarif shard-*.json\n"
           "                                     one SARIF file for code scanning\n";
  }

  void AddOptions(po::options_description* options) override {
    AddFormatOption(options, kMergeFormats, &format_);
    // clang-format off
    options->add_options()
      ("output-file,o", po::value(&output_file_)->value_name("FILE"),
       "write the merged report to FILE (atomically) instead of standard output")
      ("fail-on", po::value(&fail_on_)->value_name("LEVEL"),
       "exit 1 when a finding is at or above LEVEL: error, warning (default), info or never")
      ("quiet,q", "print findings only: no impact lines, no summary")
      ("color", po::value(&color_)->value_name("WHEN"),
       "colour text output: auto (default, on a terminal), always, never")
      ("allow-missing-shards", "merge shard reports even when some of the N shards are missing");
    // clang-format on
  }

  int Run(const po::variables_map& vm, const std::vector<std::string>& files, std::ostream& out,
          std::ostream& err) override {
    const std::optional<Format> format = ResolveFormat(format_, "merge-reports", kMergeFormats, err);
    if (!format) return kExitUsage;
    std::optional<Severity> fail_level;
    if (fail_on_ != "never") {
      fail_level = ParseSeverity(fail_on_);
      if (!fail_level) {
        err << "tblint: --fail-on must be error, warning, info or never, not '" << EscapeForText(fail_on_) << "'\n";
        return kExitUsage;
      }
    }
    if (color_ != "auto" && color_ != "always" && color_ != "never") {
      err << "tblint: --color must be auto, always or never\n";
      return kExitUsage;
    }
    if (!vm.count("path")) {
      err << "tblint: merge-reports needs at least one JSON report (written by 'tblint --format json')\n";
      return kExitUsage;
    }

    std::vector<InputReport> reports;
    for (const std::string& file : files) {
      try {
        reports.push_back(ReadReport(file));
      } catch (const BadReport& e) {
        err << "tblint: " << EscapeForText(file) << ": " << EscapeForText(e.what) << "\n";
        return kExitUsage;
      }
    }
    if (int code = CheckShards(&reports, vm.count("allow-missing-shards") > 0, err); code != kExitClean) return code;

    // One result per PATH, in the order PATHs first appear (shard 1 first).
    std::vector<std::unique_ptr<LintResult>> results;
    std::map<std::pair<std::string, bool>, LintResult*> by_path;
    std::map<std::string, LintResult*> by_logdir;
    auto result_for = [&](const std::string& path, bool single_file) {
      auto [it, added] = by_path.try_emplace({path, single_file}, nullptr);
      if (added) {
        results.push_back(std::make_unique<LintResult>());
        results.back()->logdir.given = path;
        results.back()->logdir.single_file = single_file;
        it->second = results.back().get();
        by_logdir.try_emplace(path, it->second);
      }
      return it->second;
    };
    ReportInput report;
    ScannedCounts scanned;
    std::set<std::string> seen;  // findings already kept, as canonical JSON
    for (const InputReport& r : reports) {
      try {
        for (const auto& [path, single] : r.paths) result_for(path, single);
        const json& s = r.doc["summary"];
        scanned.files += Optional<uint64_t>(s, "files", "summary").value_or(0);
        scanned.runs += Optional<uint64_t>(s, "runs", "summary").value_or(0);
        scanned.records += Optional<uint64_t>(s, "records", "summary").value_or(0);
        scanned.bytes += Optional<uint64_t>(s, "bytes", "summary").value_or(0);
        scanned.seconds += Optional<double>(s, "seconds", "summary").value_or(0);
        for (const json& j : r.doc["findings"]) {
          if (!seen.insert(j.dump()).second) continue;
          Finding f = ReadFinding(j);
          const std::string logdir = Name(j, "logdir", "a finding");
          auto it = by_logdir.find(logdir);
          LintResult* target = it != by_logdir.end() ? it->second : result_for(logdir, false);
          target->findings.push_back(std::move(f));
        }
        if (auto it = r.doc.find("fixes"); it != r.doc.end() && it->is_array()) {
          const bool dry_run = r.doc.value("dry_run", false);
          report.fix_ran = true;
          report.dry_run = report.dry_run || dry_run;
          for (const json& j : *it) report.fixes.push_back(ReadFix(j, dry_run));
        }
      } catch (const BadReport& e) {
        err << "tblint: " << EscapeForText(r.file) << ": " << EscapeForText(e.what) << "\n";
        return kExitUsage;
      }
    }
    for (auto& r : results) {
      // Run by run, as one scan orders them; a logdir-wide finding joins the
      // run it names. Stable: each run's findings keep their report's order.
      std::stable_sort(r->findings.begin(), r->findings.end(),
                       [](const Finding& a, const Finding& b) { return a.run < b.run; });
      report.results.push_back(r.get());
    }
    for (FixOutcome& o : report.fixes) {
      auto it = by_logdir.find(o.logdir);
      o.display_path = it != by_logdir.end() ? DisplayPath(*it->second, o.rel_path) : o.logdir + "/" + o.rel_path;
    }
    report.scanned = scanned;

    RenderOptions ro;
    ro.text.quiet = vm.count("quiet") > 0;
    ro.text.color = output_file_.empty() && &out == &std::cout && UseColor(color_, ProcessTerminalEnv(STDOUT_FILENO));
    if (color_ == "always") ro.text.color = true;
    ro.fail_on = fail_level;
    if (WriteReport(report, *format, ro, !output_file_.empty(), output_file_, out, err) != kExitClean) {
      return kExitUsage;
    }
    return ReportExitCode(report, fail_level);
  }

 private:
  // Shard reports: one N, the same PATHs, each index once (a repeat is
  // dropped), none missing unless allowed. Sorts the reports: shards by
  // index first, then the others in command-line order.
  static int CheckShards(std::vector<InputReport>* reports, bool allow_missing, std::ostream& err) {
    std::stable_sort(reports->begin(), reports->end(), [](const InputReport& a, const InputReport& b) {
      return (a.shard ? a.shard->index : UINT32_MAX) < (b.shard ? b.shard->index : UINT32_MAX);
    });
    std::optional<Shard> first_shard;  // of the first shard report, and its file and PATHs
    std::string first_file;
    std::vector<std::pair<std::string, bool>> first_paths;
    std::vector<InputReport> kept;
    std::set<uint32_t> indices;
    for (InputReport& r : *reports) {
      if (r.shard) {
        if (!first_shard) {
          first_shard = r.shard;
          first_file = r.file;
          first_paths = r.paths;
        } else if (r.shard->count != first_shard->count) {
          err << "tblint: " << EscapeForText(r.file) << " is shard " << ShardText(*r.shard) << " but "
              << EscapeForText(first_file) << " is shard " << ShardText(*first_shard)
              << ": shard reports to merge must all split the runs into the same number of shards\n";
          return kExitUsage;
        } else if (r.paths != first_paths) {
          err << "tblint: " << EscapeForText(r.file) << " and " << EscapeForText(first_file)
              << " are shards of different PATHs: merge the shards of one command\n";
          return kExitUsage;
        }
        if (!indices.insert(r.shard->index).second) {
          err << "tblint: " << EscapeForText(r.file) << " is shard " << ShardText(*r.shard)
              << " again: skipped, the first report of that shard is used\n";
          continue;
        }
      }
      kept.push_back(std::move(r));
    }
    if (first_shard) {
      const uint32_t count = first_shard->count;
      std::vector<uint32_t> missing;
      for (uint32_t i = 1; i <= count; ++i) {
        if (!indices.count(i)) missing.push_back(i);
      }
      if (!missing.empty()) {
        std::string list;
        for (size_t i = 0; i < missing.size() && i < 10; ++i) {
          list += (i > 0 ? ", " : "") + std::to_string(missing[i]) + "/" + std::to_string(count);
        }
        if (missing.size() > 10) list += ", +" + std::to_string(missing.size() - 10) + " more";
        err << "tblint: " << (allow_missing ? "warning: " : "") << "missing shard" << (missing.size() == 1 ? "" : "s")
            << " " << list
            << (allow_missing ? ": the merged report covers only part of the runs\n"
                              : " (--allow-missing-shards merges what is there)\n");
        if (!allow_missing) return kExitUsage;
      }
    }
    *reports = std::move(kept);
    return kExitClean;
  }

  std::string format_;
  std::string output_file_;
  std::string fail_on_ = "warning";
  std::string color_ = "auto";
};

}  // namespace

std::unique_ptr<Command> MakeMergeReportsCommand() { return std::make_unique<MergeReportsCommand>(); }

}  // namespace tblint
