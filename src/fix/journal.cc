#include "fix/journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <utility>

#include "fix/file_io.h"
#include "util/text.h"

namespace tblint {

using nlohmann::json;
using namespace fixio;

Journal::Journal(std::string dir, const std::string& logdir) : dir_(std::move(dir)) {
  doc_ = {{"tool", "tblint"}, {"version", TBLINT_VERSION}, {"actions", json::array()}};
  PutName(doc_, "logdir", logdir);
}

std::string Journal::Begin(json action, size_t* index) {
  json entry = json::object();
  for (auto it = action.begin(); it != action.end(); ++it) {
    if (it->is_string()) {
      PutName(entry, it.key(), it->get_ref<const std::string&>());
    } else {
      entry[it.key()] = std::move(*it);
    }
  }
  doc_["actions"].push_back(std::move(entry));
  *index = doc_["actions"].size() - 1;
  return Save();
}

void Journal::Set(size_t index, const char* key, json value) {
  json& entry = doc_["actions"][index];
  if (value.is_string()) {
    PutName(entry, key, value.get_ref<const std::string&>());
  } else {
    entry[key] = std::move(value);
    entry.erase(std::string(key) + std::string(kBytesSuffix));
  }
}

std::string Journal::Done(size_t index) {
  Set(index, "state", "done");
  return Save();
}

void Journal::Abandon(size_t index) {
  Set(index, "state", "abandoned");
  Save();
}

std::string Journal::Save() {
  const std::string path = dir_ + "/journal.json", tmp = dir_ + "/journal.json.tmp";
  const std::string text = DumpJson(doc_) + "\n";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("cannot write " + tmp);
  FaultPoint();
  bool ok = WriteAll(fd, text.data(), text.size()) && Fsync(fd);
  ::close(fd);
  if (!ok || !Rename(tmp, path) || !FsyncDir(dir_)) return Errno("cannot write " + path);
  return "";
}

}  // namespace tblint
