"""Report tables: small p-values, suppression counts, identifiers, escaping."""

import pandas as pd

from omsmethod.report.display import setup


def test_table_formats_safely():
    ctx = setup("en", min_cell=5)
    table = pd.DataFrame({"respondent_id": ["C1", "C2"], "subsystem": ["brand", "<vis>"],
                          "estimate": [3.14159, 2.0], "p": [1e-9, 0.2], "n": [50, 4]})
    html = ctx.table(table, digits=2)._repr_mimebundle_()["text/html"]
    assert "<td>&lt; 0.001</td>" in html and "<td>3.14</td>" in html
    assert "C1" not in html and "Respondent" not in html
    assert "&lt;vis&gt;" in html and "<td>&lt; 5</td>" in html
    assert "1 row(s) suppressed" in html
