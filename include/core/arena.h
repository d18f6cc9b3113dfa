/*
 * arena: per-request memory.  Everything allocated from an arena goes when arena_release() runs,
 * so request handlers never free piece by piece.  Not thread-safe: one arena, one thread.
 */
#ifndef CORE_ARENA_H
#define CORE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena_block;

struct arena {
    struct arena_block *head;
    size_t total; /* bytes handed out, for diagnostics */
};

void arena_init(struct arena *a);
/* Memory aligned for any type, owned by the arena. Never NULL. */
void *arena_alloc(struct arena *a, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap);
void arena_release(struct arena *a);

#endif
