// Builders of Events as real writers produce them, shared by the fixture
// generator and the tests (so both exercise the same bytes).
#include "event_builders.h"

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

}  // namespace tblint::events
