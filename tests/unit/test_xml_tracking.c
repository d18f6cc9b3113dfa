/*
 * Unit tests of xml/tracking: each carrier format read into the expected event list (tracking
 * number, raw code, canonical event, instant), unknown codes kept, DOCTYPE / XXE / entity bombs
 * refused with a line and no parser text, local times read in the carrier's zone (DST gap
 * refused, repeated hour flagged), the limits, a 200,000-event document streamed in bounded
 * memory, and the outbound TransportationStatus read back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <malloc.h>
#include <sys/resource.h>

#include <libxml/globals.h>
#include <libxml/xmlmemory.h>

#include "core/err.h"
#include "core/tracking.h"
#include "core/tz.h"
#include "xml/schemas.h"
#include "xml/tracking.h"
#include "xml/xml.h"

#define FIXTURES RMAD_TEST_FIXTURES "/xml/tracking/"
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct seen {
    char number[64];
    char code[16];
    char text[128];
    char location[128];
    enum track_canon canon;
    int64_t at;
    int offset_known;
    int ambiguous;
    int line;
};

struct collect {
    struct seen ev[64];
    size_t n;
    size_t total;
    int stop_after; /* > 0: the callback fails on this event */
};

static int collect_cb(void *ctx, const struct track_event *ev, struct err *err)
{
    struct collect *c = ctx;

    c->total++;
    if (c->stop_after > 0 && c->total == (size_t)c->stop_after)
        return err_set(err, ERR_CONFLICT, "parcel", "stopped by the test");
    if (c->n < COUNT(c->ev)) {
        struct seen *s = &c->ev[c->n++];

        snprintf(s->number, sizeof s->number, "%s", ev->tracking_number);
        snprintf(s->code, sizeof s->code, "%s", ev->code);
        snprintf(s->text, sizeof s->text, "%s", ev->text);
        snprintf(s->location, sizeof s->location, "%s", ev->location);
        s->canon = ev->canon;
        s->at = ev->at;
        s->offset_known = ev->offset_known;
        s->ambiguous = ev->ambiguous;
        s->line = ev->line;
    }
    return 0;
}

static int count_cb(void *ctx, const struct track_event *ev, struct err *err)
{
    size_t *n = ctx;

    (void)err;
    if (ev->tracking_number[0] == '\0')
        return -1;
    (*n)++;
    return 0;
}

static char *read_whole(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static struct tz *zone(const char *name)
{
    char path[256];
    size_t len;
    char *data;
    struct tz *tz;
    struct err err = {0};

    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", name);
    data = read_whole(path, &len);
    tz = tz_parse((const unsigned char *)data, len, name, &err);
    free(data);
    assert_non_null(tz);
    return tz;
}

/* Streams the fixture; returns the stream's result and fills c, doc and err. */
static int stream_fixture(const char *name, const struct tz *tz, struct collect *c,
                          struct track_doc *doc, struct err *err)
{
    char path[512];
    size_t len;
    char *buf;
    int rc;

    snprintf(path, sizeof path, FIXTURES "%s", name);
    buf = read_whole(path, &len);
    rc = xml_tracking_stream(buf, len, tz, collect_cb, c, doc, err);
    free(buf);
    return rc;
}

struct want {
    const char *number;
    const char *code;
    enum track_canon canon;
    int64_t at;
};

static void check_events(const struct collect *c, const struct want *w, size_t n)
{
    assert_int_equal(c->n, n);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(c->ev[i].number, w[i].number);
        assert_string_equal(c->ev[i].code, w[i].code);
        assert_int_equal(c->ev[i].canon, w[i].canon);
        assert_int_equal(c->ev[i].at, w[i].at);
        assert_true(c->ev[i].line > 0);
    }
}

static void ups_events(void **state)
{
    static const struct want want[] = {
        {"1Z999AA10123456784", "D", TRACK_DELIVERED, 1779389640},
        {"1Z999AA10123456784", "I", TRACK_OUT_FOR_DELIVERY, 1779365520}, /* I refined by OT */
        {"1Z999AA10123456784", "I", TRACK_IN_TRANSIT, 1779333300},
        {"1Z999AA10123456784", "P", TRACK_PICKED_UP, 1779226200},
        {"1Z999AA10123456784", "M", TRACK_LABEL_CREATED, 1779200100},
        {"1Z999AA10123456793", "X", TRACK_ATTEMPTED, 1779394200}, /* X refined by 48 */
    };
    struct tz *ny = zone("America/New_York");
    struct collect c = {0};
    struct track_doc doc;
    struct err err = {0};

    (void)state;
    assert_int_equal(stream_fixture("ups.xml", ny, &c, &doc, &err), 0);
    assert_int_equal(doc.fmt, TRACK_FMT_UPS);
    assert_string_equal(doc.doc_id, "rmad-ups-2026-05-21");
    check_events(&c, want, COUNT(want));
    assert_string_equal(c.ev[0].text, "DELIVERED");
    assert_string_equal(c.ev[0].location, "NEW YORK, NY, US");
    assert_int_equal(c.ev[0].offset_known, 0);
    assert_int_equal(c.ev[0].ambiguous, 0);
    assert_int_equal(c.ev[0].line, 19);
    tz_free(ny);
}

static void fedex_events(void **state)
{
    static const struct want want[] = {
        {"794644790138", "DL", TRACK_DELIVERED, 1779389640},
        {"794644790138", "OD", TRACK_OUT_FOR_DELIVERY, 1779364920},
        {"794644790138", "AR", TRACK_IN_TRANSIT, 1779334860},
        {"794644790138", "PU", TRACK_PICKED_UP, 1779230220},
        {"794644790138", "OC", TRACK_LABEL_CREATED, 1779181800},
        {"794644790149", "RS", TRACK_RETURNED_TO_SENDER, 1779357600},
    };
    struct collect c = {0};
    struct track_doc doc;
    struct err err = {0};

    (void)state;
    /* every FedEx time carries its offset: no zone needed */
    assert_int_equal(stream_fixture("fedex.xml", NULL, &c, &doc, &err), 0);
    assert_int_equal(doc.fmt, TRACK_FMT_FEDEX);
    assert_string_equal(doc.doc_id, "rmad-fedex-0001");
    check_events(&c, want, COUNT(want));
    assert_int_equal(c.ev[0].offset_known, 1);
    assert_string_equal(c.ev[0].location, "BROOKLYN, NY, US");
    assert_string_equal(c.ev[4].location, "");
}

