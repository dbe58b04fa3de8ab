"""STYLE §4: .env.example lists exactly the variables config/settings.py reads."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_env_example_matches_every_env_call_in_settings():
    source = (ROOT / "config" / "settings.py").read_text()
    read = set(re.findall(r'env_(?:str|bool|int|list)\(\s*"([A-Z0-9_]+)"', source))
    app_part, _, compose_part = (ROOT / ".env.example").read_text().partition("# docker-compose only")
    listed = set(re.findall(r"^([A-Z0-9_]+)=", app_part, flags=re.M))
    compose_only = set(re.findall(r"^([A-Z0-9_]+)=", compose_part, flags=re.M))
    assert read == listed
    assert not compose_only & read


def test_only_settings_reads_the_environment():
    offenders = [
        str(path.relative_to(ROOT))
        for app in ("workload", "supervision", "reporting")
        for path in (ROOT / app).rglob("*.py")
        if "os.environ" in path.read_text()
    ]
    assert offenders == []
