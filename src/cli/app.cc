#include "cli/app.h"

#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/subcommands.h"
#include "util/text.h"

namespace tblint {
namespace {

namespace po = boost::program_options;

// One subcommand ready to parse: its Command and the options bound to it.
struct Parser {
  const Subcommand* subcommand = nullptr;
  std::unique_ptr<Command> command;
  std::unique_ptr<po::options_description> options;
};

Parser MakeParser(const Subcommand& subcommand) {
  Parser p;
  p.subcommand = &subcommand;
  p.command = subcommand.make();
  p.options = std::make_unique<po::options_description>();
  p.options->add_options()("help,h", "show this help and exit");
  p.command->AddOptions(p.options.get());
  return p;
}

// The option `name` ("jobs", or "-j" for a short one) as program_options
// would find it in `options` (long names may be abbreviated), or nullptr.
const po::option_description* FindOption(const po::options_description& options, const std::string& name) {
  try {
    return options.find_nothrow(name, /*approx=*/name.front() != '-');
  } catch (const po::error&) {
    return nullptr;  // ambiguous: the parse says so
  }
}

// Whether `word`, an option as written ("--jobs", "-j", "-qj"; not
// "--jobs=4" or "-j4"), takes the next word as its value in any subcommand.
bool TakesNextWord(const std::string& word, const std::vector<Parser>& parsers) {
  for (const Parser& p : parsers) {
    if (word.size() > 2 && word[1] == '-') {
      if (word.find('=') != std::string::npos) return false;
      const po::option_description* d = FindOption(*p.options, word.substr(2));
      if (d != nullptr && d->semantic()->min_tokens() > 0) return true;
      continue;
    }
    // A cluster of short options: the first that takes a value takes the
    // rest of the word, or the next word when it is the last letter.
    for (size_t i = 1; i < word.size(); ++i) {
      const po::option_description* d = FindOption(*p.options, std::string("-") + word[i]);
      if (d == nullptr) break;
      if (d->semantic()->min_tokens() > 0) {
        if (i + 1 == word.size()) return true;
        break;
      }
    }
  }
  return false;
}

// The index in `args` of the first word that is neither an option nor an
// option's value, before any "--"; nullopt when there is none. That word
// names the subcommand when it is one: `tblint --format json runs logs` is
// `tblint runs --format json logs`, as it always was.
std::optional<size_t> FirstPositional(const std::vector<std::string>& args, const std::vector<Parser>& parsers) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") return std::nullopt;
    if (a.size() < 2 || a[0] != '-') return i;
    if (TakesNextWord(a, parsers)) ++i;
  }
  return std::nullopt;
}

// `tblint --help`: every subcommand, then the default one's options.
void WriteMainHelp(std::ostream& out, const std::vector<Parser>& parsers) {
  out << "Usage: ";
  for (size_t i = 0; i < parsers.size(); ++i) {
    out << (i == 0 ? "" : "       ") << parsers[i].command->Synopsis();
  }
  out << "       tblint SUBCOMMAND --help\n\n" << parsers.front().command->Description() << "\nSubcommands:\n";
  size_t width = 0;
  for (const Parser& p : parsers) width = std::max(width, p.subcommand->name.size());
  for (const Parser& p : parsers) {
    out << "  " << p.subcommand->name << std::string(width - p.subcommand->name.size() + 2, ' ')
        << p.subcommand->summary << "\n";
  }
  out << "\nOptions of 'check' (each subcommand lists its own with --help):\n"
      << *parsers.front().options << "\n"
      << parsers.front().command->Examples();
  // Then the other subcommands' examples, without their "Examples:" line.
  for (size_t i = 1; i < parsers.size(); ++i) {
    const std::string_view examples = parsers[i].command->Examples();
    const size_t first_line = examples.find('\n');
    if (first_line != std::string_view::npos) out << examples.substr(first_line + 1);
  }
}

// `tblint NAME --help`.
void WriteSubcommandHelp(std::ostream& out, const Parser& p) {
  out << "Usage: " << p.command->Synopsis() << "\n"
      << p.command->Description() << "\nOptions:\n"
      << *p.options << "\n"
      << p.command->Examples();
}

