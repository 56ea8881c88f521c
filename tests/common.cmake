# Unit tests of common/ (one cmocka executable per module).
foreach(m rng hist units jsonio dbuf afile progress svg uaclass tmodel_desc)
  st_unit_test(test_${m} ${ST_TEST_DIR}/unit/test_${m}.c)
endforeach()
# The same tests over common/rng.c's portable Philox rounds (the SSE2 ones are the default on
# x86-64): both paths must give the Random123 vectors and the reference sequences.
st_unit_test(test_rng_portable ${ST_TEST_DIR}/unit/test_rng.c ${PROJECT_SOURCE_DIR}/common/rng.c)
target_compile_definitions(test_rng_portable PRIVATE ST_RNG_PORTABLE)
