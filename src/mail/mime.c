/*
 * mime: reading a customer's e-mail and writing ours, with GMime 3.  GMime decodes what an MTA
 * hands over (multipart, quoted-printable, base64, RFC 2047 encoded words, charsets) into UTF-8;
 * an HTML-only message is turned into text with libxml2's HTML parser (no network, no errors
 * printed).  Nothing here logs: the message is personal data.
 */
#include <gmime/gmime.h>
#include <libxml/HTMLparser.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/xalloc.h"
#include "mail/mail.h"

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;

static void gmime_start(void)
{
    g_mime_init();
}

bool mail_address_ok(const char *s)
{
    const char *at;
    size_t n;

    if (s == NULL)
        return false;
    at = strchr(s, '@');
    n = strlen(s);
    if (n == 0 || n > 254 || at == NULL || at == s || strchr(at + 1, '@') != NULL ||
        strchr(at + 1, '.') == NULL || s[n - 1] == '.' || at[1] == '.')
        return false;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p <= ' ' || (unsigned char)*p == 0x7f || *p == '<' || *p == '>' ||
            *p == ',' || *p == ';' || *p == '"' || *p == '\\')
            return false;
    return true;
}

/* ---- reading ---- */

/* ---- charsets: no byte is ever dropped ---- */

/* Whether s (n bytes) is UTF-8, NUL bytes allowed (g_utf8_validate stops at them). */
static bool utf8_with_nuls(const char *s, size_t n)
{
    const char *end;

    while (n > 0) {
        if (g_utf8_validate(s, (gssize)n, &end))
            return true;
        if (end >= s + n || *end != '\0')
            return false;
        n -= (size_t)(end + 1 - s);
        s = end + 1;
    }
    return true;
}

/*
 * b (n bytes) in charset (NULL: none declared) as UTF-8, g_malloc'd (*outn bytes, NUL-terminated
 * after them); NULL when it cannot be read.  The declared charset is used when every byte is
 * valid in it (iconv, strictly); else, and for an unknown charset, the bytes are UTF-8 when they
 * are valid UTF-8 (US-ASCII labels on UTF-8 text are common), else windows-1252 (a superset of
 * Latin-1, what mislabelled mail nearly always is).  Only the five bytes windows-1252 leaves
 * undefined (0x81, 0x8d, 0x8f, 0x90, 0x9d) can make that fail.
 */
static char *to_utf8(const char *b, size_t n, const char *charset, size_t *outn)
{
    gsize w = 0;
    char *s;

    if (charset != NULL && g_ascii_strcasecmp(charset, "utf-8") != 0 &&
        g_ascii_strcasecmp(charset, "utf8") != 0) {
        s = g_convert(b, (gssize)n, "UTF-8", g_mime_charset_iconv_name(charset), NULL, &w, NULL);
        if (s != NULL) {
            *outn = w;
            return s;
        }
    }
    if (utf8_with_nuls(b, n)) {
        s = g_malloc(n + 1);
        memcpy(s, b, n);
        s[n] = '\0';
        *outn = n;
        return s;
    }
    s = g_convert(b, (gssize)n, "UTF-8", "WINDOWS-1252", NULL, &w, NULL);
    *outn = s != NULL ? w : 0;
    return s;
}

/* Appends s (n bytes of UTF-8) with every control character but tab, CR and LF (a NUL byte
 * among them) as U+FFFD; with crlf_space, CR and LF become spaces (a header). */
static void append_clean(GString *out, const char *s, size_t n, bool crlf_space)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (crlf_space && (c == '\r' || c == '\n'))
            g_string_append_c(out, ' ');
        else if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f)
            g_string_append(out, "\xef\xbf\xbd");
        else
            g_string_append_c(out, (char)c);
    }
}

/* ---- headers: read from the raw bytes (GMime cuts a value at a NUL byte) ---- */

/* The raw value of the first header name of the message's header (up to the first empty line),
 * folding included; NULL when there is none. */
