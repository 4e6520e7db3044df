/**
 * The web page ({@code /ui}). Its routes take no bearer token: a page answers only to a live session (see
 * {@code UiSessions}) and sends anyone else to {@code /ui/login}; signing in is limited per client address.
 */
@PublicEndpoint("each page checks its session cookie itself and sends anyone without one to /ui/login")
package dev.handoff.control.ui;

import dev.handoff.control.security.PublicEndpoint;
