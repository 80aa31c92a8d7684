#include "event/schema.h"

#include <google/protobuf/descriptor.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "event.pb.h"

namespace tblint::event {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

constexpr std::array<const char*, kMsgCount> kNames = {
    "tensorboard.Event",
    "tensorboard.SourceMetadata",
    "tensorboard.LogMessage",
    "tensorboard.SessionLog",
    "tensorboard.TaggedRunMetadata",
    "tensorboard.Summary",
    "tensorboard.Summary.Value",
    "tensorboard.Summary.Image",
    "tensorboard.Summary.Audio",
    "tensorboard.SummaryMetadata",
    "tensorboard.SummaryMetadata.PluginData",
    "tensorboard.HistogramProto",
    "tensorboard.TensorProto",
    "tensorboard.TensorShapeProto",
    "tensorboard.TensorShapeProto.Dim",
    "tensorboard.ResourceHandleProto",
    "tensorboard.ResourceHandleProto.DtypeAndShape",
    "tensorboard.VariantTensorDataProto",
};

int IdOf(const Descriptor* d) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (d->full_name() == kNames[i]) return static_cast<int>(i);
  }
  // A message reachable from Event that the table does not know is a
  // programming error in this file, caught by the first test that runs.
  std::fprintf(stderr, "tblint: schema has no id for %s\n", d->full_name().c_str());
  std::abort();
}

std::array<MessageSpec, kMsgCount> Build() {
  std::array<MessageSpec, kMsgCount> specs;
  std::array<bool, kMsgCount> done{};
  std::vector<const Descriptor*> todo = {tensorboard::Event::descriptor()};
  while (!todo.empty()) {
    const Descriptor* d = todo.back();
    todo.pop_back();
    int id = IdOf(d);
    if (done[id]) continue;
    done[id] = true;
    MessageSpec& spec = specs[id];
    for (int i = 0; i < d->field_count(); ++i) {
      const FieldDescriptor* f = d->field(i);
      FieldSpec fs;
      fs.repeated = f->is_repeated();
      switch (f->type()) {
        case FieldDescriptor::TYPE_DOUBLE:
        case FieldDescriptor::TYPE_FIXED64:
        case FieldDescriptor::TYPE_SFIXED64:
          fs.kind = FieldKind::kFixed64;
          break;
        case FieldDescriptor::TYPE_FLOAT:
        case FieldDescriptor::TYPE_FIXED32:
        case FieldDescriptor::TYPE_SFIXED32:
          fs.kind = FieldKind::kFixed32;
          break;
        case FieldDescriptor::TYPE_STRING:
          // proto3 strings are UTF-8 checked by the parser; proto2 ones not.
          fs.kind = f->file()->syntax() == google::protobuf::FileDescriptor::SYNTAX_PROTO3 ? FieldKind::kString
                                                                                           : FieldKind::kBytes;
          break;
        case FieldDescriptor::TYPE_BYTES:
          fs.kind = FieldKind::kBytes;
          break;
        case FieldDescriptor::TYPE_MESSAGE:
          fs.kind = FieldKind::kMessage;
          fs.message = static_cast<uint8_t>(IdOf(f->message_type()));
          todo.push_back(f->message_type());
          break;
        case FieldDescriptor::TYPE_GROUP:
          std::abort();  // not used by the TensorBoard protos
        default:
          fs.kind = FieldKind::kVarint;  // ints, sints, bool, enum
          break;
      }
      // sint32/sint64 are zigzag varints; none of the Event protos use them,
      // and the walker only needs the wire shape anyway.
      if (static_cast<uint32_t>(f->number()) >= kMaxFieldNumber) {
        std::fprintf(stderr, "tblint: field %s is numbered above kMaxFieldNumber\n", f->full_name().c_str());
        std::abort();
      }
      spec.fields[static_cast<size_t>(f->number())] = fs;
    }
  }
  return specs;
}

}  // namespace

const MessageSpec* Schema() {
  static const std::array<MessageSpec, kMsgCount> specs = Build();
  return specs.data();
}

}  // namespace tblint::event
