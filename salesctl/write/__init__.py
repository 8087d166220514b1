"""Writers: commands that change the workspace's files, each checked against the whole workspace
and written all or nothing. `importing` brings records in from spreadsheets."""