static void usps_events(void **state)
{
    static const struct want want[] = {
        {"9400111899223197428490", "01", TRACK_DELIVERED, 1779389640},
        {"9400111899223197428490", "OF", TRACK_OUT_FOR_DELIVERY, 1779365100},
        {"9400111899223197428490", "10", TRACK_IN_TRANSIT, 1779334860},
        {"9400111899223197428490", "SF", TRACK_IN_TRANSIT, 1779250200},
        {"9400111899223197428490", "03", TRACK_PICKED_UP, 1779221520},
        {"9400111899223197428490", "GX", TRACK_LABEL_CREATED, 1779195600},
    };
    struct tz *ny = zone("America/New_York");
    struct collect c = {0};
    struct track_doc doc;
    struct err err = {0};

    (void)state;
    assert_int_equal(stream_fixture("usps.xml", ny, &c, &doc, &err), 0);
    assert_int_equal(doc.fmt, TRACK_FMT_USPS);
    assert_string_equal(doc.doc_id, "");
    check_events(&c, want, COUNT(want));
    assert_string_equal(c.ev[0].text, "Delivered, In/At Mailbox");
    assert_string_equal(c.ev[0].location, "BROOKLYN, NY");
    tz_free(ny);
}

static void dhl_events(void **state)
{
    static const struct want want[] = {
        {"1234567890", "PU", TRACK_PICKED_UP, 1779204600},
        {"1234567890", "DF", TRACK_IN_TRANSIT, 1779217440},
        {"1234567890", "AR", TRACK_IN_TRANSIT, 1779250320},
        {"1234567890", "WC", TRACK_OUT_FOR_DELIVERY, 1779346800},
        {"1234567890", "OK", TRACK_DELIVERED, 1779359100},
    };
    struct tz *berlin = zone("Europe/Berlin");
    struct collect c = {0};
    struct track_doc doc;
    struct err err = {0};

    (void)state;
    assert_int_equal(stream_fixture("dhl.xml", berlin, &c, &doc, &err), 0);
    assert_int_equal(doc.fmt, TRACK_FMT_DHL);
    assert_string_equal(doc.doc_id, "1100000000000000000000000042");
    check_events(&c, want, COUNT(want));
    /* a description over two lines is one line of text */
    assert_string_equal(c.ev[1].text, "Departed from DHL facility in COLOGNE - GERMANY");
    assert_string_equal(c.ev[1].location, "COLOGNE - GERMANY");
    assert_int_equal(c.ev[1].offset_known, 0);
    assert_int_equal(c.ev[2].offset_known, 1);
    tz_free(berlin);
}

static void ubl_events(void **state)
{
    static const struct want want[] = {
        /* the raw code is the StatusReasonCode when there is one, else the type code */
        {"340123450000000017", "PU", TRACK_PICKED_UP, 1779204600},
        {"340123450000000017", "in_transit", TRACK_IN_TRANSIT, 1779250320},
        {"340123450000000017", "OK", TRACK_DELIVERED, 1779359100},
    };
    struct collect c = {0};
    struct track_doc doc;
    struct err err = {0};

    (void)state;
    assert_int_equal(stream_fixture("ubl-transportation-status.xml", NULL, &c, &doc, &err), 0);
    assert_int_equal(doc.fmt, TRACK_FMT_UBL);
    assert_string_equal(doc.doc_id, "TS-2026-05-21-0001");
    check_events(&c, want, COUNT(want));
    assert_string_equal(c.ev[2].text, "Delivered & signed for");
    assert_string_equal(c.ev[0].location, "COLOGNE, DE");
}

static void unknown_code_is_kept(void **state)
{
    struct collect c = {0};
    struct track_doc doc;
    struct err err = {0};

    (void)state;
    assert_int_equal(stream_fixture("unknown-code.xml", NULL, &c, &doc, &err), 0);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.ev[0].code, "QX");
    assert_int_equal(c.ev[0].canon, TRACK_UNKNOWN);
    assert_string_equal(c.ev[0].text, "Something the tables do not know");
    assert_string_equal(c.ev[0].number, "794644790150");
    assert_int_equal(c.ev[1].canon, TRACK_IN_TRANSIT);
}

/* The error names the field and line and says nothing the parser read. */
static void assert_clean_error(const struct err *err, enum err_kind kind, const char *field)
{
    assert_int_equal(err->kind, kind);
    assert_string_equal(err->field, field);
    assert_null(strstr(err->message, "passwd"));
    assert_null(strstr(err->message, "lol"));
    assert_null(strstr(err->message, "xxe"));
    assert_null(strstr(err->message, "parser"));
}

static void doctype_is_refused(void **state)
{
    static const char *const files[] = {"doctype-xxe.xml", "billion-laughs.xml"};

    (void)state;
    for (size_t i = 0; i < COUNT(files); i++) {
        struct collect c = {0};
        struct track_doc doc;
        struct err err = {0};

        assert_int_equal(stream_fixture(files[i], NULL, &c, &doc, &err), -1);
        assert_clean_error(&err, ERR_BAD_REQUEST, "doctype");
        assert_int_equal(err.line, 2); /* the line of <!DOCTYPE */
        assert_int_equal(c.total, 0);
    }
}

static void dst_gap_is_refused(void **state)
{
    struct tz *ny = zone("America/New_York");
    struct collect c = {0};
    struct track_doc doc;
    struct err err = {0};

    (void)state;
    assert_int_equal(stream_fixture("dst-gap.xml", ny, &c, &doc, &err), -1);
    assert_clean_error(&err, ERR_INVALID, "event.time");
    assert_int_equal(err.line, 11); /* the second Activity, 02:30 on 8 March 2026 */
    assert_int_equal(c.total, 1);
    tz_free(ny);
}

static void dst_repeated_hour_takes_the_earlier(void **state)
{
    struct tz *ny = zone("America/New_York");
    struct collect c = {0};
    struct track_doc doc;
    struct err err = {0};

    (void)state;
    assert_int_equal(stream_fixture("dst-repeated.xml", ny, &c, &doc, &err), 0);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.ev[0].at, 1793511000); /* 01:30 EDT, not 01:30 EST */
    assert_int_equal(c.ev[0].ambiguous, 1);
    tz_free(ny);
}

