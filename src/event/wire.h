// A zero-copy protobuf wire-format walker, validating against event::Schema()
// and reporting known fields to a visitor. Header-only so the visitor inlines.
#ifndef TBLINT_EVENT_WIRE_H_
#define TBLINT_EVENT_WIRE_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "event/schema.h"

namespace tblint::event {

struct WireError {
  size_t offset = 0;  // byte within the payload
  std::string what;
};

bool ValidUtf8(std::string_view s);

// Tags and plugin names are short ASCII: check those inline, a word at a
// time (the last word overlapping the one before), without a byte loop.
inline bool ValidUtf8Fast(std::string_view s) {
  const char* p = s.data();
  const size_t n = s.size();
  auto load = [p](size_t at, auto width) {
    decltype(width) w;
    std::memcpy(&w, p + at, sizeof w);
    return static_cast<uint64_t>(w);
  };
  uint64_t any;
  if (n >= 8) {
    if (n > 32) return ValidUtf8(s);
    any = load(n - 8, uint64_t{});
    for (size_t i = 0; i + 8 < n; i += 8) any |= load(i, uint64_t{});
  } else if (n >= 4) {
    any = load(0, uint32_t{}) | load(n - 4, uint32_t{});
  } else if (n > 0) {
    // 1 to 3 bytes: the first, the middle and the last.
    any = static_cast<unsigned char>(p[0]) | static_cast<unsigned char>(p[n / 2]) |
          static_cast<unsigned char>(p[n - 1]);
  } else {
    return true;
  }
  return (any & 0x8080808080808080ull) == 0 || ValidUtf8(s);
}

// protobuf's default recursion limit; deeper nesting fails to parse there too.
inline constexpr int kMaxDepth = 100;

namespace wire_internal {

inline bool ReadVarint(const uint8_t*& p, const uint8_t* end, uint64_t* out, int max_bytes = 10) {
  // Most tags and lengths in an Event fit in one byte.
  if (p < end && *p < 0x80) {
    *out = *p++;
    return true;
  }
  uint64_t v = 0;
  for (int i = 0; i < max_bytes; ++i) {
    if (p >= end) return false;
    uint8_t b = *p++;
    v |= static_cast<uint64_t>(b & 0x7F) << (7 * i);
    if ((b & 0x80) == 0) {
      *out = v;
      return true;
    }
  }
  return false;
}

}  // namespace wire_internal

// Visitor: see EventDecoder in event.cc for the interface it must provide
// (Begin, End, Varint, Fixed64, Fixed32, Bytes, Packed).
template <class Visitor>
class Walker {
 public:
  Walker(Visitor* v, const uint8_t* base) : v_(v), base_(base), schema_(Schema()) {}

  // Walks one message of type `root` occupying [p, root_end), at nesting
  // depth `root_depth`. Iterative, with an explicit stack of the messages
  // being walked: an Event nests up to seven deep, and a call per level was
  // the largest single cost of a scan.
  bool Message(uint8_t root, const uint8_t* p, const uint8_t* root_end, int root_depth) {
    using wire_internal::ReadVarint;
    struct Frame {
      const uint8_t* end;
      uint8_t msg;
    };
    Frame stack[kMaxDepth + 1];
    int sp = 0;
    stack[0] = {root_end, root};
    while (true) {
      if (p >= stack[sp].end) {
        if (sp == 0) return true;
        v_->End(stack[sp].msg, root_depth + sp);
        --sp;
        continue;
      }
      const uint8_t msg = stack[sp].msg;
      const uint8_t* const end = stack[sp].end;
      const int depth = root_depth + sp;
      const uint8_t* field_start = p;
      uint64_t tag;
      // Like protobuf: at most 5 bytes, bits above 32 dropped.
      if (!ReadVarint(p, end, &tag, 5)) return Fail(field_start, "malformed field tag");
      const uint32_t number = static_cast<uint32_t>(tag & 0xFFFFFFFFull) >> 3;
      const uint32_t wt = static_cast<uint32_t>(tag & 7);
      if (number == 0) return Fail(field_start, "field number 0");
      const FieldSpec* fs = schema_[msg].Find(number);
      const FieldKind kind = fs ? fs->kind : FieldKind::kUnknown;
      switch (wt) {
        case 0: {
          uint64_t v;
          if (!ReadVarint(p, end, &v)) return Fail(field_start, "malformed varint");
          if (kind == FieldKind::kVarint) v_->Varint(msg, number, v, depth);
          break;
        }
        case 1: {
          if (end - p < 8) return Fail(field_start, "fixed64 field runs past the end");
          uint64_t v;
          std::memcpy(&v, p, 8);
          p += 8;
          if (kind == FieldKind::kFixed64) v_->Fixed64(msg, number, v, depth);
          break;
        }
        case 5: {
          if (end - p < 4) return Fail(field_start, "fixed32 field runs past the end");
          uint32_t v;
          std::memcpy(&v, p, 4);
          p += 4;
          if (kind == FieldKind::kFixed32) v_->Fixed32(msg, number, v, depth);
          break;
        }
        case 2: {
          uint64_t len;
          if (!ReadVarint(p, end, &len) || len > static_cast<uint64_t>(end - p) || len > 0x7FFFFFFFull) {
            return Fail(field_start, "length-delimited field runs past the end");
          }
          const uint8_t* q = p;
          p += len;
          std::string_view bytes(reinterpret_cast<const char*>(q), len);
          switch (kind) {
            case FieldKind::kMessage:
              if (depth + 1 > kMaxDepth) return Fail(field_start, "messages nested too deeply");
              v_->Begin(fs->message, number, depth + 1);
              // Walk the submessage next; back here when p reaches its end.
              stack[++sp] = {p, fs->message};
              p = q;
              break;
            case FieldKind::kString:
              if (!ValidUtf8Fast(bytes)) return Fail(field_start, "string field is not valid UTF-8");
              v_->Bytes(msg, number, bytes, depth);
              break;
            case FieldKind::kBytes:
              v_->Bytes(msg, number, bytes, depth);
              break;
            case FieldKind::kVarint:
            case FieldKind::kFixed64:
            case FieldKind::kFixed32:
              if (fs->repeated) {
                if (!CheckPacked(kind, q, p)) return Fail(field_start, "malformed packed field");
                v_->Packed(msg, number, kind, bytes, depth);
              }
              break;
            case FieldKind::kUnknown:
              break;
          }
          break;
        }
        case 3:
          if (!SkipGroup(number, p, end, depth + 1)) return false;
          break;
        default:  // 4 (end group with no start) and the invalid 6, 7
          return FailWireType(field_start, wt);
      }
    }
  }

