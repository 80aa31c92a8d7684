// What a merge writes, written safely: event files and reports are streamed
// into a temporary file beside their final name, fsynced, then renamed (and
// the directory fsynced), so a reader sees no file or the whole file, never a
// part. Also the writers' file names and a tiny protobuf encoder for the few
// Events a merge makes itself (a file_version header, reduced scalars).
#ifndef TBLINT_MERGE_OUTPUT_H_
#define TBLINT_MERGE_OUTPUT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tblint::merge {

// A file written whole or not at all. Writes are buffered (1 MiB); Commit
// makes the file appear under its name; destroying an uncommitted file
// removes the temporary.
class AtomicFile {
 public:
  AtomicFile() = default;
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  // Creates the temporary `.<name>.tblint-XXXXXX` in the directory of `path`
  // (which must exist). The file gets mode 0666 minus the umask.
  bool Open(const std::string& path, std::string* error);
  // False once a write failed (the error is reported by Commit).
  bool Write(std::string_view bytes);
  bool Commit(std::string* error);
  void Abort();
  uint64_t bytes() const { return bytes_; }
  const std::string& path() const { return path_; }

 private:
  bool Flush();

  int fd_ = -1;
  std::string path_, tmp_;
  std::string buf_;
  int errno_ = 0;
  std::string failed_what_;
  uint64_t bytes_ = 0;
};

// The host name as writers put it in file names ("localhost" when unknown;
// '/' and control bytes replaced by '_').
std::string LocalHostName();

// events.out.tfevents.<10-digit seconds>.<host>.<pid>.<counter>, as
// TensorBoard's Python writer (torch.utils.tensorboard) names its files.
std::string EventFileName(double wall_time, std::string_view host, int64_t pid, uint64_t counter);

// --- encoding the Events a merge makes (event.proto field numbers) ---------

// Event{wall_time=1, file_version=3: "brain.Event:2"}, as protobuf serialises it.
std::string EncodeFileVersion(double wall_time);
// Event{wall_time=1, step=2, summary=5 {value=1 {tag=1, simple_value=2}}}.
std::string EncodeScalar(double wall_time, int64_t step, std::string_view tag, float value);

// Frames `payload` as a TFRecord whose data CRC is already known (`masked_crc`,
// as stored in the file it was read from) and appends it to `out`: kept
// records are copied byte for byte, their CRC not recomputed.
void AppendFramed(std::string* out, std::string_view payload, uint32_t masked_crc);
// The framing header (length and its masked CRC) of a payload of `length` bytes.
std::string RecordHeader(uint64_t length);

// --- rewriting an Event without some of its summary values -----------------

// `payload` (an Event protobuf would parse) with only the summary values
// whose index (in wire order across every `summary` field) has keep[i] set;
// every other field is copied byte for byte. Returns false when the payload
// cannot be walked (it then is left to the caller to copy or drop).
bool FilterValues(std::string_view payload, const std::vector<bool>& keep, std::string* out);

}  // namespace tblint::merge

#endif  // TBLINT_MERGE_OUTPUT_H_
