// --output-file: a report written whole or not at all.
#ifndef TBLINT_CLI_OUTPUT_FILE_H_
#define TBLINT_CLI_OUTPUT_FILE_H_

#include <string>
#include <string_view>

namespace tblint {

// Writes `contents` to `path` atomically: into a new temporary file in the
// same directory, fsynced, then renamed over `path` (and the directory
// fsynced), so a reader sees the old file or the whole new one, never a part.
// The file gets mode 0666 minus the umask, like a file created by a shell
// redirection. Returns false with `error` set (the temporary is removed).
bool WriteFileAtomically(const std::string& path, std::string_view contents, std::string* error);

}  // namespace tblint

#endif  // TBLINT_CLI_OUTPUT_FILE_H_
