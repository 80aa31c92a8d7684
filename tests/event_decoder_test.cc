// The zero-copy Event decoder must accept exactly what protobuf's parser
// accepts, and extract the same values. Checked on real corpus payloads, on
// many random mutations of them, on hand-written oneof cases, and on random
// sequences of valid Event fields (oneof members switched and repeated).
#include <doctest/doctest.h>
#include <google/protobuf/stubs/logging.h>

#include <algorithm>
#include <boost/filesystem.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "event.pb.h"
#include "event/event.h"
#include "record/record_reader.h"
#include "record/source.h"
#include "test_util.h"

namespace tblint {
namespace {

namespace fs = boost::filesystem;
using tensorboard::Event;
using tensorboard::Summary;

std::vector<std::string> CorpusPayloads() {
  std::vector<std::string> out;
  for (fs::recursive_directory_iterator it(test::SourceDir() + "/fixtures/corpus/cases"), end; it != end; ++it) {
    if (!fs::is_regular_file(it->status())) continue;
    if (it->path().filename().string().find("tfevents") == std::string::npos) continue;
    std::string bytes = test::ReadFile(it->path().string());
    MemorySource src(bytes);
    RecordReader reader(&src);
    Record r;
    while (reader.Next(&r)) {
      if (r.kind == RecordKind::kOk) out.emplace_back(r.payload);
    }
  }
  return out;
}

std::string Hex(std::string_view bytes) {
  std::string hex;
  for (unsigned char c : bytes) {
    char b[4];
    std::snprintf(b, sizeof b, "%02x", c);
    hex += b;
  }
  return hex;
}

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  }
  return out;
}

void SilenceProtobufLogs() {
  // protobuf logs every invalid UTF-8 string it meets; that is noise here.
  static const bool silenced = [] {
    google::protobuf::SetLogHandler(nullptr);
    return true;
  }();
  (void)silenced;
}

bool ProtobufAccepts(const std::string& payload) {
  SilenceProtobufLogs();
  Event e;
  return e.ParseFromString(payload);
}

// --- What protobuf's parsed message says each EventView field should be. ---

event::What ExpectedWhat(const Event& e) {
  switch (e.what_case()) {
    case Event::kFileVersion:
      return event::What::kFileVersion;
    case Event::kGraphDef:
      return event::What::kGraphDef;
    case Event::kSummary:
      return event::What::kSummary;
    case Event::kLogMessage:
      return event::What::kLogMessage;
    case Event::kSessionLog:
      return event::What::kSessionLog;
    case Event::kTaggedRunMetadata:
      return event::What::kTaggedRunMetadata;
    case Event::kMetaGraphDef:
      return event::What::kMetaGraphDef;
    case Event::WHAT_NOT_SET:
      break;
  }
  return event::What::kNone;
}

uint64_t ExpectedWhatBytes(const Event& e) {
  switch (e.what_case()) {
    case Event::kGraphDef:
      return e.graph_def().size();
    case Event::kMetaGraphDef:
      return e.meta_graph_def().size();
    case Event::kTaggedRunMetadata:
      return e.tagged_run_metadata().run_metadata().size();
    default:
      return 0;
  }
}

event::ValueKind ExpectedKind(const Summary::Value& v) {
  switch (v.value_case()) {
    case Summary::Value::kSimpleValue:
      return event::ValueKind::kSimpleValue;
    case Summary::Value::kObsoleteOldStyleHistogram:
      return event::ValueKind::kOldHistogram;
    case Summary::Value::kImage:
      return event::ValueKind::kImage;
    case Summary::Value::kHisto:
      return event::ValueKind::kHistogram;
    case Summary::Value::kAudio:
      return event::ValueKind::kAudio;
    case Summary::Value::kTensor:
      return event::ValueKind::kTensor;
    case Summary::Value::VALUE_NOT_SET:
      break;
  }
  return event::ValueKind::kNone;
}

double HalfBitsToDouble(uint16_t h) {
  const int exponent = (h >> 10) & 0x1F;
  const int mantissa = h & 0x3FF;
  const double sign = (h & 0x8000) ? -1.0 : 1.0;
  if (exponent == 0x1F) return mantissa ? NAN : sign * INFINITY;
  if (exponent == 0) return sign * mantissa / 16777216.0;  // subnormal: m * 2^-24
  return sign * std::ldexp(1.0 + mantissa / 1024.0, exponent - 15);
}

// The scalar TensorBoard reads from a value: simple_value, or a tensor of
// dtype float, double or half holding exactly one element, in tensor_content
// or in the repeated field of its dtype (as make_ndarray reads it).
bool ExpectedScalar(const Summary::Value& v, double* out) {
  if (v.has_simple_value()) {
    *out = v.simple_value();
    return true;
  }
  if (!v.has_tensor()) return false;
  const tensorboard::TensorProto& t = v.tensor();
  const std::string& c = t.tensor_content();
  switch (t.dtype()) {
    case tensorboard::DT_FLOAT:
      if (c.size() == 4) {
        float f;
        std::memcpy(&f, c.data(), 4);
        *out = f;
        return true;
      }
      if (c.empty() && t.float_val_size() == 1) {
        *out = t.float_val(0);
        return true;
      }
      return false;
    case tensorboard::DT_DOUBLE:
      if (c.size() == 8) {
        std::memcpy(out, c.data(), 8);
        return true;
      }
      if (c.empty() && t.double_val_size() == 1) {
        *out = t.double_val(0);
        return true;
      }
      return false;
    case tensorboard::DT_HALF:
      if (c.size() == 2) {
        uint16_t h;
        std::memcpy(&h, c.data(), 2);
        *out = HalfBitsToDouble(h);
        return true;
      }
      if (c.empty() && t.half_val_size() == 1) {
        *out = HalfBitsToDouble(static_cast<uint16_t>(t.half_val(0)));
        return true;
      }
      return false;
    default:
      return false;
  }
}

uint64_t Bits(double d) {
  uint64_t b;
  std::memcpy(&b, &d, 8);
  return b;
}

bool SameDouble(double a, double b) { return (std::isnan(a) && std::isnan(b)) || Bits(a) == Bits(b); }

// Decodes `payload` both ways and compares everything EventView exposes.
// Returns "" when the decoder and protobuf agree, else the first difference
// and the payload in hex, ready to paste into a test.
// DecodeEvent's fast path, whenever it takes a payload, must give exactly
// what the validated walker gives. "" when they agree (or the fast path
// declined the payload).
// Every field DecodeEvent fills, compared; "" when a and b agree.
std::string ViewsDiffer(const event::EventView& a, const event::EventView& b) {
  std::ostringstream d;
  auto check = [&](const char* field, bool same) {
    if (!same && d.tellp() == 0) d << field;
  };
  check("has_wall_time", a.has_wall_time == b.has_wall_time);
  check("wall_time", Bits(a.wall_time) == Bits(b.wall_time));
  check("step", a.step == b.step);
  check("what", a.what == b.what);
  check("file_version", a.file_version == b.file_version);
  check("source_writer", a.source_writer == b.source_writer);
  check("session_status", a.session_status == b.session_status);
  check("what_bytes", a.what_bytes == b.what_bytes);
  check("values.size()", a.values.size() == b.values.size());
  for (size_t i = 0; i < std::min(a.values.size(), b.values.size()); ++i) {
    const event::Value& x = a.values[i];
    const event::Value& y = b.values[i];
    check("tag", x.tag == y.tag);
    check("plugin_name", x.plugin_name == y.plugin_name);
    check("kind", x.kind == y.kind);
    check("has_scalar", x.has_scalar == y.has_scalar);
    check("scalar", Bits(x.scalar) == Bits(y.scalar));
    check("dtype", x.dtype == y.dtype);
  }
  return d.str();
}

