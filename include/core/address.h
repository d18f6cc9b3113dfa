/* address: a postal address as rmad stores it and prints it on labels. */
#ifndef CORE_ADDRESS_H
#define CORE_ADDRESS_H

#include <stddef.h>

#include "core/err.h"

#define ADDRESS_FIELD_MAX 200

struct address {
    const char *name; /* person or company */
    const char *street;
    const char *city;
    const char *postcode;
    const char *country; /* ISO 3166-1 alpha-2, upper case */
};

/*
 * Checks a service address; prefix names the object in error fields ("service_address" gives
 * "service_address.postcode").  Returns 0, or -1 with ERR_INVALID naming the field.
 */
int address_validate(const struct address *a, const char *prefix, struct err *err);
/* Every field of a that address_validate would refuse, each checked on its own: writes at most
 * max of them to errs (in field order) and returns how many there are. */
size_t address_problems(const struct address *a, const char *prefix, struct err *errs, size_t max);

/* Postcode as compared for tracking: upper case, spaces and dashes removed. out has n bytes. */
void address_postcode_normalize(const char *in, char *out, size_t n);

#endif
