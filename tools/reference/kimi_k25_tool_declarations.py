"""Reference values for Kimi K2.5's TypeScript-style tool declarations.

Runs the Python cookbook's ``encode_tools_to_typescript_style``
(tinker_cookbook/renderers/kimi_k2_5_tool_declaration_ts.py, pure Python) on the tools of
packages/renderers/test/fixtures/kimi-k25-tool-declarations.json and writes its ``expected`` field back:

    python3 tools/reference/kimi_k25_tool_declarations.py <path to a tinker-cookbook checkout>
"""

import json
import pathlib
import sys

cookbook = pathlib.Path(sys.argv[1])
sys.path.insert(0, str(cookbook / "tinker_cookbook" / "renderers"))
from kimi_k2_5_tool_declaration_ts import encode_tools_to_typescript_style  # noqa: E402

fixture = pathlib.Path(__file__).resolve().parents[2] / "packages/renderers/test/fixtures/kimi-k25-tool-declarations.json"
data = json.loads(fixture.read_text())
payload = lambda tools: [{"type": "function", "function": t} for t in tools]  # noqa: E731
data["expected"] = {
    "all": encode_tools_to_typescript_style(payload(data["tools"])),
    **{t["name"]: encode_tools_to_typescript_style(payload([t])) for t in data["tools"]},
}
fixture.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n")
