"""Writers that build a plan of file changes, checked before anything is written (see `writers`)."""
