/*
 * mail: e-mail in and out.  Reading a raw message as an MTA delivers it (GMime 3: multipart,
 * quoted-printable, base64, RFC 2047 encoded words, charsets), writing a message (GMime) and
 * handing it to an SMTP server (libcurl).  Above core, beside db: the http layer uses it.
 * Nothing here logs: addresses and texts are personal data.
 */
#ifndef MAIL_MAIL_H
#define MAIL_MAIL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/arena.h"
#include "core/err.h"

/* What rmad reads from a customer's e-mail.  Strings are UTF-8 from the arena; NULL when the
 * message has none. */
struct mail_in {
    const char *message_id; /* without the angle brackets */
    const char *from_name;  /* the From display name, encoded words decoded */
    const char *from_addr;  /* the From mailbox address */
    const char *subject;
    const char *text;  /* the first text/plain part that is not an attachment; else the first
                        * text/html part as text (tags stripped, block elements as new lines) */
    const char **refs; /* the Message-IDs this message answers, without the angle brackets:
                        * In-Reply-To's first, then References' from the newest back */
    size_t n_refs;
    bool automatic; /* sent by a machine (RFC 3834: Auto-Submitted other than "no", Precedence
                     * bulk/junk/list, a mailer-daemon): never answer it, or mail loops */
    /* What could not be read, else NULL: "body" (the text: not valid in its charset nor in
     * windows-1252, or a broken base64), "Subject" or "From" (the same for the header), or the
     * name of a header rmad reads that holds a control character (a NUL byte, a CR without LF);
     * unreadable_why says why.  The caller refuses the message naming it. */
    const char *unreadable;
    const char *unreadable_why;
};

/*
 * Parses raw (len bytes; any line ends).  No byte is dropped: a text whose bytes are not valid in
 * its declared charset (or an unknown charset) is read as UTF-8 when it is valid UTF-8, else as
 * windows-1252; the same for 8-bit bytes in the Subject and From headers and for RFC 2047
 * encoded words; a control character other than tab, CR and LF (a NUL byte) in the text or the
 * subject becomes U+FFFD.  What cannot be read even so is named in out->unreadable.  0, or -1 with
 * ERR_BAD_REQUEST naming "body" when it is not an e-mail message at all.  A message without From,
 * subject or text is returned as it is: the caller decides what is missing.
 */
int mail_parse(const char *raw, size_t len, struct arena *a, struct mail_in *out, struct err *err);

/* Whether s is an address we may put into SMTP's RCPT TO and a To header: one mailbox,
 * local@domain.tld, no white space, controls, brackets, commas or semicolons, at most 254. */
bool mail_address_ok(const char *s);

struct mail_out {
    const char *from;        /* address */
    const char *to;          /* address */
    const char *subject;     /* UTF-8 (encoded as RFC 2047 when not ASCII) */
    const char *body;        /* UTF-8 text (quoted-printable) */
    const char *message_id;  /* "<...>" as stored in the outbox */
    const char *in_reply_to; /* "<...>" or NULL */
    long long date;          /* seconds since the epoch */
};

/* The message as SMTP DATA (CRLF line ends), malloc'd; *len its length.  Caller free()s. */
char *mail_compose(const struct mail_out *m, size_t *len);

struct smtp_config {
    const char *url; /* smtp://host:port or smtps://host:port */
    const char *user;
    const char *password;
    long timeout_s; /* the whole transfer */
};

enum smtp_result {
    SMTP_ACCEPTED,  /* the server accepted the message (250 after DATA) */
    SMTP_TEMPORARY, /* not accepted: try again later (connection, 4xx, timeout) */
    SMTP_PERMANENT, /* refused with a 5xx: trying again will not help */
};

/* Call once before any thread sends (curl_global_init). */
void smtp_global_init(void);
void smtp_global_cleanup(void);
/*
 * Sends data (len bytes, from mail_compose) from `from` to `to`.  May block up to
 * cfg->timeout_s.  On anything but SMTP_ACCEPTED, why (without addresses) is in errbuf.
 */
enum smtp_result smtp_send(const struct smtp_config *cfg, const char *from, const char *to,
                           const char *data, size_t len, char *errbuf, size_t errlen);

#endif
