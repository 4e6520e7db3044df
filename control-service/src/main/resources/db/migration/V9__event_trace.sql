-- The trace id of each event's W3C traceparent header (issue 17): a deployment's events share it. Events stored before
-- have none.
alter table event add column trace_id text;
