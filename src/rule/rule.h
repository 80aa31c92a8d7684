// The rule framework: what a rule declares, the hooks it may override, and
// what the scanner hands to those hooks. Rules do no I/O and never print:
// they receive records, files, runs and the logdir, and emit findings.
//
// Shapes, after hadolint: per record (FileCheck::OnRecord), at the end of a
// file (FileCheck::OnEnd), per run (Rule::CheckRun), per logdir
// (Rule::CheckLogdir). Per-file state lives in the FileCheck the scanner
// creates for each file, so files are scanned in parallel without locks.
#ifndef TBLINT_RULE_RULE_H_
#define TBLINT_RULE_RULE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "event/event.h"
#include "record/record_reader.h"
#include "rule/finding.h"
#include "rule/model.h"
#include "util/text.h"

namespace tblint {

struct RuleInfo {
  const char* code;  // "TB101": stable, never reused
  const char* name;  // "truncated-record": names the problem
  Severity default_severity;
  const char* summary;  // one line, for --list-rules
  Applicability fix;    // best fix the rule can offer
};

// Collects the findings of one rule.
class Sink {
 public:
  Sink(const RuleInfo* rule, std::vector<Finding>* out) : rule_(rule), out_(out) {}
  Finding& Add(std::string message) { return Add(rule_->default_severity, std::move(message)); }
  Finding& Add(Severity severity, std::string message) {
    Finding& f = out_->emplace_back();
    f.rule = rule_;
    f.severity = severity;
    f.message = std::move(message);
    return f;
  }

 private:
  const RuleInfo* rule_;
  std::vector<Finding>* out_;
};

// One outcome of the record reader, decoded where possible.
struct RecordView {
  const Record& record;
  // Set for kOk records whose payload decodes as an Event.
  const event::EventView* event = nullptr;
  // Set for kOk records whose payload does not decode.
  const event::WireError* decode_error = nullptr;
  // The record was found by resynchronising after a bad length CRC: neither
  // TensorBoard reader ever gets this far.
  bool after_resync = false;
};

// TB204's slack for wall times after the file's mtime: what the scanner's
// kOddWallTime trigger and the rule both use.
inline constexpr double kWallTimeFutureSlack = 86400;

class FileCheck {
 public:
  // Which records OnRecord is called for. The scanner computes these
  // triggers for every record in one pass, inline, and calls a check only
  // for the records one of its triggers matches: on a healthy file, where
  // no trigger but kClean fires, no check is called at all. Declare the
  // narrowest triggers that cover what the check acts on; kClean (every
  // decoded record) costs a virtual call per record.
  enum Interest : uint16_t {
    kNoRecords = 0,
    kDamaged = 1 << 0,  // every record that is not clean (RecordView::event unset)
    kClean = 1 << 1,    // every complete record whose payload decoded as an Event
    kAllRecords = kDamaged | kClean,
    kFirstRecord = 1 << 2,      // the file's first outcome, whatever it is
    kLargeRecord = 1 << 3,      // a checked length over LintOptions::oversized_record_bytes
    kFirstContent = 1 << 4,     // the first event holding anything but file_version
    kOddWallTime = 1 << 5,      // an event whose wall_time is not in (0, mtime + kWallTimeFutureSlack]
    kNonFiniteScalar = 1 << 6,  // an event with a NaN or infinite scalar value (has_scalar)
    kGraph = 1 << 7,            // an event holding a graph_def or meta_graph_def
  };

  virtual ~FileCheck() = default;
  virtual Interest interest() const { return kAllRecords; }
  virtual void OnRecord(const RecordView& /*record*/, Sink& /*sink*/) {}
  virtual void OnEnd(const FileResult& /*file*/, Sink& /*sink*/) {}
};

constexpr FileCheck::Interest operator|(FileCheck::Interest a, FileCheck::Interest b) {
  return static_cast<FileCheck::Interest>(static_cast<uint16_t>(a) | static_cast<uint16_t>(b));
}

class Rule {
 public:
  virtual ~Rule() = default;
  virtual const RuleInfo& info() const = 0;
  // Per-file state; nullptr when the rule has no per-file hooks.
  virtual std::unique_ptr<FileCheck> NewFileCheck(const FileInfo& /*file*/, const LintOptions& /*options*/) const {
    return nullptr;
  }
  // A copy of `check` (which this rule's NewFileCheck made) with its state as
  // it is now, or nullptr when the check cannot be copied. The scan keeps
  // such copies where a file's damaged tail starts, so that once a fix cuts
  // the tail there the file's findings follow without reading it again
  // (ScanConfig::keep_tail_checkpoints).
  virtual std::unique_ptr<FileCheck> CloneFileCheck(const FileCheck& /*check*/) const { return nullptr; }
  virtual void CheckRun(const RunResult& /*run*/, const LintOptions& /*options*/, Sink& /*sink*/) const {}
  virtual void CheckLogdir(const LogdirResult& /*logdir*/, const LintOptions& /*options*/, Sink& /*sink*/) const {}
};

// A rule whose checks are all per file: one `CheckT` per file, constructed
// from the file's info and the options, from the file's info alone, or from
// nothing (whichever constructor CheckT has). A rule file then ends with
// `std::unique_ptr<Rule> MakeTBNNN() { return MakeFileRule<Check>(kInfo); }`.
template <class CheckT>
class FileRule final : public Rule {
 public:
  explicit FileRule(const RuleInfo& info) : info_(info) {}
  const RuleInfo& info() const override { return info_; }
  std::unique_ptr<FileCheck> NewFileCheck(const FileInfo& file, const LintOptions& options) const override {
    if constexpr (std::is_constructible_v<CheckT, const FileInfo&, const LintOptions&>) {
      return std::make_unique<CheckT>(file, options);
    } else if constexpr (std::is_constructible_v<CheckT, const FileInfo&>) {
      return std::make_unique<CheckT>(file);
    } else {
      return std::make_unique<CheckT>();
    }
  }
  std::unique_ptr<FileCheck> CloneFileCheck(const FileCheck& check) const override {
    if constexpr (std::is_copy_constructible_v<CheckT>) {
      return std::make_unique<CheckT>(static_cast<const CheckT&>(check));
    } else {
      return nullptr;
    }
  }

 private:
  const RuleInfo& info_;
};

template <class CheckT>
std::unique_ptr<Rule> MakeFileRule(const RuleInfo& info) {
  return std::make_unique<FileRule<CheckT>>(info);
}

}  // namespace tblint

#endif  // TBLINT_RULE_RULE_H_
