#include "event/event.h"

#include <bit>
#include <cmath>
#include <cstring>

namespace tblint::event {
namespace {

constexpr int32_t kDtFloat = 1;
constexpr int32_t kDtDouble = 2;
constexpr int32_t kDtHalf = 19;

double HalfToDouble(uint16_t h) {
  const int exp = (h >> 10) & 0x1F;
  const int mant = h & 0x3FF;
  const double sign = (h & 0x8000) ? -1.0 : 1.0;
  if (exp == 0) return sign * std::ldexp(mant, -24);
  if (exp == 31) return mant ? std::nan("") : sign * INFINITY;
  return sign * std::ldexp(mant + 1024, exp - 25);
}

// The Value's tensor as merged so far: a second tensor member adds to the
// repeated *_val fields and replaces dtype and tensor_content, as
// protobuf's parser merges it. Each typed field is counted on its own,
// because only the one matching the dtype holds the tensor's values
// (TensorBoard's make_ndarray reads float_val for DT_FLOAT, and so on).
// 32-bit counts suffice: a payload is under 2 GiB and each element takes a
// byte at least. Reset for every tensor value, so kept small.
struct TensorState {
  int32_t dtype = 0;
  uint32_t float_count = 0;   // float_val
  uint32_t double_count = 0;  // double_val
  uint32_t half_count = 0;    // half_val
  float float_value = 0;      // the last of each
  uint16_t half = 0;
  double double_value = 0;
  std::string_view content;
};

template <class T>
T Load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// A scalar tensor holds exactly one float, double or half, either in the
// typed repeated field or packed into tensor_content. Called at the end of
// every tensor member, each time with the tensor merged so far, so the last
// call describes the merged tensor.
void FinishScalarTensor(const TensorState& t, Value& v) {
  v.dtype = t.dtype;
  v.has_scalar = false;
  v.scalar = 0;
  if (t.dtype == kDtFloat) {
    if (t.content.size() == 4) {
      v.has_scalar = true;
      v.scalar = std::bit_cast<float>(Load<uint32_t>(t.content.data()));
    } else if (t.content.empty() && t.float_count == 1) {
      v.has_scalar = true;
      v.scalar = t.float_value;
    }
  } else if (t.dtype == kDtDouble) {
    if (t.content.size() == 8) {
      v.has_scalar = true;
      v.scalar = std::bit_cast<double>(Load<uint64_t>(t.content.data()));
    } else if (t.content.empty() && t.double_count == 1) {
      v.has_scalar = true;
      v.scalar = t.double_value;
    }
  } else if (t.dtype == kDtHalf) {
    if (t.content.size() == 2) {
      v.has_scalar = true;
      v.scalar = HalfToDouble(Load<uint16_t>(t.content.data()));
    } else if (t.content.empty() && t.half_count == 1) {
      v.has_scalar = true;
      v.scalar = HalfToDouble(t.half);
    }
  }
}

// Collects the fields rules need. Depth: 0 Event, 1 Summary, 2 Summary.Value,
// 3 its metadata or tensor, 4 plugin_data or the tensor's shape.
//
// Oneofs follow protobuf's parser: a member of Event.what or of
// Summary.Value.value on the wire first clears whatever a different member
// set before it (the generated code calls clear_what() / clear_value() when
// the case changes), while the same message member again merges into the one
// already there (summary twice: the values of both; tensor twice: one merged
// tensor). The clearing runs only when the member changes, which real writers
// never do, so the common record pays a compare or two per oneof member.
class EventDecoder {
 public:
  explicit EventDecoder(EventView* out) : out_(out) {}

  void Begin(uint8_t msg, uint32_t field, int depth) {
    if (depth == 1) {
      SetWhat(field);
    } else if (depth == 2 && msg == kSummaryValue) {
      // Summary.value is repeated: every occurrence is a new Value, never a merge.
      out_->values.emplace_back();
      in_value_ = true;
    } else if (depth == 3 && in_value_ && msg != kSummaryMetadata) {
      SetValueKind(field);
    }
  }

  void End(uint8_t msg, int depth) {
    if (depth == 3 && msg == kTensorProto && in_value_) FinishTensor();
    if (depth == 2 && msg == kSummaryValue) in_value_ = false;
  }