static void local_time_needs_a_zone(void **state)
{
    struct tz *berlin = zone("Europe/Berlin");
    struct collect c = {0}, c2 = {0};
    struct track_doc doc;
    struct err err = {0}, err2 = {0};

    (void)state;
    /* the first event has a GMT offset, the second does not */
    assert_int_equal(stream_fixture("no-offset-without-zone.xml", NULL, &c, &doc, &err), -1);
    assert_clean_error(&err, ERR_INVALID, "event.time");
    assert_int_equal(err.line, 12);
    assert_int_equal(c.total, 1);
    assert_int_equal(c.ev[0].at, 1779250320);
    /* with the carrier's zone the same document reads */
    assert_int_equal(stream_fixture("no-offset-without-zone.xml", berlin, &c2, &doc, &err2), 0);
    assert_int_equal(c2.n, 2);
    assert_int_equal(c2.ev[1].at, 1779262800);
    tz_free(berlin);
}

/* Streams a document given as a string (NULL zone). */
static int stream_text(const char *xml, struct collect *c, struct err *err)
{
    struct track_doc doc;

    return xml_tracking_stream(xml, strlen(xml), NULL, collect_cb, c, &doc, err);
}

#define UBL_OPEN                                                                                   \
    "<TransportationStatus xmlns=\"" XML_NS_TRANSPORTATION_STATUS "\" xmlns:cac=\"" XML_NS_CAC     \
    "\" xmlns:cbc=\"" XML_NS_CBC "\"><cbc:UBLVersionID>2.1</cbc:UBLVersionID>"                     \
    "<cbc:ID>B-1</cbc:ID><cbc:IssueDate>2026-05-21</cbc:IssueDate>\n"
#define UBL_EVENT(shipment)                                                                        \
    "<cac:TransportEvent><cbc:OccurrenceDate>2026-05-21</cbc:OccurrenceDate>"                      \
    "<cbc:OccurrenceTime>10:25:00Z</cbc:OccurrenceTime>"                                           \
    "<cbc:TransportEventTypeCode>delivered</cbc:TransportEventTypeCode>" shipment                  \
    "</cac:TransportEvent>\n"

/* A batch: each event names its parcel in ReportedShipment (SSCC first, else its ID). */
static void ubl_batch(void **state)
{
    static const char xml[] = UBL_OPEN UBL_EVENT(
        "<cac:ReportedShipment><cbc:ID>A-1</cbc:ID><cac:TransportHandlingUnit>"
        "<cbc:ID>340123450000000017</cbc:ID></cac:TransportHandlingUnit>"
        "</cac:ReportedShipment>") UBL_EVENT("<cac:ReportedShipment><cbc:ID>JD0146</cbc:ID></"
                                             "cac:ReportedShipment>") "</TransportationStatus>";
    static const char two_consignments[] =
        UBL_OPEN "<cac:Consignment><cbc:ID>C-1</cbc:ID></cac:Consignment>"
                 "<cac:Consignment><cbc:ID>C-2</cbc:ID></cac:Consignment>\n" UBL_EVENT(
                     "") "</TransportationStatus>";
    static const char no_parcel[] = UBL_OPEN UBL_EVENT("") "</TransportationStatus>";
    struct collect c = {0};
    struct track_doc doc;
    struct err err = {0};

    (void)state;
    assert_int_equal(xml_tracking_stream(xml, strlen(xml), NULL, collect_cb, &c, &doc, &err), 0);
    assert_string_equal(doc.doc_id, "B-1");
    assert_int_equal(c.n, 2);
    assert_string_equal(c.ev[0].number, "340123450000000017");
    assert_string_equal(c.ev[1].number, "JD0146");
    assert_int_equal(c.ev[1].line, 3);
    memset(&c, 0, sizeof c);
    assert_int_equal(xml_tracking_stream(two_consignments, strlen(two_consignments), NULL,
                                         collect_cb, &c, &doc, &err),
                     -1);
    assert_clean_error(&err, ERR_INVALID, "tracking_number");
    assert_int_equal(err.line, 3);
    memset(&err, 0, sizeof err);
    assert_int_equal(
        xml_tracking_stream(no_parcel, strlen(no_parcel), NULL, collect_cb, &c, &doc, &err), -1);
    assert_clean_error(&err, ERR_INVALID, "tracking_number");
}

/* A UPS Activity with its GMTOffset is an instant: no zone needed, never ambiguous. */
static void ups_gmt_offset(void **state)
{
    static const char xml[] =
        "<TrackResponse><Response/><Shipment><Package><TrackingNumber>1Z1</TrackingNumber>\n"
        "<Activity><Status><StatusType><Code>I</Code></StatusType></Status>"
        "<Date>20261101</Date><Time>013000</Time><GMTOffset>-05:00</GMTOffset></Activity>\n"
        "<Activity><Status><StatusType><Code>I</Code></StatusType></Status>"
        "<Date>20261101</Date><Time>013000</Time><GMTOffset>EST</GMTOffset></Activity>"
        "</Package></Shipment></TrackResponse>";
    struct collect c = {0};
    struct track_doc doc;
    struct err err = {0};

    (void)state;
    assert_int_equal(xml_tracking_stream(xml, strlen(xml), NULL, collect_cb, &c, &doc, &err), -1);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.ev[0].at, 1793514600); /* 01:30 EST */
    assert_int_equal(c.ev[0].offset_known, 1);
    assert_int_equal(c.ev[0].ambiguous, 0);
    assert_clean_error(&err, ERR_INVALID, "event.time");
    assert_int_equal(err.line, 3);
}

/* A single-valued element (number, date, time, offset, code) given twice in one scope is
 * ambiguous: 422 naming the element, with the line of the second; texts may repeat. */
