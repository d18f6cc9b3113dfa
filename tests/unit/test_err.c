/* Unit tests of err: the first error wins, kinds have stable names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "core/err.h"

static void first_error_is_kept(void **state)
{
    struct err err = {0};

    (void)state;
    assert_int_equal(err_set(&err, ERR_INVALID, "serial", "must be %d to %d characters", 1, 64),
                     -1);
    assert_int_equal(err_set(&err, ERR_CONFLICT, "other", "later"), -1);
    assert_int_equal(err.kind, ERR_INVALID);
    assert_string_equal(err.field, "serial");
    assert_string_equal(err.message, "must be 1 to 64 characters");
    assert_string_equal(err_kind_name(ERR_CONFLICT), "conflict");
}

static void arena_holds_many_strings(void **state)
{
    struct arena a;
    char *s = NULL;

    (void)state;
    arena_init(&a);
    for (int i = 0; i < 10000; i++)
        s = arena_printf(&a, "item-%d", i);
    assert_string_equal(s, "item-9999");
    assert_non_null(arena_alloc(&a, 100000));
    arena_release(&a);
    assert_null(a.head);
}

/* strndup's contract: at most n bytes and never past the string's end (a short string with a
 * large n was read past its end: ASan saw it through an e-mail subject) */
static void arena_strndup_stops_at_the_end(void **state)
{
    struct arena a;
    char *heap = malloc(4);

    (void)state;
    memcpy(heap, "abc", 4);
    arena_init(&a);
    assert_string_equal(arena_strndup(&a, heap, 200), "abc");
    assert_string_equal(arena_strndup(&a, heap, 2), "ab");
    assert_string_equal(arena_strndup(&a, "xyz" + 3, 5), "");
    arena_release(&a);
    free(heap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(first_error_is_kept),
        cmocka_unit_test(arena_holds_many_strings),
        cmocka_unit_test(arena_strndup_stops_at_the_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
