"""Plain values and functions the test modules share: workspaces as literal texts, paths, git
repositories built commit by commit. Nothing here is a test or a fixture; the fixtures built on
them are in tests/conftest.py. Test modules import from here, never from another test module."""
