// `tblint runs [PATH...]`: the runs of each PATH exactly as TensorBoard
// discovers them (names and order as in LogdirResult::runs), each with its
// event files (writer, size, records, wall-time range), its tags by kind with
// point counts and step ranges, and its findings by severity. Text tables for
// people, one JSON document for machines (docs/json.md, "tblint runs").
#ifndef TBLINT_CLI_RUNS_COMMAND_H_
#define TBLINT_CLI_RUNS_COMMAND_H_

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "cli/common.h"
#include "scan/scanner.h"

namespace tblint {

// One tag of a run, merged over the run's files.
struct RunTag {
  std::string tag;
  event::TagKind kind = event::TagKind::kOther;  // of its first point, in read order
  uint8_t kinds_seen = 0;                        // bit (1 << TagKind) per kind logged
  uint64_t points = 0;
  int64_t min_step = 0;
  int64_t max_step = 0;
};

struct RunSummary {
  const RunResult* run = nullptr;
  std::vector<RunTag> tags;            // by kind (TagKind order), then tag
  std::array<uint64_t, 3> findings{};  // indexed by Severity
};

// A path's findings counted by severity as the scan hands them over, in all
// and per run: `tblint runs` keeps no finding (docs/performance.md).
struct RunFindingCounts {
  std::array<uint64_t, 3> total{};                                        // indexed by Severity
  std::map<std::string, std::array<uint64_t, 3>, std::less<>> by_run;  // by run name
  void Add(const Finding& f) {
    ++total[static_cast<int>(f.severity)];
    ++by_run[f.run][static_cast<int>(f.severity)];
  }
};

// Summarises every run of `result`, in TensorBoard's order.
std::vector<RunSummary> SummarizeRuns(const LintResult& result, const RunFindingCounts& counts);

// "2026-11-21T21:53:20Z", or nothing when `seconds` is not a representable time.
std::optional<std::string> IsoUtc(double seconds);

// `counts[i]`: the findings of `results[i]`.
void WriteRunsText(std::ostream& out, const std::vector<const LintResult*>& results,
                   const std::vector<RunFindingCounts>& counts);
nlohmann::json RunsToJson(const std::vector<const LintResult*>& results, const std::vector<RunFindingCounts>& counts);

// Lints each path with `config`, then prints its runs in `format` (text or
// json). Returns 0, or 2 (with a message on `err`) when a path does not exist.
// `adjust`, when set, sees each batch of findings before it is counted (the
// config file's per-path ignores and severities).
int RunRunsCommand(const std::vector<std::string>& paths, const ScanConfig& config, Format format, std::ostream& out,
                   std::ostream& err, const std::function<void(std::vector<Finding>*)>& adjust = {});

// The subcommand for the table (cli/subcommands.cc): its options, help and
// run function.
std::unique_ptr<Command> MakeRunsCommand();

}  // namespace tblint

#endif  // TBLINT_CLI_RUNS_COMMAND_H_
