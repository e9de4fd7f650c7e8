#pragma once
// Command-line arguments read against a module description: the flags, their kinds and their
// defaults all come from the XML, so the standalone tool accepts exactly what Slicer would pass.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "ExecutionModelDescription.h"

namespace mc::cli {

struct CommandLine {
  // Every parameter's value by parameter name: given on the command line, else the XML default
  // (booleans "false" without a default; paths "" when not given).
  std::map<std::string, std::string> values;
  // For parameters given on the command line: the flag as the user spelled it ("--reslice-interp").
  std::map<std::string, std::string> spelled;
  bool help = false;
  bool xml = false;
  bool version = false;

  bool given(const std::string& name) const { return spelled.count(name) > 0; }
  // The flag to name in an error about parameter name (as typed, else its long flag).
  std::string flagFor(const ModuleDescription& d, const std::string& name) const;
};

// Accepted forms: --longflag value, --longflag=value, -f value; booleans also bare (--estimate_only).
// Long flags may be written with their aliases. --help/-h, --xml and --version are built in.
// Throws std::invalid_argument("--flag: problem") for an unknown flag, a missing value, a flag given
// twice, a value outside an enumeration, or a stray positional argument.
CommandLine parseCommandLine(const ModuleDescription& d, const std::vector<std::string>& args);

// --help text generated from the description: usage, description, then each group's flags with
// their labels, descriptions, defaults and choices. Hidden parameters are listed too (the command
// line can use them).
std::string formatHelp(const ModuleDescription& d, const std::string& program,
                       const std::string& usage = "--input RUN [--output FILE] [--params FILE] ... [options]");

}  // namespace mc::cli
