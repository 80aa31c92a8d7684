// CSV and JSON Lines writers.
#include <array>
#include <cstring>

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

class TextSink : public RowSink {
 public:
  TextSink(OutputFormat format, const bool kinds[kKindCount], std::ostream* out)
      : csv_(format == OutputFormat::kCsv), out_(out), cols_(SelectedCols(kinds)) {
    buf_.reserve(kFlushAt + 4096);
    // The columns between value and offset are never a scalar's: one comma
    // each, plus the one before offset.
    for (Col c : cols_) {
      if (c > kValue && c < kOffset) scalar_gap_.push_back(',');
    }
    scalar_gap_.push_back(',');
  }

  bool Begin(std::string*) override {
    if (csv_) {
      for (size_t i = 0; i < cols_.size(); ++i) {
        if (i) buf_.push_back(',');
        buf_.append(kColNames[cols_[i]]);
      }
      buf_.append("\r\n");
    }
    return true;
  }

  void OnRow(const Row& r) override {
    // kind, dir_name and file_name come first in every row and repeat for a
    // whole file: rendered once per (kind, dir_name, file_name).
    buf_.append(Prefix(r));
    if (csv_ && r.kind == Kind::kScalar) {
      // The common row, spelled out: tag, step, wall_time, value, the other
      // kinds' empty cells, offset, record.
      buf_.push_back(',');
      AppendCsvField(&buf_, r.tag);
      buf_.push_back(',');
      AppendInt(&buf_, r.step);
      buf_.push_back(',');
      if (r.has_wall_time) AppendDouble(&buf_, r.wall_time, false);
      buf_.push_back(',');
      CsvCell(r, kValue);
      buf_.append(scalar_gap_);
      AppendUint(&buf_, r.offset);
      buf_.push_back(',');
      AppendUint(&buf_, r.record);
      buf_.append("\r\n");
    } else if (csv_) {
      for (size_t i = 3; i < cols_.size(); ++i) {
        buf_.push_back(',');
        CsvCell(r, cols_[i]);
      }
      buf_.append("\r\n");
    } else if (r.kind == Kind::kScalar) {
      // The common row, spelled out.
      buf_.append("\"tag\":");
      JsonString("tag", r.tag);
      buf_.append(",\"step\":");
      AppendInt(&buf_, r.step);
      buf_.append(",\"wall_time\":");
      if (r.has_wall_time) {
        AppendDouble(&buf_, r.wall_time, true);
      } else {
        buf_.append("null");
      }
      buf_.append(",\"value\":");
      JsonValue(r);
      buf_.append(",\"offset\":");
      AppendUint(&buf_, r.offset);
      buf_.append(",\"record\":");
      AppendUint(&buf_, r.record);
      buf_.append("}\n");
    } else {
      const std::vector<Col>& cols = KindCols(r.kind);
      for (size_t i = 3; i < cols.size(); ++i) {
        if (i > 3) buf_.push_back(',');
        JsonField(r, cols[i]);
      }
      buf_.append("}\n");
    }
    if (buf_.size() >= kFlushAt) Flush();
  }