std::string PathsDisagree(const std::string& payload) {
  // One fast view for every payload, as the scanner keeps one per file: its
  // metadata memo carries over from payload to payload (and the mutations
  // give it near-identical metadata bytes to tell apart).
  static event::EventView fast;
  event::EventView slow;
  event::WireError err;
  if (!event::DecodeEventFast(payload, &fast)) return "";
  if (!event::DecodeEventGeneric(payload, &slow, &err)) return "fast path accepted, walker rejected: " + err.what;
  const std::string field = ViewsDiffer(fast, slow);
  return field.empty() ? "" : "fast path and walker differ in " + field;
}

std::string Disagreement(const std::string& payload) {
  if (std::string paths = PathsDisagree(payload); !paths.empty()) return paths;
  SilenceProtobufLogs();
  Event e;
  const bool pb = e.ParseFromString(payload);
  // One view for every payload, as the scanner keeps one per file: its
  // record templates carry over from payload to payload, so every check
  // against protobuf also checks a template match (and its refusals) on
  // the corpus' records and on near-identical mutations of them.
  static event::EventView ev;
  event::WireError err;
  const bool ours = event::DecodeEvent(payload, &ev, &err);
  std::ostringstream d;
  auto differ = [&](const std::string& field, const auto& mine, const auto& theirs) {
    if (d.tellp() == 0) d << field << ": decoder " << mine << ", protobuf " << theirs;
  };
  if (pb != ours) {
    differ("accepted", ours, pb);
    d << " (decoder: " << err.what << " at " << err.offset << ")";
  } else if (pb) {
    if (ev.what != ExpectedWhat(e)) differ("what", static_cast<int>(ev.what), static_cast<int>(ExpectedWhat(e)));
    if (ev.file_version != e.file_version()) differ("file_version", ev.file_version, e.file_version());
    if (ev.step != e.step()) differ("step", ev.step, e.step());
    if (Bits(ev.wall_time) != Bits(e.wall_time())) differ("wall_time", ev.wall_time, e.wall_time());
    if (!ev.has_wall_time && Bits(ev.wall_time) != 0) differ("has_wall_time", ev.has_wall_time, e.wall_time());
    if (ev.session_status != e.session_log().status()) {
      differ("session_status", ev.session_status, e.session_log().status());
    }
    if (ev.source_writer != e.source_metadata().writer()) {
      differ("source_writer", ev.source_writer, e.source_metadata().writer());
    }
    if (ev.what_bytes != ExpectedWhatBytes(e)) differ("what_bytes", ev.what_bytes, ExpectedWhatBytes(e));
    const auto& values = e.summary().value();  // empty unless summary is the member set
    if (ev.values.size() != static_cast<size_t>(values.size())) {
      differ("values.size()", ev.values.size(), values.size());
    } else {
      for (int i = 0; i < values.size(); ++i) {
        const event::Value& mine = ev.values[static_cast<size_t>(i)];
        const Summary::Value& theirs = values[i];
        const std::string at = "values[" + std::to_string(i) + "].";
        if (mine.tag != theirs.tag()) differ(at + "tag", mine.tag, theirs.tag());
        const std::string& plugin = theirs.metadata().plugin_data().plugin_name();
        if (mine.plugin_name != plugin) differ(at + "plugin_name", mine.plugin_name, plugin);
        if (mine.kind != ExpectedKind(theirs)) {
          differ(at + "kind", static_cast<int>(mine.kind), static_cast<int>(ExpectedKind(theirs)));
        }
        // tensor() reads as the default TensorProto unless tensor is the member set.
        if (mine.dtype != theirs.tensor().dtype()) differ(at + "dtype", mine.dtype, theirs.tensor().dtype());
        double scalar = 0;
        const bool has_scalar = ExpectedScalar(theirs, &scalar);
        if (mine.has_scalar != has_scalar) {
          differ(at + "has_scalar", mine.has_scalar, has_scalar);
        } else if (has_scalar && !SameDouble(mine.scalar, scalar)) {
          differ(at + "scalar", mine.scalar, scalar);
        }
      }
    }
  }
  if (d.tellp() == 0) return "";
  d << "; payload " << Hex(payload);
  return d.str();
}

// Decodes a payload that must be valid, after checking that the decoder and
// protobuf agree on it. The view points into `payload`: keep it alive.
event::EventView DecodeValid(const std::string& payload) {
  CAPTURE(Hex(payload));
  REQUIRE(ProtobufAccepts(payload));
  CHECK(Disagreement(payload) == "");
  event::EventView ev;
  event::WireError err;
  REQUIRE(event::DecodeEvent(payload, &ev, &err));
  return ev;
}

// --- A tiny wire-format writer, to put fields in orders protobuf's own
// serializer never produces (oneof members switched or repeated). ---

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

std::string VarintField(uint32_t number, uint64_t v) {
  std::string out;
  PutVarint(&out, uint64_t{number} << 3);
  PutVarint(&out, v);
  return out;
}

std::string Fixed32Field(uint32_t number, uint32_t raw) {
  std::string out;
  PutVarint(&out, (uint64_t{number} << 3) | 5);
  out.append(reinterpret_cast<const char*>(&raw), 4);
  return out;
}

std::string FloatField(uint32_t number, float f) {
  uint32_t raw;
  std::memcpy(&raw, &f, 4);
  return Fixed32Field(number, raw);
}

std::string Fixed64Field(uint32_t number, uint64_t raw) {
  std::string out;
  PutVarint(&out, (uint64_t{number} << 3) | 1);
  out.append(reinterpret_cast<const char*>(&raw), 8);
  return out;
}

// A length-delimited field: a string, bytes, a packed array or a message.
std::string LenField(uint32_t number, const std::string& body) {
  std::string out;
  PutVarint(&out, (uint64_t{number} << 3) | 2);
  PutVarint(&out, body.size());
  return out + body;
}

std::string Raw(const void* p, size_t n) { return std::string(static_cast<const char*>(p), n); }

// Field numbers, from proto/*.proto.
namespace ev_field {
constexpr uint32_t kWallTime = 1, kStep = 2, kFileVersion = 3, kGraphDef = 4, kSummary = 5, kLogMessage = 6,
                   kSessionLog = 7, kTaggedRunMetadata = 8, kMetaGraphDef = 9, kSourceMetadata = 10;
}
namespace value_field {
constexpr uint32_t kTag = 1, kSimpleValue = 2, kOldHistogram = 3, kImage = 4, kHisto = 5, kAudio = 6, kNodeName = 7,
                   kTensor = 8, kMetadata = 9;
}
namespace tensor_field {
constexpr uint32_t kDtype = 1, kShape = 2, kContent = 4, kFloatVal = 5, kDoubleVal = 6, kIntVal = 7, kHalfVal = 13;
}

