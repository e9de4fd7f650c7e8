#include "ExecutionModelDescription.h"

#include <limits>
#include <memory>
#include <stdexcept>

#include <expat.h>

namespace mc::cli {
namespace {

// The document as a tree of elements, built by expat (which checks well-formedness, decodes
// entities and character references, and folds CDATA into the text). Comments and processing
// instructions are not kept; the Execution Model needs neither.
struct Element {
  std::string name;
  long line = 0;  // where the start tag is, for messages about its content
  std::vector<std::pair<std::string, std::string>> attributes;
  std::string text;  // concatenated character data directly inside this element
  std::vector<std::unique_ptr<Element>> children;

  std::string attribute(const std::string& key) const {
    for (const auto& [k, v] : attributes)
      if (k == key) return v;
    return {};
  }
};

[[noreturn]] void fail(long line, const std::string& why) {
  throw std::runtime_error("module description: line " + std::to_string(line) + ": " + why);
}

class TreeBuilder {
public:
  std::unique_ptr<Element> parse(const std::string& xml) {
    std::unique_ptr<XML_ParserStruct, decltype(&XML_ParserFree)> parser(XML_ParserCreate("UTF-8"), &XML_ParserFree);
    if (!parser) throw std::runtime_error("module description: cannot create an XML parser");
    parser_ = parser.get();
    XML_SetUserData(parser_, this);
    XML_SetElementHandler(parser_, &TreeBuilder::start, &TreeBuilder::end);
    XML_SetCharacterDataHandler(parser_, &TreeBuilder::text);
    if (xml.size() > std::size_t(std::numeric_limits<int>::max())) fail(1, "the document is too large");
    if (XML_Parse(parser_, xml.data(), int(xml.size()), /*isFinal=*/1) == XML_STATUS_ERROR)
      fail(long(XML_GetCurrentLineNumber(parser_)), XML_ErrorString(XML_GetErrorCode(parser_)));
    if (!root_) fail(long(XML_GetCurrentLineNumber(parser_)), "expected the root element");
    return std::move(root_);
  }

private:
  static void start(void* self, const XML_Char* name, const XML_Char** attributes) {
    auto& b = *static_cast<TreeBuilder*>(self);
    auto e = std::make_unique<Element>();
    e->name = name;
    e->line = long(XML_GetCurrentLineNumber(b.parser_));
    for (const XML_Char** a = attributes; a[0]; a += 2) e->attributes.emplace_back(a[0], a[1]);
    Element* raw = e.get();
    if (b.open_.empty()) b.root_ = std::move(e);
    else b.open_.back()->children.push_back(std::move(e));
    b.open_.push_back(raw);
  }
  static void end(void* self, const XML_Char*) { static_cast<TreeBuilder*>(self)->open_.pop_back(); }
  static void text(void* self, const XML_Char* s, int n) {
    auto& b = *static_cast<TreeBuilder*>(self);
    if (!b.open_.empty()) b.open_.back()->text.append(s, std::size_t(n));
  }

  XML_Parser parser_ = nullptr;
  std::unique_ptr<Element> root_;
  std::vector<Element*> open_;  // the elements whose end tag is still to come
};

std::string trimmed(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string withoutDashes(std::string s) {
  s = trimmed(s);
  const auto b = s.find_first_not_of('-');
  return b == std::string::npos ? std::string() : s.substr(b);
}

std::vector<std::string> splitAliases(const std::string& s) {
  std::vector<std::string> out;
  std::size_t b = 0;
  while (b <= s.size()) {
    auto e = s.find(',', b);
    if (e == std::string::npos) e = s.size();
    const std::string one = withoutDashes(s.substr(b, e - b));
    if (!one.empty()) out.push_back(one);
    b = e + 1;
  }
  return out;
}

ModuleParameter parameterFrom(const Element& e) {
  ModuleParameter p;
  p.tag = e.name;
  p.hidden = e.attribute("hidden") == "true";
  p.multiple = e.attribute("multiple") == "true";
  for (const auto& c : e.children) {
    const std::string t = trimmed(c->text);
    if (c->name == "name") p.name = t;
    else if (c->name == "longflag") {
      p.longflag = withoutDashes(t);
      for (const auto& a : splitAliases(c->attribute("alias"))) p.aliases.push_back(a);
      for (const auto& a : splitAliases(c->attribute("deprecatedalias"))) p.aliases.push_back(a);
    } else if (c->name == "flag") p.flag = withoutDashes(t);
    else if (c->name == "label") p.label = t;
    else if (c->name == "description") p.description = t;
    else if (c->name == "default") p.defaultValue = t;
    else if (c->name == "channel") p.channel = t;
    else if (c->name == "element") p.elements.push_back(t);
    else if (c->name == "constraints") {
      for (const auto& k : c->children) {
        if (k->name == "minimum") p.minimum = trimmed(k->text);
        else if (k->name == "maximum") p.maximum = trimmed(k->text);
        else if (k->name == "step") p.step = trimmed(k->text);
      }
    }
  }
  if (p.name.empty()) p.name = p.longflag;
  if (p.name.empty()) fail(e.line, "a <" + p.tag + "> has neither <name> nor <longflag>");
  return p;
}

}  // namespace

bool ModuleParameter::isEnumeration() const {
  return tag == "string-enumeration" || tag == "integer-enumeration" || tag == "float-enumeration" ||
         tag == "double-enumeration";
}

bool ModuleParameter::isNumber() const { return tag == "integer" || tag == "float" || tag == "double"; }

bool ModuleParameter::isPath() const {
  return tag == "file" || tag == "directory" || tag == "image" || tag == "table" || tag == "transform" ||
         tag == "geometry" || tag == "pointfile" || tag == "measurement";
}

std::vector<const ModuleParameter*> ModuleDescription::parameters() const {
  std::vector<const ModuleParameter*> out;
  for (const auto& g : groups)
    for (const auto& p : g.parameters) out.push_back(&p);
  return out;
}

const ModuleParameter* ModuleDescription::find(const std::string& name) const {
  for (const auto* p : parameters())
    if (p->name == name) return p;
  return nullptr;
}

ModuleDescription parseModuleDescription(const std::string& xml) {
  const auto root = TreeBuilder().parse(xml);
  if (root->name != "executable") fail(root->line, "the root element is <" + root->name + ">, expected <executable>");
  ModuleDescription d;
  for (const auto& c : root->children) {
    const std::string t = trimmed(c->text);
    if (c->name == "category") d.category = t;
    else if (c->name == "title") d.title = t;
    else if (c->name == "description") d.description = t;
    else if (c->name == "version") d.version = t;
    else if (c->name == "documentation-url") d.documentationUrl = t;
    else if (c->name == "license") d.license = t;
    else if (c->name == "contributor") d.contributor = t;
    else if (c->name == "acknowledgements") d.acknowledgements = t;
    else if (c->name == "parameters") {
      ModuleParameterGroup g;
      g.advanced = c->attribute("advanced") == "true";
      for (const auto& p : c->children) {
        if (p->name == "label") g.label = trimmed(p->text);
        else if (p->name == "description") g.description = trimmed(p->text);
        else g.parameters.push_back(parameterFrom(*p));
      }
      d.groups.push_back(std::move(g));
    }
  }
  return d;
}

}  // namespace mc::cli
