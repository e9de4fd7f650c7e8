// MotionCorrectionFollowCLI.xml against the follow options: every XML parameter (but progress and
// quiet) is a follow parameter whose XML default is FollowOptions' default; the estimation ones are
// the parameter table's entries, described exactly as in MotionCorrectionCLI.xml; every follow
// parameter is in the XML; values round-trip, and bad ones name the parameter.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "FollowParameters.h"
#include "FollowRequest.h"
#include "MotionCorrectionRequest.h"
#include "ParameterTable.h"

namespace mc::cli {
namespace {

std::string dashed(std::string name) {
  std::replace(name.begin(), name.end(), '_', '-');
  return name;
}

std::string defaultOf(const std::string& name) {
  for (const auto& [n, v] : followParameters(FollowOptions{}))
    if (n == dashed(name)) return v;
  return "<not a follow parameter>";
}

bool sameNumbers(const std::string& a, const std::string& b) {
  std::vector<double> x, y;
  for (auto [text, out] : {std::pair{a, &x}, std::pair{b, &y}}) {
    std::size_t at = 0;
    while (at <= text.size()) {
      const auto comma = text.find(',', at);
      out->push_back(std::stod(text.substr(at, comma - at)));
      if (comma == std::string::npos) break;
      at = comma + 1;
    }
  }
  return x == y;
}

}  // namespace

TEST(FollowParameters, EveryXmlParameterIsAFollowParameterWithItsDefault) {
  const auto& cliOnly = followCliOnlyParameters();
  int compared = 0;
  for (const auto* p : followDescription().parameters()) {
    SCOPED_TRACE(p->name);
    if (std::find(cliOnly.begin(), cliOnly.end(), p->name) != cliOnly.end()) continue;
    const std::string d = defaultOf(p->name);
    if (p->isNumber() || p->tag == "double-vector")
      EXPECT_TRUE(sameNumbers(d, p->defaultValue)) << d << " vs XML " << p->defaultValue;
    else
      EXPECT_EQ(d, p->defaultValue);
    ++compared;
  }
  EXPECT_EQ(compared, int(followParameters(FollowOptions{}).size()));  // and every follow parameter is in the XML
}

TEST(FollowParameters, TableEntriesAreDescribedAsInTheMainCli) {
  int shared = 0;
  for (const auto* p : followDescription().parameters()) {
    if (!findParameter(p->name) || p->name == "reference" || p->name == "threads") continue;
    SCOPED_TRACE(p->name);
    const ModuleParameter* main = motionCorrectionDescription().find(p->name);
    ASSERT_NE(main, nullptr);
    EXPECT_EQ(p->tag, main->tag);
    EXPECT_EQ(p->longflag, main->longflag);
    EXPECT_EQ(p->aliases, main->aliases);
    EXPECT_EQ(p->label, main->label);
    EXPECT_EQ(p->description, main->description);
    EXPECT_EQ(p->defaultValue, main->defaultValue);
    EXPECT_EQ(p->minimum, main->minimum);
    EXPECT_EQ(p->maximum, main->maximum);
    ++shared;
  }
  EXPECT_EQ(shared, 9);  // params confounds quality sep fwhm interp wrap reslice_interp reslice_wrap
  // follow's reference is an image, the main CLI's a choice of frame: not the table's entry
  EXPECT_EQ(followDescription().find("reference")->tag, "image");
}

TEST(FollowParameters, ValuesRoundTripAndBadOnesNameTheParameter) {
  FollowOptions o;
  setFollowParameter(o, "fd_levels", "0.1,0.25");
  setFollowParameter(o, "timeout", "12.5");
  setFollowParameter(o, "quality", "0.5");
  setFollowParameter(o, "reslice_interp", "3");
  setFollowParameter(o, "threads", "2");
  setFollowParameter(o, "realigned-folder", "/r");
  EXPECT_EQ(o.fdLevels, (std::vector<double>{0.1, 0.25}));
  EXPECT_EQ(o.timeoutSeconds, 12.5);
  EXPECT_EQ(o.estimation.quality, 0.5);
  EXPECT_EQ(o.reslice.interpolation, 3);
  EXPECT_EQ(o.threads, 2);
  EXPECT_EQ(o.realignedFolder, "/r");
  FollowOptions back;
  for (const auto& [n, v] : followParameters(o)) setFollowParameter(back, n, v);
  EXPECT_EQ(followParameters(back), followParameters(o));
  for (const auto& [name, value, message] :
       {std::tuple{"frames", "2.5", "--frames: expected a whole number, got '2.5'"},
        std::tuple{"fd-levels", "0.2,,0.5", "--fd-levels: expected a number, got ''"},
        std::tuple{"quality", "high", "--quality: expected a number, got 'high'"},
        std::tuple{"mpi-ranks", "2", "--mpi-ranks: not a follow-mode parameter"}}) {
    try {
      setFollowParameter(o, name, value);
      ADD_FAILURE() << name;
    } catch (const std::invalid_argument& e) {
      EXPECT_EQ(std::string(e.what()), message);
    }
  }
}

}  // namespace mc::cli
