#include "rule/model.h"

namespace tblint {

const char* FileFormatName(FileFormat f) {
  switch (f) {
    case FileFormat::kTfRecord:
      return "TFRecord";
    case FileFormat::kEmpty:
      return "empty";
    case FileFormat::kGzip:
      return "a gzip archive";
    case FileFormat::kZip:
      return "a zip archive";
    case FileFormat::kBzip2:
      return "a bzip2 archive";
    case FileFormat::kXz:
      return "an xz archive";
    case FileFormat::kZstd:
      return "a zstd archive";
    case FileFormat::kGitLfsPointer:
      return "a git-lfs pointer (the repository was cloned without `git lfs pull`)";
    case FileFormat::kHtml:
      return "an HTML page";
    case FileFormat::kJson:
      return "JSON text";
    case FileFormat::kText:
      return "plain text";
  }
  return "?";
}

}  // namespace tblint
