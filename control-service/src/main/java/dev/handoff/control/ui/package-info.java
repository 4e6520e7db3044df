/**
 * The pages ({@code /ui}): deployments, hosts, and the forms that act (approve, reject, replay, redeploy) through the
 * API's own classes. Their routes take no bearer token: a page answers only to a live session (see
 * {@code UiSessions}) and sends anyone else to {@code /ui/login}; a form also needs its session's form token, its
 * confirmation and the API route's role; signing in is limited per client address. Pages follow the ledger through
 * server-sent events ({@code LiveUpdates}, {@code LedgerWatch}) instead of reloading.
 */
@PublicEndpoint("each page checks its session cookie itself and sends anyone without one to /ui/login")
package dev.handoff.control.ui;

import dev.handoff.control.security.PublicEndpoint;
