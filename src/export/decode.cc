#include "export/decode.h"

#include <bit>
#include <cmath>
#include <cstring>

#include "export/emit.h"

namespace tblint::xport {
namespace {

using event::FieldKind;

template <class T>
T Load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

float HalfToFloat(uint16_t h) {
  const int exp = (h >> 10) & 0x1F;
  const int mant = h & 0x3FF;
  const float sign = (h & 0x8000) ? -1.0f : 1.0f;
  if (exp == 0) return sign * std::ldexp(static_cast<float>(mant), -24);
  if (exp == 31) return mant ? std::nanf("") : sign * INFINITY;
  return sign * std::ldexp(static_cast<float>(mant + 1024), exp - 25);
}

float Bfloat16ToFloat(uint16_t b) { return std::bit_cast<float>(static_cast<uint32_t>(b) << 16); }

// depth: 0 Event, 1 Summary / SessionLog, 2 Summary.Value, 3 its metadata,
// image, histo, audio or tensor, 4 plugin_data or the tensor's shape, 5 a dim.
class Visitor {
 public:
  explicit Visitor(DecodedEvent* out) : out_(out) {}

  void Begin(uint8_t msg, uint32_t field, int depth) {
    if (depth == 1) {
      if (field == 5) {
        SwitchWhat(event::What::kSummary);
      } else if (field == 7) {
        SwitchWhat(event::What::kSessionLog);
      } else if (field == 6) {
        SwitchWhat(event::What::kLogMessage);
      } else if (field == 8) {
        SwitchWhat(event::What::kTaggedRunMetadata);
      }
    } else if (depth == 2 && msg == event::kSummaryValue && out_->what == event::What::kSummary) {
      if (out_->count == out_->values.size()) out_->values.emplace_back();
      cur_ = &out_->values[out_->count++];
      cur_->Clear();
    } else if (depth == 3 && cur_ != nullptr) {
      switch (field) {
        case 4:
          SwitchKind(event::ValueKind::kImage);
          break;
        case 5:
          SwitchKind(event::ValueKind::kHistogram);
          break;
        case 6:
          SwitchKind(event::ValueKind::kAudio);
          break;
        case 8:
          SwitchKind(event::ValueKind::kTensor);
          break;
        case 9:
          cur_->has_metadata = true;
          break;
        default:
          break;
      }
    } else if (depth == 4 && cur_ != nullptr && msg == event::kTensorShapeProto) {
      cur_->tensor.has_shape = true;
    } else if (depth == 5 && cur_ != nullptr && msg == event::kTensorShapeDim) {
      cur_->tensor.dims.push_back(0);
    }
  }

  void End(uint8_t msg, int depth) {
    if (depth == 2 && msg == event::kSummaryValue) cur_ = nullptr;
  }

  void Varint(uint8_t msg, uint32_t field, uint64_t v, int depth) {
    if (depth == 0 && msg == event::kEvent && field == 2) {
      out_->step = static_cast<int64_t>(v);
    } else if (depth == 1 && msg == event::kSessionLog && field == 1) {
      out_->session_status = static_cast<int32_t>(v);
    } else if (cur_ == nullptr) {
      return;
    } else if (depth == 3 && msg == event::kSummaryImage) {
      if (field == 1) cur_->height = static_cast<int32_t>(v);
      if (field == 2) cur_->width = static_cast<int32_t>(v);
      if (field == 3) cur_->colorspace = static_cast<int32_t>(v);
    } else if (depth == 3 && msg == event::kSummaryAudio) {
      if (field == 2) cur_->channels = static_cast<int64_t>(v);
      if (field == 3) cur_->length_frames = static_cast<int64_t>(v);
    } else if (depth == 3 && msg == event::kTensorProto) {
      if (field == 1) {
        cur_->tensor.dtype = static_cast<int32_t>(v);
      } else if (field != 3) {
        cur_->tensor.chunks.push_back({field, false, v, {}});
      }
    } else if (depth == 4 && msg == event::kTensorShapeProto && field == 3) {
      cur_->tensor.unknown_rank = v != 0;
    } else if (depth == 5 && msg == event::kTensorShapeDim && field == 1 && !cur_->tensor.dims.empty()) {
      cur_->tensor.dims.back() = static_cast<int64_t>(v);
    }
  }

