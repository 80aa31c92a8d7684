// Baselines: --write-baseline FILE records the current findings by
// fingerprint, --baseline FILE then reports (and fails on) only the findings
// it does not hold (docs/baseline.md).
//
// A fingerprint is the rule's code, the run, the path relative to the logdir
// and what identifies the finding within it (its tag, step and record index
// when the rule sets them): never the message (its counts change as a file
// grows) nor the byte offset alone. Fingerprints may repeat: the baseline
// counts them, and N occurrences in it suppress up to N findings.
#ifndef TBLINT_CLI_BASELINE_H_
#define TBLINT_CLI_BASELINE_H_

#include <boost/program_options.hpp>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rule/finding.h"
#include "scan/scanner.h"

namespace tblint {

// What a fingerprint is made of.
struct FingerprintFields {
  std::string code;
  std::string run;
  std::string path;
  std::optional<std::string> tag;
  std::optional<int64_t> step;
  std::optional<uint64_t> record;
};

FingerprintFields FingerprintOf(const Finding& finding);

// The fields as one unambiguous byte string (each length-prefixed): the key
// findings are matched by.
std::string FingerprintKey(const FingerprintFields& fields);

// 16 lowercase hex digits: FNV-1a (64 bits) of the key. Written beside each
// entry for tools that want one opaque id; matching uses the fields.
std::string FingerprintHash(const FingerprintFields& fields);

struct BaselineEntry {
  FingerprintFields fields;
  uint64_t count = 0;
};

struct Baseline {
  std::map<std::string, BaselineEntry> entries;  // by FingerprintKey
  uint64_t Total() const;
};

// The findings of `results`, counted by fingerprint.
Baseline MakeBaseline(const std::vector<const LintResult*>& results);

// The file's JSON document (docs/baseline.md) for these fingerprints (keys
// from FingerprintKey, each with its count, each key once), written entry by
// entry: sorted by path, code, tag, step, record and run so that the file
// diffs well.
void WriteBaselineDocument(std::ostream& out, std::vector<std::pair<std::string_view, uint64_t>> entries);
// false with `error` set when the document is not a baseline.
bool BaselineFromJson(const nlohmann::json& doc, Baseline* baseline, std::string* error);

// Reads a baseline file; false with `error` (without the file name) set.
bool ReadBaseline(const std::string& path, Baseline* baseline, std::string* error);
// Writes it atomically (a temporary beside it, fsynced, renamed over it).
bool WriteBaseline(const std::string& path, const Baseline& baseline, std::string* error);

// --write-baseline as the findings pass: one FingerprintKey per finding is
// kept, not the finding (docs/performance.md), and Write writes the file
// from them.
class BaselineRecorder {
 public:
  void Add(const Finding& finding) { keys_.push_back(FingerprintKey(FingerprintOf(finding))); }
  uint64_t total() const { return keys_.size(); }
  // Writes the file atomically (WriteBaseline); false with `error` set.
  bool Write(const std::string& path, std::string* error);

 private:
  std::vector<std::string> keys_;
};

// Removes from `results` the findings the baseline holds, each fingerprint at
// most as many times as it counts; returns how many were removed.
uint64_t ApplyBaseline(const Baseline& baseline, const std::vector<LintResult*>& results);

// ApplyBaseline one batch of findings at a time, in report order (a scan's
// runs as they stream): the same findings are suppressed as by ApplyBaseline
// over the whole report.
class BaselineFilter {
 public:
  explicit BaselineFilter(const Baseline& baseline);
  void Apply(std::vector<Finding>* findings);
  uint64_t suppressed() const { return suppressed_; }

 private:
  std::map<std::string, uint64_t, std::less<>> left_;
  uint64_t suppressed_ = 0;
};

// --- the options of 'tblint check' -----------------------------------------

struct BaselineOptionText {
  std::string read;   // --baseline FILE
  std::string write;  // --write-baseline FILE
};

// Declares --baseline FILE and --write-baseline FILE.
void AddBaselineOptions(boost::program_options::options_description* options, BaselineOptionText* text);

// Reads --baseline's file when one was given; kExitUsage with a message
// naming it when it cannot be read or is not a baseline.
int ReadBaselineOption(const BaselineOptionText& text, Baseline* baseline, std::ostream& err);

// --write-baseline's last step, once the findings (those left after --fix)
// are recorded as they streamed: writes the file and says so. kExitUsage with a message when it
// cannot be written.
int FinishBaseline(const std::string& path, BaselineRecorder* recorder, bool quiet, std::ostream& err);

}  // namespace tblint

#endif  // TBLINT_CLI_BASELINE_H_
