// Full decoding of one Event payload for export: every field a summary value
// carries (histogram buckets, image and audio bytes, tensor dtype, shape and
// values, plugin content), as views into the payload. Validation is the same
// as event::DecodeEvent's (the schema walker of event/wire.h), so a payload
// exports exactly when protobuf would parse it. Nothing is allocated per
// record once the buffers have grown.
#ifndef TBLINT_EXPORT_DECODE_H_
#define TBLINT_EXPORT_DECODE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "event/event.h"
#include "event/wire.h"

namespace tblint::xport {

// TensorFlow's DataType numbers (proto/tensor.proto).
enum Dtype : int32_t {
  kDtInvalid = 0,
  kDtFloat = 1,
  kDtDouble = 2,
  kDtInt32 = 3,
  kDtUint8 = 4,
  kDtInt16 = 5,
  kDtInt8 = 6,
  kDtString = 7,
  kDtComplex64 = 8,
  kDtInt64 = 9,
  kDtBool = 10,
  kDtBfloat16 = 14,
  kDtUint16 = 17,
  kDtComplex128 = 18,
  kDtHalf = 19,
  kDtUint32 = 22,
  kDtUint64 = 23,
};

// "float32", "int64", "string", ... (numpy's names, as tbparse's arrays
// carry them); "dtype_<n>" for types without values (resource, variant,
// quantized).
std::string DtypeName(int32_t dtype);

// One occurrence of a repeated numeric TensorProto field: packed (bytes) or
// a single element (scalar), in wire order.
struct TensorChunk {
  uint32_t field = 0;
  bool packed = false;
  uint64_t scalar = 0;  // the raw varint / fixed bits
  std::string_view bytes;
};

struct TensorData {
  int32_t dtype = 0;
  bool has_shape = false;
  bool unknown_rank = false;
  std::vector<int64_t> dims;
  std::string_view content;  // tensor_content
  std::vector<TensorChunk> chunks;
  std::vector<std::string_view> strings;  // string_val
  void Clear();
};

struct ValueData {
  std::string_view tag;
  bool has_metadata = false;
  std::string_view plugin_name;
  std::string_view plugin_content;
  event::ValueKind kind = event::ValueKind::kNone;
  float simple_value = 0;
  // histo
  double h_min = 0, h_max = 0, h_num = 0, h_sum = 0, h_sum_squares = 0;
  std::vector<double> limits, counts;
  // image
  int64_t width = 0, height = 0, colorspace = 0;
  // audio
  float sample_rate = 0;
  int64_t channels = 0, length_frames = 0;
  std::string_view content_type;
  std::string_view encoded;  // image or audio bytes
  TensorData tensor;
  void Clear();
};

struct DecodedEvent {
  bool has_wall_time = false;
  double wall_time = 0;
  int64_t step = 0;
  event::What what = event::What::kNone;
  int32_t session_status = 0;
  std::vector<ValueData> values;  // the first `count` are this record's
  size_t count = 0;
};

// Decodes `payload` into `out` (buffers reused). False, with `error` set,
// when protobuf would not parse it as an Event.
// Scalar events in the writers' usual shapes take a straight-line fast path;
// everything else, and anything the fast path is unsure of, the generic one.
bool DecodeForExport(std::string_view payload, DecodedEvent* out, event::WireError* error);
// The generic path alone (the schema walker): the reference the fast path is
// tested against.
bool DecodeForExportGeneric(std::string_view payload, DecodedEvent* out, event::WireError* error);
// The fast path alone: false when it does not take the payload (then `out`
// holds nothing meaningful). For tests.
bool DecodeForExportFast(std::string_view payload, DecodedEvent* out);

// The number of elements a shape describes, or -1 when it overflows or a
// dimension is negative.
int64_t NumElements(const TensorData& t);

// Appends the tensor's values, flattened, as a JSON array (make_ndarray's
// semantics: tensor_content when present, else the typed field matching the
// dtype, padded with its last element up to the shape's element count).
// Floats are written in the shortest form that reads back as the stored type;
// non-finite ones as "NaN", "Infinity", "-Infinity"; strings that are not
// UTF-8 with invalid bytes replaced by U+FFFD. Returns false (and appends
// nothing) when the shape claims more than `max_elements` elements or the
// dtype has no values TensorBoard could read.
bool AppendTensorJson(const TensorData& t, uint64_t max_elements, std::string* out);

// The single element of a tensor holding exactly one number (any float or int
// dtype, or bool), as a double; false otherwise. `is_float32` tells whether
// the stored type is float32 (so it prints as one).
bool TensorScalar(const TensorData& t, double* value, bool* is_float32, bool* is_integer, int64_t* int_value);

// Every element of a string tensor (up to `max` of them), or false for other
// dtypes.
bool TensorStrings(const TensorData& t, size_t max, std::vector<std::string_view>* out);

// The elements of a numeric tensor as doubles (up to `max`), or false.
bool TensorDoubles(const TensorData& t, size_t max, std::vector<double>* out);

}  // namespace tblint::xport

#endif  // TBLINT_EXPORT_DECODE_H_
