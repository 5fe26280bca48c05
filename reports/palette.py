"""One palette for the lights across every chart, workbook and document (RGB hex without '#')."""

#: cell fills (Excel's own 差/适中/好 tints): readable text on top
LIGHT_COLOURS: dict[str, str] = {"red": "FFC7CE", "yellow": "FFEB9C", "green": "C6EFCE"}
#: paler tints for whole-row bands, so a marked cell still stands out inside a marked row
PALE_COLOURS: dict[str, str] = {"red": "FDEBEE", "yellow": "FFF7DB", "green": "EAF6EC", "blue": "EAF1FB"}
#: strong colours for chart marks and text (bars, dots, legend), the same three hues
LIGHT_STRONG: dict[str, str] = {"red": "D9363E", "yellow": "E6A700", "green": "2E9E5B"}
#: the benchmark (序时进度) line or marker in charts
BENCHMARK_COLOUR = "1F4E79"
LIGHT_LABELS: dict[str, str] = {"red": "红灯", "yellow": "黄灯", "green": "绿灯"}
