#!/usr/bin/env python3
"""Carrier tracking documents for the tests and the benchmark (issue 5).

  gen_tracking.py events FORMAT [DOC_ID] < events.json > doc.xml
      events.json: [{"tn": "1Z...", "code": "P", "date": "2026-05-21", "time": "10:15:00",
                     "offset": "+02:00" | null, "text": "...", "city": "..."}, ...]
      FORMAT: ups | fedex | usps | dhl | ubl.  Events of one tracking number are grouped under
      one package in their order of first appearance.  UPS and USPS carry no offsets (their
      times are local: the carrier's zone); FedEx needs one (else the time is written without).
      ubl: one Consignment (the first event's tn, as an SSCC when it is 18 digits).

  gen_tracking.py bench N PREFIX FORMAT XML CSV [CODE]
      N parcels PREFIX000000001.., one event each (CODE, default the format's pickup), as the
      document XML and the same rows as CSV (tracking_number, code, text, location, at) for the
      baseline COPY.  Streams: memory stays flat whatever N.
"""
import sys
from xml.sax.saxutils import escape

PICKUP = {"ups": "P", "fedex": "PU", "usps": "03", "dhl": "PU", "ubl": "picked_up"}
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


def e(s):
    return escape(s or "")


def head(fmt, doc_id):
    if fmt == "ups":
        ref = ("<Response><TransactionReference><CustomerContext>%s</CustomerContext>"
               "</TransactionReference></Response>" % e(doc_id)) if doc_id else ""
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<TrackResponse>" + ref + "\n"
    if fmt == "fedex":
        return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<TrackReply xmlns=\"http://fedex.com/ws/track/v12\">"
                "<HighestSeverity>SUCCESS</HighestSeverity><CompletedTrackDetails>\n")
    if fmt == "usps":
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<TrackResponse>\n"
    if fmt == "dhl":
        return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<req:TrackingResponse xmlns:req=\"http://www.dhl.com\">\n")
    raise SystemExit("unknown format " + fmt)


def tail(fmt):
    return {"ups": "</TrackResponse>\n", "fedex": "</CompletedTrackDetails></TrackReply>\n",
            "usps": "</TrackResponse>\n", "dhl": "</req:TrackingResponse>\n"}[fmt]


def usps_time(t):
    h, m = int(t[0:2]), int(t[3:5])
    return "%d:%02d %s" % ((h % 12) or 12, m, "am" if h < 12 else "pm")


def usps_date(d):
    return "%s %d, %s" % (MONTHS[int(d[5:7]) - 1], int(d[8:10]), d[0:4])


def event_xml(fmt, ev):
    d, t, off = ev["date"], ev["time"], ev.get("offset")
    text, city, code = e(ev.get("text", "")), e(ev.get("city", "")), e(ev["code"])
    if fmt == "ups":
        return ("<Activity><ActivityLocation><Address><City>%s</City><CountryCode>US</CountryCode>"
                "</Address></ActivityLocation><Status><StatusType><Code>%s</Code>"
                "<Description>%s</Description></StatusType></Status><Date>%s</Date>"
                "<Time>%s</Time></Activity>" % (city, code, text, d.replace("-", ""),
                                                 t.replace(":", "")))
    if fmt == "fedex":
        return ("<Events><Timestamp>%sT%s%s</Timestamp><EventType>%s</EventType>"
                "<EventDescription>%s</EventDescription><Address><City>%s</City>"
                "<CountryCode>US</CountryCode></Address></Events>" % (d, t, off or "", code, text,
                                                                      city))
    if fmt == "usps":
        return ("<TrackDetail><EventTime>%s</EventTime><EventDate>%s</EventDate><Event>%s</Event>"
                "<EventCity>%s</EventCity><EventCode>%s</EventCode></TrackDetail>"
                % (usps_time(t), usps_date(d), text, city, code))
    if fmt == "dhl":
        return ("<ShipmentEvent><Date>%s</Date><Time>%s</Time>%s<ServiceEvent><EventCode>%s"
                "</EventCode><Description>%s</Description></ServiceEvent><ServiceArea>"
                "<Description>%s</Description></ServiceArea></ShipmentEvent>"
                % (d, t, "<GMTOffset>%s</GMTOffset>" % off if off else "", code, text, city))
    raise SystemExit("unknown format " + fmt)


