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

    out->message_id = copy_or_null(a, g_mime_message_get_message_id(msg));
    out->subject = copy_or_null(a, g_mime_message_get_subject(msg));
    InternetAddressMailbox *from = first_mailbox(g_mime_message_get_from(msg), 0);
    if (from != NULL) {
        out->from_addr = copy_or_null(a, internet_address_mailbox_get_addr(from));
        out->from_name = copy_or_null(a, internet_address_get_name(INTERNET_ADDRESS(from)));
    }

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
    if (f.plain != NULL) {
        char *t = g_mime_text_part_get_text(f.plain);
        out->text = copy_or_null(a, t);
        g_free(t);
    } else if (f.html != NULL) {
        char *t = g_mime_text_part_get_text(f.html);
        if (t != NULL)
            out->text = html_to_text(a, t);
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