  void Varint(uint8_t msg, uint32_t field, uint64_t v, int depth) {
    if (depth == 0 && msg == kEvent && field == 2) {
      out_->step = static_cast<int64_t>(v);
    } else if (depth == 1 && msg == kSessionLog && field == 1) {
      out_->session_status = static_cast<int32_t>(v);
    } else if (depth == 3 && msg == kTensorProto && in_value_) {
      if (field == 1) {
        tensor_.dtype = static_cast<int32_t>(v);
      } else if (field == 13) {  // half_val
        tensor_.half_count++;
        tensor_.half = static_cast<uint16_t>(v);
      }
    }
  }

  void Fixed64(uint8_t msg, uint32_t field, uint64_t raw, int depth) {
    if (depth == 0 && msg == kEvent && field == 1) {
      out_->wall_time = std::bit_cast<double>(raw);
      out_->has_wall_time = true;
    } else if (depth == 3 && msg == kTensorProto && in_value_ && field == 6) {
      tensor_.double_count++;
      tensor_.double_value = std::bit_cast<double>(raw);
    }
  }

  void Fixed32(uint8_t msg, uint32_t field, uint32_t raw, int depth) {
    if (depth == 2 && msg == kSummaryValue && field == 2 && in_value_) {
      Value& v = out_->values.back();
      SwitchValueKind(v, ValueKind::kSimpleValue);
      v.has_scalar = true;
      v.scalar = std::bit_cast<float>(raw);
    } else if (depth == 3 && msg == kTensorProto && in_value_ && field == 5) {
      tensor_.float_count++;
      tensor_.float_value = std::bit_cast<float>(raw);
    }
  }

  void Bytes(uint8_t msg, uint32_t field, std::string_view s, int depth) {
    if (depth == 0 && msg == kEvent) {
      // Scalar members: the last occurrence replaces the value.
      if (field == 3) {
        SwitchWhat(What::kFileVersion);
        out_->file_version = s;
      } else if (field == 4) {
        SwitchWhat(What::kGraphDef);
        out_->what_bytes = s.size();
      } else if (field == 9) {
        SwitchWhat(What::kMetaGraphDef);
        out_->what_bytes = s.size();
      }
    } else if (depth == 1 && msg == kSourceMetadata && field == 1) {
      out_->source_writer = s;
    } else if (depth == 1 && msg == kTaggedRunMetadata && field == 2) {
      out_->what_bytes = s.size();
    } else if (depth == 2 && msg == kSummaryValue && in_value_) {
      if (field == 1) {
        out_->values.back().tag = s;
      } else if (field == 3) {
        SwitchValueKind(out_->values.back(), ValueKind::kOldHistogram);
      }
    } else if (depth == 4 && msg == kPluginData && field == 1 && in_value_) {
      out_->values.back().plugin_name = s;
    } else if (depth == 3 && msg == kTensorProto && in_value_ && field == 4) {
      tensor_.content = s;
    }
  }

  void Packed(uint8_t msg, uint32_t field, FieldKind kind, std::string_view s, int depth) {
    if (!(depth == 3 && msg == kTensorProto && in_value_)) return;
    if (field == 5 && kind == FieldKind::kFixed32) {
      tensor_.float_count += static_cast<uint32_t>(s.size() / 4);
      if (s.size() >= 4) tensor_.float_value = std::bit_cast<float>(Load<uint32_t>(s.data() + s.size() - 4));
    } else if (field == 6 && kind == FieldKind::kFixed64) {
      tensor_.double_count += static_cast<uint32_t>(s.size() / 8);
      if (s.size() >= 8) tensor_.double_value = std::bit_cast<double>(Load<uint64_t>(s.data() + s.size() - 8));
    } else if (field == 13) {
      const auto* p = reinterpret_cast<const uint8_t*>(s.data());
      const auto* end = p + s.size();
      uint64_t v = 0;
      while (p < end && wire_internal::ReadVarint(p, end, &v)) {
        tensor_.half_count++;
        tensor_.half = static_cast<uint16_t>(v);
      }
    }
  }

 private:
  // A message member of Event.what begins.
  void SetWhat(uint32_t field) {
    switch (field) {
      case 5:
        SwitchWhat(What::kSummary);
        break;
      case 6:
        SwitchWhat(What::kLogMessage);
        break;
      case 7:
        SwitchWhat(What::kSessionLog);
        break;
      case 8:
        SwitchWhat(What::kTaggedRunMetadata);
        break;
      default:
        break;  // 10, source_metadata, is not part of the oneof
    }
  }