static const char *raw_header(const char *raw, size_t len, const char *name, size_t *vlen)
{
    size_t nl = strlen(name);
    size_t i = 0;

    while (i < len) {
        const char *line = raw + i;
        const char *eol = memchr(line, '\n', len - i);
        size_t ll = eol ? (size_t)(eol - line) + 1 : len - i;
        if (ll == 1 || (ll == 2 && line[0] == '\r'))
            return NULL; /* the end of the header */
        if (ll > nl && g_ascii_strncasecmp(line, name, nl) == 0) {
            size_t j = nl;
            while (j < ll && (line[j] == ' ' || line[j] == '\t'))
                j++;
            if (j < ll && line[j] == ':') {
                size_t end = i + ll;
                while (end < len && (raw[end] == ' ' || raw[end] == '\t')) {
                    const char *e2 = memchr(raw + end, '\n', len - end);
                    end = e2 ? (size_t)(e2 - raw) + 1 : len;
                }
                *vlen = end - (i + j + 1);
                return line + j + 1;
            }
        }
        i += ll;
    }
    return NULL;
}

/* Whether a raw header value holds a control character other than tab and its line ends. */
static bool header_has_control(const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c == '\r' && i + 1 < n && v[i + 1] == '\n')
            continue;
        if (c == '\n' && i + 1 == n)
            continue;
        if (c == '\n' && (v[i + 1] == ' ' || v[i + 1] == '\t'))
            continue;
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return true;
    }
    return false;
}

/* An RFC 2047 encoded word at s (=?charset?B|Q?text?=): its charset (without a *language) and
 * decoded bytes into *bytes, its length, or 0 when s holds none.  Why not GMime's
 * g_mime_utils_header_decode_text: it converts each word itself and writes '?' for every byte
 * its declared charset does not read (a charset that lies loses letters); here only the word is
 * split out (base64 by glib, Q by its two rules) and to_utf8() reads its bytes with the same
 * fallbacks as a body. */
static size_t encoded_word(const char *s, size_t n, char *charset, size_t cs_max, GByteArray *bytes)
{
    size_t i = 2, cs, enc, text, end;

    if (n < 8 || s[0] != '=' || s[1] != '?')
        return 0;
    for (cs = i; i < n && s[i] != '?' && s[i] > ' ' && (unsigned char)s[i] < 0x7f; i++)
        ;
    if (i >= n || s[i] != '?' || i == cs || i - cs >= cs_max)
        return 0;
    memcpy(charset, s + cs, i - cs);
    charset[i - cs] = '\0';
    if (strchr(charset, '*') != NULL)
        *strchr(charset, '*') = '\0';
    enc = ++i;
    if (i + 1 >= n || s[i + 1] != '?')
        return 0;
    text = i + 2;
    for (end = text; end + 1 < n && !(s[end] == '?' && s[end + 1] == '='); end++)
        if ((unsigned char)s[end] <= ' ' || (unsigned char)s[end] >= 0x7f)
            return 0;
    if (end + 1 >= n)
        return 0;
    g_byte_array_set_size(bytes, 0);
    if (s[enc] == 'B' || s[enc] == 'b') {
        size_t k = 0;
        for (size_t j = text; j < end; j++, k++)
            if (!g_ascii_isalnum(s[j]) && s[j] != '+' && s[j] != '/' && s[j] != '=')
                return 0;
        if (k % 4 != 0)
            return 0;
        char *copy = g_strndup(s + text, end - text);
        gsize dn = 0;
        guchar *d = g_base64_decode(copy, &dn);
        g_byte_array_append(bytes, d, (guint)dn);
        g_free(d);
        g_free(copy);
    } else if (s[enc] == 'Q' || s[enc] == 'q') {
        for (size_t j = text; j < end; j++) {
            guint8 c = (guint8)s[j];
            if (c == '_')
                c = ' ';
            else if (c == '=') {
                if (j + 2 >= end || !g_ascii_isxdigit(s[j + 1]) || !g_ascii_isxdigit(s[j + 2]))
                    return 0;
                c = (guint8)(g_ascii_xdigit_value(s[j + 1]) * 16 + g_ascii_xdigit_value(s[j + 2]));
                j += 2;
            }
            g_byte_array_append(bytes, &c, 1);
        }
    } else
        return 0;
    return end + 2;
}

