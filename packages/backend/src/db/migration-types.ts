/** One schema step: a stable id recorded in `schema_migrations`, and its SQL (see migrations.ts). */
export interface Migration {
  id: string;
  sql: string;
  /** PostgreSQL's text, when it differs beyond `portableDdl`: the whole text, or a function of the translated `sql`. */
  postgres?: string | ((ddl: string) => string);
}