  // A message member of Summary.Value.value begins.
  void SetValueKind(uint32_t field) {
    Value& v = out_->values.back();
    switch (field) {
      case 4:
        SwitchValueKind(v, ValueKind::kImage);
        break;
      case 5:
        SwitchValueKind(v, ValueKind::kHistogram);
        break;
      case 6:
        SwitchValueKind(v, ValueKind::kAudio);
        break;
      case 8:
        // After another member (or none) the tensor starts empty; after a
        // tensor it merges into it. Only tensor members touch tensor_, so
        // it is reset here rather than for every value.
        if (v.kind != ValueKind::kTensor) tensor_ = TensorState{};
        SwitchValueKind(v, ValueKind::kTensor);
        break;
      default:
        break;
    }
  }

  void SwitchWhat(What what) {
    if (out_->what == what) return;  // the same member: replace or merge
    if (out_->what != What::kNone) ClearWhat();
    out_->what = what;
  }

  // Forgets everything the previous member of Event.what contributed. Each
  // field below belongs to exactly one member, so clearing them all is the
  // same as clearing that member's.
  [[gnu::noinline, gnu::cold]] void ClearWhat() {
    out_->file_version = {};
    out_->what_bytes = 0;
    out_->session_status = 0;
    out_->values.clear();  // keeps the capacity: no allocation next record
  }

  void SwitchValueKind(Value& v, ValueKind kind) {
    if (v.kind == kind) return;  // the same member: replace or merge
    if (v.kind != ValueKind::kNone) ClearValueMember(v);
    v.kind = kind;
  }

  // Forgets what the previous member of Summary.Value.value set.
  [[gnu::noinline, gnu::cold]] void ClearValueMember(Value& v) {
    v.has_scalar = false;
    v.scalar = 0;
    v.dtype = 0;
  }

  void FinishTensor() { FinishScalarTensor(tensor_, out_->values.back()); }

  EventView* out_;
  bool in_value_ = false;
  TensorState tensor_;
};

// The fast path: the shapes writers produce, decoded without the walker's
// per-field schema lookups and visitor dispatch. An Event of wall_time, step
// and a file_version or a summary; values of tag, simple_value or a tensor
// (dtype, shape, version, tensor_content, packed float_val / double_val) and
// metadata (plugin_data, display_name, summary_description, data_class).
//
// It accepts a strict subset of what protobuf accepts: one-byte field tags
// with the schema's wire type, every field of a message at most once and in
// ascending number order (the order every protobuf serializer writes; only
// Summary.value and TensorShapeProto.dim repeat), and no second member of a
// oneof. Then no oneof switch or message merge can happen, and the result is
// what the walker would produce. Anything else (an unknown field, another
// order, a length past the end, invalid UTF-8, ...) returns false and the
// caller runs the validated walker from the start, which gives protobuf's
// verdict and error message.
class FastDecoder {
 public:
  explicit FastDecoder(EventView* out) : out_(out) {}

  // Where the one scalar's 4 float bytes were read (simple_value, or the
  // TF2 float scalar tensor), nullptr when neither was read.
  const uint8_t* scalar_at() const { return scalar_at_; }

  bool Event(const uint8_t* p, const uint8_t* end) {
    uint32_t last = 0;
    while (p < end) {
      const uint32_t tag = *p++;
      if (!Ascending(tag, &last)) return false;
      switch (tag) {
        case (1 << 3) | 1:  // wall_time, double
          if (end - p < 8) return false;
          out_->wall_time = std::bit_cast<double>(Load<uint64_t>(reinterpret_cast<const char*>(p)));
          out_->has_wall_time = true;
          p += 8;
          break;
        case (2 << 3) | 0: {  // step, int64
          uint64_t v;
          if (!wire_internal::ReadVarint(p, end, &v)) return false;
          out_->step = static_cast<int64_t>(v);
          break;
        }
        case (3 << 3) | 2: {  // file_version, string
          std::string_view s;
          if (!String(p, end, &s)) return false;
          out_->file_version = s;
          out_->what = What::kFileVersion;
          break;
        }
        case (5 << 3) | 2: {  // summary
          const uint8_t* sub;
          if (out_->what != What::kNone || !Length(p, end, &sub)) return false;
          out_->what = What::kSummary;
          if (!Summary(p, sub)) return false;
          p = sub;
          break;
        }
        default:
          return false;
      }
    }
    return true;
  }

