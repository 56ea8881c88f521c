# datagen tests: fill, profile, compare, plans. Unit tests link dgcore (every datagen module
# but main.c): no test compiles a datagen source of its own.
foreach(m shape gen fmtbin plannorm profile dep extstats)
  st_unit_test(test_datagen_${m} ${ST_TEST_DIR}/unit/test_datagen_${m}.c LIBS dgcore)
endforeach()

# CLI contract tables: the fill pipeline (cli_datagen) and the plan-validation commands.
st_cli_table(datagen ${ST_TEST_DIR}/cli/datagen.tsv)
add_test(NAME cli_datagen_plans
  COMMAND bash ${ST_TEST_DIR}/cli/run_table.sh $<TARGET_FILE:datagen> ${ST_TEST_DIR}/cli/datagen_plans.tsv)
set_tests_properties(cli_datagen_plans PROPERTIES LABELS cli TIMEOUT 120
  ENVIRONMENT "ST_DATA_DIR=${ST_DATA_DIR};ST_SRC_DIR=${PROJECT_SOURCE_DIR};ST_BIN_DIR=${PROJECT_BINARY_DIR}")

# Against the PostgreSQL of ./check (PG* environment); each script creates uniquely named
# databases and drops them on exit.
foreach(t fill resume schema binary)
  st_integ_test(datagen_${t} 300 bash ${ST_TEST_DIR}/integ/datagen_${t}.sh $<TARGET_FILE:datagen>)
endforeach()
foreach(t plans_incident plans_roundtrip real)
  st_integ_test(integ_datagen_${t} 300 bash ${ST_TEST_DIR}/integ/datagen_${t}.sh)
endforeach()
st_integ_test(integ_datagen_plans_cli 120 bash ${ST_TEST_DIR}/integ/datagen_plans_cli.sh)
# Correlated fan-out (issue 13 item 6): profile --fanout -> fill -> join q-errors; the
# sanitizers add nothing to a measurement of join sizes (the C paths run in test_datagen_*).
st_integ_test(datagen_fanout 180 bash ${ST_TEST_DIR}/integ/datagen_fanout.sh)
set_property(TEST datagen_fanout APPEND PROPERTY LABELS nosan)
# Extended statistics (issue 13 item 6): profile -> fill -> the planner's multi-column
# estimates against the source's, with and without the reproduction (nosan: a measurement).
st_integ_test(datagen_extstats 180 bash ${ST_TEST_DIR}/integ/datagen_extstats.sh)
set_property(TEST datagen_extstats APPEND PROPERTY LABELS nosan)
