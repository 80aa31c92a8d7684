// TB203 missing-file-version: the first event is not a file_version event. Rationale: docs/rules/TB203.md
#include <cstdlib>
#include <string>

#include "rule/rule.h"

namespace tblint {
namespace {

constexpr RuleInfo kInfo = {"TB203", "missing-file-version", Severity::kWarning,
                            "the first event is not a file_version event", Applicability::kNone};

const char* WhatName(event::What w) {
  switch (w) {
    case event::What::kNone:
      return "an event with nothing set";
    case event::What::kFileVersion:
      return "a file_version event";
    case event::What::kGraphDef:
      return "a graph_def event";
    case event::What::kSummary:
      return "a summary event";
    case event::What::kLogMessage:
      return "a log_message event";
    case event::What::kSessionLog:
      return "a session_log event";
    case event::What::kTaggedRunMetadata:
      return "a tagged_run_metadata event";
    case event::What::kMetaGraphDef:
      return "a meta_graph_def event";
  }
  return "?";
}

// TensorBoard reads the version as the float after "brain.Event:".
bool ParsesAsVersion(std::string_view v) {
  constexpr std::string_view kPrefix = "brain.Event:";
  if (v.substr(0, kPrefix.size()) != kPrefix || v.size() == kPrefix.size()) return false;
  for (char c : v.substr(kPrefix.size())) {
    if ((c < '0' || c > '9') && c != '.') return false;
  }
  return true;
}

class Check : public FileCheck {
 public:
  Interest interest() const override { return kFirstRecord; }
  void OnRecord(const RecordView& view, Sink& sink) override {
    if (seen_first_) return;
    const Record& r = view.record;
    if (r.kind != RecordKind::kOk || r.index != 0) {
      seen_first_ = true;  // damage at record 0 is another rule's finding
      return;
    }
    seen_first_ = true;
    if (view.event == nullptr) return;
    const event::EventView& ev = *view.event;
    std::string msg;
    if (ev.what != event::What::kFileVersion) {
      msg = std::string("the first event is ") + WhatName(ev.what) + " at step " + std::to_string(ev.step) +
            ", not a file_version event";
    } else if (!ParsesAsVersion(ev.file_version)) {
      msg = "the first event's file_version is '" + std::string(ev.file_version.substr(0, 64)) +
            "', not 'brain.Event:<version>' (TensorBoard reads it as version -1)";
    } else if (std::strtod(std::string(ev.file_version.substr(12)).c_str(), nullptr) < 2) {
      msg = "the first event's file_version is '" + std::string(ev.file_version) + "', below version 2";
    } else {
      return;
    }
    Finding& f = sink.Add(std::move(msg));
    f.offset = 0;
    f.record = 0;
    f.impact =
        "Python reader: without file_version >= 2 it purges out-of-order steps per tag instead of "
        "on SessionLog START; Rust server: unaffected";
  }

 private:
  bool seen_first_ = false;
};

}  // namespace

std::unique_ptr<Rule> MakeTB203() { return MakeFileRule<Check>(kInfo); }

}  // namespace tblint
