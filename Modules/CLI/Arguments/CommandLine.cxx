#include "CommandLine.h"

#include <sstream>
#include <stdexcept>

namespace mc::cli {
namespace {

[[noreturn]] void bad(const std::string& flag, const std::string& why) { throw std::invalid_argument(flag + ": " + why); }

const ModuleParameter* byLongFlag(const ModuleDescription& d, const std::string& f) {
  for (const auto* p : d.parameters()) {
    if (!p->longflag.empty() && p->longflag == f) return p;
    for (const auto& a : p->aliases)
      if (a == f) return p;
  }
  return nullptr;
}

const ModuleParameter* byFlag(const ModuleDescription& d, const std::string& f) {
  for (const auto* p : d.parameters())
    if (!p->flag.empty() && p->flag == f) return p;
  return nullptr;
}

std::string choices(const std::vector<std::string>& e) {
  std::string s;
  for (std::size_t i = 0; i < e.size(); ++i) s += (i == 0 ? "" : i + 1 == e.size() ? " or " : ", ") + e[i];
  return s;
}

// Wraps text to width columns after an indent.
std::string wrap(const std::string& text, std::size_t indent, std::size_t width = 100) {
  std::istringstream words(text);
  std::string w, line, out;
  while (words >> w) {
    if (!line.empty() && indent + line.size() + 1 + w.size() > width) {
      out += std::string(indent, ' ') + line + "\n";
      line.clear();
    }
    line += (line.empty() ? "" : " ") + w;
  }
  if (!line.empty()) out += std::string(indent, ' ') + line + "\n";
  return out;
}

std::string valueHint(const ModuleParameter& p) {
  if (p.isBoolean()) return "";
  if (p.isEnumeration()) {
    std::string s;
    for (std::size_t i = 0; i < p.elements.size(); ++i) s += (i ? "|" : "") + p.elements[i];
    return " " + s;
  }
  if (p.tag == "integer") return " N";
  if (p.isNumber()) return " X";
  if (p.tag == "integer-vector") return " N,N,N";
  if (p.tag.size() > 7 && p.tag.compare(p.tag.size() - 7, 7, "-vector") == 0) return " A,B,...";
  if (p.tag == "directory") return " DIR";
  if (p.isPath()) return " FILE";
  return " TEXT";
}

}  // namespace

std::string CommandLine::flagFor(const ModuleDescription& d, const std::string& name) const {
  const auto it = spelled.find(name);
  if (it != spelled.end()) return it->second;
  const ModuleParameter* p = d.find(name);
  if (p && !p->longflag.empty()) return "--" + p->longflag;
  if (p && !p->flag.empty()) return "-" + p->flag;
  return name;
}

CommandLine parseCommandLine(const ModuleDescription& d, const std::vector<std::string>& args) {
  CommandLine c;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      c.help = true;
      continue;
    }
    if (a == "--xml") {
      c.xml = true;
      continue;
    }
    if (a == "--version") {
      c.version = true;
      continue;
    }
    if (a.size() < 2 || a[0] != '-')
      throw std::invalid_argument(a + ": unexpected argument (every parameter is a flag; see --help)");
    std::string key, value;
    bool hasValue = false;
    const auto eq = a.find('=');
    if (eq != std::string::npos) {
      key = a.substr(0, eq);
      value = a.substr(eq + 1);
      hasValue = true;
    } else {
      key = a;
    }
    const bool isLong = key.rfind("--", 0) == 0;
    const std::string bare = key.substr(isLong ? 2 : 1);
    const ModuleParameter* p = isLong ? byLongFlag(d, bare) : byFlag(d, bare);
    if (!p) bad(key, "unknown parameter (see --help)");
    if (c.given(p->name)) bad(key, "given twice");
    if (!hasValue) {
      if (p->isBoolean()) {
        value = "true";
      } else {
        if (i + 1 >= args.size()) bad(key, "missing value");
        value = args[++i];
      }
    }
    if (p->isBoolean() && value != "true" && value != "false")
      bad(key, "expected true or false, got '" + value + "'");
    if (p->isEnumeration()) {
      bool ok = false;
      for (const auto& e : p->elements) ok = ok || e == value;
      if (!ok) bad(key, "expected " + choices(p->elements) + ", got '" + value + "'");
    }
    if (value.empty() && !p->isPath()) bad(key, "empty value");
    c.values[p->name] = value;
    c.spelled[p->name] = key;
  }
  for (const auto* p : d.parameters())
    if (!c.values.count(p->name)) c.values[p->name] = p->defaultValue.empty() && p->isBoolean() ? "false" : p->defaultValue;
  return c;
}

std::string formatHelp(const ModuleDescription& d, const std::string& program, const std::string& usage) {
  std::ostringstream os;
  os << "Usage: " << program << " " << usage << "\n\n";
  os << d.title << " " << d.version << "\n";
  os << wrap(d.description, 0) << "\n";
  for (const auto& g : d.groups) {
    os << g.label << (g.advanced ? " (advanced)" : "") << ":\n";
    for (const auto& p : g.parameters) {
      std::string flags;
      if (!p.flag.empty()) flags += "-" + p.flag + ", ";
      flags += "--" + p.longflag + valueHint(p);
      os << "  " << flags << "\n";
      std::string text = p.label + ". " + p.description;
      if (!p.defaultValue.empty()) text += " Default: " + p.defaultValue + ".";
      if (!p.aliases.empty()) {
        text += " Also --" + p.aliases[0];
        for (std::size_t i = 1; i < p.aliases.size(); ++i) text += ", --" + p.aliases[i];
        text += ".";
      }
      os << wrap(text, 6);
    }
    os << "\n";
  }
  os << "Other:\n  --help, -h\n      This text.\n  --xml\n      Print the Slicer module description (XML) and exit.\n"
        "  --version\n      Print the version and exit.\n";
  if (!d.documentationUrl.empty()) os << "\nDocumentation: " << d.documentationUrl << "\n";
  return os.str();
}

}  // namespace mc::cli
