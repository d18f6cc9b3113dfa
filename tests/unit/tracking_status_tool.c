/*
 * tracking_status_tool: writes UBL TransportationStatus documents for
 * tests/xml/test_tracking_validate.sh (not a ctest).
 *
 *     tracking_status_tool <fixtures dir> <outdir>
 *
 * writes <outdir>/plain.xml (several events, an unknown code, an SSCC), hostile.xml (texts with
 * markup characters, quotes, non-Latin script, a field of the maximum length) and no-sscc.xml,
 * then reads each carrier fixture (ups.xml, fedex.xml, usps.xml, dhl.xml in <fixtures dir>,
 * local times in the zone of that carrier from /usr/share/zoneinfo) with xml_tracking_stream and
 * writes one document per parcel: <outdir>/<carrier>-<n>.xml.  Prints one line per file written.
 * Exit status 0 on success, 1 on any failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/tracking.h"
#include "core/tz.h"
#include "core/xalloc.h"
#include "xml/tracking.h"
#include "xml/xml.h"

#define MAX_EVENTS 32

static int write_doc(const char *dir, const char *name, const struct track_status_doc *d)
{
    char path[1024], *out = NULL;
    size_t len = 0;
    struct err err = {0};
    FILE *f;

    if (xml_write_transportation_status(d, &out, &len, &err) != 0) {
        fprintf(stderr, "%s: %s: %s\n", name, err.field, err.message);
        return -1;
    }
    snprintf(path, sizeof path, "%s/%s.xml", dir, name);
    f = fopen(path, "wb");
    if (f == NULL || fwrite(out, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "%s: cannot write\n", path);
        free(out);
        return -1;
    }
    free(out);
    printf("%s\n", path);
    return 0;
}

static char *read_whole(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0) {
        if (f != NULL)
            fclose(f);
        return NULL;
    }
    rewind(f);
    buf = xmalloc((size_t)n + 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* The events of one carrier document, grouped by parcel as they come. */
struct parcel {
    char number[XML_TRACK_FIELD_MAX + 1];
    struct track_status_event events[MAX_EVENTS];
    char *strings[3 * MAX_EVENTS];
    size_t n_events, n_strings;
};

struct batch {
    struct parcel parcels[8];
    size_t n;
};

static int collect(void *ctx, const struct track_event *ev, struct err *err)
{
    struct batch *b = ctx;
    struct parcel *p = b->n > 0 ? &b->parcels[b->n - 1] : NULL;
    struct track_status_event *e;

    if (p == NULL || strcmp(p->number, ev->tracking_number) != 0) {
        if (b->n == sizeof b->parcels / sizeof b->parcels[0])
            return err_set(err, ERR_TOO_LARGE, "parcels", "too many parcels for the tool");
        p = &b->parcels[b->n++];
        snprintf(p->number, sizeof p->number, "%s", ev->tracking_number);
    }
    if (p->n_events == MAX_EVENTS)
        return err_set(err, ERR_TOO_LARGE, "events", "too many events for the tool");
    e = &p->events[p->n_events++];
    e->canon = ev->canon;
    e->at = ev->at;
    e->code = p->strings[p->n_strings++] = xstrdup(ev->code);
    e->text = p->strings[p->n_strings++] = xstrdup(ev->text);
    e->location = p->strings[p->n_strings++] = xstrdup(ev->location);
    return 0;
}

static void free_batch(struct batch *b)
{
    for (size_t i = 0; i < b->n; i++)
        for (size_t k = 0; k < b->parcels[i].n_strings; k++)
            free(b->parcels[i].strings[k]);
}

