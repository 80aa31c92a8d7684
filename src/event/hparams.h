// The hparams plugin's content, decoded without allocating per field: the
// HParamsPluginData message TensorBoard's hparams plugin keeps in
// SummaryMetadata.plugin_data.content (tensorboard/plugins/hparams/
// plugin_data.proto and api.proto), walked with the wire primitives of
// wire.h. Field numbers, from those protos:
//
//   HParamsPluginData { int32 version = 1; oneof data { Experiment experiment = 2;
//                       SessionStartInfo session_start_info = 3; SessionEndInfo session_end_info = 4; } }
//   SessionStartInfo  { map<string, google.protobuf.Value> hparams = 1; string model_uri = 2;
//                       string monitor_url = 3; string group_name = 4; double start_time_secs = 5; }
//   SessionEndInfo    { Status status = 1; double end_time_secs = 2; }
//   Experiment        { string description = 1; string user = 2; double time_created_secs = 3;
//                       repeated HParamInfo hparam_infos = 4; repeated MetricInfo metric_infos = 5;
//                       string name = 6; }
//   HParamInfo        { string name = 1; string display_name = 2; string description = 3;
//                       DataType type = 4; oneof domain { ListValue domain_discrete = 5; Interval domain_interval = 6; } }
//   MetricInfo        { MetricName name = 1; string display_name = 3; ... }   MetricName { string group = 1; string tag = 2; }
//   google.protobuf.Value { oneof kind { NullValue null_value = 1; double number_value = 2;
//                       string string_value = 3; bool bool_value = 4; Struct struct_value = 5; ListValue list_value = 6; } }
#ifndef TBLINT_EVENT_HPARAMS_H_
#define TBLINT_EVENT_HPARAMS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "event/wire.h"

namespace tblint::event {

// The member of google.protobuf.Value's `kind` oneof that is set (the last
// one on the wire). TensorBoard's hparams plugin types a value by the first
// three: number, string, bool; the others it leaves untyped.
enum class HparamType : uint8_t { kUnset, kNull, kNumber, kString, kBool, kStruct, kList };
const char* HparamTypeName(HparamType t);  // "number", "string", "bool", "null", "struct", "list", "unset"

struct HparamValueView {
  std::string_view name;
  HparamType type = HparamType::kUnset;
  double number = 0;
  bool boolean = false;
  std::string_view str;  // string_value
};

// api.proto's DataType, as an Experiment declares it for an HParamInfo.
enum class HparamDataType : uint8_t { kUnset = 0, kString = 1, kBool = 2, kFloat64 = 3, kOther = 4 };

struct HparamInfoView {
  std::string_view name;
  HparamDataType type = HparamDataType::kUnset;
};

struct MetricNameView {
  std::string_view group;
  std::string_view tag;
};

enum class HparamsDataKind : uint8_t { kNone, kExperiment, kSessionStart, kSessionEnd };

// One HParamsPluginData, string views into the content. Map entries and
// repeated members are listed in wire order; a map key given twice is listed
// twice (protobuf keeps the last: see SessionStartHparam()).
struct HparamsPluginDataView {
  int32_t version = 0;
  HparamsDataKind kind = HparamsDataKind::kNone;
  // session_start_info
  std::vector<HparamValueView> hparams;
  std::string_view group_name;
  // experiment
  std::vector<HparamInfoView> hparam_infos;
  std::vector<MetricNameView> metrics;
  // session_end_info
  int32_t status = 0;
};

// Decodes `content` (SummaryMetadata.plugin_data.content of a value whose
// plugin is "hparams"). Returns false, with `error` saying where and what,
// when protobuf's parser would reject it as an HParamsPluginData.
bool DecodeHparamsPluginData(std::string_view content, HparamsPluginDataView* out, WireError* error);

// The tag and plugin content of the `index`-th Summary.Value of an Event
// payload that already decoded (DecodeEvent), in wire order. False when the
// payload has fewer values.
bool FindValueContent(std::string_view event_payload, size_t index, std::string_view* tag,
                      std::string_view* content);

}  // namespace tblint::event

#endif  // TBLINT_EVENT_HPARAMS_H_
