# Query-plan validation (issue 7): datagen profile / compare / plans. Included from
# datagen/CMakeLists.txt after the datagen target exists; these sources are owned apart from
# the fill pipeline so that both can change without editing each other's files.
target_sources(datagen PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/tool_profile.c
  ${CMAKE_CURRENT_LIST_DIR}/tool_compare.c
  ${CMAKE_CURRENT_LIST_DIR}/tool_plans.c
  ${CMAKE_CURRENT_LIST_DIR}/pgstats.c
  ${CMAKE_CURRENT_LIST_DIR}/profile.c
  ${CMAKE_CURRENT_LIST_DIR}/fanout.c
  ${CMAKE_CURRENT_LIST_DIR}/profile_types.c
  ${CMAKE_CURRENT_LIST_DIR}/pvalue.c
  ${CMAKE_CURRENT_LIST_DIR}/fidelity.c
  ${CMAKE_CURRENT_LIST_DIR}/structure.c
  ${CMAKE_CURRENT_LIST_DIR}/plannorm.c
  ${CMAKE_CURRENT_LIST_DIR}/qfile.c)
target_link_libraries(datagen PRIVATE st::pq)
