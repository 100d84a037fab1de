#!/usr/bin/env python3
"""Reads an .xlsx workbook with the standard library only (zipfile + XML), for tests.

  xlsx_cells.py FILE            prints {"sheets": [{"name": ..., "rows": [[cell, ...], ...]}]}
                                as JSON: numbers as numbers, text as strings, empty cells as ""
  xlsx_cells.py FILE --csv DIR  writes each sheet as DIR/<sheet name>.csv (UTF-8, RFC 4180), as
                                an operator's "save as CSV" would

Exit status 1 with a message on stderr when the file is not a readable workbook.
"""
import csv
import json
import os
import re
import sys
import zipfile
import xml.etree.ElementTree as ET

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def column_index(ref):
    letters = re.match(r"[A-Z]+", ref).group(0)
    index = 0
    for letter in letters:
        index = index * 26 + (ord(letter) - ord("A") + 1)
    return index - 1


def text_of(element):
    return "".join(t.text or "" for t in element.iter("{%s}t" % NS["m"]))


def read(path):
    with zipfile.ZipFile(path) as book:
        shared = []
        if "xl/sharedStrings.xml" in book.namelist():
            root = ET.fromstring(book.read("xl/sharedStrings.xml"))
            shared = [text_of(si) for si in root.findall("m:si", NS)]
        workbook = ET.fromstring(book.read("xl/workbook.xml"))
        rels = ET.fromstring(book.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in rels}
        sheets = []
        for sheet in workbook.find("m:sheets", NS):
            target = targets[sheet.get(REL)].lstrip("/")
            if not target.startswith("xl/"):
                target = "xl/" + target
            root = ET.fromstring(book.read(target))
            rows = []
            for row in root.iter("{%s}row" % NS["m"]):
                r = int(row.get("r")) - 1
                while len(rows) <= r:
                    rows.append([])
                cells = rows[r]
                for c in row.findall("m:c", NS):
                    col = column_index(c.get("r"))
                    while len(cells) <= col:
                        cells.append("")
                    kind, value = c.get("t"), c.find("m:v", NS)
                    if kind == "s":
                        cells[col] = shared[int(value.text)]
                    elif kind == "inlineStr":
                        cells[col] = text_of(c)
                    elif kind == "str":
                        cells[col] = value.text or ""
                    elif value is not None:
                        number = float(value.text)
                        cells[col] = int(number) if number.is_integer() else number
            sheets.append({"name": sheet.get("name"), "rows": rows})
        return sheets


def main():
    if len(sys.argv) not in (2, 4) or (len(sys.argv) == 4 and sys.argv[2] != "--csv"):
        print(__doc__, file=sys.stderr)
        return 2
    try:
        sheets = read(sys.argv[1])
    except (OSError, KeyError, zipfile.BadZipFile, ET.ParseError) as e:
        print("xlsx_cells: %s: %s" % (sys.argv[1], e), file=sys.stderr)
        return 1
    if len(sys.argv) == 2:
        json.dump({"sheets": sheets}, sys.stdout, ensure_ascii=False)
        return 0
    for sheet in sheets:
        with open(os.path.join(sys.argv[3], sheet["name"] + ".csv"), "w", newline="",
                  encoding="utf-8") as out:
            csv.writer(out).writerows(sheet["rows"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
