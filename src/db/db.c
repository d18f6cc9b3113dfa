/* db.c: being written */
