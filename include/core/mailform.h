/*
 * mailform: the intake of a service case read from the text of a customer's e-mail, and the
 * texts of the e-mails rmad sends back.  Pure C: the MIME decoding (multipart, transfer
 * encodings, charsets, encoded words) is done before, in src/mail (GMime); this module sees
 * the decoded UTF-8 text of the body.
 *
 * The format is forgiving (README, "E-mail intake"):
 *
 *   Model: SRV-R740                      labels are case-insensitive, English or German
 *   Seriennummer: srv7400001             ("Serial number", "S/N", "Seriennummer", ...)
 *   Error messages: PSU 1 fault          repeated labels add one more error message
 *   Phone: +49 69 1234567
 *   Address: Mainzer Landstr. 1, 60329 Frankfurt, DE
 *                                        or Street / City / Postcode / Country lines
 *                                        ("Time zone:" where a country has several);
 *                                        a label with nothing after the colon takes the lines
 *                                        under it, up to a blank line
 *   The server does not power on ...     every other line is the fault description
 *
 * Quoted lines ("> ...") and everything after a signature separator ("-- ") are ignored.  The
 * contact is the From header's name and address unless "Name:" / "Contact:" says otherwise; the
 * service address's name is "Company:" or else the contact's name; with no free text the subject
 * is the fault description.
 */
#ifndef CORE_MAILFORM_H
#define CORE_MAILFORM_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/intake.h"

#define MAILFORM_MAX_ERRORS 50

struct mailform {
    const char *product_model;
    const char *serial_number;
    const char *configuration;
    const char *phone;
    const char *name;    /* the contact person, when the text names one */
    const char *company; /* the service address's name */
    const char *street;
    const char *city;
    const char *postcode;
    const char *country;
    const char *zone;        /* "Time zone: America/New_York" where a country has several */
    const char *description; /* the labelled description and the free text */
    const char *error_messages[MAILFORM_MAX_ERRORS];
    size_t n_error_messages;
};

/* Reads text (UTF-8, any line ends) into *out; strings come from the arena.  Never fails. */
void mailform_parse(const char *text, struct arena *a, struct mailform *out);

/*
 * Fills *in (channel "email") from the form, the From header's display name and address (may be
 * NULL) and the subject (may be NULL).  Strings come from the arena or the arguments.
 */
void mailform_intake(const struct mailform *f, const char *from_name, const char *from_addr,
                     const char *subject, struct arena *a, struct intake *in);

/*
 * The required fields of in that are missing (NULL or blank), as API field names
 * ("serial_number", "service_address.city", ...), in a fixed order.  Writes at most max names
 * to fields and returns how many are missing.
 */
size_t mailform_missing(const struct intake *in, const char **fields, size_t max);

/* The first field of in (of those with a label, the fault description aside) that holds U+FFFD,
 * the character src/mail puts for a control character (a NUL byte) of the e-mail: such a value
 * is refused, not stored; NULL when none does. */
const char *mailform_unreadable(const struct intake *in);
/* Every such field (the service address's name only when it is not the contact's name): writes
 * at most max of them to fields and returns how many there are. */
size_t mailform_unreadable_all(const struct intake *in, const char **fields, size_t max);

/* The label a customer should write for an API field name ("Serial number"); the field itself
 * when it has none. */
const char *mailform_label(const char *field);

/* Whether the customer can answer field with a line of its label (mailform_parse reads the
 * label back: "Time zone (for example America/New_York): ..." is the zone). */
bool mailform_fillable(const char *field);

/* The body of the reply that lists what is missing (and, when problem is given, what is wrong:
 * one line per refused field, listed as such when there are several),
 * with a line to fill in for each fillable field.  threaded: the message was read together with
 * the earlier one(s) of its thread.  From the arena. */
char *mailform_reply_missing(struct arena *a, const char *subject, const char *const *fields,
                             size_t n, const char *problem, bool threaded);

/* The subject without its reply and forward prefixes ("Re:", "RE:", "AW:", "Fwd:", "WG:",
 * "Re[2]:", ...), however many are stacked. */
const char *mailform_bare_subject(const char *subject);
/* "Re: " and the bare subject (one prefix, never stacked); otherwise (copied) when it is
 * blank. */
char *mailform_reply_subject(struct arena *a, const char *subject, const char *otherwise);

/* A reply in the thread of an intake that lacked fields, read together with it: every field the
 * reply gives overrides the earlier one, its error messages replace the earlier ones, and its
 * text is added to the earlier description. */
void mailform_merge(struct mailform *into, const struct mailform *reply, struct arena *a);
/* The body of the acknowledgement of a new case. */
char *mailform_reply_ack(struct arena *a, const char *case_number, const char *subject);
/* The body of the follow-up e-mail of a completed case. */
char *mailform_follow_up(struct arena *a, const char *case_number, const char *contact_name,
                         const char *summary);

#endif
