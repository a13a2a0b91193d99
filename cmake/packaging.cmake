# The Debian package (issue "Operations"): `cpack -G DEB` in the build directory writes
# chatterbox_<version>_amd64.deb. Paths are Debian's; the binary is the only built file.
include(GNUInstallDirs)

# `cpack` (and `ninja install`) install what is built without first building everything: the
# package needs the server only, not the tests and the load generator.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

install(TARGETS chatterbox RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES packaging/chatterbox.conf DESTINATION /etc/chatterbox
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
# Debian 12 keeps packaged units under /lib (merged /usr is not yet dpkg's view).
install(FILES packaging/chatterbox.service DESTINATION /lib/systemd/system)
install(FILES README.md docs/operations.md docs/protocol.md docs/architecture.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME chatterbox)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_CONTACT "Chatterbox maintainers <maintainers@users.noreply.r-seed-8b8b1dcd.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "real-time chat server with its web client built in")
string(CONCAT CPACK_PACKAGE_DESCRIPTION
  "One binary serving open and private rooms, direct messages, mentions,\n"
  "reactions, uploads and search over WebSockets, with the web client compiled\n"
  "in and everything stored in one SQLite file. Runs as a sandboxed systemd\n"
  "service.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Library dependencies as dpkg-shlibdeps finds them in the binary; adduser for postinst,
# procps for the unit's ExecReload=/bin/kill.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, procps")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_SOURCE_DIR}/packaging/debian/conffiles ${CMAKE_SOURCE_DIR}/packaging/debian/postinst
    ${CMAKE_SOURCE_DIR}/packaging/debian/prerm ${CMAKE_SOURCE_DIR}/packaging/debian/postrm)
include(CPack)
