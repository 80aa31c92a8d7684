// Fuzzes the zero-copy Event decoder against protobuf's generated parser:
// DecodeEvent accepts a payload if and only if tensorboard::Event parses it,
// and then both agree on step, wall_time, which `what` is set, and the tags
// of the summary values TensorBoard would see.
#include <google/protobuf/stubs/logging.h>

#include <bit>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "event.pb.h"
#include "event/event.h"
#include "fuzz_util.h"

namespace tblint::fuzz {
namespace {

event::What WhatOf(const tensorboard::Event& e) {
  switch (e.what_case()) {
    case tensorboard::Event::kFileVersion:
      return event::What::kFileVersion;
    case tensorboard::Event::kGraphDef:
      return event::What::kGraphDef;
    case tensorboard::Event::kSummary:
      return event::What::kSummary;
    case tensorboard::Event::kLogMessage:
      return event::What::kLogMessage;
    case tensorboard::Event::kSessionLog:
      return event::What::kSessionLog;
    case tensorboard::Event::kTaggedRunMetadata:
      return event::What::kTaggedRunMetadata;
    case tensorboard::Event::kMetaGraphDef:
      return event::What::kMetaGraphDef;
    case tensorboard::Event::WHAT_NOT_SET:
      break;
  }
  return event::What::kNone;
}

}  // namespace
}  // namespace tblint::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // protobuf logs every invalid UTF-8 string it meets: noise here.
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tblint;
  using fuzz::Fail;
  const std::string_view payload(reinterpret_cast<const char*>(data), size);
  tensorboard::Event e;
  const bool theirs = e.ParseFromArray(data, static_cast<int>(size));
  event::EventView ev;
  event::WireError err;
  const bool ours = event::DecodeEvent(payload, &ev, &err);
  if (theirs != ours) {
    Fail(std::string("protobuf ") + (theirs ? "parses" : "rejects") + " the payload, DecodeEvent " +
         (ours ? "accepts it" : "rejects it (" + err.what + " at byte " + std::to_string(err.offset) + ")") +
         "; payload hex " + fuzz::Hex(payload));
  }
  if (!ours) return 0;
  const std::string where = "; payload hex " + fuzz::Hex(payload);
  if (ev.step != e.step()) {
    Fail("step " + std::to_string(ev.step) + " != protobuf's " + std::to_string(e.step()) + where);
  }
  // Bit for bit: NaN payloads and -0.0 included. proto3 has no presence, so
  // an absent wall_time is 0 on both sides.
  if (std::bit_cast<uint64_t>(ev.wall_time) != std::bit_cast<uint64_t>(e.wall_time())) {
    Fail("wall_time " + std::to_string(ev.wall_time) + " != protobuf's " + std::to_string(e.wall_time()) + where);
  }
  if (ev.what != fuzz::WhatOf(e)) {
    Fail("what " + std::to_string(static_cast<int>(ev.what)) + " != protobuf's case " +
         std::to_string(static_cast<int>(e.what_case())) + where);
  }
  if (e.has_file_version() && ev.file_version != e.file_version()) Fail("file_version differs" + where);
  // The tags TensorBoard sees: those of the summary protobuf keeps (none when
  // a later oneof member replaced it).
  const int n = e.has_summary() ? e.summary().value_size() : 0;
  if (ev.values.size() != static_cast<size_t>(n)) {
    Fail(std::to_string(ev.values.size()) + " summary values, protobuf keeps " + std::to_string(n) + where);
  }
  for (int i = 0; i < n; ++i) {
    if (ev.values[i].tag != e.summary().value(i).tag()) {
      Fail("tag " + std::to_string(i) + " '" + std::string(ev.values[i].tag) + "' != protobuf's '" +
           e.summary().value(i).tag() + "'" + where);
    }
  }
  return 0;
}
