#include "ModuleDescription.h"

#include <cctype>
#include <memory>
#include <stdexcept>

namespace mc::cli {
namespace {

// Just enough XML: elements, attributes, text, CDATA, comments, processing instructions and the five
// predefined entities plus numeric character references. No DTDs, no namespaces.
struct Element {
  std::string name;
  std::vector<std::pair<std::string, std::string>> attributes;
  std::string text;  // concatenated character data directly inside this element
  std::vector<std::unique_ptr<Element>> children;

  std::string attribute(const std::string& key) const {
    for (const auto& [k, v] : attributes)
      if (k == key) return v;
    return {};
  }
};

class XmlReader {
public:
  explicit XmlReader(const std::string& s) : s_(s) {}

  std::unique_ptr<Element> document() {
    skipMisc();
    if (!startsWith("<")) fail("expected the root element");
    auto root = element();
    skipMisc();
    if (pos_ != s_.size()) fail("text after the root element");
    return root;
  }

private:
  [[noreturn]] void fail(const std::string& why) const {
    int line = 1;
    for (std::size_t i = 0; i < pos_ && i < s_.size(); ++i) line += s_[i] == '\n';
    throw std::runtime_error("module description: line " + std::to_string(line) + ": " + why);
  }
  bool startsWith(const char* t) const { return s_.compare(pos_, std::char_traits<char>::length(t), t) == 0; }
  void skipSpace() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  void skipPast(const char* end, const char* what) {
    const auto e = s_.find(end, pos_);
    if (e == std::string::npos) fail(std::string("unterminated ") + what);
    pos_ = e + std::char_traits<char>::length(end);
  }
  // Declarations, comments and processing instructions between elements.
  void skipMisc() {
    for (;;) {
      skipSpace();
      if (startsWith("<?")) skipPast("?>", "processing instruction");
      else if (startsWith("<!--")) skipPast("-->", "comment");
      else if (startsWith("<!DOCTYPE")) skipPast(">", "DOCTYPE");
      else return;
    }
  }
  static bool nameChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == ':';
  }
  std::string name() {
    const auto b = pos_;
    while (pos_ < s_.size() && nameChar(s_[pos_])) ++pos_;
    if (b == pos_) fail("expected a name");
    return s_.substr(b, pos_ - b);
  }
  std::string decode(const std::string& raw) const {
    std::string out;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '&') {
        out += raw[i];
        continue;
      }
      const auto semi = raw.find(';', i);
      if (semi == std::string::npos) fail("'&' without ';'");
      const std::string ent = raw.substr(i + 1, semi - i - 1);
      if (ent == "lt") out += '<';
      else if (ent == "gt") out += '>';
      else if (ent == "amp") out += '&';
      else if (ent == "quot") out += '"';
      else if (ent == "apos") out += '\'';
      else if (!ent.empty() && ent[0] == '#') {
        const unsigned long cp = ent.size() > 1 && ent[1] == 'x' ? std::stoul(ent.substr(2), nullptr, 16)
                                                               : std::stoul(ent.substr(1));
        // UTF-8 encode.
        if (cp < 0x80) out += char(cp);
        else if (cp < 0x800) {
          out += char(0xC0 | (cp >> 6));
          out += char(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
          out += char(0xE0 | (cp >> 12));
          out += char(0x80 | ((cp >> 6) & 0x3F));
          out += char(0x80 | (cp & 0x3F));
        } else {
          out += char(0xF0 | (cp >> 18));
          out += char(0x80 | ((cp >> 12) & 0x3F));
          out += char(0x80 | ((cp >> 6) & 0x3F));
          out += char(0x80 | (cp & 0x3F));
        }
      } else {
        fail("unknown entity &" + ent + ";");
      }
      i = semi;
    }
    return out;
  }

  std::unique_ptr<Element> element() {
    ++pos_;  // '<'
    auto e = std::make_unique<Element>();
    e->name = name();
    for (;;) {
      skipSpace();
      if (startsWith("/>")) {
        pos_ += 2;
        return e;
      }
      if (startsWith(">")) {
        ++pos_;
        break;
      }
      const std::string key = name();
      skipSpace();
      if (!startsWith("=")) fail("attribute " + key + " without a value");
      ++pos_;
      skipSpace();
      if (pos_ >= s_.size() || (s_[pos_] != '"' && s_[pos_] != '\'')) fail("attribute " + key + ": expected a quote");
      const char q = s_[pos_++];
      const auto end = s_.find(q, pos_);
      if (end == std::string::npos) fail("unterminated attribute " + key);
      e->attributes.emplace_back(key, decode(s_.substr(pos_, end - pos_)));
      pos_ = end + 1;
    }
    for (;;) {
      if (pos_ >= s_.size()) fail("<" + e->name + "> is not closed");
      if (startsWith("</")) {
        pos_ += 2;
        const std::string closing = name();
        if (closing != e->name) fail("</" + closing + "> closes <" + e->name + ">");
        skipSpace();
        if (!startsWith(">")) fail("expected '>'");
        ++pos_;
        return e;
      }
      if (startsWith("<![CDATA[")) {
        pos_ += 9;
        const auto end = s_.find("]]>", pos_);
        if (end == std::string::npos) fail("unterminated CDATA");
        e->text += s_.substr(pos_, end - pos_);
        pos_ = end + 3;
      } else if (startsWith("<!--")) {
        skipPast("-->", "comment");
      } else if (startsWith("<?")) {
        skipPast("?>", "processing instruction");
      } else if (startsWith("<")) {
        e->children.push_back(element());
      } else {
        const auto end = s_.find('<', pos_);
        if (end == std::string::npos) fail("<" + e->name + "> is not closed");
        e->text += decode(s_.substr(pos_, end - pos_));
        pos_ = end;
      }
    }
  }

  const std::string& s_;
  std::size_t pos_ = 0;
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
  if (p.name.empty()) throw std::runtime_error("module description: a <" + p.tag + "> has neither <name> nor <longflag>");
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
  const auto root = XmlReader(xml).document();
  if (root->name != "executable")
    throw std::runtime_error("module description: the root element is <" + root->name + ">, expected <executable>");
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
