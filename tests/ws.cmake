# Tests of replay's WebSocket client (replay/ws.h), which lives in replay_core.
st_unit_test(test_replay_ws ${ST_TEST_DIR}/unit/test_replay_ws.c LIBS replay_core)

# The epoll driver: the conformance client and the reference integration for the engine.
add_executable(ws_driver ${ST_TEST_DIR}/integ/ws_driver.c)
target_link_libraries(ws_driver PRIVATE replay_core)

# Conformance against peers nobody here wrote (python3-websockets, libwebsockets).
st_integ_test(ws_conformance_python 90
  bash ${ST_TEST_DIR}/integ/ws_conformance.sh python $<TARGET_FILE:ws_driver>)
st_integ_test(ws_conformance_lws 60
  bash ${ST_TEST_DIR}/integ/ws_conformance.sh lws $<TARGET_FILE:ws_driver>)

# The idle-session benchmark's own server and client (tests/bench/ws_idle_sessions.sh runs
# them; benchmarks are not tests, these are only built).
add_executable(ws_bench_server ${ST_TEST_DIR}/bench/ws_bench_server.c)
target_link_libraries(ws_bench_server PRIVATE replay_core)
add_executable(ws_bench_client ${ST_TEST_DIR}/bench/ws_bench_client.c)
target_link_libraries(ws_bench_client PRIVATE replay_core)
