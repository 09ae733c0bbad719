"""sampling: character-pair search index (FTS5 on SQLite, GIN on PostgreSQL)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

Note for later migrations: a batch (copy-and-move) migration of sampling_batches on SQLite
drops the triggers below; recreate them (SQLITE_TRIGGERS) after such a migration.
"""
from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

# No INSERT trigger: rows are inserted in bulk and indexed in one statement afterwards
# (portal.sampling.search_index.index_inserted), 20 times faster than a trigger per row.
SQLITE_TRIGGERS = [
    """CREATE TRIGGER sampling_fts_ad AFTER DELETE ON sampling_batches BEGIN
         INSERT INTO sampling_fts(sampling_fts, rowid, search_bigrams)
         VALUES ('delete', old.id, old.search_bigrams);
       END""",
    """CREATE TRIGGER sampling_fts_au AFTER UPDATE OF search_bigrams ON sampling_batches BEGIN
         INSERT INTO sampling_fts(sampling_fts, rowid, search_bigrams)
         VALUES ('delete', old.id, old.search_bigrams);
         INSERT INTO sampling_fts(rowid, search_bigrams) VALUES (new.id, new.search_bigrams);
       END""",
]


def _backfill(bind) -> None:
    from portal.sampling.search_index import bigram_text

    rows = bind.execute(sa.text("SELECT id, food_name, producer_name, sampled_unit "
                                "FROM sampling_batches")).all()
    if rows:
        bind.execute(sa.text("UPDATE sampling_batches SET search_bigrams = :b WHERE id = :i"),
                     [{"i": r[0], "b": bigram_text(r[1], r[2], r[3])} for r in rows])


def upgrade() -> None:
    with op.batch_alter_table('sampling_batches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_bigrams', sa.Text(), nullable=False,
                                      server_default=''))
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # detail=none, columnsize=0: only which rows hold a pair is needed (queries AND pairs,
        # LIKE confirms adjacency), so positions and sizes are not stored: faster to build.
        op.execute("CREATE VIRTUAL TABLE sampling_fts USING fts5(search_bigrams, "
                   "content='sampling_batches', content_rowid='id', tokenize='unicode61', "
                   "detail=none, columnsize=0)")
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)
        _backfill(bind)
        op.execute("INSERT INTO sampling_fts(sampling_fts) VALUES ('rebuild')")
    else:
        _backfill(bind)
        op.execute("CREATE INDEX ix_sampling_batches_bigrams ON sampling_batches "
                   "USING gin (string_to_array(search_bigrams, ' '))")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in ("sampling_fts_ad", "sampling_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS sampling_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_sampling_batches_bigrams")
    with op.batch_alter_table('sampling_batches', schema=None) as batch_op:
        batch_op.drop_column('search_bigrams')