static void ambiguous_fields_are_refused(void **state)
{
#define DHL_EV(x)                                                                                  \
    "<TrackingResponse><AWBInfo><AWBNumber>1</AWBNumber><ShipmentInfo><ShipmentEvent>"             \
    "<Date>2026-05-19</Date><Time>17:30:00</Time><GMTOffset>+01:00</GMTOffset>"                    \
    "<ServiceEvent><EventCode>PU</EventCode></ServiceEvent>\n" x                                   \
    "</ShipmentEvent></ShipmentInfo></AWBInfo></TrackingResponse>"
#define UPS_PKG(x)                                                                                 \
    "<TrackResponse><Response><TransactionReference><CustomerContext>C</CustomerContext>"          \
    "</TransactionReference></Response><Shipment><Package><TrackingNumber>1Z1</TrackingNumber>"    \
    "<Activity><Status><StatusType><Code>I</Code></StatusType></Status><Date>20260519</Date>"      \
    "<Time>090000</Time>\n" x "</Activity></Package></Shipment></TrackResponse>"
#define FEDEX_EV(x)                                                                                \
    "<TrackReply><TrackDetails><TrackingNumber>1</TrackingNumber><Events>"                         \
    "<EventType>DL</EventType><Timestamp>2026-05-21T14:54:00Z</Timestamp>\n" x                     \
    "</Events></TrackDetails></TrackReply>"
#define USPS_EV(x)                                                                                 \
    "<TrackResponse><TrackInfo ID=\"EJ1\"><TrackSummary><EventTime>2:54 pm</EventTime>"            \
    "<EventDate>May 21, 2026</EventDate><EventCode>01</EventCode>\n" x                             \
    "</TrackSummary></TrackInfo></TrackResponse>"
#define UBL_EV(x)                                                                                  \
    UBL_OPEN "<cac:TransportEvent><cbc:OccurrenceDate>2026-05-21</cbc:OccurrenceDate>"             \
             "<cbc:OccurrenceTime>10:25:00Z</cbc:OccurrenceTime>"                                  \
             "<cbc:TransportEventTypeCode>delivered</cbc:TransportEventTypeCode>"                  \
             "<cac:ReportedShipment><cbc:ID>A-1</cbc:ID>\n" x                                      \
             "</cac:ReportedShipment></cac:TransportEvent></TransportationStatus>"
    static const struct {
        const char *xml;
        const char *field;
        int line;
    } cases[] = {
        {DHL_EV("<GMTOffset>+05:00</GMTOffset>"), "GMTOffset", 2},
        {DHL_EV("<Time>18:30:00</Time>"), "Time", 2},
        {DHL_EV("<Date>2026-05-20</Date>"), "Date", 2},
        {DHL_EV("<ServiceEvent><EventCode>OK</EventCode></ServiceEvent>"), "EventCode", 2},
        {"<TrackingResponse><AWBInfo><AWBNumber>1</AWBNumber>\n<AWBNumber>2</AWBNumber>"
         "</AWBInfo></TrackingResponse>",
         "AWBNumber", 2},
        {"<TrackingResponse><Response><ServiceHeader><MessageReference>A</MessageReference>\n"
         "<MessageReference>B</MessageReference></ServiceHeader></Response></TrackingResponse>",
         "MessageReference", 2},
        {"<TrackResponse><Shipment><Package><TrackingNumber>1Z1</TrackingNumber>\n"
         "<TrackingNumber>1Z2</TrackingNumber></Package></Shipment></TrackResponse>",
         "TrackingNumber", 2},
        {"<TrackResponse><Shipment><ShipmentIdentificationNumber>1</ShipmentIdentificationNumber>"
         "\n<ShipmentIdentificationNumber>2</ShipmentIdentificationNumber></Shipment>"
         "</TrackResponse>",
         "ShipmentIdentificationNumber", 2},
        {UPS_PKG("<GMTOffset>+01:00</GMTOffset><GMTOffset>+02:00</GMTOffset>"), "GMTOffset", 2},
        {UPS_PKG("<Date>20260520</Date>"), "Date", 2},
        {UPS_PKG("<Time>100000</Time>"), "Time", 2},
        {UPS_PKG("<Status><StatusType><Code>D</Code></StatusType></Status>"), "Code", 2},
        {"<TrackResponse><Response><TransactionReference><CustomerContext>A</CustomerContext>\n"
         "<CustomerContext>B</CustomerContext></TransactionReference></Response></TrackResponse>",
         "CustomerContext", 2},
        {FEDEX_EV("<Timestamp>2026-05-22T14:54:00Z</Timestamp>"), "Timestamp", 2},
        {FEDEX_EV("<EventType>PU</EventType>"), "EventType", 2},
        {"<TrackReply><TrackDetails><TrackingNumber>1</TrackingNumber>\n"
         "<TrackingNumber>2</TrackingNumber></TrackDetails></TrackReply>",
         "TrackingNumber", 2},
        {USPS_EV("<EventTime>3:54 pm</EventTime>"), "EventTime", 2},
        {USPS_EV("<EventDate>May 22, 2026</EventDate>"), "EventDate", 2},
        {USPS_EV("<EventCode>02</EventCode>"), "EventCode", 2},
        {UBL_EV("<cbc:ID>A-2</cbc:ID>"), "ID", 3},
        {UBL_OPEN "<cbc:ID>B-2</cbc:ID></TransportationStatus>", "ID", 2},
        {UBL_OPEN "<cac:Consignment><cbc:ID>C-1</cbc:ID>\n<cbc:ID>C-2</cbc:ID></cac:Consignment>"
                  "</TransportationStatus>",
         "ID", 3},
        {UBL_OPEN "<cac:Consignment><cbc:CarrierAssignedID>1</cbc:CarrierAssignedID>\n"
                  "<cbc:CarrierAssignedID>2</cbc:CarrierAssignedID></cac:Consignment>"
                  "</TransportationStatus>",
         "CarrierAssignedID", 3},
        {UBL_OPEN "<cac:TransportEvent><cbc:OccurrenceDate>2026-05-21</cbc:OccurrenceDate>"
                  "<cbc:OccurrenceTime>10:25:00Z</cbc:OccurrenceTime>\n"
                  "<cbc:OccurrenceTime>11:25:00Z</cbc:OccurrenceTime></cac:TransportEvent>"
                  "</TransportationStatus>",
         "OccurrenceTime", 3},
        /* a second SSCC of one handling unit: the first won and the parcel's events were lost */
        {UBL_OPEN "<cac:Consignment><cac:TransportHandlingUnit><cbc:ID>1</cbc:ID>\n"
                  "<cbc:ID>2</cbc:ID></cac:TransportHandlingUnit></cac:Consignment>"
                  "</TransportationStatus>",
         "ID", 3},
        {UBL_OPEN "<cac:Consignment><cac:TransportHandlingUnit><cbc:ID>1</cbc:ID>"
                  "</cac:TransportHandlingUnit>\n<cac:TransportHandlingUnit><cbc:ID>2</cbc:ID>"
                  "</cac:TransportHandlingUnit></cac:Consignment></TransportationStatus>",
         "ID", 3},
        {UBL_EV("<cac:TransportHandlingUnit><cbc:ID>1</cbc:ID>\n<cbc:ID>2</cbc:ID>"
                "</cac:TransportHandlingUnit>"),
         "ID", 4},
        {UBL_EV("</cac:ReportedShipment>\n<cac:ReportedShipment><cac:TransportHandlingUnit>"
                "<cbc:ID>1</cbc:ID></cac:TransportHandlingUnit>"),
         "ReportedShipment", 4},
    };
    /* a noncharacter by character reference: the byte pre-scan cannot see it */
    static const struct {
        const char *xml;
        const char *field;
        int line;
    } nonchars[] = {
        {"<TrackResponse><Response><TransactionReference>\n<CustomerContext>nc&#xFDD0;1"
         "</CustomerContext></TransactionReference></Response></TrackResponse>",
         "CustomerContext", 2},
        {DHL_EV("<ServiceArea><Description>Leipzig &#x1FFFE;</Description></ServiceArea>"),
         "Description", 2},
        {"<TrackResponse>\n<TrackInfo ID=\"EJ&#xFDEF;\"></TrackInfo></TrackResponse>", "TrackInfo",
         2},
        {UPS_PKG("<ActivityLocation><Address><City>A&#x10FFFF;</City></Address>"
                 "</ActivityLocation>"),
         "City", 2},
        {UBL_OPEN "<cac:Consignment>\n<cbc:CarrierAssignedID>1&#xFDD0;</cbc:CarrierAssignedID>"
                  "</cac:Consignment></TransportationStatus>",
         "CarrierAssignedID", 3},
        {UBL_EV("<cac:TransportHandlingUnit><cbc:ID>&#xFDD0;</cbc:ID>"
                "</cac:TransportHandlingUnit>"),
         "ID", 3},
    };
    static const char texts_repeat[] =
        DHL_EV("<ServiceArea><Description>A</Description><Description>B</Description>"
               "</ServiceArea>");

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        struct collect c = {0};
        struct err err = {0};

        assert_int_equal(stream_text(cases[i].xml, &c, &err), -1);
        assert_clean_error(&err, ERR_INVALID, cases[i].field);
        assert_int_equal(err.line, cases[i].line);
        assert_non_null(strstr(err.message, "twice"));
        assert_int_equal(c.total, 0);
    }
    struct collect c = {0};
    struct err err = {0};
    assert_int_equal(stream_text(texts_repeat, &c, &err), 0);
    assert_int_equal(c.n, 1);
    for (size_t i = 0; i < COUNT(nonchars); i++) {
        struct collect c2 = {0};
        struct err err2 = {0};

        assert_int_equal(stream_text(nonchars[i].xml, &c2, &err2), -1);
        assert_clean_error(&err2, ERR_INVALID, nonchars[i].field);
        assert_int_equal(err2.line, nonchars[i].line);
        assert_non_null(strstr(err2.message, "noncharacter"));
        assert_int_equal(c2.total, 0);
    }
