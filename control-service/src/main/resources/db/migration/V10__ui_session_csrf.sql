-- The page's forms (approve, reject) carry a token of their session (issue 17): a form another site makes the browser
-- send lacks it. Sessions opened before have none and must sign in again to act.
alter table ui_session add column csrf text not null default '';
