# Writes OUT: '#define MPTCPV_BUILD_ID "<12 hex digits>"', a hash of every file of core/ and
# plugin/ (relative path and content) and of the Wireshark major.minor (ABI) the plugin is
# built for. Two builds have the same id exactly when their plugin comes from the same code,
# so the validator can tell whether the mptcpv.so tshark loaded is the one it belongs to.
# cmake -DROOT=<source dir> -DABI=<major.minor> -DOUT=<header> -P build_id.cmake
file(GLOB_RECURSE files RELATIVE "${ROOT}" "${ROOT}/core/*" "${ROOT}/plugin/*")
list(SORT files)
set(text "abi=${ABI}\n")
foreach(f IN LISTS files)
    file(SHA256 "${ROOT}/${f}" sum)
    string(APPEND text "${f} ${sum}\n")
endforeach()
string(SHA256 id "${text}")
string(SUBSTRING "${id}" 0 12 id)
file(WRITE "${OUT}.new" "#define MPTCPV_BUILD_ID \"${id}\"\n")
execute_process(COMMAND "${CMAKE_COMMAND}" -E copy_if_different "${OUT}.new" "${OUT}")
file(REMOVE "${OUT}.new")