int RunCommand(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  std::vector<std::string> args(argv + std::min(argc, 1), argv + argc);
  std::vector<Parser> parsers;
  for (const Subcommand& s : Subcommands()) parsers.push_back(MakeParser(s));

  // The subcommand: named by the first positional word, else the default.
  size_t chosen = 0;
  bool named = false;
  if (const std::optional<size_t> at = FirstPositional(args, parsers)) {
    for (size_t i = 0; i < parsers.size(); ++i) {
      if (parsers[i].subcommand->name == args[*at]) {
        chosen = i;
        named = true;
        args.erase(args.begin() + static_cast<std::ptrdiff_t>(*at));
        break;
      }
    }
  }
  Parser& p = parsers[chosen];
  const std::string name(p.subcommand->name);
  const std::string help_hint = named ? "'tblint " + name + " --help'" : "'tblint --help'";

  po::options_description hidden;
  std::vector<std::string> paths;
  hidden.add_options()("path", po::value(&paths));
  po::options_description all;
  all.add(*p.options).add(hidden);
  po::positional_options_description positional;
  positional.add("path", -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::unknown_option& e) {
    const std::string option = e.get_option_name();
    bool elsewhere = false;
    for (const Parser& other : parsers) {
      const std::string bare = option.rfind("--", 0) == 0 ? option.substr(2) : option;
      elsewhere = elsewhere || (&other != &p && !bare.empty() && FindOption(*other.options, bare) != nullptr);
    }
    err << "tblint: "
        << (elsewhere ? "'tblint " + name + "' does not take " + EscapeForText(option)
                      : "unrecognised option '" + EscapeForText(option) + "' for 'tblint " + name + "'")
        << "; see " << help_hint << "\n";
    return kExitUsage;
  } catch (const po::error& e) {
    err << "tblint: " << (named ? name + ": " : "") << EscapeForText(e.what()) << "\nTry " << help_hint << ".\n";
    return kExitUsage;
  }

  if (vm.count("help")) {
    if (named) {
      WriteSubcommandHelp(out, p);
    } else {
      WriteMainHelp(out, parsers);
    }
    return kExitClean;
  }
  if (paths.empty()) paths.push_back(".");
  return p.command->Run(vm, paths, out, err);
}

}  // namespace

int RunApp(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  const int code = RunCommand(argc, argv, out, err);
  // Decided last: a report that did not reach its reader is not a clean run.
  return CheckOutputWritten(out, err) ? code : kExitUsage;
}

bool CheckOutputWritten(std::ostream& out, std::ostream& err) {
  const bool is_stdout = &out == &std::cout;
  int error = 0;
  out.flush();
  // Any failed write sets badbit; failbit means later writes were skipped.
  bool ok = !out.fail();
  if (const auto* fd_buffer = dynamic_cast<const FdOutputBuffer*>(out.rdbuf())) error = fd_buffer->error();
  if (is_stdout) {
    // Whatever went through C's stdout (std::cout's default buffer, or a
    // printf) is checked too: buffered there, a small report is only written,
    // and only fails, at this flush.
    errno = 0;
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
      ok = false;
      if (error == 0) error = errno;
    }
  }
  if (ok) return true;
  err << "tblint: cannot write the report to " << (is_stdout ? "standard output" : "the output stream");
  if (error != 0) err << ": " << std::strerror(error);
  err << "\n";
  return false;
}

FdOutputBuffer::FdOutputBuffer(int fd, size_t buffer_size) : fd_(fd), buffer_(buffer_size > 0 ? buffer_size : 1) {
  setp(buffer_.data(), buffer_.data() + buffer_.size());
}

FdOutputBuffer::~FdOutputBuffer() { Drain(); }

FdOutputBuffer::int_type FdOutputBuffer::overflow(int_type c) {
  if (!Drain()) return traits_type::eof();
  if (!traits_type::eq_int_type(c, traits_type::eof())) {
    *pptr() = traits_type::to_char_type(c);
    pbump(1);
  }
  return traits_type::not_eof(c);
}

int FdOutputBuffer::sync() { return Drain() ? 0 : -1; }

std::streamsize FdOutputBuffer::xsputn(const char* s, std::streamsize n) {
  // A piece at least as large as the buffer (an export's whole output
  // buffer) goes to write(2) after what is buffered, without a copy.
  if (n < static_cast<std::streamsize>(buffer_.size())) return std::streambuf::xsputn(s, n);
  if (!Drain() || !WriteAll(s, s + n)) return 0;
  return n;
}

bool FdOutputBuffer::Drain() {
  const bool ok = WriteAll(pbase(), pptr());
  setp(buffer_.data(), buffer_.data() + buffer_.size());
  return ok;
}

bool FdOutputBuffer::WriteAll(const char* p, const char* end) {
  while (error_ == 0 && p < end) {
    const ssize_t n = ::write(fd_, p, static_cast<size_t>(end - p));
    if (n > 0) {
      p += n;
    } else if (n < 0 && errno != EINTR) {
      error_ = errno;
    } else if (n == 0) {
      error_ = EIO;  // write(2) made no progress on a non-empty buffer
    }
  }
  return error_ == 0;
}

}  // namespace tblint
