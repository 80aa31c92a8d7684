#include "event/hparams.h"

#include <bit>
#include <cstring>

namespace tblint::event {
namespace {

// One field of a message: its number, wire type and value.
struct Field {
  uint32_t number = 0;
  uint32_t wire_type = 0;
  uint64_t varint = 0;     // wire types 0, 1 (raw bits) and 5 (raw bits)
  std::string_view bytes;  // wire type 2
};

// Walks the fields of one message in [p, end), as protobuf's parser reads
// them: unknown fields (groups included) are skipped, malformed ones fail.
class FieldReader {
 public:
  FieldReader(std::string_view msg, const char* base)
      : p_(reinterpret_cast<const uint8_t*>(msg.data())), end_(p_ + msg.size()), base_(base) {}

  // The next field; false at the end or on an error (then ok() is false).
  bool Next(Field* f) {
    using wire_internal::ReadVarint;
    while (p_ < end_) {
      const uint8_t* start = p_;
      uint64_t tag;
      if (!ReadVarint(p_, end_, &tag, 5)) return Fail(start, "malformed field tag");
      f->number = static_cast<uint32_t>(tag & 0xFFFFFFFFull) >> 3;
      f->wire_type = static_cast<uint32_t>(tag & 7);
      if (f->number == 0) return Fail(start, "field number 0");
      switch (f->wire_type) {
        case 0:
          if (!ReadVarint(p_, end_, &f->varint)) return Fail(start, "malformed varint");
          return true;
        case 1:
          if (end_ - p_ < 8) return Fail(start, "fixed64 field runs past the end");
          std::memcpy(&f->varint, p_, 8);
          p_ += 8;
          return true;
        case 5: {
          if (end_ - p_ < 4) return Fail(start, "fixed32 field runs past the end");
          uint32_t v;
          std::memcpy(&v, p_, 4);
          f->varint = v;
          p_ += 4;
          return true;
        }
        case 2: {
          uint64_t len;
          if (!ReadVarint(p_, end_, &len) || len > static_cast<uint64_t>(end_ - p_)) {
            return Fail(start, "length-delimited field runs past the end");
          }
          f->bytes = std::string_view(reinterpret_cast<const char*>(p_), len);
          p_ += len;
          return true;
        }
        case 3:
          if (!SkipGroup(f->number, 1)) return false;
          continue;  // an unknown group: not reported
        default:
          return Fail(start, "invalid wire type " + std::to_string(f->wire_type));
      }
    }
    return false;
  }

  bool ok() const { return ok_; }
  const WireError& error() const { return error_; }
  // Records an error found by the caller in the field just read.
  bool FailHere(std::string_view field, const std::string& what) { return Fail(field.data(), what); }

 private:
  bool Fail(const void* at, const std::string& what) {
    if (ok_) {
      error_.offset = static_cast<size_t>(static_cast<const char*>(at) - base_);
      error_.what = what;
    }
    ok_ = false;
    p_ = end_;
    return false;
  }

  bool SkipGroup(uint32_t number, int depth) {
    using wire_internal::ReadVarint;
    if (depth > kMaxDepth) return Fail(p_, "groups nested too deeply");
    while (true) {
      const uint8_t* start = p_;
      uint64_t tag, v;
      if (p_ >= end_) return Fail(p_, "group without end tag");
      if (!ReadVarint(p_, end_, &tag, 5)) return Fail(start, "malformed field tag");
      const uint32_t n = static_cast<uint32_t>(tag & 0xFFFFFFFFull) >> 3;
      const uint32_t wt = static_cast<uint32_t>(tag & 7);
      if (n == 0) return Fail(start, "field number 0");
      switch (wt) {
        case 0:
          if (!ReadVarint(p_, end_, &v)) return Fail(start, "malformed varint");
          break;
        case 1:
          if (end_ - p_ < 8) return Fail(start, "fixed64 field runs past the end");
          p_ += 8;
          break;
        case 5:
          if (end_ - p_ < 4) return Fail(start, "fixed32 field runs past the end");
          p_ += 4;
          break;
        case 2:
          if (!ReadVarint(p_, end_, &v) || v > static_cast<uint64_t>(end_ - p_)) {
            return Fail(start, "length-delimited field runs past the end");
          }
          p_ += v;
          break;
        case 3:
          if (!SkipGroup(n, depth + 1)) return false;
          break;
        case 4:
          if (n != number) return Fail(start, "mismatched group end tag");
          return true;
        default:
          return Fail(start, "invalid wire type " + std::to_string(wt));
      }
    }
  }

