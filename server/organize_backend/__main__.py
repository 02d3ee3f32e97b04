from organize_backend.cli import main

raise SystemExit(main())
