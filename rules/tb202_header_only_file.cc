// TB202 header-only-file: nothing but the file_version header. Rationale: docs/rules/TB202.md
#include <string>

#include "rule/rule.h"

namespace tblint {
namespace {

constexpr RuleInfo kInfo = {"TB202", "header-only-file", Severity::kWarning,
                            "valid records but nothing beyond the file_version header", Applicability::kNone};

class Check : public FileCheck {
 public:
  Interest interest() const override { return kFirstContent; }
  void OnRecord(const RecordView& view, Sink&) override {
    if (view.event == nullptr) return;
    const auto what = view.event->what;
    if (what != event::What::kFileVersion && what != event::What::kNone) has_content_ = true;
  }

  void OnEnd(const FileResult& file, Sink& sink) override {
    // The TF profiler writes a header-only "*.profile-empty" file on purpose.
    if (has_content_ || file.events == 0 || file.damaged || file.info.name().ends_with(".profile-empty")) return;
    const bool live = file.info.MayStillBeWritten();
    std::string msg = "header-only event file: " + std::to_string(file.records) +
                      (file.records == 1 ? " record" : " records") +
                      ", no summaries, graphs or session logs beyond the file_version header";
    msg += live ? "; the writer is still running and may log more"
                : ": the writer was created and the process ended (or was killed) before it logged anything";
    Finding& f = sink.Add(live ? Severity::kInfo : Severity::kWarning, std::move(msg));
    f.offset = 0;
    f.impact = "TensorBoard shows nothing from this file; a run holding only such files has no dashboards";
  }

 private:
  bool has_content_ = false;
};

}  // namespace

std::unique_ptr<Rule> MakeTB202() { return MakeFileRule<Check>(kInfo); }

}  // namespace tblint
