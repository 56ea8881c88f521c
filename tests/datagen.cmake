# datagen tests (issue 3: fill). Unit tests link dgcore (the fill pipeline without main.c).
foreach(m shape gen fmtbin)
  if(EXISTS ${ST_TEST_DIR}/unit/test_datagen_${m}.c)
    st_unit_test(test_datagen_${m} ${ST_TEST_DIR}/unit/test_datagen_${m}.c LIBS dgcore)
  endif()
endforeach()
st_cli_table(datagen ${ST_TEST_DIR}/cli/datagen.tsv)
# Against the PostgreSQL of ./check (PG* environment); each creates and drops its databases.
foreach(t fill resume schema binary)
  if(EXISTS ${ST_TEST_DIR}/integ/datagen_${t}.sh)
    st_integ_test(datagen_${t} 300 bash ${ST_TEST_DIR}/integ/datagen_${t}.sh $<TARGET_FILE:datagen>)
  endif()
endforeach()
# Correlated fan-out (issue 13 item 6): profile --fanout -> fill -> join q-errors; the
# sanitizers add nothing to a measurement of join sizes (the C paths run in test_datagen_*).
if(EXISTS ${ST_TEST_DIR}/integ/datagen_fanout.sh)
  st_integ_test(datagen_fanout 180 bash ${ST_TEST_DIR}/integ/datagen_fanout.sh)
  set_property(TEST datagen_fanout APPEND PROPERTY LABELS nosan)
endif()
