# Turns every XSD of src/xml/schemas/ into one C file: an array per file and the table
# rmad_xsd_files[] of (file name, bytes, length) that src/xml/schemas.c serves from memory.
#   cmake -DDIR=<src/xml/schemas> -DOUT=<file.c> -P embed_schemas.cmake
file(GLOB files RELATIVE "${DIR}" "${DIR}/*.xsd")
list(SORT files)
set(body "/* generated from ${DIR} by embed_schemas.cmake */\n#include \"schemas_files.h\"\n")
set(table "")
set(i 0)
foreach(f ${files})
  file(READ "${DIR}/${f}" hex HEX)
  string(LENGTH "${hex}" hexlen)
  math(EXPR len "${hexlen} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n"
         bytes "${bytes}")
  string(APPEND body "static const unsigned char xsd_${i}[] = {\n${bytes}0x00};\n")
  string(APPEND table "    {\"${f}\", xsd_${i}, ${len}},\n")
  math(EXPR i "${i} + 1")
endforeach()
file(WRITE "${OUT}" "${body}const struct xml_embedded_file rmad_xsd_files[] = {\n${table}};\n"
     "const size_t rmad_xsd_files_count = ${i};\n")
