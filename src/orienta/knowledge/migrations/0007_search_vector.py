from django.db import migrations

# On PostgreSQL the search ranked its matches with to_tsvector(document) computed again for
# every matching row: 0.6–1 s for a word found in thousands of long entries (bench/knowledge.py).
# The vector is now stored, computed once when the row is written, and indexed.
FORWARD = [
    "ALTER TABLE knowledge_searchentry ADD COLUMN vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', document)) STORED",
    "CREATE INDEX knowledge_search_vector ON knowledge_searchentry USING gin (vector)",
    "DROP INDEX IF EXISTS knowledge_search_document",
]
BACKWARD = [
    "CREATE INDEX knowledge_search_document ON knowledge_searchentry "
    "USING gin (to_tsvector('simple', document))",
    "DROP INDEX IF EXISTS knowledge_search_vector",
    "ALTER TABLE knowledge_searchentry DROP COLUMN IF EXISTS vector",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("knowledge", "0006_issuer_country"),
    ]

    operations = [migrations.RunPython(forward, backward)]
