# replay search (issue 18): the capacity search against the reference shop with a known
# capacity. Long closed loops of real runs: labelled nosan (normal build only).
foreach(t search_contract search_knee search_pools)
  st_integ_test(integ_${t} 240 bash ${ST_TEST_DIR}/integ/${t}.sh $<TARGET_FILE:shop> $<TARGET_FILE:replay>)
  set_tests_properties(integ_${t} PROPERTIES LABELS "integ;nosan")
endforeach()
# The search's rules (grid, bisection, verdicts, knee, degradation, exit codes) on hand-built
# results documents.
st_unit_test(test_replay_search ${ST_TEST_DIR}/unit/test_replay_search.c LIBS replay_core)