  void Fixed64(uint8_t msg, uint32_t field, uint64_t raw, int depth) {
    if (depth == 0 && msg == event::kEvent && field == 1) {
      out_->wall_time = std::bit_cast<double>(raw);
      out_->has_wall_time = true;
    } else if (cur_ == nullptr) {
      return;
    } else if (depth == 3 && msg == event::kHistogramProto) {
      const double d = std::bit_cast<double>(raw);
      switch (field) {
        case 1:
          cur_->h_min = d;
          break;
        case 2:
          cur_->h_max = d;
          break;
        case 3:
          cur_->h_num = d;
          break;
        case 4:
          cur_->h_sum = d;
          break;
        case 5:
          cur_->h_sum_squares = d;
          break;
        case 6:
          cur_->limits.push_back(d);
          break;
        case 7:
          cur_->counts.push_back(d);
          break;
        default:
          break;
      }
    } else if (depth == 3 && msg == event::kTensorProto) {
      cur_->tensor.chunks.push_back({field, false, raw, {}});
    }
  }

  void Fixed32(uint8_t msg, uint32_t field, uint32_t raw, int depth) {
    if (cur_ == nullptr) return;
    if (depth == 2 && msg == event::kSummaryValue && field == 2) {
      SwitchKind(event::ValueKind::kSimpleValue);
      cur_->simple_value = std::bit_cast<float>(raw);
    } else if (depth == 3 && msg == event::kSummaryAudio && field == 1) {
      cur_->sample_rate = std::bit_cast<float>(raw);
    } else if (depth == 3 && msg == event::kTensorProto) {
      cur_->tensor.chunks.push_back({field, false, raw, {}});
    }
  }

  void Bytes(uint8_t msg, uint32_t field, std::string_view s, int depth) {
    if (depth == 0 && msg == event::kEvent) {
      if (field == 3) SwitchWhat(event::What::kFileVersion);
      if (field == 4) SwitchWhat(event::What::kGraphDef);
      if (field == 9) SwitchWhat(event::What::kMetaGraphDef);
      return;
    }
    if (cur_ == nullptr) return;
    if (depth == 2 && msg == event::kSummaryValue) {
      if (field == 1) cur_->tag = s;
      if (field == 3) SwitchKind(event::ValueKind::kOldHistogram);
    } else if (depth == 4 && msg == event::kPluginData) {
      if (field == 1) cur_->plugin_name = s;
      if (field == 2) cur_->plugin_content = s;
    } else if (depth == 3 && msg == event::kSummaryImage && field == 4) {
      cur_->encoded = s;
    } else if (depth == 3 && msg == event::kSummaryAudio) {
      if (field == 4) cur_->encoded = s;
      if (field == 5) cur_->content_type = s;
    } else if (depth == 3 && msg == event::kTensorProto) {
      if (field == 4) cur_->tensor.content = s;
      if (field == 8) cur_->tensor.strings.push_back(s);
    }
  }

  void Packed(uint8_t msg, uint32_t field, FieldKind, std::string_view s, int depth) {
    if (cur_ == nullptr || depth != 3) return;
    if (msg == event::kHistogramProto && (field == 6 || field == 7)) {
      std::vector<double>& v = field == 6 ? cur_->limits : cur_->counts;
      for (size_t i = 0; i + 8 <= s.size(); i += 8) v.push_back(std::bit_cast<double>(Load<uint64_t>(s.data() + i)));
    } else if (msg == event::kTensorProto) {
      cur_->tensor.chunks.push_back({field, true, 0, s});
    }
  }

 private:
  void SwitchWhat(event::What what) {
    if (out_->what == what) return;
    if (out_->what != event::What::kNone) {
      out_->count = 0;
      out_->session_status = 0;
      cur_ = nullptr;
    }
    out_->what = what;
  }

  void SwitchKind(event::ValueKind kind) {
    if (cur_->kind == kind) return;
    if (cur_->kind != event::ValueKind::kNone) {
      // Another member of the oneof: protobuf clears the previous one.
      const std::string_view tag = cur_->tag, name = cur_->plugin_name, content = cur_->plugin_content;
      const bool meta = cur_->has_metadata;
      cur_->Clear();
      cur_->tag = tag;
      cur_->plugin_name = name;
      cur_->plugin_content = content;
      cur_->has_metadata = meta;
    }
    cur_->kind = kind;
  }