/* Appends text in charset (NULL: the raw bytes of a header) to out, cleaned; in quote mode as
 * the inside of a quoted string (quoted: add the quotes).  false when it cannot be read. */
static bool header_piece(GString *out, const char *b, size_t n, const char *charset, bool quote,
                         bool quoted)
{
    size_t un = 0;
    char *u = to_utf8(b, n, charset, &un);
    GString *clean = g_string_new(NULL);

    if (u == NULL) {
        g_string_free(clean, TRUE);
        return false;
    }
    append_clean(clean, u, un, true);
    g_free(u);
    if (!quote)
        g_string_append_len(out, clean->str, (gssize)clean->len);
    else {
        if (quoted)
            g_string_append_c(out, '"');
        for (size_t i = 0; i < clean->len; i++) {
            if (clean->str[i] == '"' || clean->str[i] == '\\')
                g_string_append_c(out, '\\');
            g_string_append_c(out, clean->str[i]);
        }
        if (quoted)
            g_string_append_c(out, '"');
    }
    g_string_free(clean, TRUE);
    return true;
}

/*
 * A raw header value (v, n bytes, folded) as UTF-8: unfolded, RFC 2047 encoded words decoded
 * (adjacent ones of a charset together, the white space between them dropped), 8-bit bytes read
 * as UTF-8 or windows-1252, controls as U+FFFD.  address: the value is an address list; an
 * encoded word becomes a quoted string so that the address parser reads it as it is.  NULL when
 * a part cannot be read.  g_free() it.
 */
static char *header_text(const char *v, size_t n, bool address)
{
    GString *out = g_string_new(NULL);
    GString *plain = g_string_new(NULL); /* raw bytes not yet decoded */
    GByteArray *ew = g_byte_array_new(); /* the pending encoded words' bytes */
    GByteArray *word = g_byte_array_new();
    char ew_cs[76] = "", cs[76];
    bool pending = false, in_quotes = false, ok = true;

    for (size_t i = 0; i < n && ok;) {
        size_t wl = encoded_word(v + i, n - i, cs, sizeof cs, word);
        if (wl > 0) {
            if (pending && g_ascii_strcasecmp(cs, ew_cs) != 0) {
                ok = header_piece(out, (const char *)ew->data, ew->len, ew_cs, address, !in_quotes);
                g_byte_array_set_size(ew, 0);
            } else if (!pending) {
                ok = header_piece(out, plain->str, plain->len, NULL, false, false);
            }
            g_string_truncate(plain, 0); /* white space between encoded words */
            g_byte_array_append(ew, word->data, word->len);
            strcpy(ew_cs, cs);
            pending = true;
            i += wl;
            continue;
        }
        char c = v[i];
        if (c == '\r' && i + 1 < n && v[i + 1] == '\n') {
            i++;
            continue;
        }
        if (c == '\n') { /* unfolding */
            i++;
            continue;
        }
        if (pending && c != ' ' && c != '\t') {
            ok = header_piece(out, (const char *)ew->data, ew->len, ew_cs, address, !in_quotes) &&
                 header_piece(out, plain->str, plain->len, NULL, false, false);
            g_byte_array_set_size(ew, 0);
            g_string_truncate(plain, 0);
            pending = false;
        }
        if (c == '"' && (i == 0 || v[i - 1] != '\\'))
            in_quotes = !in_quotes;
        g_string_append_c(plain, c);
        i++;
    }
    if (ok && pending)
        ok = header_piece(out, (const char *)ew->data, ew->len, ew_cs, address, !in_quotes);
    if (ok)
        ok = header_piece(out, plain->str, plain->len, NULL, false, false);
    g_string_free(plain, TRUE);
    g_byte_array_free(ew, TRUE);
    g_byte_array_free(word, TRUE);
    if (!ok) {
        g_string_free(out, TRUE);
        return NULL;
    }
    g_strstrip(out->str);
    return g_string_free(out, FALSE);
}

/* ---- the text ---- */

/* The decoded bytes of a part's content (its transfer encoding undone) into *bytes; false when
 * its base64 is broken (a character outside the alphabet, a truncated quantum): GMime's decoder
 * would skip them silently. */
