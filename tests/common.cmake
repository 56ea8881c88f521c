# Unit tests of common/ (one cmocka executable per module).
foreach(m rng hist units jsonio dbuf afile progress svg uaclass)
  st_unit_test(test_${m} ${ST_TEST_DIR}/unit/test_${m}.c)
endforeach()
