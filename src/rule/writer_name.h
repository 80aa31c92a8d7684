// What an event file's name says about its writer (format.md, "What real
// writers produce"):
//   events.out.tfevents.<10-digit secs>.<host>[.<pid>.<counter>][.v2][suffix]
// Hostnames may contain dots, so pid and counter are only taken from a
// trailing ".<digits>.<digits>" (optionally followed by ".v2").
#ifndef TBLINT_RULE_WRITER_NAME_H_
#define TBLINT_RULE_WRITER_NAME_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tblint {

struct WriterName {
  bool standard = false;  // starts with "events.out.tfevents.<digits>."
  int64_t timestamp = 0;  // seconds from the name
  std::string host;       // may contain dots
  std::optional<int64_t> pid;
  std::optional<int64_t> counter;  // torch/TensorBoard counter, or TF2 uid
  bool tf2 = false;                // ends in ".v2"
  bool profile_empty = false;      // "...profile-empty", the TF profiler's marker
  // "host", "host pid 123" or "host pid 123 #0", for messages.
  std::string Describe() const;
};

WriterName ParseWriterName(std::string_view base_name);

// True for a non-empty string of ASCII digits.
bool AllDigits(std::string_view s);

// When the name looks like a copy, backup or temporary of an event file
// rather than something a writer produced, the reason ("a .bak copy",
// "an rsync temporary", ...); otherwise empty.
std::string StrayCopyReason(std::string_view base_name);

}  // namespace tblint

#endif  // TBLINT_RULE_WRITER_NAME_H_
