# Packaging (release engineer): man pages, the Debian package in a fresh chroot.
# Both are labelled nosan: they check files and packaging, which sanitizers add nothing to.
add_test(NAME pkg_man_pages COMMAND bash ${ST_TEST_DIR}/pkg/man_pages.sh ${PROJECT_BINARY_DIR})
set_tests_properties(pkg_man_pages PROPERTIES LABELS "cli;nosan" TIMEOUT 120)
add_test(NAME pkg_completion COMMAND bash ${ST_TEST_DIR}/pkg/completion.sh ${PROJECT_BINARY_DIR})
set_tests_properties(pkg_completion PROPERTIES LABELS "cli;nosan" TIMEOUT 60)

# Cold (no cached chroot, docs/guides/install.md): a few minutes and the Debian mirror; warm: < 1 min.
st_integ_test(pkg_deb_chroot 900 bash ${ST_TEST_DIR}/pkg/deb_chroot.sh ${PROJECT_BINARY_DIR})
set_tests_properties(pkg_deb_chroot PROPERTIES LABELS "integ;nosan")

# docs/deploy/ against the Kubernetes OpenAPI schema, offline (kubernetes-models, pinned in
# tests/k8s/package-lock.json and installed by ./check); a broken manifest must fail.
add_test(NAME k8s_schema COMMAND bash ${ST_TEST_DIR}/k8s/run.sh ${PROJECT_SOURCE_DIR})
set_tests_properties(k8s_schema PROPERTIES LABELS "cli;nosan" TIMEOUT 120)

# docs/deploy's own command lines: 4 local "pods" of the Indexed Job + the merge Job on the
# demo's scenario (with its db.* rule); merged verdicts == a single process's. ~1 min.
st_integ_test(integ_deploy_segments 240 bash ${ST_TEST_DIR}/integ/deploy_segments.sh)
set_tests_properties(integ_deploy_segments PROPERTIES LABELS "integ;nosan")
