# mc_add_library(<name> SOURCES ... [PUBLIC_LINK ...] [PRIVATE_LINK ...])
# One of the engine's libraries: its folder is its public include directory, its internal/ folder a
# private one. <name>Internals is an interface target with both, for that library's own tests only.
function(mc_add_library name)
  cmake_parse_arguments(arg "" "" "SOURCES;PUBLIC_LINK;PRIVATE_LINK" ${ARGN})
  add_library(${name} ${arg_SOURCES})
  target_include_directories(${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/internal)
    target_include_directories(${name} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/internal)
  endif()
  target_compile_features(${name} PUBLIC cxx_std_17)
  target_compile_options(${name} PRIVATE $<$<CONFIG:Release>:-O3>)
  target_link_libraries(${name} PUBLIC ${arg_PUBLIC_LINK} PRIVATE ${arg_PRIVATE_LINK})
  add_library(${name}Internals INTERFACE)
  target_link_libraries(${name}Internals INTERFACE ${name})
  target_include_directories(${name}Internals INTERFACE ${CMAKE_CURRENT_SOURCE_DIR}/internal)
  # An extension installs the engine beside its loadable module (Slicer's module library folder).
  if(BUILD_SHARED_LIBS)
    # Each library finds the engine libraries it needs beside itself, without Slicer's launcher
    # (a CLI that needs only some of them directly, say MotionCorrectionFollowCLI, found
    # libMotionCorrectionIO.so through nothing: RUNPATH is not inherited by a library's own needs).
    set_target_properties(${name} PROPERTIES INSTALL_RPATH "$<IF:$<PLATFORM_ID:Darwin>,@loader_path,$ORIGIN>")
    install(TARGETS ${name} LIBRARY DESTINATION ${MC_INSTALL_LIB_DIR} COMPONENT RuntimeLibraries)
  endif()
endfunction()