std::string SummaryOf(const std::vector<std::string>& values) {
  std::string body;
  for (const std::string& v : values) body += LenField(1, v);
  return LenField(ev_field::kSummary, body);
}

std::string TagField(const std::string& tag) { return LenField(value_field::kTag, tag); }
std::string TensorField(const std::string& body) { return LenField(value_field::kTensor, body); }
std::string DtypeField(int dtype) { return VarintField(tensor_field::kDtype, static_cast<uint64_t>(dtype)); }
std::string StatusField(int status) { return VarintField(1, static_cast<uint64_t>(status)); }

// Builds random but valid Event payloads by concatenating encoded fields, as
// no serializer would: oneof members of Event.what and of Summary.Value.value
// in random orders and repeats, explicit defaults, wrongly typed and unknown
// fields. Counts the oneof situations it produced, so a test can tell that
// they were exercised.
class EventFieldGenerator {
 public:
  struct Stats {
    int what_switches = 0;   // payloads where a different what member followed another
    int what_merges = 0;     // payloads where a message member of what repeated without a switch between
    int value_switches = 0;  // values where a different value member followed another
    int tensor_merges = 0;   // values where tensor repeated without a switch between
  };

  explicit EventFieldGenerator(uint64_t seed) : rng_(seed) {}

  std::string Payload() {
    std::string p;
    uint32_t last = 0;  // the last what member written
    bool switched = false, merged = false;
    for (int n = static_cast<int>(Below(9)); n > 0; --n) {
      uint32_t member = 0;
      p += EventField(&member);
      if (member == 0) continue;
      switched |= last != 0 && member != last;
      merged |= member == last && member >= ev_field::kSummary && member <= ev_field::kTaggedRunMetadata;
      last = member;
    }
    stats_.what_switches += switched;
    stats_.what_merges += merged;
    return p;
  }

  const Stats& stats() const { return stats_; }

 private:
  uint32_t Below(uint32_t n) { return static_cast<uint32_t>(rng_() % n); }
  bool OneIn(uint32_t n) { return Below(n) == 0; }
  template <class T, size_t N>
  T Pick(const T (&choices)[N]) {
    return choices[Below(N)];
  }

  // Short valid UTF-8 from a few pieces, so that tags repeat.
  std::string Text() {
    static const char* const kPieces[] = {"a", "b", "loss", "acc", "/", "\xc3\xa9", "\xe2\x82\xac"};
    std::string s;
    for (int n = static_cast<int>(Below(4)); n > 0; --n) s += Pick(kPieces);
    return s;
  }

  std::string Bytes() {
    std::string s(Below(13), '\0');
    for (char& c : s) c = static_cast<char>(rng_());
    return s;
  }

  uint64_t Varint() {
    const uint64_t kChoices[] = {0, 1, 2, 3, 7, 19, 300, ~uint64_t{0}, uint64_t{1} << 40};
    return OneIn(4) ? rng_() : Pick(kChoices);
  }

  uint32_t FloatBits() {
    const uint32_t kChoices[] = {
        0, 0x3F800000 /* 1 */, 0xC0200000 /* -2.5 */, 0x7FC00000 /* NaN */, 0x7F800000 /* inf */, 0x80000000 /* -0 */};
    return OneIn(4) ? static_cast<uint32_t>(rng_()) : Pick(kChoices);
  }

  uint64_t DoubleBits() {
    const uint64_t kChoices[] = {0, 0x3FF8000000000000 /* 1.5 */, 0x7FF8000000000000 /* NaN */,
                                 0xFFF0000000000000 /* -inf */};
    return OneIn(4) ? rng_() : Pick(kChoices);
  }

  uint64_t HalfBits() {
    const uint64_t kChoices[] = {0x3C00 /* 1 */, 0x7E00 /* NaN */, 0xFC00 /* -inf */, 0x0001,
                                 ~uint64_t{0} /* -1 as int32: 0xFFFF */};
    return OneIn(4) ? rng_() & 0xFFFF : Pick(kChoices);
  }

  // A field number the message does not know, or a known one with a
  // numeric wire type: when that is the wrong type (a varint graph_def),
  // protobuf keeps the field as an unknown one and sets no oneof member.
  // Known numbers get no length-delimited stray: random bytes would make an
  // invalid submessage or string.
  std::string StrayField(uint32_t known_max) {
    const bool known = OneIn(2);
    const uint32_t number = known ? 1 + Below(known_max) : known_max + 1 + Below(5);
    switch (Below(known ? 3 : 4)) {
      case 0:
        return VarintField(number, Varint());
      case 1:
        return Fixed32Field(number, FloatBits());
      case 2:
        return Fixed64Field(number, DoubleBits());
      default:
        return LenField(number, Bytes());
    }
  }

  std::string EventField(uint32_t* member) {
    using namespace ev_field;  // NOLINT: field numbers read better bare
    switch (Below(13)) {
      case 0:
        return Fixed64Field(kWallTime, DoubleBits());
      case 1:
        return VarintField(kStep, Varint());
      case 2:
        *member = kFileVersion;
        return LenField(kFileVersion, OneIn(2) ? "brain.Event:2" : Text());
      case 3:
        *member = kGraphDef;
        return LenField(kGraphDef, Bytes());
      case 4:
      case 5:
      case 6:
        *member = kSummary;
        return LenField(kSummary, SummaryBody());
      case 7:
        *member = kLogMessage;
        return LenField(kLogMessage, LogMessageBody());
      case 8:
        *member = kSessionLog;
        return LenField(kSessionLog, SessionLogBody());
      case 9:
        *member = kTaggedRunMetadata;
        return LenField(kTaggedRunMetadata, TaggedRunMetadataBody());
      case 10:
        *member = kMetaGraphDef;
        return LenField(kMetaGraphDef, Bytes());
      case 11:
        return LenField(kSourceMetadata, OneIn(4) ? "" : LenField(1, Text()));
      default:
        return StrayField(10);
    }
  }

  std::string SummaryBody() {
    std::string body;
    for (int n = static_cast<int>(Below(4)); n > 0; --n) body += OneIn(10) ? StrayField(1) : LenField(1, ValueBody());
    return body;
  }

  std::string ValueBody() {
    using namespace value_field;  // NOLINT
    std::string body;
    uint32_t last = 0;  // the last value member written
    bool switched = false, merged = false;
    for (int n = static_cast<int>(Below(7)); n > 0; --n) {
      uint32_t member = 0;
      switch (Below(14)) {
        case 0:
        case 1:
          body += TagField(Text());
          break;
        case 2:
          body += LenField(kNodeName, Text());
          break;
        case 3:
          body += LenField(kMetadata, MetadataBody());
          break;
        case 4:
        case 5:
          member = kSimpleValue;
          body += Fixed32Field(kSimpleValue, FloatBits());
          break;
        case 6:
          member = kOldHistogram;
          body += LenField(kOldHistogram, Bytes());
          break;
        case 7:
          member = kImage;
          body += LenField(kImage, OneIn(2) ? "" : VarintField(1, Varint()));
          break;
        case 8:
          member = kHisto;
          body += LenField(kHisto, OneIn(2) ? "" : Fixed64Field(1, DoubleBits()));
          break;
        case 9:
          member = kAudio;
          body += LenField(kAudio, OneIn(2) ? "" : Fixed32Field(1, FloatBits()));
          break;
        case 10:
          body += StrayField(9);
          break;
        default:
          member = kTensor;
          body += TensorField(TensorBody());
          break;
      }
      if (member == 0) continue;
      switched |= last != 0 && member != last;
      merged |= member == last && member == kTensor;
      last = member;
    }
    stats_.value_switches += switched;
    stats_.tensor_merges += merged;
    return body;
  }

