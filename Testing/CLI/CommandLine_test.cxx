// The argument layer against the embedded MotionCorrectionCLI.xml: every XML parameter maps to a table
// parameter or a known CLI-only one (and every table parameter is reachable), values round-trip
// through parse -> RunRequest -> mc::runParameters, XML defaults equal the engine's, and bad flags fail
// with a message naming the flag.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "CommandLine.h"
#include "RunParameters.h"
#include "ExecutionModelDescription.h"
#include "MotionCorrectionRequest.h"

namespace mc::cli {
namespace {

const ModuleDescription& md() { return motionCorrectionDescription(); }

std::map<std::string, std::string> tableValues(const RunRequest& r) {
  std::map<std::string, std::string> m;
  for (const auto& [k, v] : runParameters(r)) m[k] = v;
  return m;
}

MotionCorrectionRequest parse(const std::vector<std::string>& args) {
  return requestFromCommandLine(md(), parseCommandLine(md(), args), false);
}

std::string errorOf(const std::vector<std::string>& args, bool requireRun = false) {
  try {
    requestFromCommandLine(md(), parseCommandLine(md(), args), requireRun);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "no error";
}

bool sameValue(const std::string& a, const std::string& b) {
  if (a == b) return true;
  try {
    std::size_t ua = 0, ub = 0;
    const double da = std::stod(a, &ua), db = std::stod(b, &ub);
    return ua == a.size() && ub == b.size() && std::fabs(da - db) < 1e-12;
  } catch (...) {
    return false;
  }
}

// A valid value that differs from the parameter's default, derived from the XML alone.
std::string otherValue(const ModuleParameter& p) {
  if (p.isBoolean()) return p.defaultValue == "true" ? "false" : "true";
  if (p.isEnumeration()) {
    for (const auto& e : p.elements)
      if (e != p.defaultValue) return e;
  }
  if (p.tag == "integer-vector") return "1,0,1";
  if (p.isNumber()) {
    const double lo = std::stod(p.minimum), hi = std::stod(p.maximum);
    double v = lo + 0.37 * (hi - lo);
    if (p.tag == "integer") v = std::floor(v);
    if (std::to_string(v) == p.defaultValue) v = lo;
    std::ostringstream os;
    os << v;
    return os.str();
  }
  if (p.name == "reference") return "3";
  if (p.isPath()) return "/data/sub-01/" + p.name + (p.channel == "output" ? "_out" : "_in") + ".nii.gz";
  ADD_FAILURE() << "no test value for " << p.tag << " " << p.name;
  return "";
}

TEST(ModuleDescription, IsFilledIn) {
  const auto& d = md();
  EXPECT_EQ(d.category, "Registration");
  for (const auto* s : {&d.title, &d.description, &d.version, &d.documentationUrl, &d.license, &d.contributor,
                        &d.acknowledgements})
    EXPECT_FALSE(s->empty());
  EXPECT_GE(d.groups.size(), 3u);
  for (const auto* p : d.parameters()) {
    EXPECT_FALSE(p->label.empty()) << p->name;
    EXPECT_FALSE(p->description.empty()) << p->name;
    EXPECT_FALSE(p->longflag.empty()) << p->name << ": every parameter is a flag";
    EXPECT_EQ(p->name, p->longflag) << "name and long flag agree, so errors name what the user types";
  }
}

TEST(ModuleDescription, EveryParameterMapsToTheJobOrIsCliOnly) {
  std::set<std::string> reached;
  for (const auto* p : md().parameters()) {
    const std::string job = tableParameterFor(p->name);
    const auto& only = cliOnlyParameters();
    const bool cliOnly = std::find(only.begin(), only.end(), p->name) != only.end();
    EXPECT_NE(job.empty(), !cliOnly) << p->name << " must map to exactly one of: a job parameter, a CLI-only one";
    if (!job.empty()) reached.insert(job);
    // A job parameter named with '-' is also accepted with '-' (a declared alias).
    if (!job.empty() && job.find('-') != std::string::npos && p->name != "input_multivolume")
      EXPECT_NE(std::find(p->aliases.begin(), p->aliases.end(), job), p->aliases.end()) << p->name;
  }
  for (const auto& e : parameterTable()) EXPECT_TRUE(reached.count(e.name)) << e.name << " has no flag in the XML";
  for (const auto& n : cliOnlyParameters()) EXPECT_NE(md().find(n), nullptr) << n;
}

TEST(CommandLine, DefaultsComeFromTheXmlAndEqualTheEngines) {
  const MotionCorrectionRequest r = parse({});
  EXPECT_EQ(tableValues(r), tableValues(RunRequest{}));
  for (const auto* p : md().parameters()) {
    const std::string job = tableParameterFor(p->name);
    if (job.empty() || p->defaultValue.empty()) continue;
    EXPECT_TRUE(sameValue(tableValues(r).at(job), p->defaultValue)) << p->name;
  }
  EXPECT_EQ(r.backend, Backend::Threads);
  EXPECT_EQ(r.mpi.ranks, std::stoi(md().find("mpi_ranks")->defaultValue));
  EXPECT_EQ(r.progress, "auto");
}

TEST(CommandLine, EveryParameterRoundTrips) {
  int checked = 0;
  for (const auto* p : md().parameters()) {
    const std::string job = tableParameterFor(p->name);
    const std::string value = otherValue(*p);
    for (const std::string& flag : [&] {
           std::vector<std::string> f{"--" + p->longflag};
           for (const auto& a : p->aliases) f.push_back("--" + a);
           return f;
         }()) {
      for (bool joined : {false, true}) {
        std::vector<std::string> args;
        if (p->isBoolean() && !joined) args = {flag};  // bare switch means true
        else if (joined) args = {flag + "=" + value};
        else args = {flag, value};
        SCOPED_TRACE(args[0]);
        const MotionCorrectionRequest r = parse(args);
        if (!job.empty()) {
          const auto got = tableValues(r);
          EXPECT_TRUE(sameValue(got.at(job), value)) << p->name << ": set " << value << ", got " << got.at(job);
          // Nothing else moved from its default.
          auto expected = tableValues(RunRequest{});
          expected[job] = got.at(job);
          EXPECT_EQ(got, expected);
        } else if (p->name == "progress") {
          EXPECT_EQ(r.progress, value);
        } else if (p->name == "quiet") {
          EXPECT_EQ(r.progress, "none");
        }
        ++checked;
      }
    }
  }
  EXPECT_GE(checked, 2 * int(md().parameters().size()));
}

TEST(CommandLine, ReferenceAcceptsFirstMeanAndAnIndex) {
  EXPECT_EQ(tableValues(parse({"--reference", "first"})).at("reference"), "first");
  EXPECT_EQ(tableValues(parse({"--reference", "mean"})).at("reference"), "mean");
  EXPECT_EQ(tableValues(parse({"--reference", "7"})).at("reference"), "7");
}

TEST(CommandLine, MultivolumeIsAnotherWayToGiveTheInput) {
  EXPECT_EQ(parse({"--input_multivolume", "/tmp/mv.nrrd"}).spec.input, "/tmp/mv.nrrd");
  EXPECT_NE(errorOf({"--input", "a.nii", "--input_multivolume", "b.nrrd"}).find("--input_multivolume: give either"),
            std::string::npos);
}

TEST(CommandLine, BadFlagsNameTheFlag) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--fwhm", "-1"}, "--fwhm: must be >= 0"},
      {{"--fwhm=abc"}, "--fwhm: expected a number"},
      {{"--quality", "0"}, "--quality: must be in (0, 1]"},
      {{"--quality", "1.5"}, "--quality: must be in (0, 1]"},
      {{"--reference", "middle"}, "--reference: expected first, mean or a frame index"},
      {{"--reslice-interp", "9"}, "--reslice-interp: B-spline degree must be 0..7"},
      {{"--reslice_interp", "9"}, "--reslice_interp: B-spline degree must be 0..7"},
      {{"--interp", "2.5"}, "--interp: expected a whole number"},
      {{"--wrap", "1,0"}, "--wrap: expected three values"},
      {{"--mask", "maybe"}, "--mask: expected true or false, got 'maybe'"},
      {{"--backend", "gpu"}, "--backend: expected serial, threads or mpi, got 'gpu'"},
      {{"--mpi_ranks", "0"}, "--mpi_ranks: expected a whole number >= 1"},
      {{"--threads", "-2"}, "--threads: must be >= 0"},
      {{"--estimate_only=perhaps"}, "--estimate_only: expected true or false"},
      {{"--bogus", "1"}, "--bogus: unknown parameter"},
      {{"-z"}, "-z: unknown parameter"},
      {{"run.nii.gz"}, "run.nii.gz: unexpected argument"},
      {{"--fwhm"}, "--fwhm: missing value"},
      {{"--fwhm", "4", "--fwhm", "5"}, "--fwhm: given twice"},
  };
  for (const auto& [args, fragment] : cases) {
    const std::string e = errorOf(args);
    EXPECT_NE(e.find(fragment), std::string::npos) << "got: " << e;
    EXPECT_EQ(e.find('\n'), std::string::npos) << "one line: " << e;
  }
  EXPECT_NE(errorOf({"--output", "r.nii.gz"}, true).find("--input: required"), std::string::npos);
  EXPECT_NE(errorOf({"--input", "run.nii.gz"}, true).find("no output requested"), std::string::npos);
}

TEST(CommandLine, HelpListsEveryFlagWithItsDefault) {
  const std::string help = formatHelp(md(), "MotionCorrectionCLI");
  for (const auto* p : md().parameters()) {
    EXPECT_NE(help.find("--" + p->longflag), std::string::npos) << p->name;
    if (!p->defaultValue.empty()) EXPECT_NE(help.find("Default: " + p->defaultValue), std::string::npos) << p->name;
  }
}

TEST(ProgressMode, AutoIsTextOnATerminalElseTheSlicerProtocol) {
  EXPECT_EQ(resolveProgressMode("auto", nullptr, true), ProgressMode::Text);
  EXPECT_EQ(resolveProgressMode("auto", nullptr, false), ProgressMode::Slicer);
  EXPECT_EQ(resolveProgressMode("auto", "text", false), ProgressMode::Text);
  EXPECT_EQ(resolveProgressMode("auto", "none", true), ProgressMode::None);
  EXPECT_EQ(resolveProgressMode("slicer", "text", true), ProgressMode::Slicer);  // the flag beats the environment
  EXPECT_THROW(resolveProgressMode("auto", "loud", true), std::invalid_argument);
}

TEST(XmlReader, RejectsMalformedDocuments) {
  EXPECT_THROW(parseModuleDescription("<executable><parameters></executable>"), std::runtime_error);
  EXPECT_THROW(parseModuleDescription("<module/>"), std::runtime_error);
  EXPECT_THROW(parseModuleDescription("<executable><title>a &bogus; b</title></executable>"), std::runtime_error);
  const auto d = parseModuleDescription(
      "<?xml version=\"1.0\"?><!-- c --><executable><title>A &amp; B &#x41;</title><parameters><integer>"
      "<longflag alias=\"n-iter,iters\">--n_iter</longflag><default>3</default></integer></parameters></executable>");
  EXPECT_EQ(d.title, "A & B A");
  ASSERT_NE(d.find("n_iter"), nullptr);
  EXPECT_EQ(d.find("n_iter")->aliases, (std::vector<std::string>{"n-iter", "iters"}));
}

// Errors name the line, as a module author needs to find it in a 250-line XML (expat's positions).
TEST(XmlReader, ErrorsNameTheLine) {
  const auto messageOf = [](const std::string& xml) {
    try {
      parseModuleDescription(xml);
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string mismatched = messageOf("<executable>\n<parameters>\n<integer>\n</parameters>\n</executable>");
  EXPECT_EQ(mismatched.rfind("module description: line 4: ", 0), 0u) << mismatched;
  const std::string entity = messageOf("<executable>\n<title>a\n&bogus; b</title>\n</executable>");
  EXPECT_EQ(entity.rfind("module description: line 3: ", 0), 0u) << entity;
  const std::string notModule = messageOf("<module/>");
  EXPECT_NE(notModule.find("executable"), std::string::npos) << notModule;
}

}  // namespace
}  // namespace mc::cli
