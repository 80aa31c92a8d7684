#include "rule/model.h"

#include <algorithm>

namespace tblint {

void FileInfo::SetPaths(std::string path, size_t rel_len) {
  path_ = std::move(path);
  const size_t rel_pos = path_.size() - std::min(rel_len, path_.size());
  const size_t slash = path_.rfind('/');
  const size_t name_pos = slash == std::string::npos || slash < rel_pos ? rel_pos : slash + 1;
  // A path longer than 4 GiB cannot be opened; clamp rather than wrap.
  rel_pos_ = static_cast<uint32_t>(std::min<size_t>(rel_pos, UINT32_MAX));
  name_pos_ = static_cast<uint32_t>(std::min<size_t>(name_pos, UINT32_MAX));
}

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

const RunTagSummary::Tag* RunTagSummary::Find(std::string_view tag) const {
  const auto it = std::lower_bound(tags.begin(), tags.end(), tag,
                                   [](const Tag& t, std::string_view name) { return t.name < name; });
  return it != tags.end() && it->name == tag ? &*it : nullptr;
}

bool OnlyHparamsTags(const std::vector<const FileResult*>& files) {
  bool any = false;
  for (const FileResult* f : files) {
    for (const auto& [tag, stats] : f->tags) {
      if (stats.kind != event::TagKind::kHparams) return false;
      any = true;
    }
  }
  return any;
}

RunTagSummary SummariseRunTags(const std::vector<const FileResult*>& files) {
  RunTagSummary s;
  s.done = true;
  bool all_hparams = true, any = false;
  std::map<std::string_view, size_t> index;  // tag -> position in s.tags
  for (const FileResult* f : files) {  // TensorBoard's read order: the first file's kind is kept
    for (const auto& [tag, stats] : f->tags) {
      any = true;
      all_hparams = all_hparams && stats.kind == event::TagKind::kHparams;
      auto [it, fresh] = index.try_emplace(tag, s.tags.size());
      if (fresh) s.tags.push_back({std::string(tag)});
      RunTagSummary::Tag& t = s.tags[it->second];
      if (stats.kind == event::TagKind::kScalar) {
        t.scalar = true;
      } else if (!t.other) {
        t.other = true;
        t.other_kind = stats.kind;
      }
    }
  }
  s.only_hparams = any && all_hparams;  // as OnlyHparamsTags
  std::sort(s.tags.begin(), s.tags.end(), [](const RunTagSummary::Tag& a, const RunTagSummary::Tag& b) {
    return a.name < b.name;
  });
  s.tags.shrink_to_fit();
  return s;
}

}  // namespace tblint
