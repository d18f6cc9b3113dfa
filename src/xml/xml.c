/* xml.c: being written */
