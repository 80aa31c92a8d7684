// TB603 oversized-event-file: an event file over 1 GiB or a graph over 32 MiB. Rationale: docs/rules/TB603.md
#include <string>

#include "rule/rule.h"

namespace tblint {
namespace {

constexpr RuleInfo kInfo = {"TB603", "oversized-event-file", Severity::kInfo,
                            "an event file over 1 GiB, or a graph_def over 32 MiB: slow to load", Applicability::kNone};

class Check : public FileCheck {
 public:
  Check(const FileInfo&, const LintOptions& options)
      : file_limit_(options.oversized_file_bytes), graph_limit_(options.oversized_graph_bytes) {}
  Interest interest() const override { return kGraph; }

  void OnRecord(const RecordView& view, Sink&) override {
    const event::EventView* ev = view.event;
    if (ev == nullptr || view.after_resync) return;
    if (ev->what != event::What::kGraphDef && ev->what != event::What::kMetaGraphDef) return;
    if (ev->what_bytes <= graph_bytes_) return;
    graph_bytes_ = ev->what_bytes;
    graph_offset_ = view.record.offset;
    graph_record_ = view.record.index;
    graph_is_meta_ = ev->what == event::What::kMetaGraphDef;
  }

  void OnEnd(const FileResult& file, Sink& sink) override {
    if (!file.io_error.empty() || file.info.format != FileFormat::kTfRecord) return;
    if (file.info.size > file_limit_) {
      Finding& f = sink.Add("event file is " + HumanBytes(file.info.size) + " (" + std::to_string(file.records) +
                            " records), over the " + HumanBytes(file_limit_) + " limit");
      f.offset = 0;
      f.impact =
          "both readers parse every record of the file on each start before its latest points appear: "
          "the run loads slowly and keeps a reader busy";
    }
    if (graph_bytes_ > graph_limit_) {
      Finding& f = sink.Add("record " + std::to_string(graph_record_) + " holds a " + HumanBytes(graph_bytes_) +
                            (graph_is_meta_ ? " meta_graph_def" : " graph_def") + ", over the " +
                            HumanBytes(graph_limit_) + " limit");
      f.offset = graph_offset_;
      f.record = graph_record_;
      f.impact =
          "the Graphs dashboard loads the whole graph into the browser: slow to open, and it may fail "
          "to render";
    }
  }

 private:
  uint64_t file_limit_;
  uint64_t graph_limit_;
  uint64_t graph_bytes_ = 0;
  uint64_t graph_offset_ = 0;
  uint64_t graph_record_ = 0;
  bool graph_is_meta_ = false;
};

}  // namespace

std::unique_ptr<Rule> MakeTB603() { return MakeFileRule<Check>(kInfo); }

}  // namespace tblint
