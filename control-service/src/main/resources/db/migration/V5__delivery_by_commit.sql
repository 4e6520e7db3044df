-- A push is a duplicate when its commit of its repository was delivered before (whatever the delivery id):
-- the webhook looks deliveries up by repository and commit.
create index webhook_delivery_commit on webhook_delivery (repository, commit_sha);