  DecodedEvent* out_;
  ValueData* cur_ = nullptr;
};

// The repeated field that holds a dtype's values.
uint32_t ValueField(int32_t dtype) {
  switch (dtype) {
    case kDtFloat:
      return 5;
    case kDtDouble:
      return 6;
    case kDtInt32:
    case kDtUint8:
    case kDtInt16:
    case kDtInt8:
    case kDtUint16:
      return 7;
    case kDtString:
      return 8;
    case kDtComplex64:
      return 9;
    case kDtInt64:
      return 10;
    case kDtBool:
      return 11;
    case kDtComplex128:
      return 12;
    case kDtHalf:
    case kDtBfloat16:
      return 13;
    case kDtUint32:
      return 16;
    case kDtUint64:
      return 17;
    default:
      return 0;
  }
}

// Bytes per element in tensor_content (0: no fixed size).
size_t ElementSize(int32_t dtype) {
  switch (dtype) {
    case kDtFloat:
    case kDtInt32:
    case kDtUint32:
      return 4;
    case kDtDouble:
    case kDtInt64:
    case kDtUint64:
    case kDtComplex64:
      return 8;
    case kDtComplex128:
      return 16;
    case kDtUint8:
    case kDtInt8:
    case kDtBool:
      return 1;
    case kDtInt16:
    case kDtUint16:
    case kDtHalf:
    case kDtBfloat16:
      return 2;
    default:
      return 0;
  }
}

// One element, as the kinds of number JSON can hold.
struct Element {
  enum { kFloat, kDouble, kInt, kUint, kBool } type = kDouble;
  float f = 0;
  double d = 0;
  int64_t i = 0;
  uint64_t u = 0;
};

Element FromContent(int32_t dtype, const char* p) {
  Element e;
  switch (dtype) {
    case kDtFloat:
      e.type = Element::kFloat;
      e.f = Load<float>(p);
      break;
    case kDtDouble:
      e.d = Load<double>(p);
      break;
    case kDtInt32:
      e.type = Element::kInt;
      e.i = Load<int32_t>(p);
      break;
    case kDtUint32:
      e.type = Element::kUint;
      e.u = Load<uint32_t>(p);
      break;
    case kDtInt64:
      e.type = Element::kInt;
      e.i = Load<int64_t>(p);
      break;
    case kDtUint64:
      e.type = Element::kUint;
      e.u = Load<uint64_t>(p);
      break;
    case kDtUint8:
      e.type = Element::kUint;
      e.u = static_cast<uint8_t>(*p);
      break;
    case kDtInt8:
      e.type = Element::kInt;
      e.i = static_cast<int8_t>(*p);
      break;
    case kDtBool:
      e.type = Element::kBool;
      e.u = *p != 0;
      break;
    case kDtInt16:
      e.type = Element::kInt;
      e.i = Load<int16_t>(p);
      break;
    case kDtUint16:
      e.type = Element::kUint;
      e.u = Load<uint16_t>(p);
      break;
    case kDtHalf:
      e.type = Element::kFloat;
      e.f = HalfToFloat(Load<uint16_t>(p));
      break;
    case kDtBfloat16:
      e.type = Element::kFloat;
      e.f = Bfloat16ToFloat(Load<uint16_t>(p));
      break;
    default:
      break;
  }
  return e;
}

// From the typed repeated field: `raw` is the varint or fixed bits.
Element FromField(int32_t dtype, uint64_t raw) {
  Element e;
  switch (dtype) {
    case kDtFloat:
    case kDtComplex64:
      e.type = Element::kFloat;
      e.f = std::bit_cast<float>(static_cast<uint32_t>(raw));
      break;
    case kDtDouble:
    case kDtComplex128:
      e.d = std::bit_cast<double>(raw);
      break;
    case kDtInt32:
      e.type = Element::kInt;
      e.i = static_cast<int32_t>(raw);
      break;
    case kDtInt16:
      e.type = Element::kInt;
      e.i = static_cast<int16_t>(raw);
      break;
    case kDtInt8:
      e.type = Element::kInt;
      e.i = static_cast<int8_t>(raw);
      break;
    case kDtUint8:
      e.type = Element::kUint;
      e.u = static_cast<uint8_t>(raw);
      break;
    case kDtUint16:
      e.type = Element::kUint;
      e.u = static_cast<uint16_t>(raw);
      break;
    case kDtInt64:
      e.type = Element::kInt;
      e.i = static_cast<int64_t>(raw);
      break;
    case kDtUint32:
      e.type = Element::kUint;
      e.u = static_cast<uint32_t>(raw);
      break;
    case kDtUint64:
      e.type = Element::kUint;
      e.u = raw;
      break;
    case kDtBool:
      e.type = Element::kBool;
      e.u = raw != 0;
      break;
    case kDtHalf:
      e.type = Element::kFloat;
      e.f = HalfToFloat(static_cast<uint16_t>(raw));
      break;
    case kDtBfloat16:
      e.type = Element::kFloat;
      e.f = Bfloat16ToFloat(static_cast<uint16_t>(raw));
      break;
    default:
      break;
  }
  return e;
}

void AppendElement(std::string* out, const Element& e) {
  switch (e.type) {
    case Element::kFloat:
      AppendFloat(out, e.f, true);
      break;
    case Element::kDouble:
      AppendDouble(out, e.d, true);
      break;
    case Element::kInt:
      AppendInt(out, e.i);
      break;
    case Element::kUint:
      AppendUint(out, e.u);
      break;
    case Element::kBool:
      out->append(e.u ? "true" : "false");
      break;
  }
}

double ElementDouble(const Element& e) {
  switch (e.type) {
    case Element::kFloat:
      return e.f;
    case Element::kDouble:
      return e.d;
    case Element::kInt:
      return static_cast<double>(e.i);
    case Element::kUint:
    case Element::kBool:
      return static_cast<double>(e.u);
  }
  return 0;
}

// Calls f(Element) for each stored element of the typed field (not padded),
// complex numbers as their parts. Returns the count.
template <class F>
uint64_t ForEachTyped(const TensorData& t, F&& f) {
  const uint32_t field = ValueField(t.dtype);
  uint64_t n = 0;
  for (const TensorChunk& c : t.chunks) {
    if (c.field != field) continue;
    if (!c.packed) {
      f(FromField(t.dtype, c.scalar));
      ++n;
      continue;
    }
    const char* p = c.bytes.data();
    const char* end = p + c.bytes.size();
    if (field == 5 || field == 9) {
      for (; p + 4 <= end; p += 4, ++n) f(FromField(t.dtype, Load<uint32_t>(p)));
    } else if (field == 6 || field == 12) {
      for (; p + 8 <= end; p += 8, ++n) f(FromField(t.dtype, Load<uint64_t>(p)));
    } else {
      const auto* q = reinterpret_cast<const uint8_t*>(p);
      const auto* qe = reinterpret_cast<const uint8_t*>(end);
      uint64_t v;
      while (q < qe && event::wire_internal::ReadVarint(q, qe, &v)) {
        f(FromField(t.dtype, v));
        ++n;
      }
    }
  }
  return n;
}

// Visits the tensor's flat elements with make_ndarray's semantics; complex
// elements are visited as (re, im) pairs of parts. `limit` bounds the
// elements visited; returns false when the tensor has more.
template <class F>
bool VisitElements(const TensorData& t, uint64_t limit, F&& f) {
  const bool complex = t.dtype == kDtComplex64 || t.dtype == kDtComplex128;
  const int64_t n = NumElements(t);
  if (n < 0) return false;
  const uint64_t want = static_cast<uint64_t>(n) * (complex ? 2 : 1);
  if (want > limit) return false;
  const size_t size = ElementSize(t.dtype);
  if (!t.content.empty()) {
    if (size == 0) return false;
    const size_t part = complex ? size / 2 : size;
    const int32_t part_type = t.dtype == kDtComplex64 ? kDtFloat : (t.dtype == kDtComplex128 ? kDtDouble : t.dtype);
    // numpy's frombuffer reads what is there; a size mismatch fails reshape.
    if (t.content.size() != want * part) return false;
    for (uint64_t i = 0; i < want; ++i) f(FromContent(part_type, t.content.data() + i * part));
    return true;
  }
  Element last;
  uint64_t have = 0;
  bool ok = true;
  ForEachTyped(t, [&](const Element& e) {
    if (have < want)
      f(e);
    else
      ok = false;
    last = e;
    ++have;
  });
  if (!ok) return false;  // more values than the shape holds: reshape fails
  if (have == 0) {
    // np.zeros(shape)
    Element zero = FromField(t.dtype, 0);
    for (uint64_t i = 0; i < want; ++i) f(zero);
    return true;
  }
  for (uint64_t i = have; i < want; ++i) f(last);  // np.pad(..., "edge")
  return true;
}

}  // namespace

std::string DtypeName(int32_t dtype) {
  switch (dtype) {
    case kDtFloat:
      return "float32";
    case kDtDouble:
      return "float64";
    case kDtInt32:
      return "int32";
    case kDtUint8:
      return "uint8";
    case kDtInt16:
      return "int16";
    case kDtInt8:
      return "int8";
    case kDtString:
      return "string";
    case kDtComplex64:
      return "complex64";
    case kDtInt64:
      return "int64";
    case kDtBool:
      return "bool";
    case kDtBfloat16:
      return "bfloat16";
    case kDtUint16:
      return "uint16";
    case kDtComplex128:
      return "complex128";
    case kDtHalf:
      return "float16";
    case kDtUint32:
      return "uint32";
    case kDtUint64:
      return "uint64";
    default:
      return "dtype_" + std::to_string(dtype);
  }
}

void TensorData::Clear() {
  dtype = 0;
  has_shape = false;
  unknown_rank = false;
  dims.clear();
  content = {};
  chunks.clear();
  strings.clear();
}

void ValueData::Clear() {
  tag = {};
  has_metadata = false;
  plugin_name = {};
  plugin_content = {};
  kind = event::ValueKind::kNone;
  simple_value = 0;
  h_min = h_max = h_num = h_sum = h_sum_squares = 0;
  limits.clear();
  counts.clear();
  width = height = colorspace = 0;
  sample_rate = 0;
  channels = length_frames = 0;
  content_type = {};
  encoded = {};
  tensor.Clear();
}

namespace {

// The fast path: the shapes TensorFlow's and PyTorch's writers give scalar
// events, decoded in straight-line code. An Event of `wall_time`, `step`
// and one `summary` whose values are each a `tag` and either a
// `simple_value` (tf.compat.v1, PyTorch) or a `tensor` (TF2: `dtype`, an
// empty or absent `tensor_shape`, `tensor_content` or float / double values)
// with optional `metadata` (plugin data, display name, description, data
// class), every field tag in its one-byte form. Anything else (another field,
// a message or oneof member given twice, a dimension, a malformed length)
// returns false before `out` is used, and the caller walks the payload with
// the generic, validated walker, which gives the same result on everything the
// fast path accepts (tests/export_fast_decode_test.cc checks that
// differentially). Strings are UTF-8 checked exactly as the walker does.
class FastDecoder {
 public:
  using Ptr = const uint8_t*;