static bool part_bytes(GMimePart *part, GByteArray **bytes)
{
    GMimeDataWrapper *w = g_mime_part_get_content(part);
    GMimeStream *ms;

    *bytes = NULL;
    if (w == NULL)
        return true;
    if (g_mime_part_get_content_encoding(part) == GMIME_CONTENT_ENCODING_BASE64) {
        GMimeStream *enc = g_mime_data_wrapper_get_stream(w);
        GMimeStream *copy = g_mime_stream_mem_new();
        size_t k = 0;
        bool pad = false;
        g_mime_stream_reset(enc);
        g_mime_stream_write_to_stream(enc, copy);
        g_mime_stream_reset(enc);
        GByteArray *e = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(copy));
        for (guint i = 0; i < e->len; i++) {
            char c = (char)e->data[i];
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
                continue;
            if ((!g_ascii_isalnum(c) && c != '+' && c != '/' && c != '=') || (pad && c != '=')) {
                g_object_unref(copy);
                return false;
            }
            pad = pad || c == '=';
            k++;
        }
        g_object_unref(copy);
        if (k % 4 != 0)
            return false;
    }
    ms = g_mime_stream_mem_new();
    g_mime_data_wrapper_write_to_stream(w, ms);
    *bytes = g_byte_array_new();
    GByteArray *b = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(ms));
    g_byte_array_append(*bytes, b->data, b->len);
    g_object_unref(ms);
    return true;
}

/* The text of a text part as cleaned UTF-8 (g_free), or NULL with *why set. */
static char *part_text(GMimeTextPart *tp, const char **why)
{
    GByteArray *b = NULL;
    const char *charset = g_mime_object_get_content_type_parameter(GMIME_OBJECT(tp), "charset");
    size_t un = 0;
    char *u;

    if (!part_bytes(GMIME_PART(tp), &b)) {
        *why = "is broken: its base64 encoding holds characters outside the alphabet or is cut";
        return NULL;
    }
    if (b == NULL)
        return g_strdup("");
    u = to_utf8((const char *)b->data, b->len, charset, &un);
    g_byte_array_free(b, TRUE);
    if (u == NULL) {
        *why = "could not be read: its bytes are valid neither in its declared character set "
               "nor in UTF-8 or windows-1252";
        return NULL;
    }
    GString *clean = g_string_sized_new(un + 16);
    append_clean(clean, u, un, false);
    g_free(u);
    return g_string_free(clean, FALSE);
}

struct text_find {
    GMimeTextPart *plain;
    GMimeTextPart *html;
};

static void find_text(GMimeObject *parent, GMimeObject *part, gpointer data)
{
    struct text_find *f = data;
    GMimeContentType *ct;

    (void)parent;
    if (!GMIME_IS_TEXT_PART(part) || g_mime_part_is_attachment(GMIME_PART(part)))
        return;
    ct = g_mime_object_get_content_type(part);
    if (f->plain == NULL && g_mime_content_type_is_type(ct, "text", "plain"))
        f->plain = GMIME_TEXT_PART(part);
    else if (f->html == NULL && g_mime_content_type_is_type(ct, "text", "html"))
        f->html = GMIME_TEXT_PART(part);
}

static bool is_block(const char *name)
{
    static const char *const blocks[] = {"p",  "div", "tr", "li", "h1",      "h2",        "h3",
                                         "h4", "h5",  "h6", "ul", "ol",      "table",     "pre",
                                         "dt", "dd",  "hr", "dl", "section", "blockquote"};
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
        if (strcmp(name, blocks[i]) == 0)
            return true;
    return false;
}

/* The text of an HTML tree: white space collapsed as a browser would, block elements and <br>
 * as line ends; script, style and head left out. */
