// Builders of Events as real writers produce them, shared by the fixture
// generator and the tests (so both exercise the same bytes).
#include "event_builders.h"

#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace tblint::events {

std::string Serialize(const tensorboard::Event& e) {
  std::string s;
  if (!e.SerializeToString(&s)) throw std::runtime_error("cannot serialize an Event");
  return s;
}

// TensorBoard's Python writer (torch.utils.tensorboard): 88 bytes framed.
std::string TorchHeader(double wall_time) {
  tensorboard::Event e;
  e.set_wall_time(wall_time);
  e.set_file_version("brain.Event:2");
  e.mutable_source_metadata()->set_writer("tensorboard.summary.writer.event_file_writer");
  return Serialize(e);
}

// tensorboardX and TF1: 40 bytes framed.
std::string PlainHeader(double wall_time) {
  tensorboard::Event e;
  e.set_wall_time(wall_time);
  e.set_file_version("brain.Event:2");
  return Serialize(e);
}

// PyTorch / tensorboardX scalars: simple_value.
std::string Scalar(double wall_time, int64_t step, const std::string& tag, float value) {
  tensorboard::Event e;
  e.set_wall_time(wall_time);
  e.set_step(step);
  auto* v = e.mutable_summary()->add_value();
  v->set_tag(tag);
  v->set_simple_value(value);
  return Serialize(e);
}

// TF2 scalars: a rank-0 float tensor with plugin "scalars".
std::string TensorScalar(double wall_time, int64_t step, const std::string& tag, float value) {
  tensorboard::Event e;
  e.set_wall_time(wall_time);
  e.set_step(step);
  auto* v = e.mutable_summary()->add_value();
  v->set_tag(tag);
  v->mutable_metadata()->mutable_plugin_data()->set_plugin_name("scalars");
  auto* t = v->mutable_tensor();
  t->set_dtype(tensorboard::DT_FLOAT);
  t->mutable_tensor_shape();
  t->add_float_val(value);
  return Serialize(e);
}

// A histogram of `n` samples spread around `center`, in a few buckets.
std::string Histogram(double wall_time, int64_t step, const std::string& tag, double center, int buckets) {
  tensorboard::Event e;
  e.set_wall_time(wall_time);
  e.set_step(step);
  auto* v = e.mutable_summary()->add_value();
  v->set_tag(tag);
  auto* h = v->mutable_histo();
  const double width = 0.25;
  h->set_min(center - width * buckets / 2);
  h->set_max(center + width * buckets / 2);
  double num = 0, sum = 0, sum_squares = 0;
  for (int b = 0; b < buckets; ++b) {
    const double limit = center - width * buckets / 2 + width * (b + 1);
    const double count = static_cast<double>(1 + (b < buckets / 2 ? b : buckets - 1 - b) * 4);
    const double mid = limit - width / 2;
    h->add_bucket_limit(limit);
    h->add_bucket(count);
    num += count;
    sum += count * mid;
    sum_squares += count * mid * mid;
  }
  h->set_num(num);
  h->set_sum(sum);
  h->set_sum_squares(sum_squares);
  return Serialize(e);
}

std::string SessionLog(double wall_time, int64_t step, tensorboard::SessionLog::SessionStatus status) {
  tensorboard::Event e;
  e.set_wall_time(wall_time);
  e.set_step(step);
  e.mutable_session_log()->set_status(status);
  return Serialize(e);
}

// A graph_def event: the bytes are opaque to TensorBoard's loaders, so a
// deterministic filler of the wanted size stands in for a real GraphDef.
std::string GraphDefEvent(double wall_time, size_t bytes) {
  tensorboard::Event e;
  e.set_wall_time(wall_time);
  std::string graph;
  for (size_t i = 0; graph.size() < bytes; ++i) graph += "node { name: \"dense_" + std::to_string(i) + "/MatMul\" } ";
  graph.resize(bytes);
  e.set_graph_def(graph);
  return Serialize(e);
}

