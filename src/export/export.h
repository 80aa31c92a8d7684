// The export engine: every value of one or more logdirs as rows of one long
// table (tbparse's column names), streamed record by record into a sink (CSV,
// JSON Lines, SQLite). Memory is O(runs + tags + files), plus, for the
// `tensorboard` view, O(points that another point of their tag preempts);
// never O(values). docs/export.md is the user-facing description.
#ifndef TBLINT_EXPORT_EXPORT_H_
#define TBLINT_EXPORT_EXPORT_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace tblint::xport {

// What a row holds. The order is the order of the SQLite tables.
enum class Kind : uint8_t { kScalar, kTensor, kHistogram, kImage, kAudio, kText, kHparam, kMetric };
inline constexpr int kKindCount = 8;

const char* KindName(Kind kind);       // "scalar", "tensor", ... (the `kind` column)
const char* KindTableName(Kind kind);  // "scalars", "tensors", ... (tables, --kinds)
// Accepts the singular or the plural ("scalar", "scalars", "audio", "hparams").
std::optional<Kind> ParseKind(std::string_view name);

// Which values a table shows (docs/export.md, "Views").
enum class View : uint8_t {
  kRaw,          // every record as written
  kTensorBoard,  // what TensorBoard's dashboard shows (preemption, START purges, first metadata)
};

enum class ValueType : uint8_t { kNull, kFloat32, kFloat64, kInt, kBool, kString, kJson };

// One row. Views point into the record being exported: valid during the
// sink's Row call only.
struct Row {
  Kind kind = Kind::kScalar;
  std::string_view dir_name;  // "" for the logdir itself (tbparse)
  std::string_view file_name;
  std::string_view tag;
  bool has_step = true;
  int64_t step = 0;
  bool has_wall_time = true;
  double wall_time = 0;
  uint64_t offset = 0;  // of the record in its file
  uint64_t record = 0;  // 0-based index of the record in its file

  ValueType value_type = ValueType::kNull;
  float f32 = 0;
  double f64 = 0;
  int64_t i64 = 0;
  bool b = false;
  std::string_view str;  // kString (any bytes) and kJson (a JSON text)

  // tensors
  std::string_view dtype;
  std::string_view shape;  // JSON array
  // histograms: counts and limits as JSON arrays
  std::string_view counts, limits;
  double min = 0, max = 0, num = 0, sum = 0, sum_squares = 0;
  // images and audio
  int64_t sample = 0;  // index of the image / clip within the step
  int64_t width = 0, height = 0;
  double sample_rate = 0;
  int64_t length = 0;  // audio frames
  int64_t channels = 0;
  std::string_view content_type;
  std::string_view sha256;  // hex
  std::string_view path;    // --media-dir: where the bytes were written ("" when not)
  // hparams metric declarations
  std::string_view group;
};

struct RunRow {
  std::string dir_name;
  std::string logdir;  // as given (the path of a name:path spec)
  std::string path;    // the run directory as opened
  uint64_t files = 0;
};

struct FileRow {
  std::string dir_name;
  std::string file_name;
  std::string path;
  uint64_t size = 0;
  uint64_t records = 0;  // valid records read
  uint64_t rows = 0;     // rows exported (after filters and view)
  uint64_t skipped = 0;  // damaged spans and undecodable records
};

struct SkippedRow {
  std::string dir_name;
  std::string file_name;
  std::string path;
  uint64_t offset = 0;
  uint64_t record = 0;
  uint64_t bytes = 0;  // length of the span skipped
  std::string reason;
};

// Where rows go. Export calls Begin, then Row for every row, Run / File as
// each run and file is finished, Skipped for each damaged span, then Finish.
class RowSink {
 public:
  virtual ~RowSink() = default;
  virtual bool Begin(std::string* /*error*/) { return true; }
  virtual void OnRow(const Row& row) = 0;
  virtual void OnRun(const RunRow&) {}
  virtual void OnFile(const FileRow&) {}
  virtual void OnSkipped(const SkippedRow&) {}
  // False, with `error`, when output could not be written.
  virtual bool Finish(std::string* error) = 0;
  // True once a write failed (the export stops early).
  virtual bool failed() const { return false; }
};

struct ExportOptions {
  View view = View::kRaw;
  bool kinds[kKindCount] = {true, true, true, true, true, true, true, true};
  std::vector<std::string> tag_globs;  // fnmatch; any matches (empty: all)
  std::vector<std::string> run_globs;  // on dir_name
  std::string media_dir;               // write image / audio bytes here
  // Elements a tensor row may hold (a shape may claim billions and pad them
  // from one stored value); larger tensors are skipped with a message.
  uint64_t max_tensor_elements = 1 << 20;
};

struct ExportStats {
  uint64_t runs = 0, files = 0, records = 0, rows = 0, skipped = 0, bytes = 0;
};

// A logdir spec: "PATH", or "NAME:PATH" (TensorBoard's --logdir_spec) whose
// NAME prefixes the runs' names. A colon is taken as a spec only when the
// path does not exist as written, like TensorBoard's.
struct LogdirSpec {
  std::string name;  // "" when none
  std::string path;
};
LogdirSpec ParseLogdirSpec(const std::string& arg);

// Exports every logdir into `sink`. Skipped spans are also reported on `err`
// (one line each). Returns false, with `error`, when a path does not exist or
// the sink failed.
bool Export(const std::vector<LogdirSpec>& logdirs, const ExportOptions& options, RowSink* sink, std::ostream& err,
            ExportStats* stats, std::string* error);

// The exported run name: "" for the logdir itself, NAME or NAME/run with a spec.
std::string DirName(const std::string& spec_name, const std::string& run);

}  // namespace tblint::xport

#endif  // TBLINT_EXPORT_EXPORT_H_
