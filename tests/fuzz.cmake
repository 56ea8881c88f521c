# Loader fuzzing (tests/fuzz/fuzz_loaders.py): mutants of the models, scenarios, shape, rate traces,
# a results file, the hot-id feeders and an access log, run through replay plan / report /
# merge, modeler diff / report / fit and datagen fill --dry-run. Fails on a sanitizer report,
# a signal, a hang, an exit code a bad file may not cause, or an exit 2 without one error
# line naming the file, a field path or a line. Fixed seed and 40 mutants per input (640
# runs, about 13 s under ASan with -j 2 on an idle machine); larger hunts: see docs/dev/testing.md.
# Local files only: no network, no PostgreSQL.
add_test(NAME fuzz_loaders
  COMMAND /usr/bin/python3 ${ST_TEST_DIR}/fuzz/fuzz_loaders.py --bin ${PROJECT_BINARY_DIR}
          --src ${PROJECT_SOURCE_DIR} --seed 1 --per-input 40 --timeout 10 -j 2)
set_tests_properties(fuzz_loaders PROPERTIES LABELS cli TIMEOUT 120)