  static bool Decode(std::string_view payload, DecodedEvent* out) {
    Ptr p = reinterpret_cast<Ptr>(payload.data());
    Ptr const end = p + payload.size();
    bool has_wall_time = false, has_summary = false;
    double wall_time = 0;
    uint64_t step = 0;
    Ptr sum = nullptr, sum_end = nullptr;
    while (p < end) {
      const uint8_t tag = *p++;
      if (tag == 0x09) {  // wall_time, fixed64
        if (end - p < 8) return false;
        uint64_t raw;
        std::memcpy(&raw, p, 8);
        p += 8;
        wall_time = std::bit_cast<double>(raw);
        has_wall_time = true;
      } else if (tag == 0x10) {  // step, varint
        if (!event::wire_internal::ReadVarint(p, end, &step)) return false;
      } else if (tag == 0x2A && !has_summary) {  // summary
        if (!Length(p, end, &sum_end)) return false;
        sum = p;
        p = sum_end;
        has_summary = true;
      } else {
        return false;
      }
    }
    if (!has_summary) return false;
    // Values, checked before anything is written to `out`.
    size_t n = 0;
    for (Ptr q = sum; q < sum_end;) {
      if (*q++ != 0x0A) return false;  // Summary.value
      Ptr vend;
      if (!Length(q, sum_end, &vend)) return false;
      if (out->values.size() <= n) out->values.emplace_back();
      if (!Value(q, vend, &out->values[n])) return false;
      ++n;
      q = vend;
    }
    out->has_wall_time = has_wall_time;
    out->wall_time = wall_time;
    out->step = static_cast<int64_t>(step);
    out->what = event::What::kSummary;
    out->session_status = 0;
    out->count = n;
    return true;
  }