  const WireError& error() const { return error_; }

 private:
  // Out of line and cold: failures are rare, and building the message here
  // keeps the walker's hot frame small.
  [[gnu::noinline, gnu::cold]] bool Fail(const uint8_t* at, const char* what) {
    error_.offset = static_cast<size_t>(at - base_);
    error_.what = what;
    return false;
  }
  [[gnu::noinline, gnu::cold]] bool FailWireType(const uint8_t* at, uint32_t wt) {
    error_.offset = static_cast<size_t>(at - base_);
    error_.what = "invalid wire type " + std::to_string(wt);
    return false;
  }

  static bool CheckPacked(FieldKind kind, const uint8_t* p, const uint8_t* end) {
    size_t n = static_cast<size_t>(end - p);
    if (kind == FieldKind::kFixed64) return n % 8 == 0;
    if (kind == FieldKind::kFixed32) return n % 4 == 0;
    while (p < end) {
      uint64_t v;
      if (!wire_internal::ReadVarint(p, end, &v)) return false;
    }
    return true;
  }

  // Skips an unknown group up to its matching end tag, as protobuf does.
  bool SkipGroup(uint32_t number, const uint8_t*& p, const uint8_t* end, int depth) {
    using wire_internal::ReadVarint;
    if (depth > kMaxDepth) return Fail(p, "groups nested too deeply");
    while (true) {
      const uint8_t* field_start = p;
      uint64_t tag;
      if (p >= end) return Fail(p, "group without end tag");
      if (!ReadVarint(p, end, &tag, 5)) return Fail(field_start, "malformed field tag");
      const uint32_t n = static_cast<uint32_t>(tag & 0xFFFFFFFFull) >> 3;
      const uint32_t wt = static_cast<uint32_t>(tag & 7);
      if (n == 0) return Fail(field_start, "field number 0");
      uint64_t v;
      switch (wt) {
        case 0:
          if (!ReadVarint(p, end, &v)) return Fail(field_start, "malformed varint");
          break;
        case 1:
          if (end - p < 8) return Fail(field_start, "fixed64 field runs past the end");
          p += 8;
          break;
        case 5:
          if (end - p < 4) return Fail(field_start, "fixed32 field runs past the end");
          p += 4;
          break;
        case 2:
          if (!ReadVarint(p, end, &v) || v > static_cast<uint64_t>(end - p) || v > 0x7FFFFFFFull) {
            return Fail(field_start, "length-delimited field runs past the end");
          }
          p += v;
          break;
        case 3:
          if (!SkipGroup(n, p, end, depth + 1)) return false;
          break;
        case 4:
          if (n != number) return Fail(field_start, "mismatched group end tag");
          return true;
        default:
          return FailWireType(field_start, wt);
      }
    }
  }

  Visitor* v_;
  const uint8_t* base_;
  const MessageSpec* schema_;
  WireError error_;
};

}  // namespace tblint::event

#endif  // TBLINT_EVENT_WIRE_H_