  std::string MetadataBody() {
    static const char* const kPlugins[] = {"scalars", "histograms", "images", "text", "hparams", "custom", ""};
    std::string body;
    for (int n = static_cast<int>(Below(3)); n > 0; --n) {
      switch (Below(3)) {
        case 0: {
          std::string plugin_data = LenField(1, Pick(kPlugins));
          if (OneIn(2)) plugin_data += LenField(2, Bytes());
          body += LenField(1, OneIn(5) ? "" : plugin_data);
          break;
        }
        case 1:
          body += LenField(2, Text());
          break;  // display_name
        default:
          body += VarintField(4, Varint());
          break;  // data_class
      }
    }
    return body;
  }

  std::string TensorBody() {
    using namespace tensor_field;  // NOLINT
    const int kDtypes[] = {tensorboard::DT_FLOAT, tensorboard::DT_FLOAT,   tensorboard::DT_DOUBLE,
                           tensorboard::DT_HALF,  tensorboard::DT_INVALID, tensorboard::DT_INT32};
    std::string body;
    if (OneIn(3)) body += ScalarTensorBody();  // what writers write, before anything stranger
    for (int n = static_cast<int>(Below(5)); n > 0; --n) {
      switch (Below(12)) {
        case 0:
        case 1:
          body += OneIn(8) ? VarintField(kDtype, Varint()) : DtypeField(Pick(kDtypes));
          break;
        case 2:
          body += Fixed32Field(kFloatVal, FloatBits());
          break;
        case 3:
          body += Fixed64Field(kDoubleVal, DoubleBits());
          break;
        case 4:
          body += VarintField(kHalfVal, HalfBits());
          break;
        case 5:
        case 6: {  // a packed float_val, double_val or half_val of 0 to 2 elements
          const uint32_t field = Pick({kFloatVal, kDoubleVal, kHalfVal});
          std::string packed;
          for (int k = static_cast<int>(Below(3)); k > 0; --k) {
            if (field == kFloatVal) {
              const uint32_t raw = FloatBits();
              packed += Raw(&raw, 4);
            } else if (field == kDoubleVal) {
              const uint64_t raw = DoubleBits();
              packed += Raw(&raw, 8);
            } else {
              PutVarint(&packed, HalfBits());
            }
          }
          body += LenField(field, packed);
          break;
        }
        case 7:
        case 8: {
          std::string content(Pick({0, 2, 4, 8, 3}), '\0');
          for (char& c : content) c = static_cast<char>(rng_());
          body += LenField(kContent, content);
          break;
        }
        case 9:
          body += LenField(kShape, OneIn(2) ? "" : LenField(2, VarintField(1, 1 + Below(3))));
          break;
        case 10:
          body += VarintField(kIntVal, Varint());
          break;
        default:
          body += StrayField(17);
          break;
      }
    }
    return body;
  }

  // A tensor as TF2 writes a scalar: its dtype and one value of that type, in
  // the typed field or in tensor_content.
  std::string ScalarTensorBody() {
    using namespace tensor_field;  // NOLINT
    const bool content = OneIn(2);
    switch (Below(3)) {
      case 0: {
        const uint32_t raw = FloatBits();
        return DtypeField(tensorboard::DT_FLOAT) +
               (content ? LenField(kContent, Raw(&raw, 4)) : Fixed32Field(kFloatVal, raw));
      }
      case 1: {
        const uint64_t raw = DoubleBits();
        return DtypeField(tensorboard::DT_DOUBLE) +
               (content ? LenField(kContent, Raw(&raw, 8)) : Fixed64Field(kDoubleVal, raw));
      }
      default: {
        const uint16_t raw = static_cast<uint16_t>(HalfBits());
        return DtypeField(tensorboard::DT_HALF) +
               (content ? LenField(kContent, Raw(&raw, 2)) : VarintField(kHalfVal, raw));
      }
    }
  }

  std::string LogMessageBody() {
    std::string body;
    if (OneIn(2)) body += VarintField(1, Pick({0, 10, 40}));
    if (OneIn(2)) body += LenField(2, Text());
    return body;
  }

  std::string SessionLogBody() {
    std::string body;
    for (int n = static_cast<int>(Below(4)); n > 0; --n) {
      switch (Below(4)) {
        case 0:
        case 1:
          body += StatusField(static_cast<int>(Pick({0u, 1u, 2u, 3u, 9u})));
          break;
        case 2:
          body += LenField(2, Text());
          break;  // checkpoint_path
        default:
          body += LenField(3, Text());
          break;  // msg
      }
    }
    return body;
  }

  std::string TaggedRunMetadataBody() {
    std::string body;
    for (int n = static_cast<int>(Below(3)); n > 0; --n) body += OneIn(2) ? LenField(1, Text()) : LenField(2, Bytes());
    return body;
  }

  std::mt19937_64 rng_;
  Stats stats_;
};

// Damages a payload the ways a disk or a writer might.
void Mutate(std::mt19937_64& rng, std::string* p) {
  switch (rng() % 5) {
    case 0:  // flip a bit
      if (!p->empty()) (*p)[rng() % p->size()] ^= static_cast<char>(1 << (rng() % 8));
      break;
    case 1:  // truncate
      p->resize(rng() % (p->size() + 1));
      break;
    case 2:  // overwrite a byte
      if (!p->empty()) (*p)[rng() % p->size()] = static_cast<char>(rng());
      break;
    case 3: {  // insert random bytes
      std::string ins(1 + rng() % 4, '\0');
      for (char& c : ins) c = static_cast<char>(rng());
      p->insert(rng() % (p->size() + 1), ins);
      break;
    }
    default: {  // entirely random
      p->assign(rng() % 64, '\0');
      for (char& c : *p) c = static_cast<char>(rng());
    }
  }
}

TEST_CASE("the decoder extracts what protobuf parses from every corpus payload") {
  const std::vector<std::string> payloads = CorpusPayloads();
  REQUIRE(payloads.size() > 1000);
  size_t undecodable = 0;
  for (const std::string& p : payloads) {
    CHECK(Disagreement(p) == "");
    if (!ProtobufAccepts(p)) ++undecodable;
  }
  // The corpus holds exactly one spliced random payload (undecodable_record).
  CHECK(undecodable == 1);
}