 private:
  // Field tags in ascending field order. Compared as tag bytes: for the
  // one-byte tags the switches accept, a higher field number is a higher
  // byte, and the same field again is the same byte (its one wire type).
  // A byte >= 0x80 (a longer tag) passes here and fails every switch.
  static bool Ascending(uint32_t tag, uint32_t* last) {
    if (tag <= *last) return false;
    *last = tag;
    return true;
  }

  // A length prefix whose bytes lie inside [p, end): `*sub` is their end.
  static bool Length(const uint8_t*& p, const uint8_t* end, const uint8_t** sub) {
    uint64_t len;
    if (p < end && *p < 0x80) {
      len = *p++;
    } else if (!wire_internal::ReadVarint(p, end, &len)) {
      return false;
    }
    if (len > static_cast<uint64_t>(end - p)) return false;
    *sub = p + len;
    return true;
  }

  static bool Bytes(const uint8_t*& p, const uint8_t* end, std::string_view* s) {
    const uint8_t* sub;
    if (!Length(p, end, &sub)) return false;
    *s = std::string_view(reinterpret_cast<const char*>(p), static_cast<size_t>(sub - p));
    p = sub;
    return true;
  }

  static bool String(const uint8_t*& p, const uint8_t* end, std::string_view* s) {
    return Bytes(p, end, s) && ValidUtf8Fast(*s);
  }

  bool Summary(const uint8_t* p, const uint8_t* end) {
    while (p < end) {
      if (*p++ != ((1 << 3) | 2)) return false;  // only `repeated Value value = 1`
      const uint8_t* sub;
      if (!Length(p, end, &sub)) return false;
      if (!SummaryValue(p, sub, out_->values.emplace_back())) return false;
      p = sub;
    }
    return true;
  }

  bool SummaryValue(const uint8_t* p, const uint8_t* end, Value& v) {
    uint32_t last = 0;
    while (p < end) {
      const uint32_t tag = *p++;
      if (!Ascending(tag, &last)) return false;
      switch (tag) {
        case (1 << 3) | 2:  // tag, string
          if (!String(p, end, &v.tag)) return false;
          break;
        case (2 << 3) | 5:  // simple_value, float
          if (end - p < 4) return false;
          v.kind = ValueKind::kSimpleValue;
          v.has_scalar = true;
          v.scalar = std::bit_cast<float>(Load<uint32_t>(reinterpret_cast<const char*>(p)));
          scalar_at_ = p;
          p += 4;
          break;
        case (8 << 3) | 2: {  // tensor
          const uint8_t* sub;
          if (v.kind != ValueKind::kNone || !Length(p, end, &sub)) return false;
          v.kind = ValueKind::kTensor;
          if (FloatScalarTensor(p, sub, v)) {
            scalar_at_ = p + 6;
          } else if (!Tensor(p, sub, v)) {
            return false;
          }
          p = sub;
          break;
        }
        case (9 << 3) | 2: {  // metadata
          const uint8_t* sub;
          if (!Length(p, end, &sub)) return false;
          if (!Memo().Recall(p, sub, v)) {
            if (!Metadata(p, sub, v)) return false;
            Memo().Keep(p, sub, v);
          }
          p = sub;
          break;
        }
        default:
          return false;
      }
    }
    return true;
  }

  static bool Metadata(const uint8_t* p, const uint8_t* end, Value& v) {
    uint32_t last = 0;
    std::string_view s;
    while (p < end) {
      const uint32_t tag = *p++;
      if (!Ascending(tag, &last)) return false;
      switch (tag) {
        case (1 << 3) | 2: {  // plugin_data
          const uint8_t* sub;
          if (!Length(p, end, &sub) || !PluginData(p, sub, v)) return false;
          p = sub;
          break;
        }
        case (2 << 3) | 2:  // display_name, string
        case (3 << 3) | 2:  // summary_description, string
          if (!String(p, end, &s)) return false;
          break;
        case (4 << 3) | 0: {  // data_class, enum
          uint64_t x;
          if (!wire_internal::ReadVarint(p, end, &x)) return false;
          break;
        }
        default:
          return false;
      }
    }
    return true;
  }

  static bool PluginData(const uint8_t* p, const uint8_t* end, Value& v) {
    uint32_t last = 0;
    std::string_view s;
    while (p < end) {
      const uint32_t tag = *p++;
      if (!Ascending(tag, &last)) return false;
      if (tag == ((1 << 3) | 2)) {  // plugin_name, string
        if (!String(p, end, &v.plugin_name)) return false;
      } else if (tag == ((2 << 3) | 2)) {  // content, bytes
        if (!Bytes(p, end, &s)) return false;
      } else {
        return false;
      }
    }
    return true;
  }