 private:
  // A length prefix at p: on success p is the start of the field and *field_end its end.
  static bool Length(Ptr& p, Ptr end, Ptr* field_end) {
    uint64_t len;
    if (!event::wire_internal::ReadVarint(p, end, &len) || len > static_cast<uint64_t>(end - p)) return false;
    *field_end = p + len;
    return true;
  }

  static bool String(Ptr& p, Ptr end, std::string_view* s) {
    Ptr e;
    if (!Length(p, end, &e)) return false;
    *s = std::string_view(reinterpret_cast<const char*>(p), static_cast<size_t>(e - p));
    p = e;
    return event::ValidUtf8Fast(*s);
  }

  static bool Value(Ptr p, Ptr end, ValueData* v) {
    v->Clear();
    bool has_member = false, has_metadata = false;
    while (p < end) {
      const uint8_t tag = *p++;
      if (tag == 0x0A) {  // tag
        if (!String(p, end, &v->tag)) return false;
      } else if (tag == 0x15 && !has_member) {  // simple_value
        if (end - p < 4) return false;
        uint32_t raw;
        std::memcpy(&raw, p, 4);
        p += 4;
        v->simple_value = std::bit_cast<float>(raw);
        v->kind = event::ValueKind::kSimpleValue;
        has_member = true;
      } else if (tag == 0x4A && !has_metadata) {  // metadata
        Ptr e;
        if (!Length(p, end, &e) || !Metadata(p, e, v)) return false;
        v->has_metadata = true;
        has_metadata = true;
        p = e;
      } else if (tag == 0x42 && !has_member) {  // tensor
        Ptr e;
        if (!Length(p, end, &e) || !Tensor(p, e, &v->tensor)) return false;
        v->kind = event::ValueKind::kTensor;
        has_member = true;
        p = e;
      } else {
        return false;
      }
    }
    return true;
  }

