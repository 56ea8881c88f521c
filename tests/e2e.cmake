# The end-to-end incident (./demo's flow at a small scale). It measures a saturation effect,
# so it runs alone: a parallel sanitizer build test must not steal its core.
st_integ_test(integ_e2e_demo 300 bash ${ST_TEST_DIR}/integ/e2e_demo.sh)
set_tests_properties(integ_e2e_demo PROPERTIES RUN_SERIAL TRUE)
