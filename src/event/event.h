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

struct EventView;

// The decoder's second scratch: the byte shapes of recent one-scalar records
// (PyTorch's add_scalar, TF2's tf.summary.scalar, ...). Such a record is
// `09` + 8 bytes of wall_time, `10` + the step's varint, then a summary
// whose bytes are the same on every record of that tag but for the 4 bytes
// of the float. A template keeps those bytes (the "suffix") with where the
// float, the tag and the plugin name lie in them, and what the decoder made
// of them; a record whose suffix equals a template's but for the float
// decodes to the template's result with its own wall time, step and float.
// The next template is predicted from the writer's fixed order of tags, so
// a match costs a varint and a compare of the suffix. Templates are learned
// only from the fast path's results, so the result is the same.
class ScalarTemplates {
 public:
  // When `payload` matches the predicted template, fills `out` and returns true.
  bool Match(const uint8_t* p, const uint8_t* end, EventView& out);
  // Learns the shape of a payload the fast path decoded into `ev`, whose
  // float it read at `scalar_at` (nullptr: none).
  void Learn(const uint8_t* p, const uint8_t* end, const EventView& ev, const uint8_t* scalar_at);

  static constexpr size_t kMaxSuffix = 120;
  static constexpr size_t kMaxTemplates = 256;

 private:
  struct Template {
    uint8_t bytes[kMaxSuffix];
    uint8_t size = 0;
    uint8_t hole = 0;  // offset of the float's 4 bytes
    uint8_t tag_off = 0, tag_size = 0;
    uint8_t plugin_off = 0, plugin_size = 0;
    uint8_t kind = 0;
    bool is_double = false;  // (not learned today: float only)
    int32_t dtype = 0;
    uint16_t next = 0;  // the template matched after this one last time, + 1
  };
  static uint32_t TagHash(const uint8_t* p, size_t n);
  std::vector<Template> t_;
  std::array<uint16_t, 2 * kMaxTemplates> index_{};  // template + 1 by hash of the tag bytes
  uint16_t last_ = 0;                                 // the template of the previous record, + 1
  uint32_t learned_since_hit_ = 0;
  uint32_t pause_ = 0;  // records left before learning resumes
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
  ScalarTemplates templates;       // the decoder's, not part of the result
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
