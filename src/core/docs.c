/*
 * docs: the rules of the exchanged documents that need no XML (include/core/docs.h).
 * Issue 5: which inspection findings the ReceiptAdvice after inspection reports as damage.
 */
#include "core/docs.h"

#include <string.h>

bool docs_finding_is_damage(const char *finding)
{
    static const char *const damage[] = {"physical_damage", "liquid",    "tampering", "burn",
                                         "missing_parts",   "wrong_item"};

    if (finding == NULL)
        return false;
    for (size_t i = 0; i < sizeof damage / sizeof damage[0]; i++)
        if (strcmp(finding, damage[i]) == 0)
            return true;
    return false;
}