static void html_text(xmlNode *n, GString *out, int depth)
{
    for (; n != NULL; n = n->next) {
        if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
            for (const xmlChar *c = n->content; c && *c; c++) {
                bool ws = *c == ' ' || *c == '\t' || *c == '\r' || *c == '\n';
                if (ws && (out->len == 0 || out->str[out->len - 1] == ' ' ||
                           out->str[out->len - 1] == '\n'))
                    continue;
                g_string_append_c(out, ws ? ' ' : (char)*c);
            }
            continue;
        }
        if (n->type != XML_ELEMENT_NODE || depth > 64)
            continue;
        const char *name = (const char *)n->name;
        if (strcmp(name, "script") == 0 || strcmp(name, "style") == 0 ||
            strcmp(name, "head") == 0 || strcmp(name, "title") == 0)
            continue;
        if (strcmp(name, "br") == 0) {
            g_string_append_c(out, '\n');
            continue;
        }
        bool block = is_block(name);
        if (block && out->len > 0 && out->str[out->len - 1] != '\n')
            g_string_append_c(out, '\n');
        html_text(n->children, out, depth + 1);
        if (block && out->len > 0 && out->str[out->len - 1] != '\n')
            g_string_append_c(out, '\n');
    }
}

/* libxml2's HTML parser checks an element's attributes for duplicates pairwise: one tag of
 * 90,000 attributes (a 1 MiB message) costs tens of seconds of CPU.  The same bounds as the XML
 * pre-scan (xml/xml.h). */
#define HTML_TAG_ATTRS_MAX 64
#define HTML_TAG_BYTES_MAX 16384

/* Whether every tag of html has at most HTML_TAG_ATTRS_MAX attributes ('=' outside quotes) and
 * HTML_TAG_BYTES_MAX bytes: one linear pass. */
static bool html_tags_bounded(const char *html)
{
    const char *tag = NULL;
    char quote = 0;
    int attrs = 0;

    for (const char *p = html; *p != '\0'; p++) {
        if (tag == NULL) {
            if (*p == '<')
                tag = p, attrs = 0;
            continue;
        }
        if (p - tag > HTML_TAG_BYTES_MAX)
            return false;
        if (quote != 0) {
            if (*p == quote)
                quote = 0;
        } else if (*p == '"' || *p == '\'') {
            quote = *p;
        } else if (*p == '>') {
            tag = NULL;
        } else if (*p == '=' && ++attrs > HTML_TAG_ATTRS_MAX) {
            return false;
        }
    }
    return true;
}

/* The text of an HTML part; NULL when it cannot be read, or has a tag beyond the bounds above
 * (the message then has no text, and its sender is asked for the fields). */
static char *html_to_text(struct arena *a, const char *html)
{
    if (!html_tags_bounded(html))
        return NULL;
    htmlDocPtr doc = htmlReadMemory(html, (int)strlen(html), NULL, "UTF-8",
                                    HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
    char *text;

    if (doc == NULL)
        return NULL;
    GString *out = g_string_new(NULL);
    html_text(xmlDocGetRootElement(doc), out, 0);
    xmlFreeDoc(doc);
    text = arena_strdup(a, out->str);
    g_string_free(out, TRUE);
    return text;
}

/* The first mailbox of a From list (looking into groups). */
static InternetAddressMailbox *first_mailbox(InternetAddressList *list, int depth)
{
    int n = list ? internet_address_list_length(list) : 0;

    for (int i = 0; i < n && depth < 4; i++) {
        InternetAddress *ia = internet_address_list_get_address(list, i);
        if (INTERNET_ADDRESS_IS_MAILBOX(ia))
            return INTERNET_ADDRESS_MAILBOX(ia);
        if (INTERNET_ADDRESS_IS_GROUP(ia)) {
            InternetAddressMailbox *m = first_mailbox(
                internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)), depth + 1);
            if (m != NULL)
                return m;
        }
    }
    return NULL;
}

static const char *copy_or_null(struct arena *a, const char *s)
{
    return (s != NULL && s[0] != '\0') ? arena_strdup(a, s) : NULL;
}

