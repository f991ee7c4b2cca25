# The Debian packages, one per install component. Dependencies on the
# runtime libraries come from dpkg-shlibdeps (dpkg-dev).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME sertel)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "Sertel maintainers <maintainers@users.noreply.b-seed-91dfc2d7.example>")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL common server clients)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://example.invalid/sertel")
set(deb_version "${PROJECT_VERSION}-${CPACK_DEBIAN_PACKAGE_RELEASE}")

set(CPACK_DEBIAN_COMMON_PACKAGE_NAME sertel-common)
set(CPACK_DEBIAN_COMMON_PACKAGE_ARCHITECTURE all)
set(CPACK_DEBIAN_COMMON_DESCRIPTION
  "Sertel: shipped SOP, working calendar and translations
Sertel runs the SOP Pembaharuan Sertifikat Elektronik (renewal of BSrE
electronic certificates) of an Indonesian Dinas Kominfo. This package
holds what the broker and the clients both read: the shipped SOP and
working calendar, the Indonesian translations and the manual pages of
the file formats.")

set(CPACK_DEBIAN_SERVER_PACKAGE_NAME sertel-server)
# The broker loads OpenSSL's libcrypto only to read a certificate sent
# whole (server/certread.c, dlopen): dpkg-shlibdeps does not see it.
set(CPACK_DEBIAN_SERVER_PACKAGE_DEPENDS
  "sertel-common (= ${deb_version}), adduser, libssl3 | libssl3t64")
set(CPACK_DEBIAN_SERVER_PACKAGE_SECTION net)
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_EXTRA
  ${CMAKE_CURRENT_BINARY_DIR}/server-control/conffiles
  ${CMAKE_CURRENT_BINARY_DIR}/server-control/postinst
  ${CMAKE_CURRENT_BINARY_DIR}/server-control/prerm
  ${CMAKE_CURRENT_BINARY_DIR}/server-control/postrm)
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_SERVER_DESCRIPTION
  "Sertel broker and notifier (systemd services)
The broker owns every case of the office in an LMDB store, serves the
officers' clients over CURVE-encrypted ZeroMQ, times every step against
the SOP's Mutu Baku and keeps the audit journal. Configured in
/etc/sertel; runs as the system user sertel with its data in
/var/lib/sertel.")

set(CPACK_DEBIAN_CLIENTS_PACKAGE_NAME sertel-clients)
set(CPACK_DEBIAN_CLIENTS_PACKAGE_DEPENDS "sertel-common (= ${deb_version})")
set(CPACK_DEBIAN_CLIENTS_PACKAGE_SECTION net)
# sertel print and sertel-admin report set their text in these fonts.
set(CPACK_DEBIAN_CLIENTS_PACKAGE_RECOMMENDS "fonts-liberation | fonts-dejavu-core")
set(CPACK_DEBIAN_CLIENTS_DESCRIPTION
  "Sertel clients for officers and administrators
sertel is the officer's client (command line and terminal UI): the
inbox, dispositions, contacts with the applicant, the renewed
certificate. sertel-admin enrols officers, appoints acting officials
(Plt./Plh.), loads SOPs and reads the SOP-compliance statistics.")

include(CPack)
