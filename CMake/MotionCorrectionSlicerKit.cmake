# Kit mode: build the extension against ../shared/slicer-sdk (Slicer 5.2.2's MRML libraries and
# SlicerExecutionModel, built by its build.sh into MC_SLICER_KIT_PREFIX) instead of a Slicer build
# tree. Defines what Slicer's UseSlicer.cmake would for this project: the Qt version, the module
# folders (build tree and install), and the defaults SEMMacroBuildCLI reads.

if(NOT EXISTS "${MC_SLICER_KIT_PREFIX}/lib/cmake/SlicerMRML/SlicerMRMLConfig.cmake")
  message(FATAL_ERROR "MC_SLICER_KIT_PREFIX=${MC_SLICER_KIT_PREFIX} is not a slicer-sdk prefix "
    "(no lib/cmake/SlicerMRML); build it with ../shared/slicer-sdk/build.sh ${MC_SLICER_KIT_PREFIX}")
endif()
set(SlicerMRML_DIR "${MC_SLICER_KIT_PREFIX}/lib/cmake/SlicerMRML" CACHE PATH "slicer-sdk MRML package" FORCE)
set(SlicerExecutionModel_DIR "${MC_SLICER_KIT_PREFIX}/sem/build" CACHE PATH "slicer-sdk SlicerExecutionModel" FORCE)
find_package(SlicerMRML 5.2.2 CONFIG REQUIRED)
include(${SlicerMRML_USE_FILE})
find_package(SlicerExecutionModel REQUIRED)
include(${SlicerExecutionModel_USE_FILE})

# Slicer main builds with Qt 5.15 unless told otherwise.
if(NOT DEFINED Slicer_REQUIRED_QT_VERSION)
  set(Slicer_REQUIRED_QT_VERSION 5.15)
endif()

# Slicer's module folders (vtkSlicerConfigure / SlicerDirectories.cmake), relative to the build
# tree and to the install prefix alike.
set(Slicer_VERSION_MAJOR 5)
set(Slicer_VERSION_MINOR 2)
set(Slicer_LIB_DIR lib/Slicer-${Slicer_VERSION_MAJOR}.${Slicer_VERSION_MINOR})
set(Slicer_QTLOADABLEMODULES_LIB_DIR ${Slicer_LIB_DIR}/qt-loadable-modules)
set(Slicer_CLIMODULES_BIN_DIR ${Slicer_LIB_DIR}/cli-modules)
set(Slicer_CLIMODULES_LIB_DIR ${Slicer_LIB_DIR}/cli-modules)
set(Slicer_INSTALL_QTLOADABLEMODULES_LIB_DIR ${Slicer_QTLOADABLEMODULES_LIB_DIR})
set(Slicer_INSTALL_CLIMODULES_BIN_DIR ${Slicer_CLIMODULES_BIN_DIR})
set(Slicer_INSTALL_CLIMODULES_LIB_DIR ${Slicer_CLIMODULES_LIB_DIR})
set(Slicer_QTSCRIPTEDMODULES_LIB_DIR ${Slicer_LIB_DIR}/qt-scripted-modules)
set(Slicer_INSTALL_QTSCRIPTEDMODULES_LIB_DIR ${Slicer_QTSCRIPTEDMODULES_LIB_DIR})

# Where SEMMacroBuildCLI puts and installs a CLI (UseSlicer.cmake sets the same).
set(SlicerExecutionModel_DEFAULT_CLI_RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/${Slicer_CLIMODULES_BIN_DIR})
set(SlicerExecutionModel_DEFAULT_CLI_LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/${Slicer_CLIMODULES_LIB_DIR})
set(SlicerExecutionModel_DEFAULT_CLI_ARCHIVE_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/${Slicer_CLIMODULES_LIB_DIR})
set(SlicerExecutionModel_DEFAULT_CLI_INSTALL_RUNTIME_DESTINATION ${Slicer_INSTALL_CLIMODULES_BIN_DIR})
set(SlicerExecutionModel_DEFAULT_CLI_INSTALL_LIBRARY_DESTINATION ${Slicer_INSTALL_CLIMODULES_LIB_DIR})
set(SlicerExecutionModel_DEFAULT_CLI_INSTALL_ARCHIVE_DESTINATION ${Slicer_INSTALL_CLIMODULES_LIB_DIR})

# The headers of Slicer main and CTK, for the syntax checks of the Qt module classes.
get_filename_component(MC_SLICER_SDK_DIR "${CMAKE_SOURCE_DIR}/../shared/slicer-sdk" ABSOLUTE)
set(MC_SLICER_SDK_DIR "${MC_SLICER_SDK_DIR}" CACHE PATH "The slicer-sdk kit (for headers/syntax-check.sh)")
