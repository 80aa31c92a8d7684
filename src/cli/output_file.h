// --output-file: a report written whole or not at all.
#ifndef TBLINT_CLI_OUTPUT_FILE_H_
#define TBLINT_CLI_OUTPUT_FILE_H_

#include <memory>
#include <ostream>
#include <streambuf>
#include <string>
#include <string_view>

namespace tblint {

// Writes `contents` to `path` atomically: into a new temporary file in the
// same directory, fsynced, then renamed over `path` (and the directory
// fsynced), so a reader sees the old file or the whole new one, never a part.
// The file gets mode 0666 minus the umask, like a file created by a shell
// redirection. Returns false with `error` set (the temporary is removed).
bool WriteFileAtomically(const std::string& path, std::string_view contents, std::string* error);

// The same, written as it goes: Open creates the temporary, stream() writes
// to it (buffered), Commit fsyncs it and renames it over `path`. A file never
// committed is removed (the destructor), so `path` keeps its old contents. A
// report streamed to -o is never held whole in memory. An existing character
// device or FIFO (/dev/null, /dev/stdout, a pipe) is written in place instead:
// renaming over it would replace the device with a regular file. Other
// non-regular targets (a directory, a block device, a socket) are refused.
// A symlink is written through: the file it names is replaced, the link stays.
class AtomicOutputFile {
 public:
  AtomicOutputFile();
  ~AtomicOutputFile();
  AtomicOutputFile(const AtomicOutputFile&) = delete;
  AtomicOutputFile& operator=(const AtomicOutputFile&) = delete;

  // false with `error` set (nothing is left behind).
  bool Open(const std::string& path, std::string* error);
  std::ostream& stream() { return stream_; }
  // false with `error` set when a write failed or the file cannot be
  // completed (the temporary is removed).
  bool Commit(std::string* error);

 private:
  class Buffer;
  std::unique_ptr<Buffer> buffer_;
  std::ostream stream_;
  std::string path_, dir_, tmp_;
  int fd_ = -1;
  bool direct_ = false;  // `path` is a character device or FIFO, written in place
};

}  // namespace tblint

#endif  // TBLINT_CLI_OUTPUT_FILE_H_