#undef DHL_EV
#undef UPS_PKG
#undef FEDEX_EV
#undef USPS_EV
#undef UBL_EV
}

/* USPS answers an unknown number with an Error in its TrackInfo: no event, no failure. */
static void usps_not_found(void **state)
{
    static const char xml[] =
        "<TrackResponse><TrackInfo ID=\"EJ123456780US\"><Error><Number>-2147219283</Number>"
        "<Description>A status update is not yet available.</Description></Error></TrackInfo>"
        "</TrackResponse>";
    struct collect c = {0};
    struct track_doc doc;
    struct err err = {0};

    (void)state;
    assert_int_equal(xml_tracking_stream(xml, strlen(xml), NULL, collect_cb, &c, &doc, &err), 0);
    assert_int_equal(doc.fmt, TRACK_FMT_USPS);
    assert_int_equal(c.total, 0);
}

static void bad_documents(void **state)
{
    static const struct {
        const char *xml;
        enum err_kind kind;
        const char *field;
        int line;
    } cases[] = {
        {"<TrackReply><TrackDetails>\n<TrackingNumber>1</TrackingNumber>\n<Events>"
         "<Timestamp>2026-05-21T14:54:00Z</Timestamp>\n</TrackDetails></TrackReply>",
         ERR_BAD_REQUEST, "document", 4}, /* not well-formed: 400, as POST /documents */
        {"<Invoice/>", ERR_INVALID, "document", 1},
        {"<TrackResponse/>", ERR_INVALID, "document", 1},
        {"\n<Envelope><Body/></Envelope>", ERR_INVALID, "document", 2},
        {"", ERR_BAD_REQUEST, "document", 0},
        {"<TrackReply><TrackDetails>\n<Events><EventType>DL</EventType>"
         "<Timestamp>2026-05-21T14:54:00Z</Timestamp></Events></TrackDetails></TrackReply>",
         ERR_INVALID, "tracking_number", 2},
        {"<TrackReply><TrackDetails><TrackingNumber>1</TrackingNumber>\n<Events>"
         "<EventType>DL</EventType><Timestamp>2026-02-29T14:54:00Z</Timestamp></Events>"
         "</TrackDetails></TrackReply>",
         ERR_INVALID, "event.time", 2},
        {"<TrackReply><TrackDetails><TrackingNumber>1</TrackingNumber>\n<Events>"
         "<EventType>DL</EventType><Timestamp>2026-05-21T24:00:00Z</Timestamp></Events>"
         "</TrackDetails></TrackReply>",
         ERR_INVALID, "event.time", 2},
        {"<TrackReply><TrackDetails><TrackingNumber>1</TrackingNumber>\n<Events>"
         "<EventType>DL</EventType></Events></TrackDetails></TrackReply>",
         ERR_INVALID, "event.time", 2},
        /* a UBL document whose root is in another namespace is not ours */
        {"<TransportationStatus xmlns=\"urn:example\"/>", ERR_INVALID, "document", 1},
    };

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        struct collect c = {0};
        struct err err = {0};

        assert_int_equal(stream_text(cases[i].xml, &c, &err), -1);
        assert_clean_error(&err, cases[i].kind, cases[i].field);
        if (cases[i].line > 0)
            assert_int_equal(err.line, cases[i].line);
    }
}

