// CSV and JSON Lines writers. Both are driven by one column table: CellOf
// says what each column holds for a row (written once, for both formats),
// and two small encoders write a cell as CSV or as JSON. Per kind, the
// literal text between cells (separators, JSON keys, the empty cells of
// other kinds' columns in CSV) is computed once, so a row is a loop of
// "literal, cell" steps formatted straight into the output buffer.
#include <algorithm>
#include <charconv>
#include <cstring>
#include <memory>

#include "export/emit.h"
#include "export/sinks.h"
#include "util/text.h"

namespace tblint::xport {
namespace {

enum Col : uint8_t {
  kKind,
  kDirName,
  kFileName,
  kTag,
  kStep,
  kWallTime,
  kValue,
  kDtype,
  kShape,
  kCounts,
  kLimits,
  kMin,
  kMax,
  kNum,
  kSum,
  kSumSquares,
  kSample,
  kWidth,
  kHeight,
  kSampleRate,
  kLength,
  kChannels,
  kContentType,
  kSha256,
  kPath,
  kGroup,
  kOffset,
  kRecord,
  kColCount,
};

constexpr const char* kColNames[kColCount] = {
    "kind",   "dir_name", "file_name",    "tag",    "step", "wall_time",   "value",  "dtype", "shape",  "counts",
    "limits", "min",      "max",          "num",    "sum",  "sum_squares", "sample", "width", "height", "sample_rate",
    "length", "channels", "content_type", "sha256", "path", "group_name",  "offset", "record"};

// The columns every row starts with; the sinks render them once per
// (kind, dir_name, file_name).
constexpr size_t kPrefixCols = 3;

// The columns of each kind, in output order.
const std::vector<Col>& KindCols(Kind kind) {
  static const std::vector<Col> kCols[kKindCount] = {
      {kKind, kDirName, kFileName, kTag, kStep, kWallTime, kValue, kOffset, kRecord},
      {kKind, kDirName, kFileName, kTag, kStep, kWallTime, kValue, kDtype, kShape, kOffset, kRecord},
      {kKind, kDirName, kFileName, kTag, kStep, kWallTime, kCounts, kLimits, kMin, kMax, kNum, kSum, kSumSquares,
       kOffset, kRecord},
      {kKind, kDirName, kFileName, kTag, kStep, kWallTime, kSample, kWidth, kHeight, kChannels, kContentType, kSha256,
       kPath, kOffset, kRecord},
      {kKind, kDirName, kFileName, kTag, kStep, kWallTime, kSample, kSampleRate, kLength, kChannels, kContentType,
       kSha256, kPath, kOffset, kRecord},
      {kKind, kDirName, kFileName, kTag, kStep, kWallTime, kValue, kOffset, kRecord},
      {kKind, kDirName, kFileName, kTag, kStep, kWallTime, kValue, kOffset, kRecord},
      {kKind, kDirName, kFileName, kTag, kStep, kWallTime, kValue, kGroup, kOffset, kRecord},
  };
  return kCols[static_cast<int>(kind)];
}

std::vector<Col> SelectedCols(const bool kinds[kKindCount]) {
  bool used[kColCount] = {};
  for (int k = 0; k < kKindCount; ++k) {
    if (!kinds[k]) continue;
    for (Col c : KindCols(static_cast<Kind>(k))) used[c] = true;
  }
  std::vector<Col> out;
  for (int c = 0; c < kColCount; ++c) {
    if (used[c]) out.push_back(static_cast<Col>(c));
  }
  return out;
}

// ---- cells ----------------------------------------------------------------

// What a cell holds, which decides how each format writes it.
enum class CellType : uint8_t {
  kNull,   // CSV: empty; JSON: null
  kInt,    // i
  kUint,   // u
  kF32,    // f: shortest float32 form
  kF64,    // d: shortest double form
  kBool,   // b: true / false
  kText,   // s, any bytes: CSV: an RFC 4180 field; JSON: a string (+ "<col>_bytes" when not UTF-8)
  kToken,  // s, plain ASCII (kind, dtype, sha256): CSV: as is; JSON: a string
  kList,   // s, a JSON text (lists): CSV: an RFC 4180 field; JSON: as is
};

struct Cell {
  CellType type = CellType::kNull;
  bool b = false;
  float f = 0;
  int64_t i = 0;
  uint64_t u = 0;
  double d = 0;
  std::string_view s;
};

inline Cell Null() { return {}; }
inline Cell Int(int64_t v) {
  Cell c;
  c.type = CellType::kInt;
  c.i = v;
  return c;
}
inline Cell Uint(uint64_t v) {
  Cell c;
  c.type = CellType::kUint;
  c.u = v;
  return c;
}
inline Cell F64(double v) {
  Cell c;
  c.type = CellType::kF64;
  c.d = v;
  return c;
}
inline Cell Str(CellType type, std::string_view s) {
  Cell c;
  c.type = type;
  c.s = s;
  return c;
}

// The one place that says what every column holds.
inline Cell CellOf(const Row& r, Col col) {
  switch (col) {
    case kKind:
      return Str(CellType::kToken, KindName(r.kind));
    case kDirName:
      return Str(CellType::kText, r.dir_name);
    case kFileName:
      return Str(CellType::kText, r.file_name);
    case kTag:
      return Str(CellType::kText, r.tag);
    case kStep:
      return r.has_step ? Int(r.step) : Null();
    case kWallTime:
      return r.has_wall_time ? F64(r.wall_time) : Null();
    case kValue:
      switch (r.value_type) {
        case ValueType::kNull:
          return Null();
        case ValueType::kFloat32: {
          Cell c;
          c.type = CellType::kF32;
          c.f = r.f32;
          return c;
        }
        case ValueType::kFloat64:
          return F64(r.f64);
        case ValueType::kInt:
          return Int(r.i64);
        case ValueType::kBool: {
          Cell c;
          c.type = CellType::kBool;
          c.b = r.b;
          return c;
        }
        case ValueType::kString:
          return Str(CellType::kText, r.str);
        case ValueType::kJson:
          return Str(CellType::kList, r.str);
      }
      return Null();
    case kDtype:
      return Str(CellType::kToken, r.dtype);
    case kShape:
      return Str(CellType::kList, r.shape);
    case kCounts:
      return Str(CellType::kList, r.counts);
    case kLimits:
      return Str(CellType::kList, r.limits);
    case kMin:
      return F64(r.min);
    case kMax:
      return F64(r.max);
    case kNum:
      return F64(r.num);
    case kSum:
      return F64(r.sum);
    case kSumSquares:
      return F64(r.sum_squares);
    case kSample:
      return Int(r.sample);
    case kWidth:
      return Int(r.width);
    case kHeight:
      return Int(r.height);
    case kSampleRate:
      return F64(r.sample_rate);
    case kLength:
      return Int(r.length);
    case kChannels:
      return Int(r.channels);
    case kContentType:
      return Str(CellType::kText, r.content_type);
    case kSha256:
      return Str(CellType::kToken, r.sha256);
    case kPath:
      return r.path.empty() ? Null() : Str(CellType::kText, r.path);
    case kGroup:
      return Str(CellType::kText, r.group);
    case kOffset:
      return Uint(r.offset);
    case kRecord:
      return Uint(r.record);
    case kColCount:
      break;
  }
  return Null();
}

// ---- the output buffer ------------------------------------------------------

// Bytes formatted in place: Room(n) guarantees n writable bytes at the
// returned pointer, Commit(end) keeps what was written up to `end`.
class Buffer {
 public:
  explicit Buffer(size_t capacity) { Grow(capacity); }

