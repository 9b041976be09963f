#!/usr/bin/env python3
"""Write the cases of tests/bad-inputs/ whose bytes a text editor would not keep: NUL bytes,
control characters, invalid UTF-8, a BOM in the middle, lone CRs, UTF-16, binary bytes and
a cut gzip stream.

Run it from anywhere; it writes beside itself. The files are committed: run it again only
to change one of them."""

import gzip
import os

HERE = os.path.dirname(os.path.abspath(__file__))
HEADER = b"Email,Name,Company,Employees"


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def csv(*rows, end=b"\n"):
    return end.join((HEADER,) + rows) + end


write("csv-nul-byte-in-cell.csv",
      csv(b"ann@ok.example,Ann,Acme,12", b"bo@nul.example,Bo\x00Chen,Globex,5",
          b"cy@ok.example,Cy,Initech,7"))
write("csv-control-characters-in-cell.csv",
      csv(b"ann@ok.example,Ann,Acme,12",
          b"bo@ctl.example,Bo \x1b[31mred\x1b[0m\x07\x08,Globex,5",
          b"cy@ok.example,Cy,Initech,7"))
write("csv-control-characters-in-email.csv",
      csv(b"ann@ok.example,Ann,Acme,12", b"bo\x1b[2J@ctl.example,Bo,Globex,5"))
write("csv-invalid-utf8-bytes.csv",
      csv(b"ann@ok.example,Ann,Acme,12", b"bo@latin1.example,Bo Ch\xe9n,Globex,5",
          b"cy@ok.example,Cy,Initech,7"))
write("csv-bom-in-middle.csv",
      csv(b"ann@ok.example,Ann,Acme,12", b"\xef\xbb\xbfbo@bom.example,Bo,Globex,5",
          b"cy@ok.example,Cy,Initech,7"))
write("csv-crlf-and-lone-cr-mixed.csv",
      HEADER + b"\r\nann@cr.example,Ann,Acme,12\nbo@cr.example,Bo,Globex,5\r"
      b"cy@cr.example,Cy,Initech,7\r\ndee@cr.example,Dee,Umbrella,9\n")
write("csv-binary-bytes.csv",
      b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06"
      b"\x00\x00\x00\x1f\xf3\xffa\x00\x00\x00\x19tEXt,\xff\xfe\x00\x01\x02\x03\n")
write("csv-gzip-cut-short.csv.gz", gzip.compress(csv(
    *[b"person%d@gzip.example,Person %d,Acme,%d" % (i, i, i) for i in range(1, 200)]),
    mtime=0)[:400])
write("csv-only-a-bom.csv", b"\xef\xbb\xbf")
write("csv-control-characters-in-header.csv",
      b"Email,Na\x1b[2Jme,Company,Employees\nann@ok.example,Ann,Acme,12\n")
write("csv-bom-before-a-header-name.csv",
      b"Email,\xef\xbb\xbfName,Company,Employees\nann@ok.example,Ann,Acme,12\n")
write("csv-utf16-without-bom.csv",
      csv(b"ann@ok.example,Ann,Acme,12").decode().encode("utf-16-le"))

write("jsonl-raw-nul-byte.jsonl",
      b'{"Email":"ann@ok.example","Name":"Ann"}\n'
      b'{"Email":"bo@nul.example","Name":"Bo\x00Chen"}\n'
      b'{"Email":"cy@ok.example","Name":"Cy"}\n')
write("jsonl-raw-control-character-in-string.jsonl",
      b'{"Email":"ann@ok.example","Name":"Ann"}\n'
      b'{"Email":"bo@ctl.example","Name":"Bo\x1b[31m"}\n'
      b'{"Email":"cy@ok.example","Name":"Cy"}\n')
write("jsonl-invalid-utf8-bytes.jsonl",
      b'{"Email":"ann@ok.example","Name":"Ann"}\n'
      b'{"Email":"bo@latin1.example","Name":"Bo Ch\xe9n"}\n'
      b'{"Email":"cy@ok.example","Name":"Cy"}\n')
write("jsonl-bom-in-middle.jsonl",
      b'{"Email":"ann@ok.example","Name":"Ann"}\n'
      b'\xef\xbb\xbf{"Email":"bo@bom.example","Name":"Bo"}\n'
      b'{"Email":"cy@ok.example","Name":"Cy"}\n')
write("jsonl-binary-bytes.jsonl",
      b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\xff\xfe\n")
write("jsonl-gzip-magic-then-garbage.jsonl",
      b"\x1f\x8b\x00\xff\xfe\x00\x01\x02garbage\x00\n\xff\n")

write("mapping-invalid-utf8.toml", b'[contact]\nemail = "Email"\nname = "N\xe9me"\n')
write("mapping-nul-byte.toml", b'[contact]\nemail = "Email"\nname = "Na\x00me"\n')