  // The tensor TF2's scalar summaries write, byte for byte: dtype DT_FLOAT
  // (08 01), an empty shape (12 00), tensor_content of 4 bytes (22 04) and
  // the float. Anything else goes through Tensor.
  static bool FloatScalarTensor(const uint8_t* p, const uint8_t* end, Value& v) {
    if (end - p != 10) return false;
    uint64_t head;
    std::memcpy(&head, p, 8);
    constexpr uint64_t kHead = 0x042200120108ull;  // 08 01 12 00 22 04, little-endian
    if ((head & 0xFFFFFFFFFFFFull) != kHead) return false;
    v.dtype = kDtFloat;
    v.has_scalar = true;
    v.scalar = std::bit_cast<float>(Load<uint32_t>(reinterpret_cast<const char*>(p + 6)));
    return true;
  }

  // Metadata is the same bytes on every value of a tag (TF2 writes it on
  // every record): the last metadata message that decoded is kept, and the
  // same bytes again give the same result without decoding them.
  MetadataMemo& Memo() { return out_->metadata_memo; }

  static bool Tensor(const uint8_t* p, const uint8_t* end, Value& v) {
    TensorState t;
    uint32_t last = 0;
    std::string_view s;
    while (p < end) {
      const uint32_t tag = *p++;
      if (!Ascending(tag, &last)) return false;
      switch (tag) {
        case (1 << 3) | 0:    // dtype, enum
        case (3 << 3) | 0: {  // version_number, int32
          uint64_t x;
          if (!wire_internal::ReadVarint(p, end, &x)) return false;
          if (tag == ((1 << 3) | 0)) t.dtype = static_cast<int32_t>(x);
          break;
        }
        case (2 << 3) | 2: {  // tensor_shape
          const uint8_t* sub;
          if (!Length(p, end, &sub) || !Shape(p, sub)) return false;
          p = sub;
          break;
        }
        case (4 << 3) | 2:  // tensor_content, bytes
          if (!Bytes(p, end, &t.content)) return false;
          break;
        case (5 << 3) | 2:  // float_val, packed
          if (!Bytes(p, end, &s) || s.size() % 4 != 0) return false;
          t.float_count = static_cast<uint32_t>(s.size() / 4);
          if (!s.empty()) t.float_value = std::bit_cast<float>(Load<uint32_t>(s.data() + s.size() - 4));
          break;
        case (6 << 3) | 2:  // double_val, packed
          if (!Bytes(p, end, &s) || s.size() % 8 != 0) return false;
          t.double_count = static_cast<uint32_t>(s.size() / 8);
          if (!s.empty()) t.double_value = std::bit_cast<double>(Load<uint64_t>(s.data() + s.size() - 8));
          break;
        default:
          return false;
      }
    }
    FinishScalarTensor(t, v);
    return true;
  }

  // TensorShapeProto: `repeated Dim dim = 2` (may repeat), unknown_rank = 3.
  static bool Shape(const uint8_t* p, const uint8_t* end) {
    uint32_t last = 0;
    while (p < end) {
      const uint32_t tag = *p++;
      if (tag == ((2 << 3) | 2) && last == tag) last = 0;  // another dim
      if (!Ascending(tag, &last)) return false;
      if (tag == ((2 << 3) | 2)) {
        const uint8_t* sub;
        if (!Length(p, end, &sub) || !Dim(p, sub)) return false;
        p = sub;
      } else if (tag == ((3 << 3) | 0)) {
        uint64_t x;
        if (!wire_internal::ReadVarint(p, end, &x)) return false;
      } else {
        return false;
      }
    }
    return true;
  }

  // TensorShapeProto.Dim: size = 1 (int64), name = 2 (string).
  static bool Dim(const uint8_t* p, const uint8_t* end) {
    uint32_t last = 0;
    while (p < end) {
      const uint32_t tag = *p++;
      if (!Ascending(tag, &last)) return false;
      if (tag == ((1 << 3) | 0)) {
        uint64_t x;
        if (!wire_internal::ReadVarint(p, end, &x)) return false;
      } else if (tag == ((2 << 3) | 2)) {
        std::string_view s;
        if (!String(p, end, &s)) return false;
      } else {
        return false;
      }
    }
    return true;
  }

