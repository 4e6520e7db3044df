# State in PostgreSQL: the connection string comes from PG_CONN_STR (never in Git), one schema per stack.
terraform {
  backend "pg" {
    schema_name = "handoff_compute"
  }
}