TEST_CASE("the decoder's fast path takes the shapes writers produce, and only as the walker reads them") {
  // PyTorch's add_scalar: simple_value. TF2's tf.summary.scalar: a rank-0
  // DT_FLOAT tensor with plugin metadata on every value. A file_version.
  Event torch;
  torch.set_wall_time(1.7e9);
  torch.set_step(42);
  Summary::Value* v = torch.mutable_summary()->add_value();
  v->set_tag("train/loss");
  v->set_simple_value(0.25f);
  Event tf2;
  tf2.set_wall_time(1.7e9 + 1);
  tf2.set_step(7);
  Summary::Value* t = tf2.mutable_summary()->add_value();
  t->set_tag("lr");
  t->mutable_metadata()->mutable_plugin_data()->set_plugin_name("scalars");
  t->mutable_metadata()->set_data_class(tensorboard::DATA_CLASS_SCALAR);
  t->mutable_tensor()->set_dtype(tensorboard::DT_FLOAT);
  t->mutable_tensor()->mutable_tensor_shape();
  const float lr = 1e-3f;
  t->mutable_tensor()->set_tensor_content(std::string(reinterpret_cast<const char*>(&lr), 4));
  Event fv;
  fv.set_wall_time(1.7e9);
  fv.set_file_version("brain.Event:2");
  for (const Event* e : {&torch, &tf2, &fv}) {
    const std::string p = e->SerializeAsString();
    event::EventView ev;
    CHECK(event::DecodeEventFast(p, &ev));
    CHECK(PathsDisagree(p) == "");
    CHECK(Disagreement(p) == "");
  }
  event::EventView ev;
  const std::string tf2_bytes = tf2.SerializeAsString();  // the view points into it
  REQUIRE(event::DecodeEventFast(tf2_bytes, &ev));
  REQUIRE(ev.values.size() == 1);
  CHECK(ev.values[0].plugin_name == "scalars");
  CHECK(ev.values[0].has_scalar);
  CHECK(ev.values[0].scalar == doctest::Approx(1e-3));

  // Real payloads: most take the fast path, every one agrees with the walker.
  size_t fast = 0;
  const std::vector<std::string> payloads = CorpusPayloads();
  for (const std::string& p : payloads) {
    CHECK(PathsDisagree(p) == "");
    fast += event::DecodeEventFast(p, &ev) ? 1 : 0;
  }
  MESSAGE(fast << " of " << payloads.size() << " corpus payloads take the fast path");
  CHECK(fast > payloads.size() / 2);

  // What the fast path declines, the walker still reads: a field out of
  // serializer order, a repeated oneof member, an unknown field.
  const std::string torch_bytes = torch.SerializeAsString();
  const std::string reordered = torch_bytes.substr(9, 2) + torch_bytes.substr(0, 9) + torch_bytes.substr(11);
  REQUIRE(ProtobufAccepts(reordered));
  CHECK_FALSE(event::DecodeEventFast(reordered, &ev));
  CHECK(Disagreement(reordered) == "");
  event::WireError err;
  REQUIRE(event::DecodeEvent(reordered, &ev, &err));
  CHECK(ev.step == 42);
  REQUIRE(ev.values.size() == 1);
  CHECK(ev.values[0].scalar == 0.25);
  const std::string twice = torch_bytes + torch_bytes;  // summary twice: merged, two values
  CHECK_FALSE(event::DecodeEventFast(twice, &ev));
  REQUIRE(event::DecodeEvent(twice, &ev, &err));
  CHECK(ev.values.size() == 2);
  CHECK(Disagreement(twice) == "");
}

TEST_CASE("the decoder's record templates give the walker's result, and refuse near misses") {
  // The corpus in file order (as a scan reads it), a third of the records
  // with one byte changed: a template is predicted for nearly every scalar
  // record, and a changed byte outside the wall time, step and float must
  // make it refuse (then the fast path or the walker decides).
  const std::vector<std::string> payloads = CorpusPayloads();
  std::mt19937_64 rng(20261201);
  event::EventView ev;  // kept across payloads, like the scanner's
  size_t hits = 0, total = 0;
  for (int round = 0; round < 3; ++round) {
    for (std::string p : payloads) {
      if (rng() % 3 == 0 && !p.empty()) {
        if (rng() % 2 == 0) {
          p[rng() % p.size()] ^= static_cast<char>(1 << (rng() % 8));
        } else {
          p[rng() % p.size()] = static_cast<char>(rng());
        }
      }
      const auto* b = reinterpret_cast<const uint8_t*>(p.data());
      event::ScalarTemplates probe = ev.templates;
      event::EventView scratch;
      if (probe.Match(b, b + p.size(), scratch)) ++hits;
      ++total;
      event::WireError e1, e2;
      event::EventView fresh;
      const bool ours = event::DecodeEvent(p, &ev, &e1);
      const bool walker = event::DecodeEventGeneric(p, &fresh, &e2);
      REQUIRE(ours == walker);
      if (ours) REQUIRE(ViewsDiffer(ev, fresh) == "");
    }
  }
  MESSAGE(hits << " of " << total << " records decoded by a template");
  CHECK(hits * 5 > total);  // 26% when written: the corpus holds many non-scalar records
}

TEST_CASE("the decoder's record templates: thousands of distinct tags, then a fixed cycle, same results") {
  // Each tag once (learning never pays off, and pauses), then four tags in
  // a cycle with changing steps, values and wall times: every record must
  // decode as the walker decodes it, whichever path took it.
  event::EventView ev;
  auto payload = [](const std::string& tag, int64_t step, float value, bool tensor) {
    Event e;
    e.set_wall_time(1.7e9 + static_cast<double>(step) * 0.25);
    e.set_step(step);
    Summary::Value* v = e.mutable_summary()->add_value();
    v->set_tag(tag);
    if (tensor) {
      v->mutable_tensor()->set_dtype(tensorboard::DT_FLOAT);
      v->mutable_tensor()->mutable_tensor_shape();
      const char* bytes = reinterpret_cast<const char*>(&value);
      v->mutable_tensor()->set_tensor_content(std::string(bytes, 4));
      v->mutable_metadata()->mutable_plugin_data()->set_plugin_name("scalars");
    } else {
      v->set_simple_value(value);
    }
    return e.SerializeAsString();
  };
  std::vector<std::string> all;
  for (int i = 0; i < 3000; ++i) all.push_back(payload("distinct/" + std::to_string(i), i, 0.5f * i, i % 2 == 0));
  // 80,000 records: past the pause, so templates are learned again.
  for (int64_t step = 0; step < 20000; ++step) {
    for (int t = 0; t < 4; ++t) all.push_back(payload("cycle/" + std::to_string(t), step, 1.0f / (1 + step), t >= 2));
  }
  size_t hits = 0;
  for (const std::string& p : all) {
    event::EventView fresh;
    event::WireError e1, e2;
    const auto* b = reinterpret_cast<const uint8_t*>(p.data());
    event::ScalarTemplates probe = ev.templates;
    event::EventView scratch;
    if (probe.Match(b, b + p.size(), scratch)) ++hits;
    REQUIRE(event::DecodeEvent(p, &ev, &e1));
    REQUIRE(event::DecodeEventGeneric(p, &fresh, &e2));
    REQUIRE(ViewsDiffer(ev, fresh) == "");
  }
  // The records after the pause, but for the first of each tag.
  CHECK(hits > 10000);
}

