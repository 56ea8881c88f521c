# Cross-tool integration tests owned by the foundation.
add_executable(pg_connect ${ST_TEST_DIR}/integ/pg_connect.c)
target_link_libraries(pg_connect PRIVATE st::pq)
st_integ_test(integ_pg_connect 60 pg_connect)
