#!/usr/bin/env python3
"""Loopback SMTP sink for masthead's newsletter tests (aiosmtpd 1.4.6, installed by scripts/test.sh).

Each accepted message -> OUT/<pid>-NNNNNN.eml (raw bytes) + .json (envelope, headers and
text/html parts as Python's email parser decodes them), each written to a temporary name
and renamed, the .eml first. Every RCPT is appended to OUT/rcpt.log ("<time> <address>").
  --reject ADDR=CODE       answer CODE (e.g. 550, 451) at RCPT for ADDR
  --fail-times ADDR=N      answer 451 the first N times, then accept
  --hold ADDR              store the message, then never answer end-of-DATA (crash window)
  --drop-after-data ADDR   store the message, then close the connection without a reply
  --data-delay S           wait S seconds before answering end-of-DATA (slow server)
  --auth USER:PASS         require AUTH; any other login gets 535
  --cert C --key K         offer and require STARTTLS (add --implicit-tls for SMTPS)
  --count-only             store nothing: per message, append one line to rcpt.log
                           ("<time> <recipients>") after reading it (bench/newsletter.sh)
Prints "READY <port>" once listening (--port 0 = a free port); exits after --max-seconds."""
import argparse, asyncio, email, email.policy, json, logging, os, ssl, time, warnings
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

# Quiet in test output: aiosmtpd warns about AUTH without STARTTLS (our implicit-TLS mode, where
# it cannot tell the socket is encrypted) and logs its own deprecations.
warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
logging.getLogger("mail.log").setLevel(logging.ERROR)


def pairs(items, conv=str):
    return {k.lower(): conv(v) for k, v in (i.rsplit("=", 1) for i in items)}


class Recorder:
    def __init__(self, a):
        self.a, self.n = a, 0
        self.reject, self.fail_left = pairs(a.reject), pairs(a.fail_times, int)
        self.hold = {h.lower() for h in a.hold}
        self.drop = {d.lower() for d in a.drop_after_data}
        self.log = open(os.path.join(a.out, "rcpt.log"), "a", buffering=1)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        key = address.lower()
        if not self.a.count_only:
            self.log.write(f"{time.time():.6f} {address}\n")
        if key in self.reject:
            code = self.reject[key]
            return f"{code} {'5.1.1 no such user' if code[0] == '5' else '4.2.1 try later'}"
        if self.fail_left.get(key, 0) > 0:
            self.fail_left[key] -= 1
            return "451 4.3.2 temporary failure, try again"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.a.data_delay)
        self.n += 1
        if self.a.count_only:
            self.log.write(f"{time.time():.6f} {','.join(envelope.rcpt_tos)}\n")
            return f"250 OK queued as {self.n}"
        base = os.path.join(self.a.out, f"{os.getpid()}-{self.n:06d}")
        msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        parts = {p.get_content_type(): p.get_content() for p in msg.walk() if p.get_content_maintype() == "text"}
        meta = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                "mail_options": envelope.mail_options, "authenticated": bool(session.authenticated),
                "tls": server.transport.get_extra_info("ssl_object") is not None,
                "headers": {k: str(v) for k, v in msg.items()},  # decoded (RFC 2047) by Python's parser
                "header_names": list(msg.keys()),
                "text": parts.get("text/plain"), "html": parts.get("text/html")}
        for ext, data in ((".eml", envelope.original_content), (".json", json.dumps(meta).encode())):
            with open(base + ext + ".tmp", "wb") as f:
                f.write(data)
            os.rename(base + ext + ".tmp", base + ext)
        rcpts = {r.lower() for r in envelope.rcpt_tos}
        if self.drop & rcpts:
            server.transport.abort()  # no reply: the client cannot know the message arrived
            await asyncio.sleep(3600)
        if self.hold & rcpts:
            await asyncio.sleep(3600)
        return f"250 OK queued as {os.path.basename(base)}"


def main():
    p = argparse.ArgumentParser()
    for flag in ("--reject", "--fail-times", "--hold", "--drop-after-data"):
        p.add_argument(flag, action="append", default=[])
    p.add_argument("--out", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--data-delay", type=float, default=0)
    p.add_argument("--auth")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--implicit-tls", action="store_true")
    p.add_argument("--count-only", action="store_true")
    p.add_argument("--max-seconds", type=float, default=600)
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    tls = None
    if a.cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(a.cert, a.key)
    starttls = bool(tls and not a.implicit_tls)
    kw = dict(hostname="sink.test", enable_SMTPUTF8=True, timeout=30)
    if starttls:
        kw.update(tls_context=tls, require_starttls=True)
    if a.auth:
        user, pw = a.auth.encode().split(b":", 1)

        def check(server, session, envelope, mechanism, data):
            ok = isinstance(data, LoginPassword) and (data.login, data.password) == (user, pw)
            return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535

        # With implicit TLS aiosmtpd does not know the socket is encrypted, so it must not
        # insist on STARTTLS before AUTH.
        kw.update(authenticator=check, auth_required=True, auth_require_tls=starttls)
    handler = Recorder(a)

    async def serve():
        server = await asyncio.get_running_loop().create_server(
            lambda: SMTP(handler, **kw), "127.0.0.1", a.port, ssl=tls if a.implicit_tls else None)
        print(f"READY {server.sockets[0].getsockname()[1]}", flush=True)
        await asyncio.sleep(a.max_seconds)

    asyncio.run(serve())


if __name__ == "__main__":
    main()
