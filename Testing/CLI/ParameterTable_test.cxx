// The parameter table against MotionCorrectionCLI.xml (read from the source tree): every XML
// parameter is a table entry with the same type, default, range, choices, label and help, and every
// table entry is in the XML, except the documented CLI-only ones (progress, quiet) and
// input_multivolume (Slicer's other spelling of input). The table's defaults are the engine's.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "JobParameters.h"
#include "ExecutionModelDescription.h"
#include "RunParameters.h"

namespace mc::cli {
namespace {

const ModuleDescription& sourceXml() {
  static const ModuleDescription d = [] {
    std::ifstream in(MC_CLI_XML_PATH);
    std::ostringstream text;
    text << in.rdbuf();
    return parseModuleDescription(text.str());
  }();
  return d;
}

std::string xmlName(const std::string& tableName) {
  std::string n = tableName;
  std::replace(n.begin(), n.end(), '-', '_');
  return n;
}

// The XML tag(s) a table type is written as.
std::set<std::string> tagsFor(const ParameterEntry& e) {
  switch (e.type) {
    case ParameterType::Path: return {"file", "image", "table"};
    case ParameterType::Number: return {"double", "float"};
    case ParameterType::Integer: return {"integer"};
    case ParameterType::Boolean: return {"boolean"};
    case ParameterType::Choice: return {"string-enumeration"};
    case ParameterType::Text: return {"string"};
    case ParameterType::AxisFlags: return {"integer-vector"};
  }
  return {};
}

double number(const std::string& text) { return std::stod(text); }

}  // namespace

TEST(ParameterTable, EveryXmlParameterIsATableEntryWithTheSameDescription) {
  ASSERT_FALSE(sourceXml().parameters().empty());
  int compared = 0;
  for (const auto* p : sourceXml().parameters()) {
    SCOPED_TRACE(p->name);
    if (p->name == "progress" || p->name == "quiet" || p->name == "input_multivolume") continue;
    const ParameterEntry* e = findParameter(p->name);
    ASSERT_NE(e, nullptr) << "XML parameter not in the table";
    EXPECT_EQ(xmlName(e->name), p->name);
    EXPECT_TRUE(tagsFor(*e).count(p->tag)) << "table type does not match <" << p->tag << ">";
    EXPECT_EQ(e->label, p->label);
    EXPECT_EQ(e->help, p->description);
    if (e->type == ParameterType::Path) {
      EXPECT_TRUE(p->defaultValue.empty());
      EXPECT_EQ(e->defaultValue, "");
      EXPECT_EQ(e->isOutput, p->channel == "output");
    } else if (e->type == ParameterType::Number || e->type == ParameterType::Integer) {
      EXPECT_EQ(number(e->defaultValue), number(p->defaultValue));
      ASSERT_TRUE(e->minimum && e->maximum && e->step);
      EXPECT_EQ(*e->minimum, number(p->minimum));
      EXPECT_EQ(*e->maximum, number(p->maximum));
      EXPECT_EQ(*e->step, number(p->step));
    } else {
      EXPECT_EQ(e->defaultValue, p->defaultValue);
      EXPECT_FALSE(e->minimum || e->maximum);
    }
    EXPECT_EQ(e->choices, p->elements);
    ++compared;
  }
  EXPECT_EQ(compared, int(parameterTable().size()));
}

TEST(ParameterTable, EveryTableEntryIsInTheXml) {
  for (const auto& e : parameterTable()) EXPECT_NE(sourceXml().find(xmlName(e.name)), nullptr) << e.name;
}

TEST(ParameterTable, DefaultsAreTheDefaultRequestsAndEveryValueRoundTrips) {
  const RunRequest defaults;
  for (const auto& [name, value] : runParameters(defaults)) EXPECT_EQ(findParameter(name)->defaultValue, value) << name;
  EXPECT_EQ(findParameter("quality")->defaultValue, "0.9");
  EXPECT_EQ(findParameter("reference")->defaultValue, "mean");
  EXPECT_EQ(findParameter("mpi-ranks")->defaultValue, "2");
  EXPECT_EQ(findParameter("backend")->defaultValue, "threads");

  const RunRequest set = runRequestFrom({{"backend", "mpi"}, {"mpi_ranks", "5"}, {"quality", "0.7"},
                                         {"reference", "4"}, {"reslice-wrap", "0,1,0"}, {"output", "/o.nii"}});
  EXPECT_EQ(set.backend, Backend::Mpi);
  EXPECT_EQ(set.mpi.ranks, 5);
  EXPECT_EQ(set.spec.estimation.quality, 0.7);
  EXPECT_EQ(set.spec.estimation.referenceFrame, 4);
  EXPECT_TRUE(set.spec.reslice.wrap[1]);
  EXPECT_EQ(set.spec.realignedOutput, "/o.nii");
  EXPECT_EQ(runParameters(runRequestFrom(runParameters(set))), runParameters(set));
}

TEST(ParameterTable, RunParametersStayOutOfTheJobFile) {
  const auto names = jobParameterNames();
  EXPECT_EQ(std::count(names.begin(), names.end(), "backend"), 0);
  EXPECT_EQ(std::count(names.begin(), names.end(), "mpi-ranks"), 0);
  EXPECT_EQ(names.size() + 2, parameterTable().size());
  JobSpec spec;
  try {
    setJobParameter(spec, "mpi-ranks", "3");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "--mpi-ranks: a parameter of the run request, not of the job");
  }
  RunRequest r;
  for (const auto& [value, message] : {std::pair{"0", "--mpi-ranks: expected a whole number >= 1, got '0'"},
                                       std::pair{"two", "--mpi-ranks: expected a whole number >= 1, got 'two'"}}) {
    try {
      setRunParameter(r, "mpi-ranks", value);
      ADD_FAILURE() << value;
    } catch (const std::invalid_argument& e) {
      EXPECT_EQ(std::string(e.what()), message);
    }
  }
  try {
    setRunParameter(r, "backend", "gpu");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "--backend: expected serial, threads or mpi, got 'gpu'");
  }
}

}  // namespace mc::cli