  char* Room(size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) Grow(n);
    return p_;
  }
  void Commit(char* end) { p_ = end; }
  void Put(std::string_view s) {
    if (s.empty()) return;  // an empty view may hold nullptr: no memcpy
    char* p = Room(s.size());
    std::memcpy(p, s.data(), s.size());
    p_ = p + s.size();
  }
  void Put(char c) { *Room(1) = c, ++p_; }
  size_t size() const { return static_cast<size_t>(p_ - data_.get()); }
  std::string_view view() const { return {data_.get(), size()}; }
  void clear() { p_ = data_.get(); }

 private:
  void Grow(size_t n) {
    const size_t used = data_ ? size() : 0;
    const size_t old = data_ ? static_cast<size_t>(end_ - data_.get()) : 0;
    const size_t cap = std::max(old * 2, used + n);
    std::unique_ptr<char[]> bigger(new char[cap]);
    if (used) std::memcpy(bigger.get(), data_.get(), used);
    data_ = std::move(bigger);
    p_ = data_.get() + used;
    end_ = data_.get() + cap;
  }

  std::unique_ptr<char[]> data_;
  char* p_ = nullptr;
  char* end_ = nullptr;
};

// ---- the two encoders -------------------------------------------------------

template <class T>
void PutNumber(Buffer* out, T v) {
  char* p = out->Room(kMaxNumberChars);
  out->Commit(std::to_chars(p, p + kMaxNumberChars, v).ptr);
}

// An RFC 4180 field (see AppendCsvField), written in place.
void PutCsvField(Buffer* out, std::string_view s) {
  bool quote = !s.empty() && (s.front() == ' ' || s.back() == ' ');
  for (size_t i = 0; !quote && i < s.size(); ++i) {
    const char c = s[i];
    quote = c == ',' || c == '"' || c == '\n' || c == '\r';
  }
  if (!quote) return out->Put(s);
  char* p = out->Room(2 * s.size() + 2);
  *p++ = '"';
  for (char c : s) {
    if (c == '"') *p++ = '"';
    *p++ = c;
  }
  *p++ = '"';
  out->Commit(p);
}

void PutCsv(Buffer* out, const Cell& c) {
  switch (c.type) {
    case CellType::kNull:
      break;
    case CellType::kInt:
      PutNumber(out, c.i);
      break;
    case CellType::kUint:
      PutNumber(out, c.u);
      break;
    case CellType::kF32: {
      char* p = out->Room(kMaxNumberChars);
      out->Commit(WriteFloat(p, c.f, false));
      break;
    }
    case CellType::kF64: {
      char* p = out->Room(kMaxNumberChars);
      out->Commit(WriteDouble(p, c.d, false));
      break;
    }
    case CellType::kBool:
      out->Put(c.b ? std::string_view("true") : std::string_view("false"));
      break;
    case CellType::kToken:
      out->Put(c.s);
      break;
    case CellType::kText:
    case CellType::kList:
      PutCsvField(out, c.s);
      break;
  }
}

// A JSON string: plain printable ASCII is copied as it is; anything else goes
// through AppendJsonString (escapes, U+FFFD for invalid bytes).
// Returns true when `s` was plain (so it is valid UTF-8: no "_bytes" needed).
bool PutJsonString(Buffer* out, std::string_view s, std::string* scratch) {
  bool plain = true;
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7F || c == '"' || c == '\\') {
      plain = false;
      break;
    }
  }
  if (plain) {
    char* p = out->Room(s.size() + 2);
    *p++ = '"';
    if (!s.empty()) std::memcpy(p, s.data(), s.size());  // an empty view may hold nullptr
    p += s.size();
    *p++ = '"';
    out->Commit(p);
    return true;
  }
  scratch->clear();
  AppendJsonString(scratch, s);
  out->Put(*scratch);
  return false;
}

