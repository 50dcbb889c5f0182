# The CPU-simulated CANN toolkit, built only when LLAMAFACTORY_ASCEND_SIM=ON
# (included by src/backends/ascend/backend.cmake). It lays out a toolkit tree
# like the real one, so the backend finds and links it the same way:
#   ${CANN_SIM_HOME}/lib64/{libascendcl,libnnopbase,libopapi,libhccl}.so
#   ${CANN_SIM_HOME}/<arch>-linux/ascend_toolkit_install.info, runtime/version.info
#   ${CANN_SIM_HOME}/include -> tests/cann_sim/include (acl/, aclnn/, aclnnop/)
# so a normal (non-sim) build with ASCEND_TOOLKIT_HOME=${CANN_SIM_HOME} also
# finds it, which checks backend.cmake's real-toolkit path.
set(CANN_SIM_HOME ${CMAKE_BINARY_DIR}/cann-sim)
set(CANN_SIM_INCLUDE ${CMAKE_CURRENT_LIST_DIR}/include)
set(_sim ${CMAKE_CURRENT_LIST_DIR}/src)

function(cann_sim_library target name)
  add_library(${target} SHARED ${ARGN})
  set_target_properties(${target} PROPERTIES OUTPUT_NAME ${name}
    LIBRARY_OUTPUT_DIRECTORY ${CANN_SIM_HOME}/lib64)
  target_include_directories(${target} PRIVATE ${CANN_SIM_INCLUDE} ${_sim})
endfunction()

cann_sim_library(cann_sim_ascendcl ascendcl ${_sim}/state.cpp ${_sim}/runtime_api.cpp
  ${_sim}/events.cpp)
cann_sim_library(cann_sim_nnopbase nnopbase ${_sim}/meta.cpp)
target_link_libraries(cann_sim_nnopbase PRIVATE cann_sim_ascendcl)
file(GLOB _sim_ops CONFIGURE_DEPENDS ${_sim}/ops_*.cpp)
cann_sim_library(cann_sim_opapi opapi ${_sim_ops})
target_link_libraries(cann_sim_opapi PRIVATE cann_sim_nnopbase cann_sim_ascendcl)
cann_sim_library(cann_sim_hccl hccl ${_sim}/hccl.cpp)
target_link_libraries(cann_sim_hccl PRIVATE cann_sim_nnopbase cann_sim_ascendcl Threads::Threads)

file(MAKE_DIRECTORY ${CANN_SIM_HOME})
file(CREATE_LINK ${CANN_SIM_INCLUDE} ${CANN_SIM_HOME}/include SYMBOLIC)

# Version files in the formats of reference §5.2.
file(WRITE ${CANN_SIM_HOME}/${CMAKE_SYSTEM_PROCESSOR}-linux/ascend_toolkit_install.info
  "package_name=Ascend-cann-toolkit\nversion=8.1.RC1\ninnerversion=V100R001C21SPC001B238\n"
  "arch=${CMAKE_SYSTEM_PROCESSOR}\npath=${CANN_SIM_HOME}/${CMAKE_SYSTEM_PROCESSOR}-linux\n")
file(WRITE ${CANN_SIM_HOME}/runtime/version.info
  "Version=7.7.0.1.238\nversion_dir=8.1.RC1\ntimestamp=20250301_000000000\n")
