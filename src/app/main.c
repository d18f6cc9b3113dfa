/* rmad: entry point (being written). */
#include <stdio.h>

int main(void)
{
    puts("rmad");
    return 0;
}
