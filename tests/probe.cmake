# Tests of the PostgreSQL probe (replay/probe.h, in replay_core) and the browser harness of
# the HTML reports.

st_unit_test(test_replay_probe ${ST_TEST_DIR}/unit/test_replay_probe.c LIBS replay_core)

add_executable(probe_pg ${ST_TEST_DIR}/integ/probe_pg.c)
target_link_libraries(probe_pg PRIVATE replay_core)
st_integ_test(integ_probe_pg 60 probe_pg)

# A hung (not closed) server, through a relay the test freezes: timeout, gap, reconnect, and
# a probe_stop that does not block.
add_executable(probe_hang ${ST_TEST_DIR}/integ/probe_hang.c)
target_link_libraries(probe_hang PRIVATE replay_core)
st_integ_test(integ_probe_hang 60 probe_hang)

# The browser harness of the HTML reports (issue 8, "Tested in a real browser"): proven on a
# page that common/svg.h draws, until `replay report` / `modeler report` exist.
add_executable(report_browser_page ${ST_TEST_DIR}/integ/report_browser.c)
target_link_libraries(report_browser_page PRIVATE stcommon)
st_integ_test(integ_report_browser 180 bash ${ST_TEST_DIR}/integ/report_browser.sh
  --selftest $<TARGET_FILE:report_browser_page>)

# docs/deploy: Kubernetes manifests and the Grafana dashboard, validated offline (kubectl
# needs a cluster even with --dry-run=client; see docs/deploy/README.md). Debian's python3,
# which has python3-yaml.
add_test(NAME cli_probe_deploy
  COMMAND /usr/bin/python3 ${ST_TEST_DIR}/integ/probe_deploy.py ${PROJECT_SOURCE_DIR})
set_tests_properties(cli_probe_deploy PROPERTIES LABELS cli TIMEOUT 60)
