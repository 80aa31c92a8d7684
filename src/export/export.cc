#include "export/export.h"

#include <fnmatch.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <unordered_map>

#include "event/preemption.h"
#include "export/decode.h"
#include "export/emit.h"
#include "export/sha256.h"
#include "record/record_reader.h"
#include "record/source.h"
#include "scan/discover.h"
#include "util/text.h"

namespace tblint::xport {
namespace {

constexpr std::string_view kTextSuffix = "/text_summary";
constexpr std::string_view kSessionStartTag = "_hparams_/session_start_info";
constexpr std::string_view kExperimentTag = "_hparams_/experiment";

struct StringHashX {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <class V>
using NameMap = std::unordered_map<std::string, V, StringHashX, std::equal_to<>>;

bool AnyGlob(const std::vector<std::string>& globs, std::string_view s) {
  if (globs.empty()) return true;
  const std::string z(s);
  for (const std::string& g : globs) {
    if (::fnmatch(g.c_str(), z.c_str(), 0) == 0) return true;
  }
  return false;
}

// ---- minimal protobuf reading for plugin content (not in the Event schema) --

struct Pb {
  const uint8_t* p;
  const uint8_t* end;
  explicit Pb(std::string_view s)
      : p(reinterpret_cast<const uint8_t*>(s.data())), end(reinterpret_cast<const uint8_t*>(s.data()) + s.size()) {}
  // Next field: false at the end or on malformed input (*bad set).
  bool Next(uint32_t* field, uint32_t* wt, uint64_t* v, std::string_view* bytes, bool* bad) {
    if (p >= end) return false;
    uint64_t tag;
    if (!event::wire_internal::ReadVarint(p, end, &tag)) return *bad = true, false;
    *field = static_cast<uint32_t>(tag >> 3);
    *wt = static_cast<uint32_t>(tag & 7);
    switch (*wt) {
      case 0:
        if (!event::wire_internal::ReadVarint(p, end, v)) return *bad = true, false;
        return true;
      case 1:
        if (end - p < 8) return *bad = true, false;
        std::memcpy(v, p, 8);
        p += 8;
        return true;
      case 5: {
        if (end - p < 4) return *bad = true, false;
        uint32_t x;
        std::memcpy(&x, p, 4);
        *v = x;
        p += 4;
        return true;
      }
      case 2: {
        uint64_t len;
        if (!event::wire_internal::ReadVarint(p, end, &len) || len > static_cast<uint64_t>(end - p)) {
          return *bad = true, false;
        }
        *bytes = std::string_view(reinterpret_cast<const char*>(p), len);
        p += len;
        return true;
      }
      default:
        return *bad = true, false;
    }
  }
};

// google.protobuf.Value: number, string or bool (others: null).
struct HparamValue {
  ValueType type = ValueType::kNull;
  double number = 0;
  bool b = false;
  std::string_view str;
};

bool ParseStructValue(std::string_view s, HparamValue* out) {
  Pb pb(s);
  uint32_t f, wt;
  uint64_t v = 0;
  std::string_view b;
  bool bad = false;
  while (pb.Next(&f, &wt, &v, &b, &bad)) {
    if (f == 2 && wt == 1) {
      out->type = ValueType::kFloat64;
      std::memcpy(&out->number, &v, 8);
    } else if (f == 3 && wt == 2) {
      out->type = ValueType::kString;
      out->str = b;
    } else if (f == 4 && wt == 0) {
      out->type = ValueType::kBool;
      out->b = v != 0;
    } else if (f == 1 && wt == 0) {
      out->type = ValueType::kNull;
    } else if ((f == 5 || f == 6) && wt == 2) {
      out->type = ValueType::kJson;  // struct / list: not a plain hyperparameter
      out->str = "null";
    }
  }
  return !bad;
}

// Image formats TensorBoard serves, by magic number.
std::string_view ImageContentType(std::string_view b) {
  if (b.size() >= 8 && b.substr(0, 8) == "\x89PNG\r\n\x1a\n") return "image/png";
  if (b.size() >= 3 && b.substr(0, 3) == "\xFF\xD8\xFF") return "image/jpeg";
  if (b.size() >= 4 && b.substr(0, 4) == "GIF8") return "image/gif";
  if (b.size() >= 2 && b.substr(0, 2) == "BM") return "image/bmp";
  if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP") return "image/webp";
  if (b.size() >= 5 && (b.substr(0, 5) == "<?xml" || b.substr(0, 4) == "<svg")) return "image/svg+xml";
  return "application/octet-stream";
}

uint32_t Le32(std::string_view b, size_t at) {
  return static_cast<uint32_t>(static_cast<unsigned char>(b[at])) |
         static_cast<uint32_t>(static_cast<unsigned char>(b[at + 1])) << 8 |
         static_cast<uint32_t>(static_cast<unsigned char>(b[at + 2])) << 16 |
         static_cast<uint32_t>(static_cast<unsigned char>(b[at + 3])) << 24;
}

// Sample rate, channels and frames of a RIFF/WAVE clip (new-style audio
// tensors carry no sample rate of their own).
bool WavInfo(std::string_view b, double* rate, int64_t* channels, int64_t* frames) {
  if (b.size() < 12 || b.substr(0, 4) != "RIFF" || b.substr(8, 4) != "WAVE") return false;
  size_t at = 12;
  uint32_t block_align = 0;
  bool fmt = false;
  while (at + 8 <= b.size()) {
    const std::string_view id = b.substr(at, 4);
    const uint32_t len = Le32(b, at + 4);
    const size_t body = at + 8;
    if (id == "fmt " && len >= 16 && body + 16 <= b.size()) {
      *channels = static_cast<unsigned char>(b[body + 2]) | static_cast<unsigned char>(b[body + 3]) << 8;
      *rate = Le32(b, body + 4);
      block_align = static_cast<unsigned char>(b[body + 12]) | static_cast<unsigned char>(b[body + 13]) << 8;
      fmt = true;
    } else if (id == "data" && fmt) {
      const uint64_t avail = std::min<uint64_t>(len, b.size() - body);
      *frames = block_align ? static_cast<int64_t>(avail / block_align) : 0;
      return true;
    }
    if (len > b.size() - body) break;
    at = body + len + (len & 1);
  }
  return fmt;
}

// A name made safe as one path component: [A-Za-z0-9._-] kept, every other
// byte %XX, a leading dot escaped, at most 96 bytes of the original.
std::string FileComponent(std::string_view s) {
  if (s.empty()) return "_";
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  size_t used = 0;
  for (char c : s) {
    if (++used > 96) {
      out += "~";
      break;
    }
    const unsigned char u = static_cast<unsigned char>(c);
    const bool keep = std::isalnum(u) || c == '_' || c == '-' || (c == '.' && !out.empty());
    if (keep && u < 0x80) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

std::string_view ExtensionFor(std::string_view content_type) {
  if (content_type == "image/png") return ".png";
  if (content_type == "image/jpeg") return ".jpg";
  if (content_type == "image/gif") return ".gif";
  if (content_type == "image/bmp") return ".bmp";
  if (content_type == "image/webp") return ".webp";
  if (content_type == "image/svg+xml") return ".svg";
  if (content_type == "audio/wav" || content_type == "audio/x-wav") return ".wav";
  if (content_type == "audio/mpeg") return ".mp3";
  if (content_type == "audio/ogg") return ".ogg";
  return ".bin";
}

// ---- the engine ----------------------------------------------------------

class Engine {
 public:
  Engine(const ExportOptions& options, RowSink* sink, std::ostream& err, ExportStats* stats)
      : opt_(options), sink_(sink), err_(err), stats_(stats) {}

  bool Logdir(const LogdirSpec& spec, std::string* error) {
    LintOptions lint;
    lint.now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    LogdirResult logdir;
    if (!Discover(spec.path, lint, &logdir, error)) return false;
    for (const PathProblem& p : logdir.problems) {
      err_ << "tblint: export: skipped " << EscapeForText(p.rel_path) << ": " << EscapeForText(p.what) << "\n";
    }
    for (const RunResult& run : logdir.runs) {
      RunRow rr;
      rr.dir_name = DirName(spec.name, logdir.single_file ? std::string(".") : run.name);
      if (!AnyGlob(opt_.run_globs, rr.dir_name)) continue;
      rr.logdir = spec.path;
      rr.path = run.path;
      std::vector<const FileInfo*> files;
      for (size_t i : run.file_indices) files.push_back(&logdir.files[i].info);
      rr.files = files.size();
      if (!Run(rr.dir_name, files)) return Failed(error);
      sink_->OnRun(rr);
      ++stats_->runs;
    }
    if (sink_->failed()) return Failed(error);
    return true;
  }

 private:
  bool Failed(std::string* error) {
    if (error->empty()) *error = "output could not be written";
    return false;
  }

  bool Run(const std::string& dir_name, const std::vector<const FileInfo*>& files) {
    const bool tb = opt_.view == View::kTensorBoard;
    if (tb) {
      preempt_.Clear();
      pass_ = 1;
      plugins_.clear();
      seq_ = 0;
      for (const FileInfo* f : files) ReadFile(dir_name, *f, nullptr);
      preempt_.Finish();
    }
    pass_ = 2;
    plugins_.clear();
    hparams_seen_.clear();
    seq_ = 0;
    for (const FileInfo* f : files) {
      FileRow fr;
      fr.dir_name = dir_name;
      fr.file_name = f->name();
      fr.path = f->path();
      fr.size = f->size;
      ReadFile(dir_name, *f, &fr);
      sink_->OnFile(fr);
      ++stats_->files;
      if (sink_->failed()) return false;
    }
    return true;
  }

  void Skip(FileRow* fr, uint64_t offset, uint64_t record, uint64_t bytes, std::string reason) {
    if (fr == nullptr) return;  // reported in pass 2 only
    SkippedRow s;
    s.dir_name = fr->dir_name;
    s.file_name = fr->file_name;
    s.path = fr->path;
    s.offset = offset;
    s.record = record;
    s.bytes = bytes;
    s.reason = std::move(reason);
    err_ << "tblint: export: skipped " << EscapeForText(s.path) << " at offset " << offset << " (record " << record
         << ", " << bytes << " bytes): " << EscapeForText(s.reason) << "\n";
    ++fr->skipped;
    ++stats_->skipped;
    sink_->OnSkipped(s);
  }

  // Reads one file: pass 1 (fr == nullptr) only collects preemptions.
  void ReadFile(const std::string& dir_name, const FileInfo& info, FileRow* fr) {
    const std::string file_name(info.name());
    FileSource src;
    if (std::error_code ec = src.Open(info.path())) {
      Skip(fr, 0, 0, info.size, "cannot open: " + ec.message());
      return;
    }
    const bool tb = opt_.view == View::kTensorBoard;
    RecordReader reader(&src);
    Record rec;
    event::WireError werr;
    while (true) {
      if (!reader.Next(&rec)) break;
      if (rec.kind == RecordKind::kOk) {
        if (fr) {
          ++fr->records;
          ++stats_->records;
          stats_->bytes += rec.end - rec.offset;
        }
        if (!rec.payload_in_memory) {
          Skip(fr, rec.offset, rec.index, rec.end - rec.offset,
               "record of " + std::to_string(rec.length) + " bytes is larger than the export limit");
          continue;
        }
        if (!DecodeForExport(rec.payload, &ev_, &werr)) {
          Skip(fr, rec.offset, rec.index, rec.end - rec.offset,
               "payload is not an Event (" + werr.what + " at byte " + std::to_string(werr.offset) + ")");
          if (tb) return;  // TensorBoard's Rust reader gives up on the file here
          continue;
        }
        Event(dir_name, file_name, rec, fr);
        if (fr && sink_->failed()) return;
        continue;
      }
      std::string reason = RecordKindName(rec.kind);
      if (rec.kind == RecordKind::kTruncated) reason += std::string(" (in the ") + SectionName(rec.section) + ")";
      if (rec.kind == RecordKind::kIoError) {
        reason += ": " + rec.error.message();
        Skip(fr, rec.offset, rec.index, reader.size() - rec.offset, reason);
        return;
      }
      // The tensorboard view stops at a file's first damage, as both of
      // TensorBoard's readers do; the raw view salvages every valid record.
      std::optional<uint64_t> next = tb ? std::nullopt : reader.Resync();
      const uint64_t until = next.value_or(reader.size());
      Skip(fr, rec.offset, rec.index, until - rec.offset, reason);
      if (!next) return;
    }
  }

  void Event(const std::string& dir_name, const std::string& file_name, const Record& rec, FileRow* fr) {
    if (ev_.what == event::What::kSessionLog && ev_.session_status == 1 && pass_ == 1) {
      preempt_.Start(seq_++, ev_.step);
      return;
    }
    if (ev_.what == event::What::kSessionLog && ev_.session_status == 1) {
      ++seq_;
      return;
    }
    if (ev_.what != event::What::kSummary) return;
    for (size_t i = 0; i < ev_.count; ++i) {
      const ValueData& v = ev_.values[i];
      std::string_view plugin = v.plugin_name;
      if (v.has_metadata) {
        auto it = plugins_.find(v.tag);
        if (it == plugins_.end()) {
          plugins_.emplace(std::string(v.tag), std::string(v.plugin_name));
        } else if (opt_.view == View::kTensorBoard) {
          plugin = it->second;  // the first metadata of a tag is the one that counts
        }
      } else if (v.kind == event::ValueKind::kTensor || v.kind == event::ValueKind::kNone) {
        auto it = plugins_.find(v.tag);
        if (it != plugins_.end()) plugin = it->second;
      }
      Value(dir_name, file_name, rec, v, plugin, fr);
      if (fr && sink_->failed()) return;
    }
  }

  // Whether a time-series point is shown (and, in pass 1, noted).
  bool Point(std::string_view tag, int64_t step) {
    if (opt_.view != View::kTensorBoard) return true;
    const uint64_t seq = seq_++;
    if (pass_ == 1) {
      preempt_.Point(tag, seq, step);
      return false;
    }
    return preempt_.Keeps(tag, seq, step) == event::Preemption::kKeep;
  }

  bool Wanted(Kind kind, std::string_view tag) const {
    return opt_.kinds[static_cast<int>(kind)] && AnyGlob(opt_.tag_globs, tag);
  }

  Row Base(Kind kind, const std::string& dir_name, const std::string& file_name, const Record& rec,
           std::string_view tag) const {
    Row r;
    r.kind = kind;
    r.dir_name = dir_name;
    r.file_name = file_name;
    r.tag = tag;
    r.step = ev_.step;
    r.has_wall_time = ev_.has_wall_time;
    r.wall_time = ev_.wall_time;
    r.offset = rec.offset;
    r.record = rec.index;
    return r;
  }

  void Emit(const Row& r, FileRow* fr) {
    sink_->OnRow(r);
    ++fr->rows;
    ++stats_->rows;
  }

  void Value(const std::string& dir_name, const std::string& file_name, const Record& rec, const ValueData& v,
             std::string_view plugin, FileRow* fr) {
    using event::ValueKind;
    switch (v.kind) {
      case ValueKind::kSimpleValue: {
        if (!Point(v.tag, ev_.step) || !fr || !Wanted(Kind::kScalar, v.tag)) return;
        Row r = Base(Kind::kScalar, dir_name, file_name, rec, v.tag);
        r.value_type = ValueType::kFloat32;
        r.f32 = v.simple_value;
        r.f64 = v.simple_value;
        return Emit(r, fr);
      }
      case ValueKind::kHistogram: {
        if (!Point(v.tag, ev_.step) || !fr || !Wanted(Kind::kHistogram, v.tag)) return;
        Row r = Base(Kind::kHistogram, dir_name, file_name, rec, v.tag);
        counts_.clear();
        limits_.clear();
        DoubleArray(v.counts, &counts_);
        DoubleArray(v.limits, &limits_);
        r.counts = counts_;
        r.limits = limits_;
        r.min = v.h_min;
        r.max = v.h_max;
        r.num = v.h_num;
        r.sum = v.h_sum;
        r.sum_squares = v.h_sum_squares;
        return Emit(r, fr);
      }
      case ValueKind::kImage: {
        if (!Point(v.tag, ev_.step) || !fr || !Wanted(Kind::kImage, v.tag)) return;
        Row r = Base(Kind::kImage, dir_name, file_name, rec, v.tag);
        r.width = v.width;
        r.height = v.height;
        r.channels = v.colorspace;
        return Media(r, v.encoded, ImageContentType(v.encoded), fr);
      }
      case ValueKind::kAudio: {
        if (!Point(v.tag, ev_.step) || !fr || !Wanted(Kind::kAudio, v.tag)) return;
        Row r = Base(Kind::kAudio, dir_name, file_name, rec, v.tag);
        r.sample_rate = v.sample_rate;
        r.length = v.length_frames;
        r.channels = v.channels;
        return Media(r, v.encoded, v.content_type, fr);
      }
      case ValueKind::kOldHistogram:
        return;  // obsolete; no TensorBoard reader shows it
      case ValueKind::kTensor:
      case ValueKind::kNone:
        break;
    }
    if (plugin == "hparams") return Hparams(dir_name, file_name, rec, v, fr);
    if (v.kind == ValueKind::kNone) return;  // metadata only
    if (plugin == "scalars") return TensorAsScalar(dir_name, file_name, rec, v, fr);
    if (plugin == "histograms") return TensorAsHistogram(dir_name, file_name, rec, v, fr);
    if (plugin == "text") return TensorAsText(dir_name, file_name, rec, v, fr);
    if (plugin == "images" || plugin == "audio") return TensorAsMedia(dir_name, file_name, rec, v, plugin, fr);
    if (!Point(v.tag, ev_.step) || !fr) return;
    EmitTensor(dir_name, file_name, rec, v, fr);
  }

  void DoubleArray(const std::vector<double>& v, std::string* out) {
    out->push_back('[');
    for (size_t i = 0; i < v.size(); ++i) {
      if (i) out->push_back(',');
      AppendDouble(out, v[i], true);
    }
    out->push_back(']');
  }

  void ShapeJson(const TensorData& t, std::string* out) {
    out->clear();
    out->push_back('[');
    for (size_t i = 0; i < t.dims.size(); ++i) {
      if (i) out->push_back(',');
      AppendInt(out, t.dims[i]);
    }
    out->push_back(']');
  }

  void EmitTensor(const std::string& dir_name, const std::string& file_name, const Record& rec, const ValueData& v,
                  FileRow* fr) {
    if (!Wanted(Kind::kTensor, v.tag)) return;
    Row r = Base(Kind::kTensor, dir_name, file_name, rec, v.tag);
    dtype_ = DtypeName(v.tensor.dtype);
    ShapeJson(v.tensor, &shape_);
    json_.clear();
    if (!AppendTensorJson(v.tensor, opt_.max_tensor_elements, &json_)) {
      Skip(fr, rec.offset, rec.index, rec.end - rec.offset,
           "tensor '" + std::string(v.tag) + "' has no readable values (dtype " + dtype_ + ", shape " + shape_ + ")");
      return;
    }
    r.value_type = ValueType::kJson;
    r.str = json_;
    r.dtype = dtype_;
    r.shape = shape_;
    Emit(r, fr);
  }

  void TensorAsScalar(const std::string& dir_name, const std::string& file_name, const Record& rec, const ValueData& v,
                      FileRow* fr) {
    double d;
    bool f32, integer;
    int64_t i;
    if (!TensorScalar(v.tensor, &d, &f32, &integer, &i)) {
      if (!Point(v.tag, ev_.step) || !fr) return;
      return EmitTensor(dir_name, file_name, rec, v, fr);
    }
    if (!Point(v.tag, ev_.step) || !fr || !Wanted(Kind::kScalar, v.tag)) return;
    Row r = Base(Kind::kScalar, dir_name, file_name, rec, v.tag);
    r.f64 = d;
    if (f32) {
      r.value_type = ValueType::kFloat32;
      r.f32 = static_cast<float>(d);
    } else if (integer) {
      r.value_type = ValueType::kInt;
      r.i64 = i;
    } else {
      r.value_type = ValueType::kFloat64;
    }
    Emit(r, fr);
  }

  // A [k, 3] tensor of (left, right, count), converted as tbparse's
  // tensor_to_histogram does.
  void TensorAsHistogram(const std::string& dir_name, const std::string& file_name, const Record& rec,
                         const ValueData& v, FileRow* fr) {
    const TensorData& t = v.tensor;
    const bool shaped = (t.dims.size() == 2 && t.dims[1] == 3) || (t.dims.size() == 1 && t.dims[0] == 0);
    if (!shaped || !TensorDoubles(t, opt_.max_tensor_elements, &doubles_)) {
      if (!Point(v.tag, ev_.step) || !fr) return;
      return EmitTensor(dir_name, file_name, rec, v, fr);
    }
    if (!Point(v.tag, ev_.step) || !fr || !Wanted(Kind::kHistogram, v.tag)) return;
    Row r = Base(Kind::kHistogram, dir_name, file_name, rec, v.tag);
    const size_t k = doubles_.size() / 3;
    std::vector<double>& limits = hist_limits_;
    std::vector<double>& counts = hist_counts_;
    limits.clear();
    counts.clear();
    double num = 0;
    if (k > 0) {
      limits.push_back(doubles_[0]);
      counts.push_back(0);
      for (size_t j = 0; j < k; ++j) {
        limits.push_back(doubles_[3 * j + 1]);
        counts.push_back(doubles_[3 * j + 2]);
        num += doubles_[3 * j + 2];
      }
    }
    counts_.clear();
    limits_.clear();
    DoubleArray(counts, &counts_);
    DoubleArray(limits, &limits_);
    r.counts = counts_;
    r.limits = limits_;
    r.min = k ? limits.front() : NAN;
    r.max = k ? limits.back() : NAN;
    r.num = num;
    r.sum = NAN;
    r.sum_squares = NAN;
    Emit(r, fr);
  }

  void TensorAsText(const std::string& dir_name, const std::string& file_name, const Record& rec, const ValueData& v,
                    FileRow* fr) {
    if (!TensorStrings(v.tensor, opt_.max_tensor_elements, &strings_)) {
      if (!Point(v.tag, ev_.step) || !fr) return;
      return EmitTensor(dir_name, file_name, rec, v, fr);
    }
    std::string_view tag = v.tag;
    // tbparse drops torch's and tensorboardX's "/text_summary" suffix.
    if (opt_.view == View::kRaw && tag.size() > kTextSuffix.size() && tag.ends_with(kTextSuffix)) {
      tag.remove_suffix(kTextSuffix.size());
    }
    if (!Point(v.tag, ev_.step) || !fr || !Wanted(Kind::kText, tag)) return;
    Row r = Base(Kind::kText, dir_name, file_name, rec, tag);
    if (strings_.size() == 1) {
      r.value_type = ValueType::kString;
      r.str = strings_[0];
    } else {
      json_.clear();
      json_.push_back('[');
      for (size_t i = 0; i < strings_.size(); ++i) {
        if (i) json_.push_back(',');
        AppendJsonString(&json_, strings_[i]);
      }
      json_.push_back(']');
      r.value_type = ValueType::kJson;
      r.str = json_;
    }
    Emit(r, fr);
  }

  void TensorAsMedia(const std::string& dir_name, const std::string& file_name, const Record& rec, const ValueData& v,
                     std::string_view plugin, FileRow* fr) {
    const bool image = plugin == "images";
    const Kind kind = image ? Kind::kImage : Kind::kAudio;
    if (!TensorStrings(v.tensor, opt_.max_tensor_elements, &strings_) || (image && strings_.size() < 2)) {
      if (!Point(v.tag, ev_.step) || !fr) return;
      return EmitTensor(dir_name, file_name, rec, v, fr);
    }
    if (!Point(v.tag, ev_.step) || !fr || !Wanted(kind, v.tag)) return;
    const std::vector<std::string_view> items = strings_;  // Media() may reuse strings_
    if (image) {
      // [width, height, image, image, ...]
      int64_t w = 0, h = 0;
      std::from_chars(items[0].data(), items[0].data() + items[0].size(), w);
      std::from_chars(items[1].data(), items[1].data() + items[1].size(), h);
      for (size_t i = 2; i < items.size(); ++i) {
        Row r = Base(kind, dir_name, file_name, rec, v.tag);
        r.sample = static_cast<int64_t>(i - 2);
        r.width = w;
        r.height = h;
        Media(r, items[i], ImageContentType(items[i]), fr);
      }
      return;
    }
    // [[clip, label], ...]: every other element is a clip.
    const bool pairs = v.tensor.dims.size() == 2 && v.tensor.dims[1] == 2;
    const size_t stride = pairs ? 2 : 1;
    for (size_t i = 0, n = 0; i < items.size(); i += stride, ++n) {
      Row r = Base(kind, dir_name, file_name, rec, v.tag);
      r.sample = static_cast<int64_t>(n);
      WavInfo(items[i], &r.sample_rate, &r.channels, &r.length);
      Media(r, items[i], items[i].substr(0, 4) == "RIFF" ? "audio/wav" : "application/octet-stream", fr);
    }
  }

  void Media(Row& r, std::string_view bytes, std::string_view content_type, FileRow* fr) {
    sha_ = Sha256Hex(bytes);
    r.sha256 = sha_;
    r.content_type = content_type;
    path_.clear();
    if (!opt_.media_dir.empty()) {
      path_ = opt_.media_dir + "/" + FileComponent(r.dir_name) + "__" + FileComponent(r.tag) + "__" +
              std::to_string(r.step) + "__" + sha_.substr(0, 16) + std::string(ExtensionFor(content_type));
      struct stat st;
      if (::stat(path_.c_str(), &st) != 0) {
        const std::string tmp = path_ + ".part";
        FILE* f = std::fopen(tmp.c_str(), "wb");
        bool ok = f != nullptr && std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
        if (f != nullptr) ok = std::fclose(f) == 0 && ok;
        ok = ok && std::rename(tmp.c_str(), path_.c_str()) == 0;
        if (!ok) {
          std::remove(tmp.c_str());
          err_ << "tblint: export: cannot write " << EscapeForText(path_) << "\n";
          path_.clear();
        }
      }
    }
    r.path = path_;
    Emit(r, fr);
  }

  void Hparams(const std::string& dir_name, const std::string& file_name, const Record& rec, const ValueData& v,
               FileRow* fr) {
    if (!fr) return;
    const bool ssi = v.tag == kSessionStartTag, exp = v.tag == kExperimentTag;
    if (!ssi && !exp) return;
    const Kind kind = ssi ? Kind::kHparam : Kind::kMetric;
    if (!opt_.kinds[static_cast<int>(kind)]) return;
    Pb top(v.plugin_content);
    uint32_t f, wt;
    uint64_t x = 0;
    std::string_view body;
    bool bad = false;
    while (top.Next(&f, &wt, &x, &body, &bad)) {
      if (wt != 2 || f != (ssi ? 3u : 2u)) continue;
      Pb msg(body);
      std::string_view item;
      while (msg.Next(&f, &wt, &x, &item, &bad)) {
        if (wt != 2 || f != (ssi ? 1u : 5u)) continue;
        std::string_view key, val;
        Pb entry(item);
        std::string_view b;
        while (entry.Next(&f, &wt, &x, &b, &bad)) {
          if (ssi && wt == 2 && f == 1) key = b;
          if (ssi && wt == 2 && f == 2) val = b;
          if (!ssi && wt == 2 && f == 1) val = b;  // MetricInfo.name (MetricName)
          if (!ssi && wt == 2 && f == 3) key = b;  // display_name
        }
        if (bad) break;
        if (ssi) {
          HparamValue hv;
          if (!ParseStructValue(val, &hv)) {
            bad = true;
            break;
          }
          if (!Wanted(kind, key)) continue;
          if (opt_.view == View::kTensorBoard && !hparams_seen_.emplace(std::string(key)).second) continue;
          Row r = Base(kind, dir_name, file_name, rec, key);
          r.value_type = hv.type;
          r.f64 = hv.number;
          r.b = hv.b;
          r.str = hv.str;
          Emit(r, fr);
        } else {
          std::string_view group, tag;
          Pb name(val);
          std::string_view b;
          while (name.Next(&f, &wt, &x, &b, &bad)) {
            if (wt == 2 && f == 1) group = b;
            if (wt == 2 && f == 2) tag = b;
          }
          if (bad) break;
          if (!Wanted(kind, tag)) continue;
          if (opt_.view == View::kTensorBoard && !hparams_seen_.emplace("\x01" + std::string(tag)).second) continue;
          Row r = Base(kind, dir_name, file_name, rec, tag);
          r.group = group;
          r.value_type = key.empty() ? ValueType::kNull : ValueType::kString;
          r.str = key;
          Emit(r, fr);
        }
      }
      if (bad) break;
    }
    if (bad) {
      Skip(fr, rec.offset, rec.index, rec.end - rec.offset,
           "hparams content of '" + std::string(v.tag) + "' does not parse as HParamsPluginData");
    }
  }

  const ExportOptions& opt_;
  RowSink* sink_;
  std::ostream& err_;
  ExportStats* stats_;
  DecodedEvent ev_;
  int pass_ = 2;
  uint64_t seq_ = 0;
  event::Preemption preempt_;
  NameMap<std::string> plugins_;  // per run: tag -> plugin of its first metadata
  std::set<std::string> hparams_seen_;
  // Scratch buffers, reused row after row.
  std::string counts_, limits_, json_, shape_, dtype_, sha_, path_;
  std::vector<double> doubles_, hist_limits_, hist_counts_;
  std::vector<std::string_view> strings_;
};

}  // namespace

const char* KindName(Kind kind) {
  static const char* const kNames[] = {"scalar", "tensor", "histogram", "image", "audio", "text", "hparam", "metric"};
  return kNames[static_cast<int>(kind)];
}

const char* KindTableName(Kind kind) {
  static const char* const kNames[] = {"scalars", "tensors", "histograms", "images",
                                       "audio",   "text",    "hparams",    "metrics"};
  return kNames[static_cast<int>(kind)];
}

std::optional<Kind> ParseKind(std::string_view name) {
  for (int i = 0; i < kKindCount; ++i) {
    const Kind k = static_cast<Kind>(i);
    if (name == KindName(k) || name == KindTableName(k)) return k;
  }
  return std::nullopt;
}

LogdirSpec ParseLogdirSpec(const std::string& arg) {
  const size_t colon = arg.find(':');
  struct stat st;
  if (colon == std::string::npos || colon == 0 || ::stat(arg.c_str(), &st) == 0) return {"", arg};
  // "C:\..." and URLs ("gs://") are paths, not specs, in TensorBoard too.
  if (arg.compare(colon, 3, "://") == 0) return {"", arg};
  return {arg.substr(0, colon), arg.substr(colon + 1)};
}

std::string DirName(const std::string& spec_name, const std::string& run) {
  if (spec_name.empty()) return run == "." ? "" : run;
  return run == "." ? spec_name : spec_name + "/" + run;
}

bool Export(const std::vector<LogdirSpec>& logdirs, const ExportOptions& options, RowSink* sink, std::ostream& err,
            ExportStats* stats, std::string* error) {
  if (!sink->Begin(error)) return false;
  Engine engine(options, sink, err, stats);
  for (const LogdirSpec& spec : logdirs) {
    if (!engine.Logdir(spec, error)) return false;
  }
  return sink->Finish(error);
}

}  // namespace tblint::xport
