# replay's tests: unit (cmocka, per module), the CLI contract table, and integration tests
# against nginx / a stalling server started by each test on 127.0.0.1.
foreach(m tmpl thresholds plan loop respcheck wsplan assets merge lag results_rt)
  st_unit_test(test_replay_${m} ${ST_TEST_DIR}/unit/test_replay_${m}.c LIBS replay_core)
endforeach()
st_cli_table(replay ${ST_TEST_DIR}/cli/replay.tsv)
foreach(t plan accuracy co segments sigint)
  st_integ_test(integ_replay_${t} 120 bash ${ST_TEST_DIR}/integ/replay_${t}.sh)
endforeach()
# The +-2% per-second accuracy check measures timing on a 2-core machine: run it alone, so
# that ctest -j does not put a sanitizer-built test or a datagen fill on the other core.
set_tests_properties(integ_replay_accuracy integ_replay_co PROPERTIES RUN_SERIAL TRUE)
# The loop drives WebSocket sessions (replay/loop_ws.c) next to HTTP.
add_executable(replay_loop_ws_driver ${ST_TEST_DIR}/integ/replay_loop_ws.c)
target_link_libraries(replay_loop_ws_driver PRIVATE replay_core)
st_integ_test(integ_replay_loop_ws 60 bash ${ST_TEST_DIR}/integ/replay_loop_ws.sh
  $<TARGET_FILE:replay_loop_ws_driver>)
# merge and report (issue 8): the round-trip driver links replay_core; the browser tests need
# Debian's chromium (tests/integ/report_browser.sh fails loudly without it).
add_executable(replay_merge_rt ${ST_TEST_DIR}/integ/replay_merge_rt.c)
target_link_libraries(replay_merge_rt PRIVATE replay_core)
st_integ_test(integ_replay_merge_segments 120 bash ${ST_TEST_DIR}/integ/replay_merge_segments.sh
  $<TARGET_FILE:replay_merge_rt>)
st_integ_test(integ_replay_merge_refuse 120 bash ${ST_TEST_DIR}/integ/replay_merge_refuse.sh)
st_integ_test(integ_replay_report_browser 180 bash ${ST_TEST_DIR}/integ/replay_report_browser.sh)
st_integ_test(integ_replay_report_incident 120 bash ${ST_TEST_DIR}/integ/replay_report_incident.sh
  $<TARGET_FILE:shop> $<TARGET_FILE:replay> $<TARGET_FILE:replay_merge_rt>)
# WebSocket sessions in `replay run`: against python3-websockets (a peer nobody here wrote),
# and against the reference shop + PostgreSQL (pushes, the shared-pool incident, --db-probe).
st_integ_test(integ_replay_ws_echo 60 bash ${ST_TEST_DIR}/integ/replay_ws_echo.sh)
# Each WebSocket is its session's client (address, User-Agent, source address), as
# python3-websockets and nginx (realip and $remote_addr) log the handshakes.
st_integ_test(integ_replay_ws_ident 60 bash ${ST_TEST_DIR}/integ/replay_ws_ident.sh)
st_integ_test(integ_replay_ws_shop 90 bash ${ST_TEST_DIR}/integ/replay_ws_shop.sh
  $<TARGET_FILE:shop> $<TARGET_FILE:replay>)
# HTTP/2 and TLS (issue 15 item 3): Debian's nginx with http2 on a certificate the test makes.
foreach(c tls insecure h2c require mtls ws)
  st_integ_test(integ_replay_http2_${c} 60 bash ${ST_TEST_DIR}/integ/replay_http2.sh ${c})
endforeach()

# Trace mode (modeler extract + replay run --trace) against nginx: about two minutes of real
# time (speeds 1 and 4), so it runs in the normal build only (label nosan).
st_integ_test(integ_replay_trace 420 bash ${ST_TEST_DIR}/integ/replay_trace.sh)
# Not RUN_SERIAL: its bins held at load average 12 (the checks read nginx's log, not send times).
set_tests_properties(integ_replay_trace PROPERTIES LABELS "integ;nosan" COST 120)

# The closed loop (issue 12): fit -> init -> run at nginx and the shop -> refit -> diff.
# A few minutes of wall time, little CPU; nosan: nothing in it needs sanitizers.
st_integ_test(integ_closed_loop 420 bash ${ST_TEST_DIR}/integ/closed_loop.sh
  $<TARGET_FILE:shop> $<TARGET_FILE:replay> $<TARGET_FILE:modeler> $<TARGET_FILE:logsim>)
set_tests_properties(integ_closed_loop PROPERTIES LABELS "integ;nosan" COST 250) # longest first
