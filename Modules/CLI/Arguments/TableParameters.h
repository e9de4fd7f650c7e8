#pragma once
// A CLI module's parameters that are entries of the one parameter table (ParameterTable.h) applied
// to a RunRequest, with the table's errors renamed to the flag the user typed.
#include <functional>
#include <string>

#include "CommandLine.h"
#include "ExecutionModelDescription.h"
#include "Run.h"

namespace mc::cli {

// For every XML parameter that tableName maps to a table entry (non-empty name), applies its value
// (given or the XML default) through mc::setRunParameter. Throws std::invalid_argument("--flag:
// problem") naming the flag as typed.
void applyTableParameters(const ModuleDescription& d, const CommandLine& c, RunRequest& request,
                          const std::function<std::string(const std::string& xmlName)>& tableName);

// The table entry an XML name is (XML names are C identifiers: "reslice_interp" is "reslice-interp"),
// or "" when it is none.
std::string tableEntryNamed(const std::string& xmlName);

}  // namespace mc::cli