TEST_CASE("the decoder's record templates: every single-byte change is refused or decoded as the walker does") {
  // Short and long tags: the template compare works on 16-byte chunks with
  // the float's bytes masked out, and a suffix shorter than 16 bytes is
  // compared through a chunk that starts in the record's head. Flipping any
  // one byte of a record that follows its template must either leave a
  // record equal to the template but for the float (a hit) or be refused;
  // either way the result is the walker's.
  auto payload = [](const std::string& tag, int64_t step, float value) {
    Event e;
    e.set_wall_time(1.7e9 + static_cast<double>(step));
    e.set_step(step);
    Summary::Value* v = e.mutable_summary()->add_value();
    v->set_tag(tag);
    v->set_simple_value(value);
    return e.SerializeAsString();
  };
  for (const std::string& tag : {std::string("a"), std::string("ab/c"), std::string(15, 'x'), std::string(100, 'y')}) {
    const std::string first = payload(tag, 1, 0.5f), second = payload(tag, 2, 0.75f);
    size_t flips = 0, hits = 0;
    for (size_t at = 0; at < second.size(); ++at) {
      for (int bit = 0; bit < 8; ++bit) {
        event::EventView ev;
        event::WireError err;
        // Twice: the template is learned, then predicted to follow itself.
        REQUIRE(event::DecodeEvent(first, &ev, &err));
        REQUIRE(event::DecodeEvent(first, &ev, &err));
        std::string p = second;
        p[at] = static_cast<char>(p[at] ^ (1 << bit));
        const auto* b = reinterpret_cast<const uint8_t*>(p.data());
        event::ScalarTemplates probe = ev.templates;
        event::EventView scratch;
        const bool hit = probe.Match(b, b + p.size(), scratch);
        // A hit only where the flip is in the head (wall time, the one-byte step) or the float.
        const size_t float_at = second.size() - 4;
        if (hit) CHECK_MESSAGE(((at >= 1 && at < 9) || at == 10 || at >= float_at), "at " << at);
        hits += hit ? 1 : 0;
        ++flips;
        event::EventView fresh;
        event::WireError e1, e2;
        const bool ours = event::DecodeEvent(p, &ev, &e1);
        REQUIRE(ours == event::DecodeEventGeneric(p, &fresh, &e2));
        if (ours) REQUIRE(ViewsDiffer(ev, fresh) == "");
      }
    }
    // The float's 32 flips and most of the wall time's 64 are hits (a flip
    // making the wall time's exponent all ones is a NaN, still a hit).
    CHECK(hits >= 32);
    CHECK(flips == second.size() * 8);
  }
}

TEST_CASE("the decoder agrees with protobuf on random mutations of real payloads") {
  const std::vector<std::string> payloads = CorpusPayloads();
  std::mt19937_64 rng(20261121);
  size_t rejected = 0, total = 0;
  for (int round = 0; round < 60000; ++round) {
    std::string p = payloads[rng() % payloads.size()];
    Mutate(rng, &p);
    REQUIRE(Disagreement(p) == "");
    ++total;
    rejected += ProtobufAccepts(p) ? 0 : 1;
  }
  MESSAGE(rejected << " of " << total << " mutated payloads rejected by both");
  CHECK(rejected > 1000);
  CHECK(total - rejected > 1000);
}

TEST_CASE("the decoder agrees with protobuf on random mutations of random field sequences") {
  EventFieldGenerator gen(7);
  std::mt19937_64 rng(20260707);
  size_t rejected = 0, total = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string p = gen.Payload();
    Mutate(rng, &p);
    REQUIRE(Disagreement(p) == "");
    ++total;
    rejected += ProtobufAccepts(p) ? 0 : 1;
  }
  MESSAGE(rejected << " of " << total << " mutated payloads rejected by both");
  CHECK(rejected > 1000);
  CHECK(total - rejected > 1000);
}

TEST_CASE("the decoder agrees with protobuf on random sequences of Event fields, oneofs switched and repeated") {
  EventFieldGenerator gen(20260708);
  constexpr int kPayloads = 30000;
  int with_values = 0, with_scalars = 0;
  for (int i = 0; i < kPayloads; ++i) {
    const std::string p = gen.Payload();
    CAPTURE(Hex(p));
    REQUIRE(ProtobufAccepts(p));  // the generator writes only valid fields
    REQUIRE(Disagreement(p) == "");
    event::EventView ev;
    event::WireError err;
    REQUIRE(event::DecodeEvent(p, &ev, &err));
    with_values += !ev.values.empty();
    for (const event::Value& v : ev.values) with_scalars += v.kind == event::ValueKind::kTensor && v.has_scalar;
  }
  const auto& stats = gen.stats();
  MESSAGE(kPayloads << " payloads: " << stats.what_switches << " switch Event.what, " << stats.what_merges
                    << " repeat one of its message members, " << with_values << " end with summary values; "
                    << stats.value_switches << " values switch their value member, " << stats.tensor_merges
                    << " merge two tensors, " << with_scalars << " tensor scalars");
  // Each oneof situation came up often enough to matter.
  CHECK(stats.what_switches > kPayloads / 4);
  CHECK(stats.what_merges > kPayloads / 20);
  CHECK(with_values > kPayloads / 10);
  CHECK(stats.value_switches > kPayloads / 10);
  CHECK(stats.tensor_merges > kPayloads / 50);
  CHECK(with_scalars > kPayloads / 100);
}

