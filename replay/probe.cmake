# The PostgreSQL probe of `replay run --db-probe` (replay/probe.h; probe.c the thread, store and
# JSON, probe_sql.c the libpq side, probe_int.h between them), as a static library so the
# replay engine and the probe's tests link the same object. Included by replay/CMakeLists.txt
# (`include(probe.cmake)` then link `stprobe`) and, when that is not done yet, by
# tests/probe.cmake.
if(NOT TARGET stprobe)
  add_library(stprobe STATIC ${CMAKE_CURRENT_LIST_DIR}/probe.c
    ${CMAKE_CURRENT_LIST_DIR}/probe_sql.c)
  target_include_directories(stprobe PUBLIC ${CMAKE_CURRENT_LIST_DIR})
  target_link_libraries(stprobe PUBLIC stcommon st::pq Threads::Threads m)
endif()
