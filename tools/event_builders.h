// Builders of Events as real writers produce them: the fixture generator
// (tools/make_fixtures.cc) and the tests build their event files from these,
// then frame them with tblint::AppendRecord.
#ifndef TBLINT_TOOLS_EVENT_BUILDERS_H_
#define TBLINT_TOOLS_EVENT_BUILDERS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "event.pb.h"

namespace tblint::events {

std::string Serialize(const tensorboard::Event& e);

// TensorBoard's Python writer (torch.utils.tensorboard): file_version and
// source_metadata, 88 bytes framed.
std::string TorchHeader(double wall_time);
// tensorboardX and TF1: file_version only, 40 bytes framed.
std::string PlainHeader(double wall_time);
// PyTorch / tensorboardX scalars: simple_value.
std::string Scalar(double wall_time, int64_t step, const std::string& tag, float value);
// TF2 scalars: a rank-0 float tensor with plugin "scalars".
std::string TensorScalar(double wall_time, int64_t step, const std::string& tag, float value);
// A histogram spread around `center` in `buckets` buckets.
std::string Histogram(double wall_time, int64_t step, const std::string& tag, double center, int buckets = 6);
std::string SessionLog(double wall_time, int64_t step, tensorboard::SessionLog::SessionStatus status);
// A graph_def event of `bytes` bytes of deterministic filler (the bytes are
// opaque to TensorBoard's loaders).
std::string GraphDefEvent(double wall_time, size_t bytes);
// TF2's tf.summary.image (tensorboard/plugins/image/summary_v2.py): one
// rank-1 string tensor [str(width), str(height), image, image, ...], plugin
// "images", metadata (and so the plugin) only when `with_metadata`, as TF's
// writers send it with a tag's first value only.
std::string ImagesTensor(double wall_time, int64_t step, const std::string& tag, int width, int height,
                         const std::vector<std::string>& images, bool with_metadata = true);
// TF2's tf.summary.audio (plugins/audio/summary_v2.py): a [k, 2] string
// tensor [[wav, label], ...] (label "" when none), plugin "audio".
std::string AudioTensor(double wall_time, int64_t step, const std::string& tag,
                        const std::vector<std::pair<std::string, std::string>>& clips, bool with_metadata = true);

// ---- The hparams plugin (tensorboard/plugins/hparams). The plugin content
// (HParamsPluginData) is encoded by hand, as Python's protobuf serialises it:
// fields in number order, proto3 defaults left out (so version 0 is absent),
// map entries in the order given.

struct HparamSetting {
  enum Kind { kNumber, kString, kBool } kind = kNumber;
  std::string name;
  double number = 0;
  std::string str;
  bool boolean = false;
};
HparamSetting HpNumber(const std::string& name, double v);
HparamSetting HpString(const std::string& name, const std::string& v);
HparamSetting HpBool(const std::string& name, bool v);

// api.proto's DataType.
enum class HpType { kUnset = 0, kString = 1, kBool = 2, kFloat64 = 3 };
struct HpMetric {
  std::string group;  // "" for the session's own run
  std::string tag;
};

// HParamsPluginData contents.
std::string SessionStartContent(const std::vector<HparamSetting>& hparams, const std::string& group_name = "",
                                double start_time_secs = 0);
std::string ExperimentContent(const std::vector<std::pair<std::string, HpType>>& hparams,
                              const std::vector<HpMetric>& metrics);
std::string SessionEndContent(int status);  // 1 STATUS_SUCCESS

// An event with one summary value `tag` of plugin "hparams" holding
// `content`, metadata only (torch, tensorboardX, TF's write_raw_pb).
std::string HparamsEvent(double wall_time, const std::string& tag, const std::string& content);

// torch.utils.tensorboard's SummaryWriter.add_hparams(hparam_dict,
// metric_dict): the records of the file its new writer leaves in
// <logdir>/<time.time()>/: header, experiment, session start, session end,
// one simple_value scalar per metric (step 0). torch types a bool as a number
// (isinstance(True, int)) and the experiment declares FLOAT64 or STRING.
std::vector<std::string> TorchAddHparams(double wall_time, const std::vector<HparamSetting>& hparams,
                                         const std::vector<std::pair<std::string, float>>& metrics);
// tensorboardX's add_hparams: the same layout, a 40-byte header, bools kept
// as bools (declared BOOL).
std::vector<std::string> TbxAddHparams(double wall_time, const std::vector<HparamSetting>& hparams,
                                       const std::vector<std::pair<std::string, float>>& metrics);
// The run directory torch and tensorboardX name it after: str(time.time()).
std::string TimeDotTimeName(double wall_time);

}  // namespace tblint::events

#endif  // TBLINT_TOOLS_EVENT_BUILDERS_H_
