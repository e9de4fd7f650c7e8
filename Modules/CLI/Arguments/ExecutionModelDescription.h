#pragma once
// The Slicer Execution Model description of a CLI module (the XML that `--xml` prints), parsed with
// expat so that the standalone build reads its flags from the same document Slicer reads. Only the
// parts a command line needs are kept. (Not called ModuleDescription.h: SlicerExecutionModel has a
// header of that name, which an extension build's include path would find first.)
#include <string>
#include <vector>

namespace mc::cli {

struct ModuleParameter {
  std::string tag;          // integer, double, boolean, string, string-enumeration, file, image, ...
  std::string name;         // C identifier (falls back to longflag, as Slicer's parser does)
  std::string longflag;     // without leading dashes
  std::string flag;         // one character, without the dash; may be empty
  std::vector<std::string> aliases;  // longflag aliases (alias="a,b"), without dashes
  std::string label, description, defaultValue, channel;
  std::string minimum, maximum, step;
  std::vector<std::string> elements;  // enumerations
  bool hidden = false;
  bool multiple = false;

  bool isBoolean() const { return tag == "boolean"; }
  bool isEnumeration() const;
  bool isNumber() const;  // integer, float, double (not the vectors)
  bool isPath() const;    // file, image, table, transform, ... : a path on the command line
};

struct ModuleParameterGroup {
  std::string label, description;
  bool advanced = false;
  std::vector<ModuleParameter> parameters;
};

struct ModuleDescription {
  std::string category, title, description, version, documentationUrl, license, contributor, acknowledgements;
  std::vector<ModuleParameterGroup> groups;

  // All parameters of all groups, in document order.
  std::vector<const ModuleParameter*> parameters() const;
  // The parameter called name, or nullptr.
  const ModuleParameter* find(const std::string& name) const;
};

// Throws std::runtime_error("module description: line N: problem") for malformed XML (expat's
// words for the problem), a document that is not an <executable>, or a parameter without a name.
ModuleDescription parseModuleDescription(const std::string& xml);

}  // namespace mc::cli