  EventView* out_;
  const uint8_t* scalar_at_ = nullptr;
};

// The fast path hard-codes field numbers, wire types and which fields are
// UTF-8 checked. Checked once against the schema built from the protobuf
// descriptors: if the protos ever disagree, every payload takes the walker.
bool FastPathMatchesSchema() {
  const MessageSpec* s = Schema();
  auto is = [&](uint8_t msg, uint32_t number, FieldKind kind, bool repeated, uint8_t sub = 0) {
    const FieldSpec* f = s[msg].Find(number);
    return f != nullptr && f->kind == kind && f->repeated == repeated && (kind != FieldKind::kMessage || f->message == sub);
  };
  using K = FieldKind;
  return is(kEvent, 1, K::kFixed64, false) && is(kEvent, 2, K::kVarint, false) && is(kEvent, 3, K::kString, false) &&
         is(kEvent, 5, K::kMessage, false, kSummary) && is(kSummary, 1, K::kMessage, true, kSummaryValue) &&
         is(kSummaryValue, 1, K::kString, false) && is(kSummaryValue, 2, K::kFixed32, false) &&
         is(kSummaryValue, 8, K::kMessage, false, kTensorProto) &&
         is(kSummaryValue, 9, K::kMessage, false, kSummaryMetadata) &&
         is(kSummaryMetadata, 1, K::kMessage, false, kPluginData) && is(kSummaryMetadata, 2, K::kString, false) &&
         is(kSummaryMetadata, 3, K::kString, false) && is(kSummaryMetadata, 4, K::kVarint, false) &&
         is(kPluginData, 1, K::kString, false) && is(kPluginData, 2, K::kBytes, false) &&
         is(kTensorProto, 1, K::kVarint, false) && is(kTensorProto, 2, K::kMessage, false, kTensorShapeProto) &&
         is(kTensorProto, 3, K::kVarint, false) && is(kTensorProto, 4, K::kBytes, false) &&
         is(kTensorProto, 5, K::kFixed32, true) && is(kTensorProto, 6, K::kFixed64, true) &&
         is(kTensorShapeProto, 2, K::kMessage, true, kTensorShapeDim) && is(kTensorShapeProto, 3, K::kVarint, false) &&
         is(kTensorShapeDim, 1, K::kVarint, false) && is(kTensorShapeDim, 2, K::kString, false);
}

void Reset(EventView* out) {
  out->has_wall_time = false;
  out->wall_time = 0;
  out->step = 0;
  out->what = What::kNone;
  out->file_version = {};
  out->source_writer = {};
  out->session_status = 0;
  out->what_bytes = 0;
  out->values.clear();
}

}  // namespace

bool MetadataMemo::Recall(const uint8_t* p, const uint8_t* end, Value& v) const {
  const auto n = static_cast<size_t>(end - p);
  if (n != size_ || n < 8) return false;
  // Word by word; the last word overlaps the one before when n % 8 != 0.
  uint64_t diff = 0;
  for (size_t i = 0; i + 8 < n; i += 8) diff |= Load<uint64_t>(reinterpret_cast<const char*>(p + i)) ^ Load<uint64_t>(reinterpret_cast<const char*>(bytes_.data() + i));
  diff |= Load<uint64_t>(reinterpret_cast<const char*>(p + n - 8)) ^ Load<uint64_t>(reinterpret_cast<const char*>(bytes_.data() + n - 8));
  if (diff != 0) return false;
  if (plugin_size_ != 0) v.plugin_name = std::string_view(reinterpret_cast<const char*>(p) + plugin_offset_, plugin_size_);
  return true;
}

void MetadataMemo::Keep(const uint8_t* p, const uint8_t* end, const Value& v) {
  const auto n = static_cast<size_t>(end - p);
  size_ = SIZE_MAX;
  if (n < 8 || n > bytes_.size()) return;
  const auto* name = reinterpret_cast<const uint8_t*>(v.plugin_name.data());
  if (!v.plugin_name.empty() && (name < p || name + v.plugin_name.size() > end)) return;
  std::memcpy(bytes_.data(), p, n);
  plugin_offset_ = v.plugin_name.empty() ? 0 : static_cast<uint32_t>(name - p);
  plugin_size_ = static_cast<uint32_t>(v.plugin_name.size());
  size_ = n;
}

const char* TagKindName(TagKind kind) {
  switch (kind) {
    case TagKind::kScalar:
      return "scalars";
    case TagKind::kHistogram:
      return "histograms";
    case TagKind::kImage:
      return "images";
    case TagKind::kAudio:
      return "audio";
    case TagKind::kText:
      return "text";
    case TagKind::kHparams:
      return "hparams";
    case TagKind::kTensor:
      return "tensors";
    case TagKind::kOther:
      return "other";
  }
  return "?";
}

TagKind Value::tag_kind() const {
  switch (kind) {
    case ValueKind::kSimpleValue:
      return TagKind::kScalar;
    case ValueKind::kHistogram:
    case ValueKind::kOldHistogram:
      return TagKind::kHistogram;
    case ValueKind::kImage:
      return TagKind::kImage;
    case ValueKind::kAudio:
      return TagKind::kAudio;
    case ValueKind::kNone:
    case ValueKind::kTensor:
      break;
  }
  // TensorBoard routes tensor summaries (and metadata-only values) by plugin.
  if (plugin_name == "scalars") return TagKind::kScalar;
  if (plugin_name == "histograms") return TagKind::kHistogram;
  if (plugin_name == "images") return TagKind::kImage;
  if (plugin_name == "audio") return TagKind::kAudio;
  if (plugin_name == "text") return TagKind::kText;
  if (plugin_name == "hparams") return TagKind::kHparams;
  if (kind == ValueKind::kTensor) return TagKind::kTensor;
  return TagKind::kOther;
}

bool ValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    // ASCII fast path, 8 bytes at a time.
    if (end - p >= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      if ((w & 0x8080808080808080ull) == 0) {
        p += 8;
        continue;
      }
    }
    uint8_t c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int n;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (end - p <= n) return false;
    for (int i = 1; i <= n; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    p += n + 1;
  }
  return true;
}