  static bool Metadata(Ptr p, Ptr end, ValueData* v) {
    bool has_plugin = false;
    std::string_view ignored;
    while (p < end) {
      const uint8_t tag = *p++;
      if (tag == 0x0A && !has_plugin) {  // plugin_data
        Ptr e;
        if (!Length(p, end, &e)) return false;
        while (p < e) {
          const uint8_t t = *p++;
          if (t == 0x0A) {  // plugin_name (string)
            if (!String(p, e, &v->plugin_name)) return false;
          } else if (t == 0x12) {  // content (bytes)
            Ptr ce;
            if (!Length(p, e, &ce)) return false;
            v->plugin_content = std::string_view(reinterpret_cast<const char*>(p), static_cast<size_t>(ce - p));
            p = ce;
          } else {
            return false;
          }
        }
        has_plugin = true;
      } else if (tag == 0x12 || tag == 0x1A) {  // display_name, summary_description
        if (!String(p, end, &ignored)) return false;
      } else if (tag == 0x20) {  // data_class
        uint64_t x;
        if (!event::wire_internal::ReadVarint(p, end, &x)) return false;
      } else {
        return false;
      }
    }
    return true;
  }

  static bool Tensor(Ptr p, Ptr end, TensorData* t) {
    bool has_shape = false;
    while (p < end) {
      const uint8_t tag = *p++;
      uint64_t x;
      if (tag == 0x08) {  // dtype
        if (!event::wire_internal::ReadVarint(p, end, &x)) return false;
        t->dtype = static_cast<int32_t>(x);
      } else if (tag == 0x12 && !has_shape) {  // tensor_shape: rank 0 only
        if (p >= end || *p++ != 0) return false;
        t->has_shape = true;
        has_shape = true;
      } else if (tag == 0x18) {  // version_number
        if (!event::wire_internal::ReadVarint(p, end, &x)) return false;
      } else if (tag == 0x22) {  // tensor_content
        Ptr e;
        if (!Length(p, end, &e)) return false;
        t->content = std::string_view(reinterpret_cast<const char*>(p), static_cast<size_t>(e - p));
        p = e;
      } else if (tag == 0x2D) {  // float_val, one element
        if (end - p < 4) return false;
        uint32_t raw;
        std::memcpy(&raw, p, 4);
        p += 4;
        t->chunks.push_back({5, false, raw, {}});
      } else if (tag == 0x31) {  // double_val, one element
        if (end - p < 8) return false;
        uint64_t raw;
        std::memcpy(&raw, p, 8);
        p += 8;
        t->chunks.push_back({6, false, raw, {}});
      } else if (tag == 0x2A || tag == 0x32) {  // float_val / double_val, packed
        Ptr e;
        if (!Length(p, end, &e) || (e - p) % (tag == 0x2A ? 4 : 8) != 0) return false;
        t->chunks.push_back({tag == 0x2A ? 5u : 6u, true, 0,
                             std::string_view(reinterpret_cast<const char*>(p), static_cast<size_t>(e - p))});
        p = e;
      } else {
        return false;
      }
    }
    return true;
  }
};

}  // namespace

bool DecodeForExport(std::string_view payload, DecodedEvent* out, event::WireError* error) {
  if (FastDecoder::Decode(payload, out)) return true;
  return DecodeForExportGeneric(payload, out, error);
}

bool DecodeForExportFast(std::string_view payload, DecodedEvent* out) { return FastDecoder::Decode(payload, out); }

bool DecodeForExportGeneric(std::string_view payload, DecodedEvent* out, event::WireError* error) {
  out->has_wall_time = false;
  out->wall_time = 0;
  out->step = 0;
  out->what = event::What::kNone;
  out->session_status = 0;
  out->count = 0;
  Visitor visitor(out);
  const auto* base = reinterpret_cast<const uint8_t*>(payload.data());
  event::Walker<Visitor> walker(&visitor, base);
  if (!walker.Message(event::kEvent, base, base + payload.size(), 0)) {
    *error = walker.error();
    out->count = 0;
    return false;
  }
  return true;
}

int64_t NumElements(const TensorData& t) {
  int64_t n = 1;
  for (int64_t d : t.dims) {
    if (d < 0) return -1;
    if (d != 0 && n > INT64_MAX / d) return -1;
    n *= d;
  }
  return n;
}

bool AppendTensorJson(const TensorData& t, uint64_t max_elements, std::string* out) {
  const size_t start = out->size();
  out->push_back('[');
  bool first = true;
  bool ok;
  if (t.dtype == kDtString) {
    const int64_t n = NumElements(t);
    ok = n >= 0 && static_cast<uint64_t>(n) <= max_elements && t.content.empty() &&
         t.strings.size() <= static_cast<uint64_t>(n);
    if (ok) {
      for (int64_t i = 0; i < n; ++i) {
        if (!first) out->push_back(',');
        first = false;
        // Padded like the numeric fields (np.pad edge), empty when none.
        const std::string_view s =
            t.strings.empty() ? std::string_view() : t.strings[std::min<size_t>(i, t.strings.size() - 1)];
        AppendJsonString(out, s);
      }
    }
  } else {
    ok = VisitElements(t, max_elements, [&](const Element& e) {
      if (!first) out->push_back(',');
      first = false;
      AppendElement(out, e);
    });
  }
  if (!ok) {
    out->resize(start);
    return false;
  }
  out->push_back(']');
  return true;
}

bool TensorScalar(const TensorData& t, double* value, bool* is_float32, bool* is_integer, int64_t* int_value) {
  if (t.dtype == kDtString || t.dtype == kDtComplex64 || t.dtype == kDtComplex128 || ValueField(t.dtype) == 0) {
    return false;
  }
  if (NumElements(t) != 1) return false;
  Element got;
  int seen = 0;
  if (!VisitElements(t, 1,
                     [&](const Element& e) {
                       got = e;
                       ++seen;
                     }) ||
      seen != 1) {
    return false;
  }
  *value = ElementDouble(got);
  *is_float32 = got.type == Element::kFloat;
  *is_integer = got.type == Element::kInt || got.type == Element::kUint || got.type == Element::kBool;
  *int_value = got.type == Element::kInt ? got.i : static_cast<int64_t>(got.u);
  if (got.type == Element::kUint && got.u > static_cast<uint64_t>(INT64_MAX)) *is_integer = false;
  return true;
}

bool TensorStrings(const TensorData& t, size_t max, std::vector<std::string_view>* out) {
  out->clear();
  if (t.dtype != kDtString) return false;
  const int64_t n = NumElements(t);
  if (n < 0 || static_cast<uint64_t>(n) > max || t.strings.size() > static_cast<uint64_t>(n)) return false;
  for (int64_t i = 0; i < n; ++i) {
    out->push_back(t.strings.empty() ? std::string_view() : t.strings[std::min<size_t>(i, t.strings.size() - 1)]);
  }
  return true;
}

bool TensorDoubles(const TensorData& t, size_t max, std::vector<double>* out) {
  out->clear();
  if (t.dtype == kDtString || ValueField(t.dtype) == 0) return false;
  return VisitElements(t, max, [&](const Element& e) { out->push_back(ElementDouble(e)); });
}

}  // namespace tblint::xport