std::string ImagesTensor(double wall_time, int64_t step, const std::string& tag, int width, int height,
                         const std::vector<std::string>& images, bool with_metadata) {
  tensorboard::Event e;
  e.set_wall_time(wall_time);
  e.set_step(step);
  auto* v = e.mutable_summary()->add_value();
  v->set_tag(tag);
  if (with_metadata) v->mutable_metadata()->mutable_plugin_data()->set_plugin_name("images");
  auto* t = v->mutable_tensor();
  t->set_dtype(tensorboard::DT_STRING);
  t->mutable_tensor_shape()->add_dim()->set_size(static_cast<int64_t>(images.size()) + 2);
  t->add_string_val(std::to_string(width));
  t->add_string_val(std::to_string(height));
  for (const std::string& image : images) t->add_string_val(image);
  return Serialize(e);
}

std::string AudioTensor(double wall_time, int64_t step, const std::string& tag,
                        const std::vector<std::pair<std::string, std::string>>& clips, bool with_metadata) {
  tensorboard::Event e;
  e.set_wall_time(wall_time);
  e.set_step(step);
  auto* v = e.mutable_summary()->add_value();
  v->set_tag(tag);
  if (with_metadata) v->mutable_metadata()->mutable_plugin_data()->set_plugin_name("audio");
  auto* t = v->mutable_tensor();
  t->set_dtype(tensorboard::DT_STRING);
  t->mutable_tensor_shape()->add_dim()->set_size(static_cast<int64_t>(clips.size()));
  t->mutable_tensor_shape()->add_dim()->set_size(2);
  for (const auto& [wav, label] : clips) {
    t->add_string_val(wav);
    t->add_string_val(label);
  }
  return Serialize(e);
}

}  // namespace tblint::events

// ---- The hparams plugin ---------------------------------------------------