static void long_text_is_refused(void **state)
{
    char xml[2048], big[400];
    struct collect c = {0};
    struct err err = {0};

    (void)state;
    memset(big, 'A', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    snprintf(xml, sizeof xml,
             "<TrackReply><TrackDetails><TrackingNumber>1</TrackingNumber>\n<Events>"
             "<EventType>DL</EventType><Timestamp>2026-05-21T14:54:00Z</Timestamp>"
             "<EventDescription>%s</EventDescription></Events></TrackDetails></TrackReply>",
             big);
    assert_int_equal(stream_text(xml, &c, &err), -1);
    assert_clean_error(&err, ERR_INVALID, "EventDescription");
    assert_int_equal(err.line, 2);

    /* the tracking number itself */
    memset(&err, 0, sizeof err);
    snprintf(xml, sizeof xml,
             "<TrackReply><TrackDetails>\n<TrackingNumber>%s</TrackingNumber>"
             "</TrackDetails></TrackReply>",
             big);
    assert_int_equal(stream_text(xml, &c, &err), -1);
    assert_clean_error(&err, ERR_INVALID, "TrackingNumber");
}

static void deep_nesting_is_refused(void **state)
{
    char xml[4096];
    size_t len = 0;
    struct collect c = {0};
    struct err err = {0};

    (void)state;
    len += (size_t)snprintf(xml + len, sizeof xml - len, "<TrackReply>");
    for (int i = 0; i < 40; i++)
        len += (size_t)snprintf(xml + len, sizeof xml - len, "<a>");
    for (int i = 0; i < 40; i++)
        len += (size_t)snprintf(xml + len, sizeof xml - len, "</a>");
    snprintf(xml + len, sizeof xml - len, "</TrackReply>");
    assert_int_equal(stream_text(xml, &c, &err), -1);
    assert_clean_error(&err, ERR_INVALID, "document");
}

/* The pre-scan reads markup as ASCII: an encoding where it is not is refused before any parse
 * (libxml2 would otherwise read 50,000 attributes the scan never saw). */
static void foreign_encodings_are_refused(void **state)
{
    static const char *const refused[] = {
        "<?xml version=\"1.0\" encoding=\"UTF-7\"?>\n<TrackResponse/>",
        "<?xml version='1.0' encoding='IBM037'?>\n<TrackResponse/>",
        "<?xml version=\"1.0\" encoding = \"UTF-16\"?>\n<TrackResponse/>",
        "<?xml version=\"1.0\" encoding=\"UCS-4\"?>\n<TrackResponse/>",
        "\x4C\x6F\xA7\x94\x93\x40\xA5\x85\x99\xA2\x89\x96\x95", /* EBCDIC, undeclared */
        "\xFF\xFE<\x00T\x00",                                   /* UTF-16LE BOM */
        "\xFE\xFF\x00<",                                        /* UTF-16BE BOM */
        "<?xml version=\"1.0\"                                                  "
        "                                                                        "
        "                                                                        "
        "                                                      encoding=\"UTF-7\"?><a/>",
    };
    static const char *const accepted[] = {
        "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<TrackResponse/>",
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<TrackResponse/>",
        "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"US-ASCII\"?>\n<TrackResponse/>",
        "\xEF\xBB\xBF\n<TrackResponse/>",
    };

    (void)state;
    for (size_t i = 0; i < COUNT(refused); i++) {
        struct collect c = {0};
        struct err err = {0};

        assert_int_equal(stream_text(refused[i], &c, &err), -1);
        assert_clean_error(&err, ERR_BAD_REQUEST, "document");
        assert_int_equal(err.line, 1);
        assert_non_null(strstr(err.message, "UTF-8"));
    }
    for (size_t i = 0; i < COUNT(accepted); i++) {
        struct collect c = {0};
        struct err err = {0};

        /* read as far as the tracking document it is not */
        assert_int_equal(stream_text(accepted[i], &c, &err), -1);
        assert_clean_error(&err, ERR_INVALID, "document");
        assert_int_equal(err.line, 2);
    }
}

static void callback_error_stops(void **state)
{
    struct tz *ny = zone("America/New_York");
    struct collect c = {.stop_after = 3};
    struct track_doc doc;
    struct err err = {0};

    (void)state;
    assert_int_equal(stream_fixture("ups.xml", ny, &c, &doc, &err), -1);
    assert_int_equal(err.kind, ERR_CONFLICT);
    assert_string_equal(err.field, "parcel");
    assert_int_equal(c.total, 3);
    tz_free(ny);
}

static long peak_rss_kb(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/*
 * What libxml2 holds: its allocations go through these (xmlMemSetup in main), which count the
 * live bytes and their peak.  Unlike the RSS this does not depend on the allocator (ASan keeps
 * freed memory in quarantine, which the RSS shows).
 */
static int64_t xml_live, xml_peak;

static void *count_malloc(size_t n)
{
    void *p = malloc(n);

    if (p != NULL) {
        xml_live += (int64_t)malloc_usable_size(p);
        if (xml_live > xml_peak)
            xml_peak = xml_live;
    }
    return p;
}

static void count_free(void *p)
{
    if (p != NULL)
        xml_live -= (int64_t)malloc_usable_size(p);
    free(p);
}

static void *count_realloc(void *p, size_t n)
{
    size_t old = p != NULL ? malloc_usable_size(p) : 0;
    void *q = realloc(p, n);

    if (q != NULL) {
        xml_live += (int64_t)malloc_usable_size(q) - (int64_t)old;
        if (xml_live > xml_peak)
            xml_peak = xml_live;
    }
    return q;
}

static char *count_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = count_malloc(n);

    if (p != NULL)
        memcpy(p, s, n);
    return p;
}

/* Starts measuring libxml2's peak from now; returns the live bytes now. */
static int64_t xml_measure(void)
{
    xml_peak = xml_live;
    return xml_live;
}

/*
 * 200,000 events in one UPS document (100,000 packages of two activities, about 40 MB): every
 * event reaches the callback and what libxml2 holds does not grow with the document.
 */
static void large_document_streams(void **state)
{
    static const char head[] = "<?xml version=\"1.0\"?>\n<TrackResponse><Response/><Shipment>\n";
    static const char pkg[] =
        "<Package><TrackingNumber>1Z%016d</TrackingNumber>\n"
        "<Activity><Status><StatusType><Code>P</Code><Description>PICKUP SCAN</Description>"
        "</StatusType></Status><Date>20260519</Date><Time>173000</Time></Activity>\n"
        "<Activity><Status><StatusType><Code>D</Code><Description>DELIVERED</Description>"
        "</StatusType></Status><Date>20260521</Date><Time>145400</Time></Activity>\n"
        "</Package>\n";
    static const char tail[] = "</Shipment></TrackResponse>\n";
    const int packages = 100000;
    size_t cap = sizeof head + (size_t)packages * (sizeof pkg + 16) + sizeof tail, len = 0;
    char *buf = malloc(cap);
    struct tz *ny = zone("America/New_York");
    struct track_doc doc;
    struct err err = {0};
    size_t n = 0;
    long before, after;
    int64_t base;

    (void)state;
    assert_non_null(buf);
    len += (size_t)snprintf(buf + len, cap - len, "%s", head);
    for (int i = 0; i < packages; i++)
        len += (size_t)snprintf(buf + len, cap - len, pkg, i);
    len += (size_t)snprintf(buf + len, cap - len, "%s", tail);
    assert_true(len < cap);
    before = peak_rss_kb();
    base = xml_measure();
    assert_int_equal(xml_tracking_stream(buf, len, ny, count_cb, &n, &doc, &err), 0);
    after = peak_rss_kb();
    assert_int_equal(n, 200000);
    /* the document is about 40 MB: libxml2 never holds more than a few hundred kB of it */
    print_message("document %zu bytes: libxml2 peak %lld kB; peak RSS %ld kB -> %ld kB\n", len,
                  (long long)(xml_peak - base) / 1024, before, after);
    assert_true(xml_peak - base < 1024 * 1024);
    free(buf);
    tz_free(ny);
}

/*
 * One event of 2,000,000 empty elements (8 MB): read node by node, never built into a tree (a
 * tree of it would take some 250 MB), so libxml2 holds next to nothing of it.
 */
static void huge_event_streams(void **state)
{
    static const char head[] = "<TrackResponse><Shipment><Package><TrackingNumber>1Z1"
                               "</TrackingNumber>\n<Activity>";
    static const char tail[] = "<Status><StatusType><Code>D</Code></StatusType></Status>"
                               "<Date>20260521</Date><Time>145400</Time><GMTOffset>-04:00"
                               "</GMTOffset></Activity></Package></Shipment></TrackResponse>";
    const size_t n = 2000000;
    size_t len = 0, cap = sizeof head + 4 * n + sizeof tail;
    char *buf = malloc(cap);
    struct collect c = {0};
    struct track_doc doc;
    struct err err = {0};
    long before, after;
    int64_t base;

    (void)state;
    assert_non_null(buf);
    memcpy(buf, head, sizeof head - 1);
    len = sizeof head - 1;
    for (size_t i = 0; i < n; i++, len += 4)
        memcpy(buf + len, "<x/>", 4);
    memcpy(buf + len, tail, sizeof tail - 1);
    len += sizeof tail - 1;
    before = peak_rss_kb();
    base = xml_measure();
    assert_int_equal(xml_tracking_stream(buf, len, NULL, collect_cb, &c, &doc, &err), 0);
    after = peak_rss_kb();
    print_message("event of %zu elements: libxml2 peak %lld kB; peak RSS %ld kB -> %ld kB\n", n,
                  (long long)(xml_peak - base) / 1024, before, after);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.ev[0].canon, TRACK_DELIVERED);
    assert_int_equal(c.ev[0].at, 1779389640);
    assert_int_equal(c.ev[0].line, 2);
    assert_true(xml_peak - base < 1024 * 1024);
    free(buf);
}

