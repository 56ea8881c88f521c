# modeler tests: unit (cmocka per module), the CLI contract table, and integration tests
# that run the log simulator (tests/sim) and refit its output.
add_executable(logsim ${ST_TEST_DIR}/sim/logsim.c ${ST_TEST_DIR}/sim/logsim_check.c)
target_link_libraries(logsim PRIVATE stcommon st::zlib m)
add_executable(ratesim ${ST_TEST_DIR}/sim/ratesim.c)
target_link_libraries(ratesim PRIVATE stcommon m)

st_cli_table(modeler ${ST_TEST_DIR}/cli/modeler.tsv)
st_unit_test(test_modeler_assets ${ST_TEST_DIR}/unit/test_modeler_assets.c LIBS modeler_core)
# WebSocket durations censored at the log's end (issue 12).
st_unit_test(test_modeler_wsdur ${ST_TEST_DIR}/unit/test_modeler_wsdur.c LIBS modeler_core)
# modeler diff --clock: the rate that follows the clock, the sliver of a last bin (issue 12).
st_unit_test(test_modeler_drift ${ST_TEST_DIR}/unit/test_modeler_drift.c LIBS modeler_core)
# Bursts the default simulator does not write (issue 12); a long closed loop of fits: nosan.
st_integ_test(modeler_recovery_bursts 300 bash ${ST_TEST_DIR}/integ/modeler_recovery_bursts.sh)
set_property(TEST modeler_recovery_bursts APPEND PROPERTY LABELS nosan)
st_integ_test(modeler_recovery 300 bash ${ST_TEST_DIR}/integ/modeler_recovery.sh)
st_integ_test(modeler_quality 120 bash ${ST_TEST_DIR}/integ/modeler_quality.sh)
foreach(m logfmt formats json route fit model hotpath)
  st_unit_test(test_modeler_${m} ${ST_TEST_DIR}/unit/test_modeler_${m}.c LIBS modeler_core)
endforeach()
# Every format preset on its sample, auto, and the issue-11 inputs (CSV export, Apache usec).
add_test(NAME cli_modeler_formats COMMAND bash ${ST_TEST_DIR}/cli/modeler_formats.sh)
set_tests_properties(cli_modeler_formats PROPERTIES LABELS cli TIMEOUT 120
  ENVIRONMENT "ST_DATA_DIR=${ST_DATA_DIR};ST_SRC_DIR=${PROJECT_SOURCE_DIR};ST_BIN_DIR=${PROJECT_BINARY_DIR}")
# Witness tests: real apache2, nginx and haproxy write their own formats; the fit must
# read back what was sent (tests/integ/modeler_witness.sh).
foreach(w apache nginx haproxy)
  st_integ_test(modeler_witness_${w} 120 bash ${ST_TEST_DIR}/integ/modeler_witness.sh ${w})
endforeach()
# Rate traces (modeler fit --rates): the fit's unit tests and the CLI end to end.
st_unit_test(test_modeler_rates ${ST_TEST_DIR}/unit/test_modeler_rates.c LIBS modeler_core)
add_test(NAME cli_modeler_rates COMMAND bash ${ST_TEST_DIR}/cli/modeler_rates.sh)
set_tests_properties(cli_modeler_rates PROPERTIES LABELS cli TIMEOUT 120
  ENVIRONMENT "ST_DATA_DIR=${ST_DATA_DIR};ST_SRC_DIR=${PROJECT_SOURCE_DIR};ST_BIN_DIR=${PROJECT_BINARY_DIR}")
