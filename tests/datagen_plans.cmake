# Query-plan validation (datagen profile / compare / plans, issue 7). Owned apart from
# tests/datagen.cmake (the fill pipeline) so that both can change independently.
set(DGP_SRC ${PROJECT_SOURCE_DIR}/datagen)

# Unit tests: plan normalisation, diffs, flags and the query-file parser; profile helpers.
foreach(m plannorm profile)
  if(EXISTS ${ST_TEST_DIR}/unit/test_datagen_${m}.c)
    st_unit_test(test_datagen_${m} ${ST_TEST_DIR}/unit/test_datagen_${m}.c
      ${DGP_SRC}/plannorm.c ${DGP_SRC}/qfile.c ${DGP_SRC}/profile.c ${DGP_SRC}/profile_types.c ${DGP_SRC}/pvalue.c ${DGP_SRC}/pgstats.c ${DGP_SRC}/pgx.c
      ${DGP_SRC}/fidelity.c LIBS st::pq dgcore)
    target_include_directories(test_datagen_${m} PRIVATE ${DGP_SRC})
  endif()
endforeach()

# CLI contract table (its own test name: cli_datagen belongs to the fill pipeline).
add_test(NAME cli_datagen_plans
  COMMAND bash ${ST_TEST_DIR}/cli/run_table.sh $<TARGET_FILE:datagen> ${ST_TEST_DIR}/cli/datagen_plans.tsv)
set_tests_properties(cli_datagen_plans PROPERTIES LABELS cli TIMEOUT 120
  ENVIRONMENT "ST_DATA_DIR=${ST_DATA_DIR};ST_SRC_DIR=${PROJECT_SOURCE_DIR};ST_BIN_DIR=${PROJECT_BINARY_DIR}")

# Integration against the PostgreSQL that ./check starts (PG* environment). Each script
# creates uniquely named databases and drops them on exit.
st_integ_test(integ_datagen_plans_incident 300
  bash ${ST_TEST_DIR}/integ/datagen_plans_incident.sh)
st_integ_test(integ_datagen_plans_roundtrip 300
  bash ${ST_TEST_DIR}/integ/datagen_plans_roundtrip.sh)
st_integ_test(integ_datagen_plans_cli 120
  bash ${ST_TEST_DIR}/integ/datagen_plans_cli.sh)
st_integ_test(integ_datagen_real 300
  bash ${ST_TEST_DIR}/integ/datagen_real.sh)
