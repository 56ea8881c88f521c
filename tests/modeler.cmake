# modeler tests: unit (cmocka per module), the CLI contract table, and integration tests
# that run the log simulator (tests/sim) and refit its output.
add_executable(logsim ${ST_TEST_DIR}/sim/logsim.c ${ST_TEST_DIR}/sim/logsim_check.c)
target_link_libraries(logsim PRIVATE stcommon st::zlib m)

st_cli_table(modeler ${ST_TEST_DIR}/cli/modeler.tsv)
st_integ_test(modeler_recovery 300 bash ${ST_TEST_DIR}/integ/modeler_recovery.sh)
st_integ_test(modeler_recovery_bursts 300 bash ${ST_TEST_DIR}/integ/modeler_recovery_bursts.sh)
set_property(TEST modeler_recovery_bursts APPEND PROPERTY LABELS nosan)
st_integ_test(modeler_quality 120 bash ${ST_TEST_DIR}/integ/modeler_quality.sh)
foreach(m logfmt route fit model assets)
  if(EXISTS ${ST_TEST_DIR}/unit/test_modeler_${m}.c)
    st_unit_test(test_modeler_${m} ${ST_TEST_DIR}/unit/test_modeler_${m}.c LIBS modeler_core)
  endif()
endforeach()
