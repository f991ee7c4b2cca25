# cmake -DOUT=FILE -DINPUTS="a.po|b.po" -P join.cmake: writes the inputs one
# after another (fragments have no header; the first file's declares UTF-8).
file(WRITE "${OUT}" "")
string(REPLACE "|" ";" inputs "${INPUTS}")
foreach(f IN LISTS inputs)
  if(f STREQUAL "")
    continue()
  endif()
  file(READ "${f}" text)
  file(APPEND "${OUT}" "${text}\n")
endforeach()