  const uint8_t* p_;
  const uint8_t* end_;
  const char* base_;
  bool ok_ = true;
  WireError error_;
};

// A field of the expected wire type, or a parse error as protobuf gives one
// for a known field of the wrong type (it reads it as unknown, so only the
// length-delimited and varint cases matter here; others are skipped).
bool Is(const Field& f, uint32_t number, uint32_t wire_type) { return f.number == number && f.wire_type == wire_type; }

bool String(FieldReader& r, const Field& f, std::string_view* out, const char* what) {
  if (!ValidUtf8(f.bytes)) return r.FailHere(f.bytes, std::string(what) + " is not valid UTF-8");
  *out = f.bytes;
  return true;
}

// google.protobuf.Value: the member set last wins.
bool DecodeValue(std::string_view msg, const char* base, HparamValueView* v, WireError* error) {
  FieldReader r(msg, base);
  Field f;
  while (r.Next(&f)) {
    if (Is(f, 1, 0)) {
      v->type = HparamType::kNull;
    } else if (Is(f, 2, 1)) {
      v->type = HparamType::kNumber;
      v->number = std::bit_cast<double>(f.varint);
    } else if (Is(f, 3, 2)) {
      if (!String(r, f, &v->str, "string_value")) break;
      v->type = HparamType::kString;
    } else if (Is(f, 4, 0)) {
      v->type = HparamType::kBool;
      v->boolean = f.varint != 0;
    } else if (Is(f, 5, 2)) {
      v->type = HparamType::kStruct;
    } else if (Is(f, 6, 2)) {
      v->type = HparamType::kList;
    }
  }
  if (!r.ok()) *error = r.error();
  return r.ok();
}

bool DecodeSessionStart(std::string_view msg, const char* base, HparamsPluginDataView* out, WireError* error) {
  FieldReader r(msg, base);
  Field f;
  while (r.Next(&f)) {
    if (Is(f, 1, 2)) {  // a map entry: key = 1, value = 2
      HparamValueView v;
      FieldReader entry(f.bytes, base);
      Field e;
      while (entry.Next(&e)) {
        if (Is(e, 1, 2)) {
          if (!String(entry, e, &v.name, "hparam name")) break;
        } else if (Is(e, 2, 2)) {
          v.type = HparamType::kUnset;  // a repeated value message merges; the last member set wins
          if (!DecodeValue(e.bytes, base, &v, error)) return false;
        }
      }
      if (!entry.ok()) {
        *error = entry.error();
        return false;
      }
      out->hparams.push_back(v);
    } else if (Is(f, 4, 2)) {
      if (!String(r, f, &out->group_name, "group_name")) break;
    }
  }
  if (!r.ok()) *error = r.error();
  return r.ok();
}

bool DecodeExperiment(std::string_view msg, const char* base, HparamsPluginDataView* out, WireError* error) {
  FieldReader r(msg, base);
  Field f;
  while (r.Next(&f)) {
    if (Is(f, 4, 2)) {
      HparamInfoView info;
      FieldReader h(f.bytes, base);
      Field e;
      while (h.Next(&e)) {
        if (Is(e, 1, 2)) {
          if (!String(h, e, &info.name, "HParamInfo.name")) break;
        } else if (Is(e, 4, 0)) {
          info.type = e.varint <= 3 ? static_cast<HparamDataType>(e.varint) : HparamDataType::kOther;
        }
      }
      if (!h.ok()) {
        *error = h.error();
        return false;
      }
      out->hparam_infos.push_back(info);
    } else if (Is(f, 5, 2)) {
      MetricNameView name;
      FieldReader m(f.bytes, base);
      Field e;
      while (m.Next(&e)) {
        if (!Is(e, 1, 2)) continue;
        FieldReader n(e.bytes, base);  // MetricName; repeated, it merges
        Field g;
        while (n.Next(&g)) {
          if (Is(g, 1, 2)) {
            if (!String(n, g, &name.group, "MetricName.group")) break;
          } else if (Is(g, 2, 2)) {
            if (!String(n, g, &name.tag, "MetricName.tag")) break;
          }
        }
        if (!n.ok()) {
          *error = n.error();
          return false;
        }
      }
      if (!m.ok()) {
        *error = m.error();
        return false;
      }
      out->metrics.push_back(name);
    }
  }
  if (!r.ok()) *error = r.error();
  return r.ok();
}

}  // namespace

const char* HparamTypeName(HparamType t) {
  switch (t) {
    case HparamType::kUnset:
      return "unset";
    case HparamType::kNull:
      return "null";
    case HparamType::kNumber:
      return "number";
    case HparamType::kString:
      return "string";
    case HparamType::kBool:
      return "bool";
    case HparamType::kStruct:
      return "struct";
    case HparamType::kList:
      return "list";
  }
  return "?";
}

bool DecodeHparamsPluginData(std::string_view content, HparamsPluginDataView* out, WireError* error) {
  *out = HparamsPluginDataView{};
  const char* base = content.data();
  FieldReader r(content, base);
  Field f;
  while (r.Next(&f)) {
    if (Is(f, 1, 0)) {
      out->version = static_cast<int32_t>(f.varint);
      continue;
    }
    HparamsDataKind kind = HparamsDataKind::kNone;
    if (Is(f, 2, 2)) kind = HparamsDataKind::kExperiment;
    if (Is(f, 3, 2)) kind = HparamsDataKind::kSessionStart;
    if (Is(f, 4, 2)) kind = HparamsDataKind::kSessionEnd;
    if (kind == HparamsDataKind::kNone) continue;
    if (kind != out->kind) {  // another member of the oneof: the one before is cleared
      out->hparams.clear();
      out->group_name = {};
      out->hparam_infos.clear();
      out->metrics.clear();
      out->status = 0;
      out->kind = kind;
    }
    bool ok = true;
    if (kind == HparamsDataKind::kExperiment) ok = DecodeExperiment(f.bytes, base, out, error);
    if (kind == HparamsDataKind::kSessionStart) ok = DecodeSessionStart(f.bytes, base, out, error);
    if (kind == HparamsDataKind::kSessionEnd) {
      FieldReader e(f.bytes, base);
      Field g;
      while (e.Next(&g)) {
        if (Is(g, 1, 0)) out->status = static_cast<int32_t>(g.varint);
      }
      if (!e.ok()) {
        *error = e.error();
        ok = false;
      }
    }
    if (!ok) return false;
  }
  if (!r.ok()) {
    *error = r.error();
    return false;
  }
  return true;
}

bool FindValueContent(std::string_view event_payload, size_t index, std::string_view* tag,
                      std::string_view* content) {
  const char* base = event_payload.data();
  FieldReader event(event_payload, base);
  Field f;
  size_t seen = 0;
  while (event.Next(&f)) {
    if (!Is(f, 5, 2)) continue;  // Event.summary
    FieldReader summary(f.bytes, base);
    Field v;
    while (summary.Next(&v)) {
      if (!Is(v, 1, 2)) continue;  // Summary.value
      if (seen++ != index) continue;
      *tag = {};
      *content = {};
      FieldReader value(v.bytes, base);
      Field g;
      while (value.Next(&g)) {
        if (Is(g, 1, 2)) *tag = g.bytes;
        if (!Is(g, 9, 2)) continue;  // Summary.Value.metadata
        FieldReader metadata(g.bytes, base);
        Field m;
        while (metadata.Next(&m)) {
          if (!Is(m, 1, 2)) continue;  // SummaryMetadata.plugin_data
          FieldReader plugin(m.bytes, base);
          Field p;
          while (plugin.Next(&p)) {
            if (Is(p, 2, 2)) *content = p.bytes;  // PluginData.content
          }
        }
      }
      return true;
    }
  }
  return false;
}

}  // namespace tblint::event