static void written_status_reads_back(void **state)
{
    static const struct track_status_event events[] = {
        {TRACK_PICKED_UP, "PU", "Shipment picked up", "COLOGNE - GERMANY", 1779204600},
        {TRACK_IN_TRANSIT, "AR", "Arrived <at> \"hub\" & sorted", NULL, 1779250320},
        {TRACK_UNKNOWN, "QX", "", "", 1779300000},
        {TRACK_DELIVERED, "OK", "Shipment delivered", "MUNICH - GERMANY", 1779359100},
    };
    const struct track_status_doc d = {
        .id = "TS-R000000174-1",
        .issued_at = 1779360000,
        .tracking_number = "1234567890",
        .sscc = "340123450000000017",
        .events = events,
        .n_events = COUNT(events),
    };
    char *out = NULL;
    size_t len = 0;
    struct collect c = {0};
    struct track_doc doc;
    struct err err = {0};

    (void)state;
    assert_int_equal(xml_write_transportation_status(&d, &out, &len, &err), 0);
    assert_non_null(out);
    assert_int_equal(strlen(out), len);
    assert_non_null(strstr(out, "<cbc:IssueDate>2026-05-21</cbc:IssueDate>"));
    assert_non_null(strstr(out, "<cbc:OccurrenceTime>15:30:00Z</cbc:OccurrenceTime>"));
    assert_int_equal(xml_tracking_stream(out, len, NULL, collect_cb, &c, &doc, &err), 0);
    assert_int_equal(doc.fmt, TRACK_FMT_UBL);
    assert_string_equal(doc.doc_id, "TS-R000000174-1");
    assert_int_equal(c.n, COUNT(events));
    for (size_t i = 0; i < COUNT(events); i++) {
        assert_string_equal(c.ev[i].number, "340123450000000017");
        assert_int_equal(c.ev[i].canon, events[i].canon);
        /* the raw code comes back (an unknown one too): re-imported, the same events */
        assert_string_equal(c.ev[i].code, events[i].code);
        assert_int_equal(c.ev[i].at, events[i].at);
        assert_int_equal(c.ev[i].offset_known, 1);
    }
    assert_string_equal(c.ev[1].text, "Arrived <at> \"hub\" & sorted");
    free(out);
}

/* A location joined from three full fields is written and read back whole; one byte more is
 * refused by the writer. */
static void long_location_round_trip(void **state)
{
    static char location[XML_TRACK_LOCATION_MAX + 2];
    struct track_status_event ev = {TRACK_DELIVERED, "DL", "Delivered", location, 1779389640};
    const struct track_status_doc d = {.id = "TS-1",
                                       .issued_at = 1779390000,
                                       .tracking_number = "1",
                                       .events = &ev,
                                       .n_events = 1};
    char *out = NULL;
    size_t len = 0;
    struct collect c = {0};
    struct track_doc doc;
    struct err err = {0};

    (void)state;
    memset(location, 'L', XML_TRACK_LOCATION_MAX);
    location[XML_TRACK_LOCATION_MAX] = '\0';
    assert_int_equal(xml_write_transportation_status(&d, &out, &len, &err), 0);
    assert_int_equal(xml_tracking_stream(out, len, NULL, collect_cb, &c, &doc, &err), 0);
    assert_int_equal(c.n, 1);
    free(out);
    out = NULL;
    location[XML_TRACK_LOCATION_MAX] = 'L';
    assert_int_equal(xml_write_transportation_status(&d, &out, &len, &err), -1);
    assert_string_equal(err.field, "event.location");
    assert_null(out);
}

