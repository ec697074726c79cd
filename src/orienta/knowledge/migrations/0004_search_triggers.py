from django.db import migrations

# On SQLite the FTS5 table follows its external content (the entries table) through triggers,
# so that one entry can be written or removed without rebuilding the whole index. PostgreSQL's
# GIN expression index follows the table by itself.
TRIGGERS = [
    "CREATE TRIGGER knowledge_search_ai AFTER INSERT ON knowledge_searchentry BEGIN "
    "INSERT INTO knowledge_search_fts(rowid, document) VALUES (new.id, new.document); END",
    "CREATE TRIGGER knowledge_search_ad AFTER DELETE ON knowledge_searchentry BEGIN "
    "INSERT INTO knowledge_search_fts(knowledge_search_fts, rowid, document) "
    "VALUES ('delete', old.id, old.document); END",
    "CREATE TRIGGER knowledge_search_au AFTER UPDATE ON knowledge_searchentry BEGIN "
    "INSERT INTO knowledge_search_fts(knowledge_search_fts, rowid, document) "
    "VALUES ('delete', old.id, old.document); "
    "INSERT INTO knowledge_search_fts(rowid, document) VALUES (new.id, new.document); END",
]


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in TRIGGERS:
            schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for name in ("ai", "ad", "au"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS knowledge_search_{name}")


class Migration(migrations.Migration):

    dependencies = [
        ("knowledge", "0003_briefs"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