namespace tblint::events {
namespace {

std::string Varint(uint64_t v) {
  std::string s;
  while (v >= 0x80) {
    s.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  s.push_back(static_cast<char>(v));
  return s;
}
std::string LenField(uint32_t number, const std::string& bytes) {
  return Varint(number << 3 | 2) + Varint(bytes.size()) + bytes;
}
std::string DoubleField(uint32_t number, double d) {
  std::string b(8, '\0');
  std::memcpy(b.data(), &d, 8);
  return Varint(number << 3 | 1) + b;
}
std::string VarintField(uint32_t number, uint64_t v) { return Varint(number << 3) + Varint(v); }

// google.protobuf.Value: a oneof member is written even when it holds its
// default (0.0, false, "").
std::string ValueMessage(const HparamSetting& h) {
  switch (h.kind) {
    case HparamSetting::kNumber:
      return DoubleField(2, h.number);
    case HparamSetting::kString:
      return LenField(3, h.str);
    case HparamSetting::kBool:
      return VarintField(4, h.boolean ? 1 : 0);
  }
  return "";
}

std::vector<std::string> AddHparams(double wall_time, std::vector<HparamSetting> hparams,
                                    const std::vector<std::pair<std::string, float>>& metrics, bool torch) {
  std::vector<std::pair<std::string, HpType>> infos;
  for (HparamSetting& h : hparams) {
    if (torch && h.kind == HparamSetting::kBool) {
      h = HpNumber(h.name, h.boolean ? 1 : 0);  // torch tests int before bool
    }
    infos.emplace_back(h.name, h.kind == HparamSetting::kString ? HpType::kString
                               : h.kind == HparamSetting::kBool ? HpType::kBool
                                                                : HpType::kFloat64);
  }
  std::vector<HpMetric> metric_infos;
  for (const auto& [tag, value] : metrics) metric_infos.push_back({"", tag});
  std::vector<std::string> out;
  out.push_back(torch ? TorchHeader(wall_time) : PlainHeader(wall_time));
  out.push_back(HparamsEvent(wall_time, "_hparams_/experiment", ExperimentContent(infos, metric_infos)));
  out.push_back(HparamsEvent(wall_time, "_hparams_/session_start_info", SessionStartContent(hparams)));
  out.push_back(HparamsEvent(wall_time, "_hparams_/session_end_info", SessionEndContent(1)));
  for (const auto& [tag, value] : metrics) out.push_back(Scalar(wall_time, 0, tag, value));
  return out;
}

}  // namespace

HparamSetting HpNumber(const std::string& name, double v) {
  HparamSetting h;
  h.kind = HparamSetting::kNumber;
  h.name = name;
  h.number = v;
  return h;
}
HparamSetting HpString(const std::string& name, const std::string& v) {
  HparamSetting h;
  h.kind = HparamSetting::kString;
  h.name = name;
  h.str = v;
  return h;
}
HparamSetting HpBool(const std::string& name, bool v) {
  HparamSetting h;
  h.kind = HparamSetting::kBool;
  h.name = name;
  h.boolean = v;
  return h;
}

// HParamsPluginData{session_start_info = 3}: SessionStartInfo{hparams = 1
// (map entries: key = 1, value = 2), group_name = 4, start_time_secs = 5}.
std::string SessionStartContent(const std::vector<HparamSetting>& hparams, const std::string& group_name,
                                double start_time_secs) {
  std::string ssi;
  for (const HparamSetting& h : hparams) ssi += LenField(1, LenField(1, h.name) + LenField(2, ValueMessage(h)));
  if (!group_name.empty()) ssi += LenField(4, group_name);
  if (start_time_secs != 0) ssi += DoubleField(5, start_time_secs);
  return LenField(3, ssi);
}

// HParamsPluginData{experiment = 2}: Experiment{hparam_infos = 4
// (HParamInfo{name = 1, type = 4}), metric_infos = 5 (MetricInfo{name = 1:
// MetricName{group = 1, tag = 2}})}.
std::string ExperimentContent(const std::vector<std::pair<std::string, HpType>>& hparams,
                              const std::vector<HpMetric>& metrics) {
  std::string exp;
  for (const auto& [name, type] : hparams) {
    std::string info = LenField(1, name);
    if (type != HpType::kUnset) info += VarintField(4, static_cast<uint64_t>(type));
    exp += LenField(4, info);
  }
  for (const HpMetric& m : metrics) {
    std::string name;
    if (!m.group.empty()) name += LenField(1, m.group);
    if (!m.tag.empty()) name += LenField(2, m.tag);
    exp += LenField(5, LenField(1, name));
  }
  return LenField(2, exp);
}

// HParamsPluginData{session_end_info = 4}: SessionEndInfo{status = 1}.
std::string SessionEndContent(int status) {
  return LenField(4, status != 0 ? VarintField(1, static_cast<uint64_t>(status)) : std::string());
}

std::string HparamsEvent(double wall_time, const std::string& tag, const std::string& content) {
  tensorboard::Event e;
  e.set_wall_time(wall_time);
  auto* v = e.mutable_summary()->add_value();
  v->set_tag(tag);
  auto* pd = v->mutable_metadata()->mutable_plugin_data();
  pd->set_plugin_name("hparams");
  pd->set_content(content);
  return Serialize(e);
}

std::vector<std::string> TorchAddHparams(double wall_time, const std::vector<HparamSetting>& hparams,
                                         const std::vector<std::pair<std::string, float>>& metrics) {
  return AddHparams(wall_time, hparams, metrics, true);
}

std::vector<std::string> TbxAddHparams(double wall_time, const std::vector<HparamSetting>& hparams,
                                       const std::vector<std::pair<std::string, float>>& metrics) {
  return AddHparams(wall_time, hparams, metrics, false);
}

std::string TimeDotTimeName(double wall_time) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.7f", wall_time);
  return buf;
}

}  // namespace tblint::events
