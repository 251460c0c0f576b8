"""On PostgreSQL, the database itself refuses to change or delete an audit
record. The one update allowed is the actor's id going to NULL when a staff
account is deleted (``on_delete=SET_NULL``); ``actor_name`` keeps who it was.
SQLite (the embedded default) relies on the admin being read-only."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_auditrecord_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit records cannot be deleted';
    END IF;
    IF NEW.actor_id IS NOT NULL AND NEW.actor_id IS DISTINCT FROM OLD.actor_id
       OR ROW(NEW.id, NEW.actor_name, NEW.action, NEW.target_type, NEW.target_id,
              NEW.number, NEW.before::text, NEW.after::text, NEW.reason,
              NEW.created_at)
          IS DISTINCT FROM
          ROW(OLD.id, OLD.actor_name, OLD.action, OLD.target_type, OLD.target_id,
              OLD.number, OLD.before::text, OLD.after::text, OLD.reason,
              OLD.created_at)
    THEN
        RAISE EXCEPTION 'audit records cannot be changed';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_auditrecord_append_only
BEFORE UPDATE OR DELETE ON audit_auditrecord
FOR EACH ROW EXECUTE FUNCTION audit_auditrecord_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_auditrecord_append_only ON audit_auditrecord;
DROP FUNCTION IF EXISTS audit_auditrecord_append_only();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP)),
    ]
