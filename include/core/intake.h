/*
 * intake: what the service policy asks at the first contact, and the checks on it.
 *
 * Channel, product model, serial number, hardware/software configuration, error messages, fault
 * description, a contact person with phone and/or e-mail, and the service address.  The HTTP
 * layer fills the struct from JSON; the rules about the values live here.
 */
#ifndef CORE_INTAKE_H
#define CORE_INTAKE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/address.h"
#include "core/err.h"

#define INTAKE_TEXT_MAX 4000

struct contact {
    const char *name;
    const char *phone; /* NULL when not given */
    const char *email; /* NULL when not given */
};

struct intake {
    const char *channel; /* hotline, email, designated_contact, web, api */
    const char *product_model;
    const char *serial_number;
    const char *fault_description;
    struct contact contact;
    struct address service_address;
    /* zones and holidays (issue 3): the service address's IANA zone (NULL: not given) and its
     * region, an ISO 3166 country or subdivision such as "DE-BY" (NULL: the country) */
    const char *zone;
    const char *region;
};

/* 0, or -1 with ERR_INVALID naming the first bad field ("contact.email", ...). */
int intake_validate(const struct intake *in, struct err *err);
/* Every field intake_validate would refuse, each checked on its own (no check stops the
 * others; the first is the one intake_validate names): writes at most max of them to errs and
 * returns how many there are. */
size_t intake_problems(const struct intake *in, struct err *errs, size_t max);

/*
 * Completes the service address's zone and region after intake_validate: a zone not given is the
 * only zone of the country (tz_country_zone), else ERR_INVALID "service_address.zone" ("required
 * for country XX"); a zone given must look like an IANA name (whether it exists is the caller's
 * check: core reads no files).  The region defaults to the country; one given must be the
 * country or a subdivision of it ("DE" or "DE-BY" for country DE; ERR_INVALID
 * "service_address.region").  Returns 0 or -1.
 */
int intake_resolve_zone(struct intake *in, struct err *err);

/* Checks shared with other modules. Each returns 0 or -1 with ERR_INVALID naming field. */
int intake_check_serial(const char *s, const char *field, struct err *err);
int intake_check_model(const char *s, const char *field, struct err *err);
/*
 * s (NULL or blank is missing) must be at most max bytes of valid UTF-8 (RFC 3629: no overlong
 * forms, surrogates or code points above U+10FFFF) without C0 or C1 control characters, DEL or
 * Unicode noncharacters (U+FDD0..U+FDEF, U+nFFFE, U+nFFFF: see core/utf8.h);
 * \n, \r and \t are allowed only in long text (max > ADDRESS_FIELD_MAX).
 */
int intake_check_text(const char *s, size_t max, bool required, const char *field, struct err *err);

#endif