int mail_parse(const char *raw, size_t len, struct arena *a, struct mail_in *out, struct err *err)
{
    GMimeStream *stream;
    GMimeParser *parser;
    GMimeMessage *msg;

    memset(out, 0, sizeof *out);
    if (raw == NULL || len == 0)
        return err_set(err, ERR_BAD_REQUEST, "body", "an e-mail message is required");
    pthread_once(&gmime_once, gmime_start);
    stream = g_mime_stream_mem_new_with_buffer(raw, len);
    parser = g_mime_parser_new_with_stream(stream);
    g_object_unref(stream);
    msg = g_mime_parser_construct_message(parser, NULL);
    g_object_unref(parser);
    /* GMime takes almost anything; a message with no header at all is not an e-mail */
    if (msg == NULL ||
        g_mime_header_list_get_count(g_mime_object_get_header_list(GMIME_OBJECT(msg))) == 0) {
        if (msg != NULL)
            g_object_unref(msg);
        return err_set(err, ERR_BAD_REQUEST, "body", "is not an e-mail message (rfc 5322)");
    }

    /* a header rmad reads with a control character (GMime cuts it at a NUL byte) is refused */
    static const char *const read_headers[] = {"From",           "Message-ID",
                                               "In-Reply-To",    "References",
                                               "Content-Type",   "Content-Transfer-Encoding",
                                               "Auto-Submitted", "Precedence"};
    size_t vlen = 0;
    const char *v;
    for (size_t i = 0; i < sizeof read_headers / sizeof read_headers[0]; i++)
        if ((v = raw_header(raw, len, read_headers[i], &vlen)) != NULL &&
            header_has_control(v, vlen) && out->unreadable == NULL) {
            out->unreadable = read_headers[i];
            out->unreadable_why = "holds a control character (a NUL byte or a CR without LF)";
        }

    out->message_id = copy_or_null(a, g_mime_message_get_message_id(msg));
    if ((v = raw_header(raw, len, "Subject", &vlen)) != NULL) {
        char *t = header_text(v, vlen, false);
        if (t == NULL && out->unreadable == NULL) {
            out->unreadable = "Subject";
            out->unreadable_why = "could not be read: its bytes are valid neither in their "
                                  "declared character set nor in UTF-8 or windows-1252";
        }
        out->subject = copy_or_null(a, t);
        g_free(t);
    }
    /* the From header decoded here (8-bit bytes, encoded words of a charset that lies), then
     * handed to GMime's address parser as UTF-8 */
    InternetAddressList *from_list = NULL;
    if ((v = raw_header(raw, len, "From", &vlen)) != NULL) {
        char *t = header_text(v, vlen, true);
        if (t == NULL && out->unreadable == NULL) {
            out->unreadable = "From";
            out->unreadable_why = "could not be read: its bytes are valid neither in their "
                                  "declared character set nor in UTF-8 or windows-1252";
        }
        from_list = t != NULL ? internet_address_list_parse(NULL, t) : NULL;
        g_free(t);
    }
    InternetAddressMailbox *from = first_mailbox(from_list, 0);
    if (from == NULL) /* what GMime made of it, to name the sender of an unreadable one */
        from = first_mailbox(g_mime_message_get_from(msg), 0);
    if (from != NULL) {
        out->from_addr = copy_or_null(a, internet_address_mailbox_get_addr(from));
        out->from_name = copy_or_null(a, internet_address_get_name(INTERNET_ADDRESS(from)));
    }
    if (from_list != NULL)
        g_object_unref(from_list);

    /* the thread: In-Reply-To, then References from the newest (last) back; at most 32 */
    const char *irt = g_mime_object_get_header(GMIME_OBJECT(msg), "In-Reply-To");
    const char *refs = g_mime_object_get_header(GMIME_OBJECT(msg), "References");
    GMimeReferences *ri = irt ? g_mime_references_parse(NULL, irt) : NULL;
    GMimeReferences *rr = refs ? g_mime_references_parse(NULL, refs) : NULL;
    int ni = ri ? g_mime_references_length(ri) : 0;
    int nr = rr ? g_mime_references_length(rr) : 0;
    out->refs = arena_alloc(a, sizeof *out->refs * 32);
    for (int i = 0; i < ni + nr && out->n_refs < 32; i++) {
        const char *id = i < ni ? g_mime_references_get_message_id(ri, i) :
                                  g_mime_references_get_message_id(rr, nr - 1 - (i - ni));
        if (id != NULL && id[0] != '\0' && strlen(id) <= 900)
            out->refs[out->n_refs++] = arena_strdup(a, id);
    }
    if (ri != NULL)
        g_mime_references_free(ri);
    if (rr != NULL)
        g_mime_references_free(rr);

    struct text_find f = {0};
    const char *auto_sub = g_mime_object_get_header(GMIME_OBJECT(msg), "Auto-Submitted");
    const char *prec = g_mime_object_get_header(GMIME_OBJECT(msg), "Precedence");
    while (auto_sub != NULL && (*auto_sub == ' ' || *auto_sub == '\t'))
        auto_sub++;
    while (prec != NULL && (*prec == ' ' || *prec == '\t'))
        prec++;
    out->automatic = (auto_sub != NULL && g_ascii_strncasecmp(auto_sub, "no", 2) != 0) ||
                     (prec != NULL && (g_ascii_strncasecmp(prec, "bulk", 4) == 0 ||
                                       g_ascii_strncasecmp(prec, "junk", 4) == 0 ||
                                       g_ascii_strncasecmp(prec, "list", 4) == 0)) ||
                     (out->from_addr != NULL &&
                      (g_ascii_strncasecmp(out->from_addr, "mailer-daemon@", 14) == 0 ||
                       g_ascii_strncasecmp(out->from_addr, "postmaster@", 11) == 0));
    g_mime_message_foreach(msg, find_text, &f); /* the top part first, then depth first */
    if (f.plain != NULL || f.html != NULL) {
        const char *why = NULL;
        char *t = part_text(f.plain != NULL ? f.plain : f.html, &why);
        if (t == NULL && out->unreadable == NULL) {
            out->unreadable = "body";
            out->unreadable_why = why;
        }
        if (t != NULL)
            out->text = f.plain != NULL ? copy_or_null(a, t) : html_to_text(a, t);
        g_free(t);
    }
    g_object_unref(msg);
    return 0;
}

