# Tests of the reference shop (fixtures/shop). Both need the PostgreSQL that ./check starts
# (PG* in the environment) and Debian's python3-websockets as the WebSocket peer; each
# creates and drops its own database.
if(TARGET shop)
  st_integ_test(shop_endpoints 120
    bash ${ST_TEST_DIR}/integ/shop_endpoints.sh $<TARGET_FILE:shop>)
  st_integ_test(shop_pool 120
    bash ${ST_TEST_DIR}/integ/shop_pool.sh $<TARGET_FILE:shop>)
endif()
