#!/usr/bin/env python3
"""smtp_sink.py DIR [--port N] [--port-file F]: a small SMTP server for the tests (python3
standard library only: socketserver).  Every message accepted (after DATA ... ".") is stored as
DIR/<n>.eml, written to a temporary name first and renamed, so a file is always whole.  Answers
220/250/354/221 and nothing fancy: no AUTH, no TLS, no relaying rules.  With --port 0 it picks a
free port and writes it to --port-file.  SIGTERM stops it."""
import argparse
import itertools
import os
import signal
import socketserver
import sys
import threading

counter = itertools.count(1)
lock = threading.Lock()


class Handler(socketserver.StreamRequestHandler):
    timeout = 30

    def reply(self, line):
        self.wfile.write((line + "\r\n").encode("ascii"))
        self.wfile.flush()

    def handle(self):
        self.reply("220 rmad-test-sink ESMTP")
        mail_from, rcpts = None, []
        while True:
            raw = self.rfile.readline(4096)
            if not raw:
                return
            line = raw.decode("latin-1").rstrip("\r\n")
            verb = line[:4].upper()
            if verb in ("EHLO", "HELO"):
                if verb == "EHLO":
                    self.reply("250-rmad-test-sink")
                    self.reply("250-8BITMIME")
                    self.reply("250 SIZE 10485760")
                else:
                    self.reply("250 rmad-test-sink")
            elif line.upper().startswith("MAIL FROM:"):
                mail_from, rcpts = line[10:].strip(), []
                self.reply("250 sender ok")
            elif line.upper().startswith("RCPT TO:"):
                if mail_from is None:
                    self.reply("503 need MAIL first")
                    continue
                rcpts.append(line[8:].strip())
                self.reply("250 recipient ok")
            elif verb == "DATA":
                if not rcpts:
                    self.reply("503 need RCPT first")
                    continue
                self.reply("354 end with <CRLF>.<CRLF>")
                body = []
                while True:
                    d = self.rfile.readline(1 << 20)
                    if not d:
                        return  # the client went away before the end: nothing stored
                    if d in (b".\r\n", b".\n"):
                        break
                    if d.startswith(b".."):
                        d = d[1:]
                    body.append(d)
                with lock:
                    n = next(counter)
                    while os.path.exists(os.path.join(args.dir, "%04d.eml" % n)):
                        n = next(counter)
                    path = os.path.join(args.dir, "%04d.eml" % n)
                    tmp = path + ".tmp"
                    with open(tmp, "wb") as f:
                        f.write(("X-Sink-Mail-From: %s\r\nX-Sink-Rcpt-To: %s\r\n" %
                                 (mail_from, ", ".join(rcpts))).encode("latin-1"))
                        f.write(b"".join(body))
                    os.rename(tmp, path)
                mail_from, rcpts = None, []
                self.reply("250 queued as %d" % n)
            elif verb == "RSET":
                mail_from, rcpts = None, []
                self.reply("250 ok")
            elif verb == "NOOP":
                self.reply("250 ok")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 command not implemented")


class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    global args
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file")
    args = p.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    server = Server(("127.0.0.1", args.port), Handler)
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write("%d\n" % server.server_address[1])
        os.rename(args.port_file + ".tmp", args.port_file)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    server.serve_forever()
    server.server_close()


if __name__ == "__main__":
    sys.exit(main())
