# The Ascend NPU backend, added to lf_compute (included by the top-level
# CMakeLists.txt right after lf_compute is defined).
#
#   LLAMAFACTORY_ASCEND=AUTO  on when a CANN toolkit is found (default)
#                       ON    a toolkit is required
#                       OFF   never
#   LLAMAFACTORY_ASCEND_SIM=ON  build against the CPU-simulated CANN in
#                               tests/cann_sim instead (tests only)
#
# The toolkit is found through CANN_INSTALL_DIR (cache variable), else
# ASCEND_TOOLKIT_HOME, else ASCEND_HOME_PATH (both exported by set_env.sh).
# It links ascendcl (ACL runtime), nnopbase (aclTensor / executors), opapi (the
# aclnn ops; newer CANN splits it into opapi_math / opapi_nn /
# opapi_transformer), hccl (collectives) and dl (for dlsym of optional symbols).

set(_lf_ascend_dir ${CMAKE_CURRENT_LIST_DIR})

if(LLAMAFACTORY_ASCEND_SIM)
  include(${CMAKE_SOURCE_DIR}/tests/cann_sim/toolkit.cmake)
  set(_lf_ascend_include ${CANN_SIM_INCLUDE})
  set(_lf_ascend_libs cann_sim_ascendcl cann_sim_nnopbase cann_sim_opapi cann_sim_hccl)
  message(STATUS "Ascend backend: ON, against the CPU-simulated CANN (${CANN_SIM_HOME})")
else()
  if(LLAMAFACTORY_ASCEND STREQUAL "OFF")
    return()
  endif()
  set(CANN_INSTALL_DIR "" CACHE PATH "CANN toolkit root (default: $ASCEND_TOOLKIT_HOME or $ASCEND_HOME_PATH)")
  set(_lf_cann ${CANN_INSTALL_DIR})
  foreach(_var ASCEND_TOOLKIT_HOME ASCEND_HOME_PATH)
    if(NOT _lf_cann AND DEFINED ENV{${_var}})
      set(_lf_cann $ENV{${_var}})
    endif()
  endforeach()
  find_library(_lf_ascendcl ascendcl PATHS ${_lf_cann}/lib64 NO_DEFAULT_PATH)
  find_library(_lf_nnopbase nnopbase PATHS ${_lf_cann}/lib64 NO_DEFAULT_PATH)
  find_library(_lf_opapi opapi PATHS ${_lf_cann}/lib64 NO_DEFAULT_PATH)
  find_library(_lf_hccl hccl PATHS ${_lf_cann}/lib64 NO_DEFAULT_PATH)
  set(_lf_opapi_libs ${_lf_opapi})
  if(NOT _lf_opapi)
    foreach(_part math nn transformer)
      find_library(_lf_opapi_${_part} opapi_${_part} PATHS ${_lf_cann}/lib64 NO_DEFAULT_PATH)
      if(_lf_opapi_${_part})
        list(APPEND _lf_opapi_libs ${_lf_opapi_${_part}})
      endif()
    endforeach()
  endif()
  if(NOT _lf_cann OR NOT EXISTS ${_lf_cann}/include/acl/acl.h OR NOT _lf_ascendcl
     OR NOT _lf_nnopbase OR NOT _lf_opapi_libs OR NOT _lf_hccl)
    if(LLAMAFACTORY_ASCEND STREQUAL "ON")
      message(FATAL_ERROR "LLAMAFACTORY_ASCEND=ON but no CANN toolkit was found: run "
        "`source /usr/local/Ascend/ascend-toolkit/set_env.sh` or pass -DCANN_INSTALL_DIR=<toolkit>")
    endif()
    message(STATUS "Ascend backend: OFF (no CANN toolkit; set ASCEND_TOOLKIT_HOME to enable)")
    return()
  endif()
  set(_lf_ascend_include ${_lf_cann}/include)
  set(_lf_ascend_libs ${_lf_ascendcl} ${_lf_nnopbase} ${_lf_opapi_libs} ${_lf_hccl})
  message(STATUS "Ascend backend: ON (CANN at ${_lf_cann})")
endif()

file(GLOB _lf_ascend_sources CONFIGURE_DEPENDS ${_lf_ascend_dir}/*.cpp)
target_sources(lf_compute PRIVATE ${_lf_ascend_sources})
target_include_directories(lf_compute PRIVATE ${_lf_ascend_include})
target_compile_definitions(lf_compute PUBLIC LF_WITH_ASCEND)
target_link_libraries(lf_compute PRIVATE ${_lf_ascend_libs} ${CMAKE_DL_LIBS})