void PutJson(Buffer* out, const Cell& c, const char* col, std::string* scratch) {
  switch (c.type) {
    case CellType::kNull:
      out->Put("null");
      break;
    case CellType::kInt:
      PutNumber(out, c.i);
      break;
    case CellType::kUint:
      PutNumber(out, c.u);
      break;
    case CellType::kF32: {
      char* p = out->Room(kMaxNumberChars);
      out->Commit(WriteFloat(p, c.f, true));
      break;
    }
    case CellType::kF64: {
      char* p = out->Room(kMaxNumberChars);
      out->Commit(WriteDouble(p, c.d, true));
      break;
    }
    case CellType::kBool:
      out->Put(c.b ? std::string_view("true") : std::string_view("false"));
      break;
    case CellType::kToken:
      PutJsonString(out, c.s, scratch);
      break;
    case CellType::kText:
      if (!PutJsonString(out, c.s, scratch) && NeedsBytes(c.s)) {
        out->Put(",\"");
        out->Put(col);
        out->Put("_bytes\":\"");
        out->Put(Base64Encode(c.s));
        out->Put('"');
      }
      break;
    case CellType::kList:
      out->Put(c.s);
      break;
  }
}

// ---- the scalar fast path --------------------------------------------------

// Literal text between cells, padded so that it is copied with a fixed-size
// memcpy (a few vector moves, no call); the writer reserves kLitCopy bytes
// of room per literal.
constexpr size_t kLitCopy = 48;
struct Lit {
  char bytes[kLitCopy] = {};
  size_t size = 0;
};
inline bool MakeLit(std::string_view s, Lit* l) {
  if (s.size() > kLitCopy) return false;
  std::memcpy(l->bytes, s.data(), s.size());
  l->size = s.size();
  return true;
}
inline char* PutLit(char* p, const Lit& l) {
  std::memcpy(p, l.bytes, kLitCopy);
  return p + l.size;
}

