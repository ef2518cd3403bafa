#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""gen.py OUTDIR SENDERS ZONES: zone files for `make bench`.

One full sender (sender.bench.test, 198.18.0.10: PTR, MX, SPF tree of depth 2,
DKIM keys s1 and s2, DMARC with an authorized external rua) and SENDERS batch
senders (b<i>.bench.test on 198.18.<i/250+1>.<i%250+1>, going on into
198.19.0.0/16 past the 63,750th; up to 127,750 senders; each with PTR, A, MX
and SPF), plus ZONES DNSBL zones bl01.bench.test... that carry the RFC 5782
test points and list every 10th batch sender. Also writes OUTDIR/senders.txt
(the batch file) and OUTDIR/zones.txt (the DNSBL zone names, comma-separated).
198.18.0.0/15 is the benchmarking range (RFC 2544): nothing is sent there."""
import base64
import os
import subprocess
import sys

out, senders, nzones = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
if senders > 127750:
    sys.exit("gen.py: at most 127,750 senders fit in 198.18.0.0/15")
os.makedirs(out, exist_ok=True)
SOA = "$TTL 3600\n@ IN SOA ns.bench.test. hostmaster.bench.test. 1 3600 600 86400 3600\n@ IN NS ns.bench.test.\n"


def dkim_key():
    der = subprocess.run(
        "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 2>/dev/null | openssl pkey -pubout -outform DER",
        shell=True, check=True, capture_output=True).stdout
    p = base64.b64encode(der).decode()
    return " ".join('"%s"' % c for c in ["v=DKIM1; k=rsa; p=" + p[:200]] + [p[i:i + 200] for i in range(200, len(p), 200)])


def ip_of(i):
    k = i // 250 + 1
    return "198.%d.%d.%d" % (18 + k // 256, k % 256, i % 250 + 1)


fwd = [SOA, "ns IN A 127.0.0.1\n"]
rev = {18: [SOA], 19: [SOA]}  # by the second octet
# The full sender.
fwd.append("""sender IN MX 10 mx.sender
sender IN A 198.18.0.10
mail.sender IN A 198.18.0.10
mx.sender IN A 198.18.0.11
mail.sender IN TXT "v=spf1 a -all"
sender IN TXT "v=spf1 include:spf1.esp.bench.test include:spf2.esp.bench.test mx a:mail.sender.bench.test -all"
spf1.esp IN TXT "v=spf1 include:spf3.esp.bench.test ip4:198.18.200.0/24 -all"
spf2.esp IN TXT "v=spf1 a:out.esp.bench.test ip4:198.18.201.0/24 -all"
spf3.esp IN TXT "v=spf1 ip4:198.18.202.0/24 -all"
out.esp IN A 198.18.203.1
_dmarc.sender IN TXT "v=DMARC1; p=reject; rua=mailto:d@reports.esp.bench.test"
sender.bench.test._report._dmarc.reports.esp IN TXT "v=DMARC1"
""")
fwd.append("s1._domainkey.sender IN TXT %s\n" % dkim_key())
fwd.append("s2._domainkey.sender IN TXT %s\n" % dkim_key())
rev[18].append("10.0 IN PTR mail.sender.bench.test.\n")
# The batch senders.
lines = []
for i in range(senders):
    ip = ip_of(i)
    o2, a, b = ip.split(".")[1:]
    fwd.append("b%d IN MX 10 mail.b%d\nmail.b%d IN A %s\nb%d IN TXT \"v=spf1 a:mail.b%d.bench.test -all\"\n" % (i, i, i, ip, i, i))
    rev[int(o2)].append("%s.%s IN PTR mail.b%d.bench.test.\n" % (b, a, i))
    lines.append("%s b%d.bench.test mail.b%d.bench.test" % (ip, i, i))
with open(os.path.join(out, "bench.test.zone"), "w") as f:
    f.write("$ORIGIN bench.test.\n" + "".join(fwd))
for o2, body in rev.items():
    if len(body) > 1:
        with open(os.path.join(out, "%d.198.in-addr.arpa.zone" % o2), "w") as f:
            f.write("$ORIGIN %d.198.in-addr.arpa.\n" % o2 + "".join(body))
# DNSBL zones: test points, and every 10th batch sender listed.
zones = []
for z in range(1, nzones + 1):
    name = "bl%02d.bench.test" % z
    zones.append(name)
    body = [SOA, "2.0.0.127 IN A 127.0.0.2\n2.0.0.127 IN TXT \"test point\"\n"]
    for i in range(0, senders, 10):
        o = ip_of(i).split(".")
        body.append("%s.%s.%s.%s IN A 127.0.0.2\n" % (o[3], o[2], o[1], o[0]))
    with open(os.path.join(out, name + ".zone"), "w") as f:
        f.write("$ORIGIN %s.\n" % name + "".join(body))
# bl*.bench.test are children of bench.test: delegate them there so the
# parent zone does not answer NXDOMAIN for them.
with open(os.path.join(out, "bench.test.zone"), "a") as f:
    for name in zones:
        f.write("%s. IN NS ns.bench.test.\n" % name)
with open(os.path.join(out, "senders.txt"), "w") as f:
    f.write("\n".join(lines) + "\n")
with open(os.path.join(out, "zones.txt"), "w") as f:
    f.write(",".join(zones))
