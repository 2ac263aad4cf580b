import sys
from pathlib import Path

# The consumer under test is the real inventory app (examples/shop/inventory).
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples" / "shop" / "inventory"))
