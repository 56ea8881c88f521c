# libstws: replay's WebSocket client (ws.c open sessions, ws_open.c connect + upgrade, ws_hs.c
# the handshake's pure functions), see replay/ws.h.
# Included by replay/CMakeLists.txt (and by tests/ws.cmake when that has not happened).
# Depends on common/ (stcommon), libcurl, wslay and libcrypto (SHA-1/base64 for the handshake).
add_library(stws STATIC ${CMAKE_CURRENT_LIST_DIR}/ws.c ${CMAKE_CURRENT_LIST_DIR}/ws_open.c
  ${CMAKE_CURRENT_LIST_DIR}/ws_hs.c)
target_include_directories(stws PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(stws PUBLIC stcommon st::curl st::wslay st::crypto)
