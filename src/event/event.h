// Decoding one record payload into what rules need about an Event, without
// allocating per record: string views point into the payload.
#ifndef TBLINT_EVENT_EVENT_H_
#define TBLINT_EVENT_EVENT_H_

#include <array>
#include <bit>
#include <cstring>
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

namespace templates_internal {
// 16 bytes compared at a time (GCC/Clang vector extension: SSE2 on x86-64,
// NEON on ARM, plain words elsewhere).
typedef uint64_t Chunk __attribute__((vector_size(16)));
inline Chunk LoadChunk(const uint8_t* p) {
  Chunk c;
  std::memcpy(&c, p, sizeof c);
  return c;
}
}  // namespace templates_internal

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
  // A match before it is spelled out as an EventView: what differs between
  // the records of one template. The scan's fast path reads this alone and
  // knows the rest (the tag, its kind) by the template.
  struct Hit {
    double wall_time = 0;
    int64_t step = 0;
    float value = 0;
    uint16_t id = 0;     // the template, + 1
    uint64_t stamp = 0;  // the template's learning: another stamp, another tag or kind
    const uint8_t* suffix = nullptr;  // the summary's bytes in the payload
  };
  // When `payload` matches the predicted template, fills `out` and returns true.
  bool Match(const uint8_t* p, const uint8_t* end, EventView& out) {
    Hit hit;
    if (!MatchHit(p, end, &hit)) return false;
    Fill(hit, out);
    return true;
  }
  // The same match, without spelling it out; Fill(hit, out) then gives what
  // Match would have. (Between the two, nothing may be learned.)
  inline bool MatchHit(const uint8_t* p, const uint8_t* end, Hit* hit);
  void Fill(const Hit& hit, EventView& out) const;
  // Learns the shape of a payload the fast path decoded into `ev`, whose
  // float it read at `scalar_at` (nullptr: none).
  void Learn(const uint8_t* p, const uint8_t* end, const EventView& ev, const uint8_t* scalar_at);

  static constexpr size_t kMaxSuffix = 120;
  static constexpr size_t kMaxChunks = (kMaxSuffix + 15) / 16;
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
    uint64_t stamp = 0;  // when it was learned (next_stamp_)
    // The compare, branch-free: the suffix as 16-byte chunks at 0, 16, ...
    // and the last one ending at the suffix's end (it may overlap the one
    // before, or start before the suffix in the record's head); each chunk
    // masked (the float's bytes and any before the suffix are not compared)
    // and XORed with the template's.
    uint8_t chunks = 0;
    templates_internal::Chunk want[kMaxChunks];  // the template's bytes, masked
    templates_internal::Chunk mask[kMaxChunks];
  };
  static uint32_t TagHash(const uint8_t* p, size_t n);
  std::vector<Template> t_;
  std::array<uint16_t, 2 * kMaxTemplates> index_{};  // template + 1 by hash of the tag bytes
  uint16_t last_ = 0;                                 // the template of the previous record, + 1
  uint64_t next_stamp_ = 1;
  uint32_t learned_since_hit_ = 0;
  uint32_t pause_ = 0;  // records left before learning resumes
};

namespace templates_internal {

template <typename T>
inline T LoadBytes(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

// `09` wall_time `10` step: the fixed head of a template's record. Returns
// the suffix's start, nullptr when the payload does not start so.
inline const uint8_t* AfterHead(const uint8_t* p, const uint8_t* end, double* wall, int64_t* step) {
  if (end - p < 11 || p[0] != ((1 << 3) | 1) || p[9] != ((2 << 3) | 0)) return nullptr;
  *wall = std::bit_cast<double>(LoadBytes<uint64_t>(p + 1));
  const uint8_t* q = p + 10;
  uint64_t v;
  if (*q < 0x80) {
    v = *q++;
  } else if (q + 1 < end && q[1] < 0x80) {  // steps below 16,384
    v = (q[0] & 0x7Fu) | (uint64_t{q[1]} << 7);
    q += 2;
  } else if (!wire_internal::ReadVarint(q, end, &v)) {
    return nullptr;
  }
  *step = static_cast<int64_t>(v);
  return q;
}

}  // namespace templates_internal

inline bool ScalarTemplates::MatchHit(const uint8_t* p, const uint8_t* end, Hit* hit) {
  using templates_internal::AfterHead;
  if (last_ == 0) return false;
  const uint16_t n = t_[last_ - 1].next;
  if (n == 0) return false;
  const Template& t = t_[n - 1];
  const uint8_t* q = AfterHead(p, end, &hit->wall_time, &hit->step);
  if (q == nullptr || end - q != t.size) return false;
  // The record's head (at least 11 bytes) precedes q, and Learn keeps only
  // suffixes of 5 bytes or more: end - 16 is inside the payload.
  using templates_internal::Chunk;
  using templates_internal::LoadChunk;
  Chunk diff = (LoadChunk(end - 16) & t.mask[t.chunks - 1]) ^ t.want[t.chunks - 1];
  for (unsigned k = 0; k + 1 < t.chunks; ++k) diff |= (LoadChunk(q + 16 * k) & t.mask[k]) ^ t.want[k];
  if ((diff[0] | diff[1]) != 0) return false;
  last_ = n;
  learned_since_hit_ = 0;
  hit->value = std::bit_cast<float>(templates_internal::LoadBytes<uint32_t>(q + t.hole));
  hit->id = n;
  hit->stamp = t.stamp;
  hit->suffix = q;
  return true;
}

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
// DecodeEvent for a caller that has tried out->templates.MatchHit on this
// payload and missed: the same result, without trying the template again.
bool DecodeEventUntemplated(std::string_view payload, EventView* out, WireError* error);

// DecodeEvent's two paths, for tests. DecodeEventFast handles the shapes
// writers produce (fields in serializer order, no repeated oneof member): it
// returns false, leaving `out` unspecified, for anything else, and whenever
// it returns true `out` equals what DecodeEventGeneric, the validated walker
// that handles every input, produces.
bool DecodeEventFast(std::string_view payload, EventView* out);
bool DecodeEventGeneric(std::string_view payload, EventView* out, WireError* error);

}  // namespace tblint::event

#endif  // TBLINT_EVENT_EVENT_H_
