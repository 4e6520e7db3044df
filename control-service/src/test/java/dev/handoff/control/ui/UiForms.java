package dev.handoff.control.ui;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Signs in to the pages and reads their forms' fields, as a browser would send them, for the pages' HTTP tests. */
final class UiForms {
    private static final Pattern INPUT = Pattern.compile("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\"");

    private UiForms() {}

    /** A new session of the token; its cookie value. */
    static String signIn(String token) {
        return given().redirects()
                .follow(false)
                .formParam("token", token)
                .post("/ui/login")
                .cookie(UiSessions.COOKIE);
    }

    /** The page at {@code path} as {@code session} sees it. */
    static String page(String session, String path) {
        return given().cookie(UiSessions.COOKIE, session)
                .get(path)
                .then()
                .statusCode(200)
                .extract()
                .asString();
    }

    /** The hidden fields of the element with id {@code id} (a form, or the details around one). */
    static Map<String, String> hiddenFields(String page, String id) {
        int start = page.indexOf("id=\"" + id + "\"");
        assertThat(start).as("the page has #%s:\n%s", id, page).isNotNegative();
        int end = page.indexOf("</form>", start);
        Matcher m = INPUT.matcher(page.substring(start, end));
        Map<String, String> fields = new LinkedHashMap<>();
        while (m.find()) {
            fields.put(m.group(1), m.group(2));
        }
        return fields;
    }
}
