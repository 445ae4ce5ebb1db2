# The Debian package of this build: 'cpack -G DEB' in a build configured with
# -DCMAKE_INSTALL_PREFIX=/usr on the Debian release it is for (scripts/package does that in
# each release's chroot): mptcpv_<version>~<codename>_<arch>.deb with the plugin in that
# Wireshark's global plugin folder, the validator, its man page, the report schema and the
# Wireshark profile. CPack's DEB generator, because the install rules already say what goes
# where; dpkg-shlibdeps (dpkg-dev) derives the library dependencies from the binaries.
if(NOT MPTCPV_BUILD_PLUGIN)
    return()
endif()

# sid has no codename of its own in /etc/os-release (it shows testing's): its
# /etc/debian_version ends in "/sid".
execute_process(COMMAND sh -c ". /etc/os-release 2>/dev/null && echo \"$VERSION_CODENAME\""
                OUTPUT_VARIABLE _codename OUTPUT_STRIP_TRAILING_WHITESPACE)
if(EXISTS /etc/debian_version)
    file(READ /etc/debian_version _debian_version)
    if(_debian_version MATCHES "/sid")
        set(_codename sid)
    endif()
endif()
set(MPTCPV_DEB_CODENAME "${_codename}" CACHE STRING
    "Debian release the package is for (its file name and version: <version>~<codename>)")

execute_process(COMMAND dpkg --print-architecture OUTPUT_VARIABLE _arch
                OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
# The package of the libwireshark the plugin was built against (libwireshark16 on Debian 12)
# and the next minor version, which that plugin does not load into.
execute_process(COMMAND dpkg-query -S "${MPTCPV_WIRESHARK_LIBRARY}"
                OUTPUT_VARIABLE _owner OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
string(REGEX REPLACE ":.*" "" _libwireshark "${_owner}")
string(REGEX MATCH "^([0-9]+)\\.([0-9]+)" _ "${MPTCPV_WIRESHARK_VERSION}")
set(_ws_min "${CMAKE_MATCH_1}.${CMAKE_MATCH_2}")
math(EXPR _ws_next_minor "${CMAKE_MATCH_2} + 1")
set(_ws_next "${CMAKE_MATCH_1}.${_ws_next_minor}~")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME mptcpv)
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "mptcpv developers <mptcpv-devel@invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Multipath TCP analysis: Wireshark/tshark plugin and conformance validator")
# The long description; CPack puts the summary line in front.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
"mptcpv decodes every MPTCP option of RFC 6824 (v0) and RFC 8684 (v1), links
subflows into MPTCP connections, verifies tokens, MP_JOIN and ADD_ADDR HMACs
and DSS checksums, follows data sequence mappings and raises expert infos with
stable rule ids (tshark -Y mptcpv.rule). mptcpv-validate writes conformance
reports (text, JSON, JUnit XML, HTML) of captures and capture corpora.
.
The plugin is built for Wireshark ${_ws_min} only.")
set(CPACK_DEBIAN_PACKAGE_VERSION "${PROJECT_VERSION}~${MPTCPV_DEB_CODENAME}")
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE "${_arch}")
set(CPACK_DEBIAN_FILE_NAME "mptcpv_${CPACK_DEBIAN_PACKAGE_VERSION}_${_arch}.deb")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
if(_libwireshark)
    set(CPACK_DEBIAN_PACKAGE_DEPENDS
        "${_libwireshark} (>= ${_ws_min}), ${_libwireshark} (<< ${_ws_next}), tshark (>= ${_ws_min}), tshark (<< ${_ws_next})")
else()
    message(WARNING "mptcpv: no Debian package owns ${MPTCPV_WIRESHARK_LIBRARY}; the .deb "
                    "would not say which Wireshark it needs")
endif()
# Installed with DESTDIR and the final prefix, so the install rules see /usr (the plugin's
# folder is chosen from the prefix: plugin/CMakeLists.txt).
set(CPACK_SET_DESTDIR ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_OUTPUT_FILE_PREFIX "${PROJECT_BINARY_DIR}/dist")
include(CPack)