/* ---- writing ---- */

/* "<id>" -> "id" (GMime adds the brackets). */
static char *bare_id(const char *id)
{
    size_t n = strlen(id);
    if (n >= 2 && id[0] == '<' && id[n - 1] == '>')
        return g_strndup(id + 1, n - 2);
    return g_strdup(id);
}

char *mail_compose(const struct mail_out *m, size_t *len)
{
    pthread_once(&gmime_once, gmime_start);
    GMimeMessage *msg = g_mime_message_new(TRUE);
    GMimeTextPart *body = g_mime_text_part_new_with_subtype("plain");
    GDateTime *date = g_date_time_new_from_unix_utc((gint64)m->date);
    char *id = bare_id(m->message_id);
    GMimeFormatOptions *fo = g_mime_format_options_new();
    char *text;
    char *copy;

    g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_FROM, NULL, m->from);
    g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_TO, NULL, m->to);
    g_mime_message_set_subject(msg, m->subject, "utf-8");
    g_mime_message_set_message_id(msg, id);
    g_mime_message_set_date(msg, date);
    if (m->in_reply_to != NULL) {
        g_mime_object_set_header(GMIME_OBJECT(msg), "In-Reply-To", m->in_reply_to, NULL);
        g_mime_object_set_header(GMIME_OBJECT(msg), "References", m->in_reply_to, NULL);
    }
    g_mime_object_set_header(GMIME_OBJECT(msg), "Auto-Submitted", "auto-generated", NULL);
    g_mime_text_part_set_charset(body, "utf-8");
    g_mime_text_part_set_text(body, m->body);
    g_mime_part_set_content_encoding(GMIME_PART(body), GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
    g_mime_message_set_mime_part(msg, GMIME_OBJECT(body));
    g_mime_format_options_set_newline_format(fo, GMIME_NEWLINE_FORMAT_DOS);
    text = g_mime_object_to_string(GMIME_OBJECT(msg), fo);
    *len = strlen(text);
    copy = xmalloc(*len + 1);
    memcpy(copy, text, *len + 1);
    g_free(text);
    g_mime_format_options_free(fo);
    g_free(id);
    g_date_time_unref(date);
    g_object_unref(body);
    g_object_unref(msg);
    return copy;
}
