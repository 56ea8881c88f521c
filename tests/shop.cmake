# Tests of the reference shop (fixtures/shop).
#   unit:  the access-log line (no server, no database);
#   cli:   the command-line contract (tests/cli/shop.tsv; no server is started);
#   integ: end to end against the PostgreSQL that ./check starts (PG* in the environment),
#          with Debian's python3-websockets as the WebSocket peer; each test creates and
#          drops its own database.
st_unit_test(test_shop_accesslog ${ST_TEST_DIR}/unit/test_shop_accesslog.c
  ${PROJECT_SOURCE_DIR}/fixtures/shop/accesslog.c)
target_include_directories(test_shop_accesslog PRIVATE ${PROJECT_SOURCE_DIR}/fixtures/shop)
target_link_libraries(test_shop_accesslog PRIVATE Threads::Threads)
st_cli_table(shop ${ST_TEST_DIR}/cli/shop.tsv)
st_integ_test(shop_endpoints 120
  bash ${ST_TEST_DIR}/integ/shop_endpoints.sh $<TARGET_FILE:shop>)
st_integ_test(shop_pool 120
  bash ${ST_TEST_DIR}/integ/shop_pool.sh $<TARGET_FILE:shop>)
