# Install layout and the Debian package (docs/guides/install.md).
#
#   bin/         modeler datagen replay stampede-shop (the reference shop, renamed so that
#                a system-wide install does not claim the generic name "shop")
#   share/man/man1/            one page per tool and per subcommand (replay-run.1.gz ...),
#                              generated from the --help texts (packaging/gen-man.sh)
#   share/bash-completion/completions/   one file per command name (packaging/bash-completion)
#   share/stampede/models/     the example models, shapes, scenarios (with their feeders)
#                              and query sets, in the source tree's layout: a scenario names
#                              its model and feeders relative to itself, so they resolve
#   share/stampede/logs/       the synthetic access log the examples fit
#   share/doc/stampede/        README and docs/
include(GNUInstallDirs)

install(TARGETS modeler datagen replay RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(PROGRAMS $<TARGET_FILE:shop> DESTINATION ${CMAKE_INSTALL_BINDIR} RENAME stampede-shop)

# Man pages: regenerated when a tool or the generator changes; gzip -n keeps them
# byte-identical between builds.
set(ST_MAN_DIR ${CMAKE_BINARY_DIR}/man)
set(ST_MAN_GEN ${CMAKE_SOURCE_DIR}/packaging/gen-man.sh)
add_custom_command(OUTPUT ${ST_MAN_DIR}/.stamp
  COMMAND ${CMAKE_COMMAND} -E rm -rf ${ST_MAN_DIR}
  COMMAND ${ST_MAN_GEN} $<TARGET_FILE:modeler> modeler ${ST_MAN_DIR} ${PROJECT_VERSION}
  COMMAND ${ST_MAN_GEN} $<TARGET_FILE:datagen> datagen ${ST_MAN_DIR} ${PROJECT_VERSION}
  COMMAND ${ST_MAN_GEN} $<TARGET_FILE:replay> replay ${ST_MAN_DIR} ${PROJECT_VERSION}
  COMMAND ${ST_MAN_GEN} $<TARGET_FILE:shop> stampede-shop ${ST_MAN_DIR} ${PROJECT_VERSION}
  COMMAND ${CMAKE_COMMAND} -E touch ${ST_MAN_DIR}/.stamp
  DEPENDS modeler datagen replay shop ${ST_MAN_GEN} ${CMAKE_SOURCE_DIR}/packaging/help2man.awk
  COMMENT "Generating man pages from the --help texts")
add_custom_target(man ALL DEPENDS ${ST_MAN_DIR}/.stamp)
install(DIRECTORY ${ST_MAN_DIR}/ DESTINATION ${CMAKE_INSTALL_MANDIR}/man1
  FILES_MATCHING PATTERN "*.1.gz")

foreach(t modeler datagen replay stampede-shop)
  install(FILES packaging/bash-completion DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
    RENAME ${t})
endforeach()

install(DIRECTORY models DESTINATION ${CMAKE_INSTALL_DATADIR}/stampede)
install(FILES fixtures/logs/shop-synthetic.access.log.gz fixtures/logs/README.md
  DESTINATION ${CMAKE_INSTALL_DATADIR}/stampede/logs)
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR})

# The .deb: Depends computed by dpkg-shlibdeps from the linked libraries (libpq5, libgsl27,
# libcurl4, ...), so a new dependency cannot be forgotten. `cpack -G DEB` in the build dir.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME stampede)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "Stampede maintainers <maintainers@stampede.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "production-shaped capacity rehearsals: fit traffic models, fill databases, replay load")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "Stampede fits a traffic model from access logs (modeler),\n fills PostgreSQL with production-shaped rows (datagen) and replays the model's\n traffic at a target with open-model arrivals (replay). Includes the reference\n shop server (stampede-shop), man pages, bash completions and examples.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_STRIP_FILES ON)
include(CPack)
