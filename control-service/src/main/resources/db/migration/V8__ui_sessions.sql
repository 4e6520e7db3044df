-- Sessions of the web page (issue 17): kept in the database so that every control-service replica serves a session
-- any of them opened. Only the SHA-256 of a session id is stored: reading this table does not let anyone sign in.
create table ui_session (
    id_sha256 text        primary key,
    name      text        not null,  -- the API token's name
    role      text        not null,  -- viewer or operator
    last_used timestamptz not null
);

create index ui_session_by_last_used on ui_session (last_used);
