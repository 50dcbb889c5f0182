# lf_library(name folder DEPS ...): one static library per source folder.
# A folder with no .cpp yet becomes an INTERFACE library so layers above can
# already name it.
set(LF_ALL_LIBRARIES "" CACHE INTERNAL "")
function(lf_library name folder)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/${folder}/*.cpp)
  if(sources)
    add_library(${name} STATIC ${sources})
    target_include_directories(${name} PUBLIC ${CMAKE_SOURCE_DIR}/src)
    target_link_libraries(${name} PUBLIC ${ARG_DEPS})
  else()
    add_library(${name} INTERFACE)
    target_include_directories(${name} INTERFACE ${CMAKE_SOURCE_DIR}/src)
    target_link_libraries(${name} INTERFACE ${ARG_DEPS})
  endif()
  set(LF_ALL_LIBRARIES "${LF_ALL_LIBRARIES};${name}" CACHE INTERNAL "")
endfunction()