bool DecodeEventGeneric(std::string_view payload, EventView* out, WireError* error) {
  Reset(out);
  EventDecoder decoder(out);
  const auto* base = reinterpret_cast<const uint8_t*>(payload.data());
  Walker<EventDecoder> walker(&decoder, base);
  if (!walker.Message(kEvent, base, base + payload.size(), 0)) {
    *error = walker.error();
    return false;
  }
  return true;
}

namespace {

bool FastPathUsable() {
  static const bool usable = FastPathMatchesSchema();
  return usable;
}

}  // namespace

uint32_t ScalarTemplates::TagHash(const uint8_t* p, size_t n) {
  uint32_t h = 2166136261u ^ static_cast<uint32_t>(n);
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 16777619u;
  return h ^ (h >> 15);
}

void ScalarTemplates::Fill(const Hit& hit, EventView& out) const {
  const Template& t = t_[hit.id - 1];
  out.has_wall_time = true;
  out.wall_time = hit.wall_time;
  out.step = hit.step;
  out.what = What::kSummary;
  out.file_version = {};
  out.source_writer = {};
  out.session_status = 0;
  out.what_bytes = 0;
  if (out.values.size() != 1) out.values.resize(1);
  Value& v = out.values.front();
  const char* base = reinterpret_cast<const char*>(hit.suffix);
  v.tag = std::string_view(base + t.tag_off, t.tag_size);
  v.plugin_name = t.plugin_size == 0 ? std::string_view() : std::string_view(base + t.plugin_off, t.plugin_size);
  v.kind = static_cast<ValueKind>(t.kind);
  v.has_scalar = true;
  v.scalar = hit.value;
  v.dtype = t.dtype;
}