TEST_CASE("the decoder drops what a different member of Event.what set before it") {
  SUBCASE("summary, graph_def, summary keeps only the last summary's values") {
    // summary{value{tag:"a"}} graph_def:"" summary{value{tag:"b"}}
    const std::string p = Unhex("2a050a030a016122002a050a030a0162");
    const event::EventView ev = DecodeValid(p);
    CHECK(ev.what == event::What::kSummary);
    REQUIRE(ev.values.size() == 1);
    CHECK(ev.values[0].tag == "b");
    CHECK(ev.what_bytes == 0);
  }
  SUBCASE("a summary then a graph_def leaves no values") {
    const std::string p = SummaryOf({TagField("a")}) + LenField(ev_field::kGraphDef, "abcd");
    const event::EventView ev = DecodeValid(p);
    CHECK(ev.what == event::What::kGraphDef);
    CHECK(ev.values.empty());
    CHECK(ev.what_bytes == 4);
  }
  SUBCASE("a graph_def then a summary has no graph bytes") {
    const std::string p = LenField(ev_field::kGraphDef, "abcd") + SummaryOf({TagField("a")});
    const event::EventView ev = DecodeValid(p);
    CHECK(ev.what == event::What::kSummary);
    CHECK(ev.what_bytes == 0);
    CHECK(ev.values.size() == 1);
  }
  SUBCASE("a file_version then a session_log leaves no file_version") {
    const std::string p =
        LenField(ev_field::kFileVersion, "brain.Event:2") + LenField(ev_field::kSessionLog, StatusField(2));
    const event::EventView ev = DecodeValid(p);
    CHECK(ev.what == event::What::kSessionLog);
    CHECK(ev.file_version.empty());
    CHECK(ev.session_status == 2);
  }
  SUBCASE("a session_log then a file_version leaves no session status") {
    const std::string p =
        LenField(ev_field::kSessionLog, StatusField(2)) + LenField(ev_field::kFileVersion, "brain.Event:2");
    const event::EventView ev = DecodeValid(p);
    CHECK(ev.what == event::What::kFileVersion);
    CHECK(ev.file_version == "brain.Event:2");
    CHECK(ev.session_status == 0);
  }
  SUBCASE("a meta_graph_def then a tagged_run_metadata without run_metadata has no bytes") {
    const std::string p =
        LenField(ev_field::kMetaGraphDef, "abcd") + LenField(ev_field::kTaggedRunMetadata, LenField(1, "t"));
    const event::EventView ev = DecodeValid(p);
    CHECK(ev.what == event::What::kTaggedRunMetadata);
    CHECK(ev.what_bytes == 0);
  }
  SUBCASE("a tagged_run_metadata then a log_message has no bytes") {
    const std::string p = LenField(ev_field::kTaggedRunMetadata, LenField(2, "xyz")) +
                          LenField(ev_field::kLogMessage, VarintField(1, 40));
    const event::EventView ev = DecodeValid(p);
    CHECK(ev.what == event::What::kLogMessage);
    CHECK(ev.what_bytes == 0);
  }
  SUBCASE("a summary then a file_version then an empty summary leaves an empty summary") {
    const std::string p = SummaryOf({TagField("a"), TagField("b")}) + LenField(ev_field::kFileVersion, "v") +
                          LenField(ev_field::kSummary, "");
    const event::EventView ev = DecodeValid(p);
    CHECK(ev.what == event::What::kSummary);
    CHECK(ev.values.empty());
    CHECK(ev.file_version.empty());
  }
  SUBCASE("a wrongly typed member is an unknown field and switches nothing") {
    const std::string p = SummaryOf({TagField("a")}) + VarintField(ev_field::kGraphDef, 3) + SummaryOf({TagField("b")});
    const event::EventView ev = DecodeValid(p);
    CHECK(ev.what == event::What::kSummary);
    CHECK(ev.values.size() == 2);
  }
}

TEST_CASE("the decoder merges a message member of Event.what seen twice and replaces a string one") {
  SUBCASE("two summaries: the values of both") {
    const std::string p = SummaryOf({TagField("a")}) + SummaryOf({TagField("b"), TagField("c")});
    const event::EventView ev = DecodeValid(p);
    REQUIRE(ev.values.size() == 3);
    CHECK(ev.values[0].tag == "a");
    CHECK(ev.values[2].tag == "c");
  }
  SUBCASE("fields outside the oneof between two summaries do not clear the first") {
    const std::string p = SummaryOf({TagField("a")}) + VarintField(ev_field::kStep, 5) +
                          LenField(ev_field::kSourceMetadata, LenField(1, "w")) + SummaryOf({TagField("b")});
    const event::EventView ev = DecodeValid(p);
    CHECK(ev.values.size() == 2);
    CHECK(ev.step == 5);
    CHECK(ev.source_writer == "w");
  }
  SUBCASE("two session_logs: their fields merged") {
    const std::string p =
        LenField(ev_field::kSessionLog, StatusField(3)) + LenField(ev_field::kSessionLog, LenField(2, "ckpt"));
    const event::EventView ev = DecodeValid(p);
    CHECK(ev.session_status == 3);
  }
  SUBCASE("two session_logs: an explicit status 0 in the second wins") {
    const std::string p =
        LenField(ev_field::kSessionLog, StatusField(3)) + LenField(ev_field::kSessionLog, StatusField(0));
    const event::EventView ev = DecodeValid(p);
    CHECK(ev.session_status == 0);
  }
  SUBCASE("two tagged_run_metadata: the first's run_metadata survives a second without one") {
    const std::string p = LenField(ev_field::kTaggedRunMetadata, LenField(2, "xyz")) +
                          LenField(ev_field::kTaggedRunMetadata, LenField(1, "t"));
    const event::EventView ev = DecodeValid(p);
    CHECK(ev.what_bytes == 3);
  }
  SUBCASE("two graph_defs: the last one") {
    const std::string p = LenField(ev_field::kGraphDef, "abcd") + LenField(ev_field::kGraphDef, "ab");
    const event::EventView ev = DecodeValid(p);
    CHECK(ev.what_bytes == 2);
  }
}

TEST_CASE("the decoder drops what a different member of Summary.Value.value set before it") {
  using namespace value_field;  // NOLINT
  const std::string float_scalar =
      TensorField(DtypeField(tensorboard::DT_FLOAT) + FloatField(tensor_field::kFloatVal, 1.5f));
  SUBCASE("simple_value then an int tensor: no scalar") {
    const std::string p =
        SummaryOf({TagField("a") + FloatField(kSimpleValue, 2) + TensorField(DtypeField(tensorboard::DT_INT32))});
    const event::EventView ev = DecodeValid(p);
    REQUIRE(ev.values.size() == 1);
    CHECK(ev.values[0].kind == event::ValueKind::kTensor);
    CHECK_FALSE(ev.values[0].has_scalar);
    CHECK(ev.values[0].dtype == tensorboard::DT_INT32);
  }
  SUBCASE("a scalar tensor then simple_value: the simple value and no dtype") {
    const std::string p = SummaryOf({float_scalar + FloatField(kSimpleValue, 2)});
    const event::EventView ev = DecodeValid(p);
    REQUIRE(ev.values.size() == 1);
    CHECK(ev.values[0].kind == event::ValueKind::kSimpleValue);
    CHECK(ev.values[0].scalar == 2);
    CHECK(ev.values[0].dtype == 0);
  }
  SUBCASE("a scalar tensor then a histogram: no scalar, no dtype") {
    const std::string p = SummaryOf({float_scalar + LenField(kHisto, "")});
    const event::EventView ev = DecodeValid(p);
    REQUIRE(ev.values.size() == 1);
    CHECK(ev.values[0].kind == event::ValueKind::kHistogram);
    CHECK_FALSE(ev.values[0].has_scalar);
    CHECK(ev.values[0].dtype == 0);
  }
  SUBCASE("a tensor after an image starts afresh instead of merging into the earlier tensor") {
    const std::string p =
        SummaryOf({float_scalar + LenField(kImage, "") + TensorField(FloatField(tensor_field::kFloatVal, 2))});
    const event::EventView ev = DecodeValid(p);
    REQUIRE(ev.values.size() == 1);
    CHECK(ev.values[0].kind == event::ValueKind::kTensor);
    CHECK(ev.values[0].dtype == 0);
    CHECK_FALSE(ev.values[0].has_scalar);
  }
  SUBCASE("simple_value then obsolete_old_style_histogram: no scalar") {
    const std::string p = SummaryOf({FloatField(kSimpleValue, 2) + LenField(kOldHistogram, "h")});
    const event::EventView ev = DecodeValid(p);
    REQUIRE(ev.values.size() == 1);
    CHECK(ev.values[0].kind == event::ValueKind::kOldHistogram);
    CHECK_FALSE(ev.values[0].has_scalar);
  }
  SUBCASE("audio then simple_value: the simple value") {
    const std::string p = SummaryOf({LenField(kAudio, "") + FloatField(kSimpleValue, 3)});
    const event::EventView ev = DecodeValid(p);
    REQUIRE(ev.values.size() == 1);
    CHECK(ev.values[0].kind == event::ValueKind::kSimpleValue);
    CHECK(ev.values[0].scalar == 3);
  }
}

