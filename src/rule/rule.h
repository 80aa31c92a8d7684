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

class FileCheck {
 public:
  // Which record outcomes OnRecord is called for: kClean, a complete record
  // whose payload decoded as an Event (RecordView::event set); kDamaged,
  // everything else. Declaring less saves a call per record on the hot path.
  enum Interest : uint8_t { kNoRecords = 0, kDamaged = 1, kClean = 2, kAllRecords = 3 };

  virtual ~FileCheck() = default;
  virtual Interest interest() const { return kAllRecords; }
  virtual void OnRecord(const RecordView& /*record*/, Sink& /*sink*/) {}
  virtual void OnEnd(const FileResult& /*file*/, Sink& /*sink*/) {}
};

class Rule {
 public:
  virtual ~Rule() = default;
  virtual const RuleInfo& info() const = 0;
  // Per-file state; nullptr when the rule has no per-file hooks.
  virtual std::unique_ptr<FileCheck> NewFileCheck(const FileInfo& /*file*/, const LintOptions& /*options*/) const {
    return nullptr;
  }
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

 private:
  const RuleInfo& info_;
};

template <class CheckT>
std::unique_ptr<Rule> MakeFileRule(const RuleInfo& info) {
  return std::make_unique<FileRule<CheckT>>(info);
}

}  // namespace tblint

#endif  // TBLINT_RULE_RULE_H_
