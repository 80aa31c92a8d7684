#include "scan/hparams_collect.h"

#include <charconv>
#include <string>

#include "event/hparams.h"

namespace tblint {
namespace {

constexpr std::string_view kExperimentTag = "_hparams_/experiment";
constexpr std::string_view kSessionStartTag = "_hparams_/session_start_info";
constexpr std::string_view kSessionEndTag = "_hparams_/session_end_info";
constexpr size_t kValueTextBytes = 64;

std::string Cut(std::string_view s) { return std::string(s.substr(0, kValueTextBytes)); }

std::string ValueText(const event::HparamValueView& v) {
  switch (v.type) {
    case event::HparamType::kNumber: {
      char buf[32];
      const auto r = std::to_chars(buf, buf + sizeof buf, v.number);
      return std::string(buf, r.ptr);
    }
    case event::HparamType::kString:
      return Cut(v.str);
    case event::HparamType::kBool:
      return v.boolean ? "true" : "false";
    default:
      return event::HparamTypeName(v.type);
  }
}

}  // namespace

void CollectHparams(FileResult* file, std::string_view payload, size_t value_index) {
  std::string_view tag, content;
  if (!event::FindValueContent(payload, value_index, &tag, &content)) return;
  const bool experiment = tag == kExperimentTag, start = tag == kSessionStartTag, end = tag == kSessionEndTag;
  // TensorBoard's hparams plugin reads these three tags only.
  if (!experiment && !start && !end) return;
  FileHparams& h = file->hparams.Mutable();
  event::HparamsPluginDataView data;
  event::WireError error;
  const auto fail = [&](const std::string& what) {
    if (h.undecodable++ == 0) h.first_error = "'" + std::string(tag) + "': " + what;
  };
  if (!event::DecodeHparamsPluginData(content, &data, &error)) {
    return fail("content does not parse as HParamsPluginData (byte " + std::to_string(error.offset) + ": " +
                error.what + ")");
  }
  if (data.version != 0) return fail("plugin data version " + std::to_string(data.version) + ", TensorBoard reads 0");
  const event::HparamsDataKind want = experiment ? event::HparamsDataKind::kExperiment
                                      : start    ? event::HparamsDataKind::kSessionStart
                                                 : event::HparamsDataKind::kSessionEnd;
  if (data.kind != want) return fail("the content does not hold the member its tag names");
  if (start) {
    if (h.session_start_count++ >= kMaxHparamsRecordsKept) return;
    HparamsSessionStart& s = h.session_starts.emplace_back();
    s.group_name = Cut(data.group_name);
    for (const event::HparamValueView& v : data.hparams) {
      // A key given twice: protobuf keeps the last value.
      HparamEntry* entry = nullptr;
      for (HparamEntry& e : s.hparams) {
        if (e.name == v.name) entry = &e;
      }
      if (entry == nullptr) {
        if (s.hparams.size() >= kMaxHparamsNamesKept) {
          ++s.hparams_not_kept;
          continue;
        }
        entry = &s.hparams.emplace_back();
        entry->name = std::string(v.name);
      }
      entry->type = v.type;
      entry->text = ValueText(v);
    }
  } else if (experiment) {
    if (h.experiment_count++ >= kMaxHparamsRecordsKept) return;
    HparamsExperiment& x = h.experiments.emplace_back();
    for (const event::HparamInfoView& i : data.hparam_infos) {
      if (x.hparams.size() >= kMaxHparamsNamesKept) {
        ++x.names_not_kept;
        continue;
      }
      x.hparams.emplace_back(std::string(i.name), i.type);
    }
    for (const event::MetricNameView& m : data.metrics) {
      if (x.metrics.size() >= kMaxHparamsNamesKept) {
        ++x.names_not_kept;
        continue;
      }
      x.metrics.push_back({std::string(m.group), std::string(m.tag)});
    }
  } else {
    ++h.session_end_count;
  }
}

}  // namespace tblint
