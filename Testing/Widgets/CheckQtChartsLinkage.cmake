# Whether a binary loads Qt Charts, by its full list of shared libraries (ldd: direct and transitive,
# so a Qt Charts dependency that comes in through the engine or core is caught too).
#   cmake -DBINARY=<file> -DEXPECT=absent|present -P CheckQtChartsLinkage.cmake
# The panel's no-charts build (Slicer ships no Qt Charts) must say absent; the standalone build,
# whose plots are Qt Charts, says present, which shows the check can tell the two apart.
if(NOT EXISTS "${BINARY}")
  message(FATAL_ERROR "no such binary: ${BINARY}")
endif()
find_program(MC_LDD ldd REQUIRED)
execute_process(COMMAND ${MC_LDD} "${BINARY}" OUTPUT_VARIABLE libs ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT libs MATCHES "libQt[56]Core")
  message(FATAL_ERROR "ldd ${BINARY} failed (${rc}): ${err}${libs}")
endif()
string(REGEX MATCHALL "libQt[56]Charts[^ \t\n]*" charts "${libs}")
if(EXPECT STREQUAL "absent" AND charts)
  message(FATAL_ERROR "${BINARY} loads Qt Charts: ${charts}")
elseif(EXPECT STREQUAL "present" AND NOT charts)
  message(FATAL_ERROR "${BINARY} does not load Qt Charts:\n${libs}")
elseif(NOT EXPECT MATCHES "^(absent|present)$")
  message(FATAL_ERROR "EXPECT must be absent or present, not '${EXPECT}'")
endif()
string(REGEX MATCHALL "libQt[56][A-Za-z]+" qt "${libs}")
list(REMOVE_DUPLICATES qt)
message(STATUS "Qt Charts ${EXPECT} as expected; Qt libraries: ${qt}")