// True when `s` is written as it is: in JSON between quotes (printable
// ASCII without quote or backslash, as PutJsonString's plain case, so valid
// UTF-8 and no "_bytes" sibling), in CSV bare (PutCsvField does not quote it).
inline bool PlainText(std::string_view s, bool csv) {
  if (csv) {
    if (!s.empty() && (s.front() == ' ' || s.back() == ' ')) return false;
    for (char c : s) {
      if (c == ',' || c == '"' || c == '\n' || c == '\r') return false;
    }
    return true;
  }
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7F || c == '"' || c == '\\') return false;
  }
  return true;
}

// ---- the sink -----------------------------------------------------------------

// One cell of a row: the literal text before it, then the column.
struct Step {
  Col col;
  std::string lead;
};

// How a row of one kind is written: its cells after the prefix, then `tail`.
struct Layout {
  std::vector<Step> steps;
  std::string tail;
};

class TextSink : public RowSink {
 public:
  TextSink(OutputFormat format, const bool kinds[kKindCount], std::ostream* out)
      : csv_(format == OutputFormat::kCsv), out_(out), cols_(SelectedCols(kinds)), buf_(kFlushAt + 65536) {
    for (int k = 0; k < kKindCount; ++k) layouts_[k] = MakeLayout(static_cast<Kind>(k));
    // The prefix: kind, dir_name, file_name (the first columns of every kind).
    for (size_t i = 0; i < kPrefixCols; ++i) {
      const Col c = static_cast<Col>(i);
      std::string lead = csv_ ? (i ? "," : "") : std::string(i ? "," : "{") + "\"" + kColNames[c] + "\":";
      prefix_layout_.steps.push_back({c, std::move(lead)});
    }
    prefix_layout_.tail = csv_ ? "" : ",";
    // The scalar fast path: its cells are tag, step, wall_time, value,
    // offset, record in both formats; their literals must fit a Lit.
    const Layout& l = layouts_[static_cast<int>(Kind::kScalar)];
    const Col want[] = {kTag, kStep, kWallTime, kValue, kOffset, kRecord};
    fast_ = l.steps.size() == 6 && MakeLit(l.tail, &fast_lits_[6]);
    for (size_t i = 0; fast_ && i < 6; ++i)
      fast_ = l.steps[i].col == want[i] && MakeLit(l.steps[i].lead, &fast_lits_[i]);
  }

  bool Begin(std::string*) override {
    if (csv_) {
      for (size_t i = 0; i < cols_.size(); ++i) {
        if (i) buf_.Put(',');
        buf_.Put(kColNames[cols_[i]]);
      }
      buf_.Put("\r\n");
    }
    return true;
  }

  void OnRow(const Row& r) override {
    const std::string_view prefix = Prefix(r);
    if (!(r.kind == Kind::kScalar && fast_ && WriteScalar(prefix, r))) {
      buf_.Put(prefix);
      Write(&buf_, r, layouts_[static_cast<int>(r.kind)]);
    }
    if (buf_.size() >= kFlushAt) Flush();
  }

  bool Finish(std::string* error) override {
    Flush();
    out_->flush();
    if (!*out_) {
      *error = "output could not be written";
      return false;
    }
    return true;
  }

  bool failed() const override { return !*out_; }

 private:
  static constexpr size_t kFlushAt = 1 << 20;

  Layout MakeLayout(Kind kind) const {
    Layout l;
    const std::vector<Col>& own = KindCols(kind);
    if (csv_) {
      // Every selected column; another kind's is an empty cell, folded into
      // the next lead (or the tail).
      std::string pending;
      for (size_t i = kPrefixCols; i < cols_.size(); ++i) {
        pending.push_back(',');
        if (std::find(own.begin(), own.end(), cols_[i]) == own.end()) continue;
        l.steps.push_back({cols_[i], pending});
        pending.clear();
      }
      l.tail = pending + "\r\n";
    } else {
      for (size_t i = kPrefixCols; i < own.size(); ++i) {
        l.steps.push_back({own[i], std::string(i > kPrefixCols ? "," : "") + "\"" + kColNames[own[i]] + "\":"});
      }
      l.tail = "}\n";
    }
    return l;
  }