  const std::string& Prefix(const Row& r) {
    PrefixCache& c = prefix_[static_cast<int>(r.kind)];
    if (!c.set || c.dir != r.dir_name || c.file != r.file_name) {
      c.set = true;
      c.dir.assign(r.dir_name);
      c.file.assign(r.file_name);
      std::string& p = c.text;
      p.clear();
      if (csv_) {
        p.append(KindName(r.kind));
        p.push_back(',');
        AppendCsvField(&p, r.dir_name);
        p.push_back(',');
        AppendCsvField(&p, r.file_name);
      } else {
        std::swap(p, buf_);  // JsonField appends to buf_
        buf_.push_back('{');
        JsonField(r, kKind);
        buf_.push_back(',');
        JsonField(r, kDirName);
        buf_.push_back(',');
        JsonField(r, kFileName);
        buf_.push_back(',');
        std::swap(p, buf_);
      }
    }
    return c.text;
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

  void Flush() {
    if (!buf_.empty()) out_->write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
    buf_.clear();
  }

  // The JSON string of a name, cached while the same name repeats.
  struct Cached {
    bool set = false;
    std::string key;
    std::string json;  // "\"...\"" plus, when not UTF-8, ",\"<key>_bytes\":\"...\""
  };
  const std::string& Name(Cached* c, const char* key, std::string_view s) {
    if (!c->set || c->key != s) {
      c->set = true;
      c->key.assign(s);
      c->json.clear();
      AppendJsonString(&c->json, s);
      if (NeedsBytes(s)) {
        c->json += ",\"";
        c->json += key;
        c->json += "_bytes\":\"" + Base64Encode(s) + "\"";
      }
    }
    return c->json;
  }

  void JsonString(const char* key, std::string_view s) {
    AppendJsonString(&buf_, s);
    if (NeedsBytes(s)) {
      buf_ += ",\"";
      buf_ += key;
      buf_ += "_bytes\":\"" + Base64Encode(s) + "\"";
    }
  }

  void JsonValue(const Row& r) {
    switch (r.value_type) {
      case ValueType::kNull:
        buf_.append("null");
        break;
      case ValueType::kFloat32:
        AppendFloat(&buf_, r.f32, true);
        break;
      case ValueType::kFloat64:
        AppendDouble(&buf_, r.f64, true);
        break;
      case ValueType::kInt:
        AppendInt(&buf_, r.i64);
        break;
      case ValueType::kBool:
        buf_.append(r.b ? "true" : "false");
        break;
      case ValueType::kString:
        JsonString("value", r.str);
        break;
      case ValueType::kJson:
        buf_.append(r.str);
        break;
    }
  }

  void JsonField(const Row& r, Col c) {
    buf_.push_back('"');
    buf_.append(kColNames[c]);
    buf_.append("\":");
    switch (c) {
      case kKind:
        buf_.push_back('"');
        buf_.append(KindName(r.kind));
        buf_.push_back('"');
        break;
      case kDirName:
        buf_.append(Name(&dir_, "dir_name", r.dir_name));
        break;
      case kFileName:
        buf_.append(Name(&file_, "file_name", r.file_name));
        break;
      case kTag:
        JsonString("tag", r.tag);
        break;
      case kStep:
        if (r.has_step) {
          AppendInt(&buf_, r.step);
        } else {
          buf_.append("null");
        }
        break;
      case kWallTime:
        if (r.has_wall_time) {
          AppendDouble(&buf_, r.wall_time, true);
        } else {
          buf_.append("null");
        }
        break;
      case kValue:
        JsonValue(r);
        break;
      case kDtype:
        AppendJsonString(&buf_, r.dtype);
        break;
      case kShape:
        buf_.append(r.shape);
        break;
      case kCounts:
        buf_.append(r.counts);
        break;
      case kLimits:
        buf_.append(r.limits);
        break;
      case kMin:
        AppendDouble(&buf_, r.min, true);
        break;
      case kMax:
        AppendDouble(&buf_, r.max, true);
        break;
      case kNum:
        AppendDouble(&buf_, r.num, true);
        break;
      case kSum:
        AppendDouble(&buf_, r.sum, true);
        break;
      case kSumSquares:
        AppendDouble(&buf_, r.sum_squares, true);
        break;
      case kSample:
        AppendInt(&buf_, r.sample);
        break;
      case kWidth:
        AppendInt(&buf_, r.width);
        break;
      case kHeight:
        AppendInt(&buf_, r.height);
        break;
      case kSampleRate:
        AppendDouble(&buf_, r.sample_rate, true);
        break;
      case kLength:
        AppendInt(&buf_, r.length);
        break;
      case kChannels:
        AppendInt(&buf_, r.channels);
        break;
      case kContentType:
        JsonString("content_type", r.content_type);
        break;
      case kSha256:
        AppendJsonString(&buf_, r.sha256);
        break;
      case kPath:
        if (r.path.empty()) {
          buf_.append("null");
        } else {
          JsonString("path", r.path);
        }
        break;
      case kGroup:
        JsonString("group_name", r.group);
        break;
      case kOffset:
        AppendUint(&buf_, r.offset);
        break;
      case kRecord:
        AppendUint(&buf_, r.record);
        break;
      case kColCount:
        break;
    }
  }

  static bool Has(Kind kind, Col c) {
    static const auto kHas = [] {
      std::array<std::array<bool, kColCount>, kKindCount> has{};
      for (int k = 0; k < kKindCount; ++k) {
        for (Col x : KindCols(static_cast<Kind>(k))) has[k][x] = true;
      }
      return has;
    }();
    return kHas[static_cast<int>(kind)][c];
  }

  void CsvCell(const Row& r, Col c) {
    if (c > kValue && c < kOffset && !Has(r.kind, c)) return;  // not this kind's column
    switch (c) {
      case kKind:
        buf_.append(KindName(r.kind));
        break;
      case kDirName:
        AppendCsvField(&buf_, r.dir_name);
        break;
      case kFileName:
        AppendCsvField(&buf_, r.file_name);
        break;
      case kTag:
        AppendCsvField(&buf_, r.tag);
        break;
      case kStep:
        if (r.has_step) AppendInt(&buf_, r.step);
        break;
      case kWallTime:
        if (r.has_wall_time) AppendDouble(&buf_, r.wall_time, false);
        break;
      case kValue:
        switch (r.value_type) {
          case ValueType::kNull:
            break;
          case ValueType::kFloat32:
            AppendFloat(&buf_, r.f32, false);
            break;
          case ValueType::kFloat64:
            AppendDouble(&buf_, r.f64, false);
            break;
          case ValueType::kInt:
            AppendInt(&buf_, r.i64);
            break;
          case ValueType::kBool:
            buf_.append(r.b ? "true" : "false");
            break;
          case ValueType::kString:
          case ValueType::kJson:
            AppendCsvField(&buf_, r.str);
            break;
        }
        break;
      case kDtype:
        buf_.append(r.dtype);
        break;
      case kShape:
        AppendCsvField(&buf_, r.shape);
        break;
      case kCounts:
        AppendCsvField(&buf_, r.counts);
        break;
      case kLimits:
        AppendCsvField(&buf_, r.limits);
        break;
      case kMin:
        AppendDouble(&buf_, r.min, false);
        break;
      case kMax:
        AppendDouble(&buf_, r.max, false);
        break;
      case kNum:
        AppendDouble(&buf_, r.num, false);
        break;
      case kSum:
        AppendDouble(&buf_, r.sum, false);
        break;
      case kSumSquares:
        AppendDouble(&buf_, r.sum_squares, false);
        break;
      case kSample:
        AppendInt(&buf_, r.sample);
        break;
      case kWidth:
        AppendInt(&buf_, r.width);
        break;
      case kHeight:
        AppendInt(&buf_, r.height);
        break;
      case kSampleRate:
        AppendDouble(&buf_, r.sample_rate, false);
        break;
      case kLength:
        AppendInt(&buf_, r.length);
        break;
      case kChannels:
        AppendInt(&buf_, r.channels);
        break;
      case kContentType:
        AppendCsvField(&buf_, r.content_type);
        break;
      case kSha256:
        buf_.append(r.sha256);
        break;
      case kPath:
        AppendCsvField(&buf_, r.path);
        break;
      case kGroup:
        AppendCsvField(&buf_, r.group);
        break;
      case kOffset:
        AppendUint(&buf_, r.offset);
        break;
      case kRecord:
        AppendUint(&buf_, r.record);
        break;
      case kColCount:
        break;
    }
  }

  const bool csv_;
  std::ostream* out_;
  const std::vector<Col> cols_;
  std::string buf_;
  Cached dir_, file_;
  std::string scalar_gap_;
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
