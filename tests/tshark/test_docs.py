"""docs/rules.md and docs/fields.md say what a reader needs without leaving the repository:
every rule with its severity, expert group, RFC sections and meaning; every value a numbered
field (tshark -G values) can take. docs.up_to_date checks they are what scripts/gen-docs
writes; these check what it writes."""
import os
import re
import unittest

import mptcpvtest as m


def read(name):
    with open(os.path.join(m.SOURCE_DIR, "docs", name)) as f:
        return f.read()


class RulesDoc(unittest.TestCase):
    def test_every_rule_with_rfc_severity_group_meaning(self):
        text = read("rules.md")
        rows = {}
        for line in text.splitlines():
            cells = [c.strip() for c in line.strip("|").split(" | ")]
            if line.startswith("| `") and len(cells) == 5:
                rows[cells[0].strip("`")] = cells
        for rule in m.rulesdef.read_rules():
            with self.subTest(rule=rule.id):
                rid, severity, group, rfc, meaning = rows[rule.id]
                self.assertEqual((severity, group, meaning),
                                 (rule.severity.lower(), rule.group.lower(), rule.description))
                for number, section in re.findall(r"RFC (\d+) (\d+(?:\.\d+)*)", rule.rfc):
                    self.assertIn("[RFC %s %s](https://www.rfc-editor.org/rfc/rfc%s#section-%s)"
                                  % (number, section, number, section), rfc)

    def test_points_to_nothing_outside_the_repository(self):
        for name in ("rules.md", "fields.md"):
            text = read(name)
            self.assertNotIn("shared/", text, name)
            for target in re.findall(r"\]\(([^)#]+)", text):
                if not target.startswith("https://"):
                    self.assertTrue(os.path.exists(os.path.join(m.SOURCE_DIR, "docs", target)),
                                    (name, target))

    def test_severity_info_named_once_as_wiresharks_note(self):
        text = read("rules.md")
        self.assertEqual(len(re.findall(r"\bNote\b", text)), 1)


class FieldsDoc(m.TsharkTestCase):
    def test_every_value_of_every_numbered_field(self):
        _, values, _ = self.tshark.run(["-G", "values"])
        text = read("fields.md")
        sections = {}
        for block in text.split("\n### ")[1:]:
            sections[block.split("`")[1]] = block
        checked = 0
        for line in values.splitlines():
            cols = line.split("\t")
            if cols[0] == "V" and cols[1].startswith("mptcpv."):
                with self.subTest(field=cols[1], value=cols[2]):
                    self.assertIn("| %s | %s |" % (cols[2], cols[3]),
                                  sections.get(cols[1], ""))
                    checked += 1
        self.assertIn("| 2 | bad |", sections["mptcpv.dss.checksum_status"])
        self.assertGreater(checked, 30)

    def test_string_vocabularies(self):
        text = read("fields.md")
        for field, value in (("mptcpv.fallback", "first data without MPTCP options (stripped?)"),
                             ("mptcpv.event", "data_fin")):
            block = text.split("### `%s`" % field, 1)[1].split("\n### ", 1)[0]
            self.assertIn("| %s |" % value, block)


if __name__ == "__main__":
    unittest.main()
