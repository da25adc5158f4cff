"""Export one workspace to a JSON file and restore it into an empty database (`export_workspace`,
`import_workspace`).

registry.py   which rows of which model belong to a workspace, and the models left out (with the reason)
codec.py      the file: its line layout, how values are written and read back
exporter.py   streams a workspace out, table by table, in one read-only snapshot
restorer.py   reads the file back in one transaction: same primary keys, same values, same history
"""