void ScalarTemplates::Learn(const uint8_t* p, const uint8_t* end, const EventView& ev, const uint8_t* scalar_at) {
  uint16_t prev = last_;
  last_ = 0;
  // A file whose records never repeat a shape (each tag logged once or
  // twice, among thousands) would pay for learning on every record: after
  // 512 records learned without a hit, learning pauses for 65,536 records.
  if (pause_ > 0) {
    --pause_;
    return;
  }
  if (++learned_since_hit_ > 2 * kMaxTemplates) {
    learned_since_hit_ = 0;
    pause_ = 1 << 16;
    return;
  }
  if (scalar_at == nullptr || ev.values.size() != 1 || !ev.has_wall_time || ev.what != What::kSummary) return;
  double wall;
  int64_t step;
  const uint8_t* q = templates_internal::AfterHead(p, end, &wall, &step);
  // At least 5 bytes (a float and its field tag; always so): MatchHit's
  // last chunk, 16 bytes ending at the payload's end, then starts inside
  // the payload.
  if (q == nullptr || end - q > static_cast<ptrdiff_t>(kMaxSuffix) || end - q < 5 || scalar_at < q ||
      scalar_at + 4 > end) {
    return;
  }
  const Value& v = ev.values.front();
  const auto* tag = reinterpret_cast<const uint8_t*>(v.tag.data());
  const auto* plugin = reinterpret_cast<const uint8_t*>(v.plugin_name.data());
  if (!v.has_scalar || tag < q || tag + v.tag.size() > end) return;
  if (!v.plugin_name.empty() && (plugin < q || plugin + v.plugin_name.size() > end)) return;
  // The same tag's template is replaced, so a tag has one.
  const uint32_t mask = static_cast<uint32_t>(index_.size() - 1);
  uint32_t s = TagHash(tag, v.tag.size()) & mask;
  for (; index_[s] != 0; s = (s + 1) & mask) {
    const Template& o = t_[index_[s] - 1];
    if (o.tag_size == v.tag.size() && std::memcmp(o.bytes + o.tag_off, tag, v.tag.size()) == 0) break;
  }
  uint16_t id = index_[s];
  if (id == 0) {
    if (t_.size() >= kMaxTemplates) {  // full: start over (a file with many tags)
      t_.clear();
      index_.fill(0);
      s = TagHash(tag, v.tag.size()) & mask;
      prev = 0;  // it pointed into what was cleared
    }
    t_.emplace_back();  // next = 0: no prediction yet
    id = static_cast<uint16_t>(t_.size());
    index_[s] = id;
  }
  // A replaced template keeps its prediction: the tag that followed it.
  Template& t = t_[id - 1];
  t.size = static_cast<uint8_t>(end - q);
  std::memcpy(t.bytes, q, t.size);
  t.hole = static_cast<uint8_t>(scalar_at - q);
  t.tag_off = static_cast<uint8_t>(tag - q);
  t.tag_size = static_cast<uint8_t>(v.tag.size());
  t.plugin_off = v.plugin_name.empty() ? 0 : static_cast<uint8_t>(plugin - q);
  t.plugin_size = static_cast<uint8_t>(v.plugin_name.size());
  t.kind = static_cast<uint8_t>(v.kind);
  t.dtype = v.dtype;
  t.stamp = next_stamp_++;
  t.chunks = static_cast<uint8_t>((t.size + 15) / 16);
  for (int k = 0; k < t.chunks; ++k) {
    const int off = k + 1 < t.chunks ? 16 * k : t.size - 16;  // the last ends at the suffix's end
    uint8_t want[16], mask[16];
    for (int b = 0; b < 16; ++b) {
      const int at = off + b;
      const bool compared = at >= 0 && at < t.size && !(at >= t.hole && at < t.hole + 4);
      mask[b] = compared ? 0xFF : 0;
      want[b] = compared ? t.bytes[at] : 0;
    }
    std::memcpy(&t.want[k], want, 16);
    std::memcpy(&t.mask[k], mask, 16);
  }
  if (prev != 0 && prev <= t_.size()) t_[prev - 1].next = id;
  last_ = id;
}

bool DecodeEventFast(std::string_view payload, EventView* out) {
  if (!FastPathUsable()) return false;
  Reset(out);
  const auto* base = reinterpret_cast<const uint8_t*>(payload.data());
  return FastDecoder(out).Event(base, base + payload.size());
}

bool DecodeEvent(std::string_view payload, EventView* out, WireError* error) {
  const auto* base = reinterpret_cast<const uint8_t*>(payload.data());
  if (out->templates.Match(base, base + payload.size(), *out)) [[likely]] return true;
  return DecodeEventUntemplated(payload, out, error);
}

bool DecodeEventUntemplated(std::string_view payload, EventView* out, WireError* error) {
  const auto* base = reinterpret_cast<const uint8_t*>(payload.data());
  const uint8_t* end = base + payload.size();
  if (FastPathUsable()) [[likely]] {
    Reset(out);
    FastDecoder fast(out);
    if (fast.Event(base, end)) [[likely]] {
      out->templates.Learn(base, end, *out, fast.scalar_at());
      return true;
    }
  }
  return DecodeEventGeneric(payload, out, error);
}

}  // namespace tblint::event