static int convert(const char *fixtures, const char *dir, const char *carrier, const char *zone)
{
    char path[1024], name[64], id[128];
    size_t len = 0, zlen = 0;
    char *buf, *zdata = NULL;
    struct tz *tz = NULL;
    struct batch b = {0};
    struct track_doc doc;
    struct err err = {0};
    int rc = 0;

    snprintf(path, sizeof path, "%s/%s.xml", fixtures, carrier);
    buf = read_whole(path, &len);
    if (buf == NULL) {
        fprintf(stderr, "%s: cannot read\n", path);
        return -1;
    }
    if (zone != NULL) {
        snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", zone);
        zdata = read_whole(path, &zlen);
        tz = zdata != NULL ? tz_parse((unsigned char *)zdata, zlen, zone, &err) : NULL;
        free(zdata);
        if (tz == NULL) {
            fprintf(stderr, "%s: no zone\n", zone);
            free(buf);
            return -1;
        }
    }
    if (xml_tracking_stream(buf, len, tz, collect, &b, &doc, &err) != 0) {
        fprintf(stderr, "%s: %s line %d: %s\n", carrier, err.field, err.line, err.message);
        rc = -1;
    }
    for (size_t i = 0; rc == 0 && i < b.n; i++) {
        struct track_status_doc d = {
            .id = id,
            .issued_at = 1779360000,
            .tracking_number = b.parcels[i].number,
            .events = b.parcels[i].events,
            .n_events = b.parcels[i].n_events,
        };

        snprintf(id, sizeof id, "TS-%s-%zu", carrier, i + 1);
        snprintf(name, sizeof name, "%s-%zu", carrier, i + 1);
        rc = write_doc(dir, name, &d);
    }
    free_batch(&b);
    free(buf);
    tz_free(tz);
    return rc;
}

int main(int argc, char **argv)
{
    static const struct track_status_event plain[] = {
        {TRACK_LABEL_CREATED, "OC", "Shipment information sent to FedEx", "", 1779181800},
        {TRACK_PICKED_UP, "PU", "Picked up", "MEMPHIS, TN, US", 1779230220},
        {TRACK_UNKNOWN, "QX", "Something the tables do not know", NULL, 1779300000},
        {TRACK_EXCEPTION, "DE", "Delivery exception", "BROOKLYN, NY, US", 1779310000},
        {TRACK_DELIVERED, "DL", "Delivered", "BROOKLYN, NY, US", 1779389640},
    };
    static char longest[XML_TRACK_FIELD_MAX + 1];
    struct track_status_event hostile[] = {
        {TRACK_IN_TRANSIT, "<AR>", "Arrivée à « Köln » & </cbc:Description> \"quoted\" 'x'",
         "東京都, JP", 1779250320},
        {TRACK_RETURNED_TO_SENDER, "RT", longest, "]]> <!-- -->", 1779357600},
    };
    const struct track_status_doc docs[] = {
        {"TS-plain-1", 1779390000, "794644790138", "340123450000000017", plain,
         sizeof plain / sizeof plain[0]},
        {"TS-hostile-<1>&", 1779390000, "JD01 & <2>", "340123450000000024", hostile,
         sizeof hostile / sizeof hostile[0]},
        {"TS-no-sscc-1", 1779390000, "1Z999AA10123456784", NULL, plain, 1},
    };
    static const char *const names[] = {"plain", "hostile", "no-sscc"};
    static const struct {
        const char *carrier, *zone;
    } carriers[] = {
        {"ups", "America/New_York"},
        {"fedex", NULL},
        {"usps", "America/New_York"},
        {"dhl", "Europe/Berlin"},
    };
    struct err err = {0};
    int rc = 0;

    if (argc != 3) {
        fprintf(stderr, "usage: tracking_status_tool <fixtures dir> <outdir>\n");
        return 1;
    }
    memset(longest, 'x', XML_TRACK_FIELD_MAX);
    if (xml_init(NULL, &err) != 0) {
        fprintf(stderr, "xml_init: %s\n", err.message);
        return 1;
    }
    for (size_t i = 0; rc == 0 && i < sizeof docs / sizeof docs[0]; i++)
        rc = write_doc(argv[2], names[i], &docs[i]);
    for (size_t i = 0; rc == 0 && i < sizeof carriers / sizeof carriers[0]; i++)
        rc = convert(argv[1], argv[2], carriers[i].carrier, carriers[i].zone);
    xml_shutdown();
    return rc == 0 ? 0 : 1;
}
