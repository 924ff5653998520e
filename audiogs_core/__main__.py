from audiogs_core.cli import main

raise SystemExit(main())
