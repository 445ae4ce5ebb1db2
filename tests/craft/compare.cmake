# cmake -DSOURCE_DIR=... -DPYTHON=... -DOUT=... -P compare.cmake
# Regenerates the crafted captures into OUT and compares them byte for byte with captures/.
file(REMOVE_RECURSE ${OUT})
execute_process(COMMAND ${PYTHON} ${SOURCE_DIR}/tests/craft/craft.py ${OUT}
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
    message(FATAL_ERROR "craft.py failed")
endif()
file(GLOB made RELATIVE ${OUT} ${OUT}/*)
file(GLOB committed RELATIVE ${SOURCE_DIR}/captures/crafted ${SOURCE_DIR}/captures/crafted/*.pcap
     ${SOURCE_DIR}/captures/crafted/*.expected)
list(SORT made)
list(SORT committed)
if(NOT made STREQUAL committed)
    message(FATAL_ERROR "file lists differ:\n made: ${made}\n committed: ${committed}")
endif()
foreach(name ${made})
    execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${OUT}/${name}
                            ${SOURCE_DIR}/captures/crafted/${name} RESULT_VARIABLE diff)
    if(NOT diff EQUAL 0)
        message(FATAL_ERROR "${name} differs from what tests/craft/craft.py writes: rerun it")
    endif()
endforeach()
message(STATUS "${made}")