  void Write(Buffer* out, const Row& r, const Layout& l) {
    for (const Step& s : l.steps) {
      out->Put(s.lead);
      const Cell c = CellOf(r, s.col);
      if (csv_) {
        PutCsv(out, c);
      } else {
        PutJson(out, c, kColNames[s.col], &scratch_);
      }
    }
    out->Put(l.tail);
  }

  // A scalar row of a number with step and wall time (nearly every row of a
  // typical logdir): the same bytes as Write, in one reserved span, with
  // fixed-size copies of the literals. False (nothing written) for anything
  // else, which goes through Write.
  bool WriteScalar(std::string_view prefix, const Row& r) {
    if (!r.has_step || !r.has_wall_time) return false;
    if (r.value_type != ValueType::kFloat32 && r.value_type != ValueType::kFloat64 && r.value_type != ValueType::kInt) {
      return false;
    }
    if (!PlainText(r.tag, csv_)) return false;
    const bool json = !csv_;
    char* p = buf_.Room(prefix.size() + r.tag.size() + 2 + 7 * kLitCopy + 5 * kMaxNumberChars);
    if (!prefix.empty()) std::memcpy(p, prefix.data(), prefix.size());
    p += prefix.size();
    p = PutLit(p, fast_lits_[0]);
    if (json) *p++ = '"';
    if (!r.tag.empty()) std::memcpy(p, r.tag.data(), r.tag.size());  // an empty view may hold nullptr
    p += r.tag.size();
    if (json) *p++ = '"';
    p = PutLit(p, fast_lits_[1]);
    p = std::to_chars(p, p + kMaxNumberChars, r.step).ptr;
    p = PutLit(p, fast_lits_[2]);
    p = WriteDouble(p, r.wall_time, json);
    p = PutLit(p, fast_lits_[3]);
    switch (r.value_type) {
      case ValueType::kFloat32:
        p = WriteFloat(p, r.f32, json);
        break;
      case ValueType::kFloat64:
        p = WriteDouble(p, r.f64, json);
        break;
      default:
        p = std::to_chars(p, p + kMaxNumberChars, r.i64).ptr;
        break;
    }
    p = PutLit(p, fast_lits_[4]);
    p = std::to_chars(p, p + kMaxNumberChars, r.offset).ptr;
    p = PutLit(p, fast_lits_[5]);
    p = std::to_chars(p, p + kMaxNumberChars, r.record).ptr;
    p = PutLit(p, fast_lits_[6]);
    buf_.Commit(p);
    return true;
  }

  // kind, dir_name and file_name repeat for a whole file: rendered once per
  // (kind, dir_name, file_name).
  std::string_view Prefix(const Row& r) {
    PrefixCache& c = prefix_[static_cast<int>(r.kind)];
    if (!c.set || c.dir != r.dir_name || c.file != r.file_name) {
      c.set = true;
      c.dir.assign(r.dir_name);
      c.file.assign(r.file_name);
      Buffer b(256);
      Write(&b, r, prefix_layout_);
      c.text.assign(b.view());
    }
    return c.text;
  }

  void Flush() {
    const std::string_view v = buf_.view();
    if (!v.empty()) out_->write(v.data(), static_cast<std::streamsize>(v.size()));
    buf_.clear();
  }

  const bool csv_;
  std::ostream* out_;
  const std::vector<Col> cols_;
  Buffer buf_;
  Layout layouts_[kKindCount];
  Layout prefix_layout_;
  bool fast_ = false;  // WriteScalar may be used
  Lit fast_lits_[7];   // its literals: before tag, step, wall_time, value, offset, record; the tail
  std::string scratch_;
  struct PrefixCache {
    bool set = false;
    std::string dir, file, text;
  };
  PrefixCache prefix_[kKindCount];
};

}  // namespace

std::vector<std::string> CsvColumns(const bool kinds[kKindCount]) {
  std::vector<std::string> out;
  for (Col c : SelectedCols(kinds)) out.push_back(kColNames[c]);
  return out;
}

std::unique_ptr<RowSink> MakeTextSink(OutputFormat format, const bool kinds[kKindCount], std::ostream* out) {
  return std::make_unique<TextSink>(format, kinds, out);
}

}  // namespace tblint::xport
