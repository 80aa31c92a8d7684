// A compact table of the Event schema, built once from the protobuf
// descriptors of proto/*.proto, that the wire walker validates against.
//
// tblint decodes payloads with its own zero-copy walker instead of
// Message::ParseFromArray: it allocates nothing per record and is several
// times faster, which is what lets a scan run at disk speed. The walker
// accepts exactly what protobuf's parser accepts (a differential test checks
// this on real and mutated payloads): well-formed wire format, nested known
// messages well-formed, proto3 strings valid UTF-8, packed fields whole.
#ifndef TBLINT_EVENT_SCHEMA_H_
#define TBLINT_EVENT_SCHEMA_H_

#include <array>
#include <cstdint>

namespace tblint::event {

// Every message type reachable from tensorboard.Event, in a fixed order so
// that the visitor can switch on compile-time ids.
enum MsgId : uint8_t {
  kEvent,
  kSourceMetadata,
  kLogMessage,
  kSessionLog,
  kTaggedRunMetadata,
  kSummary,
  kSummaryValue,
  kSummaryImage,
  kSummaryAudio,
  kSummaryMetadata,
  kPluginData,
  kHistogramProto,
  kTensorProto,
  kTensorShapeProto,
  kTensorShapeDim,
  kResourceHandleProto,
  kDtypeAndShape,
  kVariantTensorDataProto,
  kMsgCount,
};

enum class FieldKind : uint8_t {
  kUnknown,  // not in the schema: skipped like protobuf does
  kVarint,
  kFixed64,
  kFixed32,
  kString,  // proto3 string: must be valid UTF-8
  kBytes,
  kMessage,
};

struct FieldSpec {
  FieldKind kind = FieldKind::kUnknown;
  bool repeated = false;  // repeated numeric fields also accept packed form
  uint8_t message = 0;    // MsgId, for kMessage
};

// Field numbers in the TensorBoard protos stay below this (TensorProto's
// highest is 17); a flat array keeps the per-field lookup to one compare.
inline constexpr uint32_t kMaxFieldNumber = 32;

struct MessageSpec {
  std::array<FieldSpec, kMaxFieldNumber> fields{};  // indexed by field number
  const FieldSpec* Find(uint32_t number) const { return number < kMaxFieldNumber ? &fields[number] : nullptr; }
};

// The schema, built from the generated descriptors on first use.
const MessageSpec* Schema();

}  // namespace tblint::event

#endif  // TBLINT_EVENT_SCHEMA_H_
