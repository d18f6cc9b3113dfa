/* qrtag.c: being written */
