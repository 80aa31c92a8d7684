// Decoding one record payload into what rules need about an Event, without
// allocating per record: string views point into the payload.
#ifndef TBLINT_EVENT_EVENT_H_
#define TBLINT_EVENT_EVENT_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "event/wire.h"

namespace tblint::event {

// Which member of Event's `what` oneof is set (the last one on the wire wins,
// as in protobuf).
enum class What : uint8_t {
  kNone,
  kFileVersion,
  kGraphDef,
  kSummary,
  kLogMessage,
  kSessionLog,
  kTaggedRunMetadata,
  kMetaGraphDef,
};

// Which member of Summary.Value's `value` oneof is set (the last one on the
// wire wins, as in protobuf).
enum class ValueKind : uint8_t {
  kNone,
  kSimpleValue,
  kOldHistogram,
  kImage,
  kHistogram,
  kAudio,
  kTensor,
};

// The TensorBoard dashboard a value lands in: "scalars", "histograms",
// "images", "audio", "text", "hparams", ... or the tensor's plugin name.
enum class TagKind : uint8_t { kScalar, kHistogram, kImage, kAudio, kText, kHparams, kTensor, kOther };
const char* TagKindName(TagKind kind);

struct Value {
  std::string_view tag;
  std::string_view plugin_name;  // metadata.plugin_data.plugin_name
  ValueKind kind = ValueKind::kNone;
  // For scalars (simple_value, or a one-element float/double/half tensor):
  bool has_scalar = false;
  double scalar = 0;
  // Tensor details (kTensor only; 0 otherwise).
  int32_t dtype = 0;
  TagKind tag_kind() const;
};

// The decoder's scratch, kept between records of one EventView: the bytes of
// the last SummaryMetadata message it decoded (up to 48 of them) and the
// plugin_name found in it. Writers repeat the same metadata on every value of
// a tag, so the same bytes again are recognised by a compare instead of
// being decoded; the result depends on the bytes alone, so it is the same.
class MetadataMemo {
 public:
  // When [p, end) are the kept bytes, sets v.plugin_name as decoding them
  // would (a view into [p, end)) and returns true.
  bool Recall(const uint8_t* p, const uint8_t* end, Value& v) const;
  // Keeps [p, end), whose decoding set v.plugin_name.
  void Keep(const uint8_t* p, const uint8_t* end, const Value& v);

 private:
  std::array<uint8_t, 48> bytes_{};
  size_t size_ = SIZE_MAX;  // SIZE_MAX: nothing kept
  uint32_t plugin_offset_ = 0;
  uint32_t plugin_size_ = 0;
};

// What protobuf's parser would make of the payload, restricted to these
// fields: as in the generated accessors, a field of a oneof member that is
// not the one set reads as its default (a file_version followed by a summary
// leaves file_version empty), and a message member repeated on the wire is
// the merge of its occurrences.
struct EventView {
  bool has_wall_time = false;
  double wall_time = 0;
  int64_t step = 0;
  What what = What::kNone;
  std::string_view file_version;
  std::string_view source_writer;  // source_metadata.writer
  int32_t session_status = 0;      // SessionLog.status (1 START, 2 STOP, 3 CHECKPOINT)
  uint64_t what_bytes = 0;         // size of graph_def / meta_graph_def / run_metadata
  std::vector<Value> values;       // summary values, reused between records
  MetadataMemo metadata_memo;      // the decoder's, not part of the result
};

// Decodes `payload` into `out`. Returns false, with `error` saying where and
// what, when the payload is not something protobuf would parse as an Event.
bool DecodeEvent(std::string_view payload, EventView* out, WireError* error);

// DecodeEvent's two paths, for tests. DecodeEventFast handles the shapes
// writers produce (fields in serializer order, no repeated oneof member): it
// returns false, leaving `out` unspecified, for anything else, and whenever
// it returns true `out` equals what DecodeEventGeneric, the validated walker
// that handles every input, produces.
bool DecodeEventFast(std::string_view payload, EventView* out);
bool DecodeEventGeneric(std::string_view payload, EventView* out, WireError* error);

}  // namespace tblint::event

#endif  // TBLINT_EVENT_EVENT_H_