def package(fmt, tn, events):
    body = "".join(event_xml(fmt, ev) for ev in events)
    if fmt == "ups":
        return ("<Shipment><Package><TrackingNumber>%s</TrackingNumber>%s</Package></Shipment>\n"
                % (e(tn), body))
    if fmt == "fedex":
        return "<TrackDetails><TrackingNumber>%s</TrackingNumber>%s</TrackDetails>\n" % (e(tn), body)
    if fmt == "usps":
        return "<TrackInfo ID=\"%s\">%s</TrackInfo>\n" % (e(tn), body)
    if fmt == "dhl":
        return ("<AWBInfo><AWBNumber>%s</AWBNumber><ShipmentInfo>%s</ShipmentInfo></AWBInfo>\n"
                % (e(tn), body))
    raise SystemExit("unknown format " + fmt)


def ubl(doc_id, events):
    tn = events[0]["tn"]
    sscc = len(tn) == 18 and tn.isdigit()
    out = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<TransportationStatus "
           "xmlns=\"urn:oasis:names:specification:ubl:schema:xsd:TransportationStatus-2\" "
           "xmlns:cac=\"urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2\" "
           "xmlns:cbc=\"urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2\">\n"
           "<cbc:UBLVersionID>2.1</cbc:UBLVersionID>\n"
           "<cbc:CustomizationID>urn:rmad:ubl:transportation-status:1</cbc:CustomizationID>\n"
           "<cbc:ID>%s</cbc:ID>\n<cbc:IssueDate>2026-05-21</cbc:IssueDate>\n"
           "<cbc:IssueTime>15:00:00Z</cbc:IssueTime>\n<cac:Consignment><cbc:ID>%s</cbc:ID>"
           % (e(doc_id or "TS-1"), e(tn))]
    if sscc:
        out.append("<cac:TransportHandlingUnit><cbc:ID schemeID=\"SSCC\">%s</cbc:ID>"
                   "</cac:TransportHandlingUnit>" % tn)
    out.append("</cac:Consignment>\n")
    for ev in events:
        out.append("<cac:TransportEvent><cbc:OccurrenceDate>%s</cbc:OccurrenceDate>"
                   "<cbc:OccurrenceTime>%s%s</cbc:OccurrenceTime>"
                   "<cbc:TransportEventTypeCode listID=\"rmad-track-canon\">%s"
                   "</cbc:TransportEventTypeCode><cbc:Description>%s</cbc:Description>"
                   "<cac:Location><cbc:Description>%s</cbc:Description></cac:Location>"
                   "</cac:TransportEvent>\n"
                   % (ev["date"], ev["time"], ev.get("offset") or "", e(ev["code"]),
                      e(ev.get("text", "")), e(ev.get("city", ""))))
    out.append("</TransportationStatus>\n")
    return "".join(out)


def events_mode(fmt, doc_id):
    import json
    evs = json.load(sys.stdin)
    if fmt == "ubl":
        sys.stdout.write(ubl(doc_id, evs))
        return
    order, groups = [], {}
    for ev in evs:
        if ev["tn"] not in groups:
            order.append(ev["tn"])
            groups[ev["tn"]] = []
        groups[ev["tn"]].append(ev)
    sys.stdout.write(head(fmt, doc_id))
    for tn in order:
        sys.stdout.write(package(fmt, tn, groups[tn]))
    sys.stdout.write(tail(fmt))


def bench_mode(n, prefix, fmt, xml_path, csv_path, code=None):
    code = code or PICKUP[fmt]
    with open(xml_path, "w") as x, open(csv_path, "w") as c:
        x.write(head(fmt, None))
        for i in range(1, n + 1):
            tn = "%s%09d" % (prefix, i)
            sec = i % 86400
            t = "%02d:%02d:%02d" % (sec // 3600, sec // 60 % 60, sec % 60)
            ev = {"tn": tn, "code": code, "date": "2026-05-20", "time": t,
                  "offset": "+02:00", "text": "PICKUP SCAN", "city": "LOUISVILLE"}
            x.write(package(fmt, tn, [ev]))
            c.write("%s,%s,PICKUP SCAN,LOUISVILLE,2026-05-20 %s+02\n" % (tn, code, t))
        x.write(tail(fmt))


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "events":
        events_mode(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    elif len(sys.argv) >= 7 and sys.argv[1] == "bench":
        bench_mode(int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6],
                   sys.argv[7] if len(sys.argv) > 7 else None)
    else:
        sys.exit(__doc__)