static void writer_refuses_bad_input(void **state)
{
    static const struct track_status_event ok = {TRACK_DELIVERED, "OK", "x", "y", 1779359100};
    static const struct {
        struct track_status_doc d;
        const char *field;
    } cases[] = {
        {{.id = NULL, .tracking_number = "1", .events = &ok, .n_events = 1}, "id"},
        {{.id = "A", .tracking_number = "", .events = &ok, .n_events = 1}, "tracking_number"},
        {{.id = "A", .tracking_number = "1", .events = &ok, .n_events = 0}, "events"},
        {{.id = "A", .tracking_number = "1", .sscc = "12345", .events = &ok, .n_events = 1},
         "sscc"},
    };

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        char *out = NULL;
        size_t len = 0;
        struct err err = {0};

        assert_int_equal(xml_write_transportation_status(&cases[i].d, &out, &len, &err), -1);
        assert_int_equal(err.kind, ERR_INTERNAL);
        assert_string_equal(err.field, cases[i].field);
        assert_null(out);
    }
}

/* Our profile: what the writer emits and the fixture pass; what it must refuse does not. */
static void profile_validates(void **state)
{
    static const struct track_status_event events[] = {
        {TRACK_DELIVERED, "OK", "Shipment delivered", "MUNICH - GERMANY", 1779359100},
    };
    const struct track_status_doc d = {
        .id = "TS-1",
        .issued_at = 1779360000,
        .tracking_number = "1234567890",
        .events = events,
        .n_events = 1,
    };
    static const char *const bad[] = {
        /* a local time without its offset */
        "<cbc:OccurrenceDate>2026-05-21</cbc:OccurrenceDate>"
        "<cbc:OccurrenceTime>10:25:00</cbc:OccurrenceTime>"
        "<cbc:TransportEventTypeCode>delivered</cbc:TransportEventTypeCode>",
        /* a code that is not a canonical event */
        "<cbc:OccurrenceDate>2026-05-21</cbc:OccurrenceDate>"
        "<cbc:OccurrenceTime>10:25:00Z</cbc:OccurrenceTime>"
        "<cbc:TransportEventTypeCode>DL</cbc:TransportEventTypeCode>",
        /* no time at all */
        "<cbc:OccurrenceDate>2026-05-21</cbc:OccurrenceDate>"
        "<cbc:TransportEventTypeCode>delivered</cbc:TransportEventTypeCode>",
    };
    char *out = NULL, path[512], doc[2048];
    size_t len = 0;
    struct err err = {0};

    (void)state;
    assert_non_null(xml_schema_get(XML_SCHEMA_TRANSPORTATION_STATUS));
    assert_int_equal(xml_write_transportation_status(&d, &out, &len, &err), 0);
    assert_int_equal(xml_schema_validate_memory(XML_SCHEMA_TRANSPORTATION_STATUS, out, len, &err),
                     0);
    free(out);
    snprintf(path, sizeof path, FIXTURES "ubl-transportation-status.xml");
    out = read_whole(path, &len);
    assert_int_equal(xml_schema_validate_memory(XML_SCHEMA_TRANSPORTATION_STATUS, out, len, &err),
                     0);
    free(out);
    for (size_t i = 0; i < COUNT(bad); i++) {
        struct err verr = {0};

        snprintf(doc, sizeof doc,
                 "<TransportationStatus xmlns=\"" XML_NS_TRANSPORTATION_STATUS "\" "
                 "xmlns:cac=\"" XML_NS_CAC "\" xmlns:cbc=\"" XML_NS_CBC "\">"
                 "<cbc:UBLVersionID>2.1</cbc:UBLVersionID><cbc:ID>TS-1</cbc:ID>"
                 "<cbc:IssueDate>2026-05-21</cbc:IssueDate>"
                 "<cac:Consignment><cbc:ID>1</cbc:ID></cac:Consignment>"
                 "<cac:TransportEvent>%s</cac:TransportEvent></TransportationStatus>",
                 bad[i]);
        assert_int_equal(
            xml_schema_validate_memory(XML_SCHEMA_TRANSPORTATION_STATUS, doc, strlen(doc), &verr),
            -1);
        assert_int_equal(verr.kind, ERR_INVALID);
    }
}

static int setup(void **state)
{
    struct err err = {0};

    (void)state;
    /* our XSDs, then the process-wide set-up (which installs the deny-all loader) */
    if (xml_schemas_init(&err) != 0)
        return -1;
    return xml_init(NULL, &err);
}

static int teardown(void **state)
{
    (void)state;
    xml_shutdown();
    return 0;
}

int main(void)
{
    /* before libxml2 allocates anything: count what it holds */
    xmlMemSetup(count_free, count_malloc, count_realloc, count_strdup);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ups_events),
        cmocka_unit_test(fedex_events),
        cmocka_unit_test(usps_events),
        cmocka_unit_test(dhl_events),
        cmocka_unit_test(ubl_events),
        cmocka_unit_test(unknown_code_is_kept),
        cmocka_unit_test(doctype_is_refused),
        cmocka_unit_test(dst_gap_is_refused),
        cmocka_unit_test(dst_repeated_hour_takes_the_earlier),
        cmocka_unit_test(local_time_needs_a_zone),
        cmocka_unit_test(ubl_batch),
        cmocka_unit_test(usps_not_found),
        cmocka_unit_test(ups_gmt_offset),
        cmocka_unit_test(ambiguous_fields_are_refused),
        cmocka_unit_test(bad_documents),
        cmocka_unit_test(long_text_is_refused),
        cmocka_unit_test(deep_nesting_is_refused),
        cmocka_unit_test(foreign_encodings_are_refused),
        cmocka_unit_test(callback_error_stops),
        cmocka_unit_test(large_document_streams),
        cmocka_unit_test(huge_event_streams),
        cmocka_unit_test(written_status_reads_back),
        cmocka_unit_test(long_location_round_trip),
        cmocka_unit_test(writer_refuses_bad_input),
        cmocka_unit_test(profile_validates),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