TEST_CASE("the decoder merges a tensor member repeated in one value into one tensor") {
  using namespace tensor_field;  // NOLINT
  SUBCASE("dtype in the first, the float in the second: a scalar") {
    const std::string p = SummaryOf(
        {TagField("x") + TensorField(DtypeField(tensorboard::DT_FLOAT)) + TensorField(FloatField(kFloatVal, 0.5f))});
    const event::EventView ev = DecodeValid(p);
    REQUIRE(ev.values.size() == 1);
    CHECK(ev.values[0].dtype == tensorboard::DT_FLOAT);
    REQUIRE(ev.values[0].has_scalar);
    CHECK(ev.values[0].scalar == 0.5);
  }
  SUBCASE("a float in each: two elements, not a scalar") {
    const std::string p = SummaryOf({TensorField(DtypeField(tensorboard::DT_FLOAT) + FloatField(kFloatVal, 1)) +
                                     TensorField(FloatField(kFloatVal, 2))});
    const event::EventView ev = DecodeValid(p);
    REQUIRE(ev.values.size() == 1);
    CHECK_FALSE(ev.values[0].has_scalar);
  }
  SUBCASE("the second tensor's dtype replaces the first's") {
    const double x = 4.0;
    const std::string p = SummaryOf({TensorField(DtypeField(tensorboard::DT_FLOAT) + LenField(kContent, Raw(&x, 8))) +
                                     TensorField(DtypeField(tensorboard::DT_DOUBLE))});
    const event::EventView ev = DecodeValid(p);
    REQUIRE(ev.values.size() == 1);
    CHECK(ev.values[0].dtype == tensorboard::DT_DOUBLE);
    REQUIRE(ev.values[0].has_scalar);
    CHECK(ev.values[0].scalar == 4.0);
  }
  SUBCASE("an explicit empty tensor_content in the second clears the first's") {
    const float f = 1;
    const std::string p = SummaryOf({TensorField(DtypeField(tensorboard::DT_FLOAT) + LenField(kContent, Raw(&f, 4))) +
                                     TensorField(LenField(kContent, ""))});
    const event::EventView ev = DecodeValid(p);
    REQUIRE(ev.values.size() == 1);
    CHECK_FALSE(ev.values[0].has_scalar);
  }
  SUBCASE("only the repeated field of the dtype holds the values") {
    // One float_val in a double tensor (or double_val in a float one) is not a
    // scalar, whichever tensor member it came in.
    const std::string alone = SummaryOf({TensorField(DtypeField(tensorboard::DT_DOUBLE) + FloatField(kFloatVal, 1))});
    const std::string merged = SummaryOf({TensorField(DtypeField(tensorboard::DT_DOUBLE)) +
                                          TensorField(FloatField(kFloatVal, 1) + LenField(kDoubleVal, ""))});
    const std::string in_float =
        SummaryOf({TensorField(DtypeField(tensorboard::DT_FLOAT) + Fixed64Field(kDoubleVal, Bits(1.0)))});
    for (const std::string* p : {&alone, &merged, &in_float}) {
      const event::EventView ev = DecodeValid(*p);
      REQUIRE(ev.values.size() == 1);
      CHECK(ev.values[0].dtype == (p == &in_float ? tensorboard::DT_FLOAT : tensorboard::DT_DOUBLE));
      CHECK_FALSE(ev.values[0].has_scalar);
    }
  }
}

TEST_CASE("the decoder reads tensor scalars, histograms and session logs") {
  event::EventView ev;
  event::WireError err;
  // The view points into the payload: keep each payload alive while it is used.
  const std::string tensor_scalar = events::TensorScalar(1.5, 7, "acc", 0.25f);
  REQUIRE(event::DecodeEvent(tensor_scalar, &ev, &err));
  REQUIRE(ev.values.size() == 1);
  CHECK(ev.values[0].kind == event::ValueKind::kTensor);
  CHECK(ev.values[0].tag_kind() == event::TagKind::kScalar);
  CHECK(ev.values[0].has_scalar);
  CHECK(ev.values[0].scalar == 0.25);
  CHECK(ev.step == 7);

  const std::string histogram = events::Histogram(1.5, 3, "w", 0.5);
  REQUIRE(event::DecodeEvent(histogram, &ev, &err));
  REQUIRE(ev.values.size() == 1);
  CHECK(ev.values[0].tag_kind() == event::TagKind::kHistogram);
  CHECK_FALSE(ev.values[0].has_scalar);

  const std::string session_log = events::SessionLog(1.5, 100, tensorboard::SessionLog::START);
  REQUIRE(event::DecodeEvent(session_log, &ev, &err));
  CHECK(ev.what == event::What::kSessionLog);
  CHECK(ev.session_status == 1);
  CHECK(ev.values.empty());

  // A scalar packed into tensor_content, as TF2 writes it.
  tensorboard::Event e;
  e.set_wall_time(2);
  auto* v = e.mutable_summary()->add_value();
  v->set_tag("lr");
  v->mutable_metadata()->mutable_plugin_data()->set_plugin_name("scalars");
  v->mutable_tensor()->set_dtype(tensorboard::DT_DOUBLE);
  const double x = INFINITY;
  v->mutable_tensor()->set_tensor_content(std::string(reinterpret_cast<const char*>(&x), 8));
  const std::string content = events::Serialize(e);
  REQUIRE(event::DecodeEvent(content, &ev, &err));
  REQUIRE(ev.values[0].has_scalar);
  CHECK(std::isinf(ev.values[0].scalar));
}

TEST_CASE("invalid UTF-8 in a tag is rejected like protobuf rejects it") {
  std::string p = events::Scalar(1, 1, "ab", 1.0f);
  const size_t at = p.find("ab");
  REQUIRE(at != std::string::npos);
  p[at] = static_cast<char>(0xC3);  // a lead byte followed by ASCII
  CHECK_FALSE(ProtobufAccepts(p));
  event::EventView ev;
  event::WireError err;
  CHECK_FALSE(event::DecodeEvent(p, &ev, &err));
  CHECK(err.what.find("UTF-8") != std::string::npos);
}

TEST_CASE("ValidUtf8 rejects overlongs, surrogates and out-of-range code points") {
  CHECK(event::ValidUtf8("plain ascii, long enough for the fast path"));
  CHECK(event::ValidUtf8("\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  CHECK_FALSE(event::ValidUtf8("\xc0\xaf"));          // overlong '/'
  CHECK_FALSE(event::ValidUtf8("\xed\xa0\x80"));      // surrogate
  CHECK_FALSE(event::ValidUtf8("\xf4\x90\x80\x80"));  // > U+10FFFF
  CHECK_FALSE(event::ValidUtf8("\xe2\x82"));          // cut short
}

}  // namespace
}  // namespace tblint
