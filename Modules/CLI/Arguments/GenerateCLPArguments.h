#pragma once
// What a CLI built by SEMMacroBuildCLI needs around GenerateCLP's PARSE_ARGS, shared by every CLI
// module of the project: the command line rewritten in the one form TCLAP reads, and PARSE_ARGS's
// typed variables turned back into text for the own argument layer (CommandLine::values), so the
// request, its validation and the run are one code path in both builds.
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "CommandLine.h"
#include "ExecutionModelDescription.h"

namespace mc::cli {

template <class T>
std::string parsedText(const T& v) {
  std::ostringstream os;
  os.precision(17);
  os << v;
  return os.str();
}
inline std::string parsedText(bool v) { return v ? "true" : "false"; }
inline std::string parsedText(const std::string& v) { return v; }
template <class T>
std::string parsedText(const std::vector<T>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + parsedText(v[i]);
  return s;
}

// "--longflag value" for each given parameter, booleans bare when true (TCLAP has no --flag=value,
// and a switch takes no value).
inline std::vector<std::string> canonicalArguments(const ModuleDescription& d, const CommandLine& c,
                                                   const char* program) {
  std::vector<std::string> args{program};
  for (const auto* p : d.parameters()) {
    if (!c.given(p->name)) continue;
    const std::string& v = c.values.at(p->name);
    if (p->isBoolean()) {
      if (v == "true") args.push_back("--" + p->longflag);
    } else {
      args.insert(args.end(), {"--" + p->longflag, v});
    }
  }
  return args;
}

// What a PARSE_ARGS wrapper returns when the arguments parsed (else PARSE_ARGS's exit status).
constexpr int kParsed = -1;

// Runs the command line c (already read and checked by the own layer) through parse, a function
// around PARSE_ARGS that copies its variables into a CommandLine by name, and puts the result in c,
// keeping the flags as the user spelled them (errors name them so). Returns kParsed, or the exit
// status PARSE_ARGS returned with. A parameter added to the XML but not copied would silently keep
// its default, so every run checks the copy is complete (std::logic_error naming xmlFile).
template <class Parse>
int reparseWithGenerateCLP(const ModuleDescription& d, CommandLine& c, const char* program, Parse parse,
                           const char* xmlFile) {
  std::vector<std::string> args = canonicalArguments(d, c, program);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const auto spelled = c.spelled;
  c = CommandLine();
  if (const int status = parse(static_cast<int>(args.size()), argv.data(), c); status != kParsed) return status;
  for (const auto* p : d.parameters())
    if (!c.values.count(p->name))
      throw std::logic_error("parameter '" + p->name + "' of " + xmlFile + " is not copied from PARSE_ARGS");
  c.spelled = spelled;
  return kParsed;
}

}  // namespace mc::cli
