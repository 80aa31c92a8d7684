// Builders of Events as real writers produce them: the fixture generator
// (tools/make_fixtures.cc) and the tests build their event files from these,
// then frame them with tblint::AppendRecord.
#ifndef TBLINT_TOOLS_EVENT_BUILDERS_H_
#define TBLINT_TOOLS_EVENT_BUILDERS_H_

#include <cstddef>
#include <cstdint>
#include <string>

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

}  // namespace tblint::events

#endif  // TBLINT_TOOLS_EVENT_BUILDERS_H_
