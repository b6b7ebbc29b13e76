"""`python -m app`: the operator's command line (app.cli)."""

from app.cli import main

raise SystemExit(main())
