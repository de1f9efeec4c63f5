"""README.ja.md keeps in step with README.md: the same commands and config keys, in the same code blocks
(their comments may be translated), and the same idbridge commands named in the text."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.M | re.S)
# `idbridge …` in the running text, up to the closing backtick
INLINE = re.compile(r"`(idbridge [^`]+)`")
KEY = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*=", re.M)


def code_lines(text):
    """Each code block's lines without comments (a translated comment is no difference)."""
    blocks = []
    for block in FENCE.findall(text):
        lines = []
        for line in block.splitlines():
            # a comment starts at a # after a space or at the start (not in "#!" or a URL's fragment)
            line = re.sub(r"(^|\s)#(?!!).*$", "", line).rstrip()
            if line.strip():
                lines.append(line)
        blocks.append(lines)
    return blocks


def commands(text):
    return sorted(set(INLINE.findall(text)))


def keys(text):
    return sorted({k for block in FENCE.findall(text) for k in KEY.findall(block)})


def test_the_japanese_readme_has_the_same_code_blocks_commands_and_config_keys():
    en = (ROOT / "README.md").read_text()
    ja = (ROOT / "README.ja.md").read_text()
    assert "README.ja.md" in en and "README.md" in ja, "each README links the other"
    en_blocks, ja_blocks = code_lines(en), code_lines(ja)
    assert len(en_blocks) == len(ja_blocks), (len(en_blocks), len(ja_blocks))
    for i, (e, j) in enumerate(zip(en_blocks, ja_blocks)):
        assert e == j, f"code block {i + 1} differs:\nREADME.md: {e}\nREADME.ja.md: {j}"
    assert keys(en) == keys(ja)
    assert commands(en) == commands(ja), set(commands(en)) ^ set(commands(ja))
    # really Japanese, not a copy
    assert len(re.findall(r"[\u3040-\u30ff]", ja)) > 1000


def test_the_comparison_sees_a_changed_command_and_a_dropped_key():
    en = "```sh\nidbridge login --provider x  # sign in\n```\n```toml\nissuer = \"a\"\n```\n"
    assert code_lines(en) == code_lines(en.replace("# sign in", "# サインイン"))
    assert code_lines(en) != code_lines(en.replace("--provider", "--profile"))
    assert keys(en) != keys(en.replace("issuer", "# issuer"))
    assert commands("run `idbridge doctor` now") != commands("run `idbridge status` now")
